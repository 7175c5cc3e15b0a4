export { WithdrawalSchema, walletRoutes, withdrawalView } from "./routes.ts";
export { PointsSummarySchema, pointsSummary, WalletSchema, walletsView } from "./view.ts";
export { withdrawalOperatorRoutes } from "./withdrawal-operator-routes.ts";
export {
  decideWithdrawal,
  listWithdrawals,
  requestWithdrawal,
  type Withdrawal,
  withdrawalFee,
} from "./withdrawals.ts";
