export { parseAlipayStatement } from "./alipay-statement.ts";
export {
  compareStatement,
  type Difference,
  type DifferenceKind,
  formatReconciliation,
  type Reconciliation,
} from "./compare.ts";
export { csvFields, type MoneyLine, StatementFormatError } from "./statement.ts";
export { parseWechatStatement } from "./wechat-statement.ts";
