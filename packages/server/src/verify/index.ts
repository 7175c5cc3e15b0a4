/** `jifen verify`: the ledger's derived figures recomputed and compared with the stored ones (docs/server.md, "Verify"). */
export type { VerifyCheck, VerifyDifference } from "./checks.ts";
export { formatVerifyReport } from "./report.ts";
export {
  type TimedCheck,
  type VerifyOptions,
  type VerifyResult,
  verifyInTransaction,
  verifyLedger,
} from "./verify.ts";
