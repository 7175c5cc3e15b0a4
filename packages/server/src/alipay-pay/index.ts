export {
  applyPaymentReport,
  catchUpPayments,
  outTradeNoOf,
  pendingPayments,
  type ReportOutcome,
  startAlipayPayment,
} from "./payments.ts";
export { payOutWithdrawal, payoutAccount, setPayoutAccount } from "./payouts.ts";
export { alipayFetcher, alipayLines } from "./reconcile.ts";
export { alipayPaymentOf, refundAlipayOrder } from "./refunds.ts";
export { alipayOperatorRoutes, alipayRoutes } from "./routes.ts";
