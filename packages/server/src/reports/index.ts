/** Reports for operators: figures, liabilities, referral reach, dashboard series. */
export { type Liabilities, liabilities } from "./liabilities.ts";
