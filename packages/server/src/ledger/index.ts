export {
  appendTransaction,
  checkedPostings,
  compareKeys,
  type LedgerEntry,
  memberIdOf,
  netByAccount,
  refuseOverLimit,
  signAllows,
} from "./append.ts";
export {
  type BalanceKey,
  LoadedBalances,
  lockBalances,
  memberHasDebt,
  memberWallets,
  type WalletBalance,
} from "./balances.ts";
export { type Cause, describe, type Language, requestLanguage } from "./causes.ts";
export { type HistoryLine, type HistoryPage, memberHistory } from "./history.ts";
export { buildEntry, ServerAccount } from "./postings.ts";
