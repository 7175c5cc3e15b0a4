export { WithdrawalSchema, walletRoutes, withdrawalView } from "./routes.ts";
export {
  decideWithdrawal,
  listWithdrawals,
  requestWithdrawal,
  type Withdrawal,
  withdrawalFee,
} from "./withdrawals.ts";
