export { EquityFiguresSchema, equityFiguresView, openDayEquityFigures } from "./equity-figures.ts";
export { applyPayoutReport, followPayouts, type PayoutServices, sendPayout } from "./payouts.ts";
export { PointsSummarySchema, pointsSummary, WalletSchema, walletsView } from "./view.ts";
export {
  decideWithdrawal,
  listWithdrawals,
  requestWithdrawal,
  type Withdrawal,
  withdrawalFee,
} from "./withdrawals.ts";
