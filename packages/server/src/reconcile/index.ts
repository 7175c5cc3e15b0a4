export { parseAlipayStatement } from "./alipay-statement.ts";
export {
  compareStatement,
  type Difference,
  type DifferenceKind,
  formatReconciliation,
  type Reconciliation,
} from "./compare.ts";
export { readStatement, type StatementProvider } from "./read.ts";
export { type ReconcileInput, reconcileDay } from "./run.ts";
export {
  beijingText,
  defaultSources,
  downloadStatement,
  type OurLinesLoader,
  ourLines,
  type StatementFetcher,
} from "./sources.ts";
export { csvFields, type MoneyLine, StatementFormatError } from "./statement.ts";
export { parseWechatStatement } from "./wechat-statement.ts";
