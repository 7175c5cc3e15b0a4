/** Reports for operators: figures, liabilities, referral reach, dashboard series. */
export { type Liabilities, liabilities } from "./liabilities.ts";
export { figuresRoutes, referralReachView } from "./routes.ts";
