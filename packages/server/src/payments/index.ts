/**
 * Real-money payment providers (issue 13): the provider interface, the
 * shop's registry of configured providers, the payments and refunds they
 * make, and the exactly-once application of what they report. Withdrawal
 * payouts use the same providers from wallets/payouts.ts.
 */
export {
  findMemberAccount,
  type MemberPaymentAccount,
  memberAccounts,
  setMemberAccount,
} from "./accounts.ts";
export { alipayClientOf, alipayFactory, alipayPaymentProvider } from "./alipay-provider.ts";
export { type Applied, applyPaymentReport, isRejection, REJECTION_CODES, recordRejection } from "./apply.ts";
export { PROVIDER_FACTORIES } from "./providers.ts";
export {
  applyRefundReport,
  type PaymentRefund,
  prepareRefund,
  type RefundToSend,
  refundsOfOrder,
} from "./refunds.ts";
export {
  maskedSettings,
  type PaymentRegistry,
  type ProviderSettings,
  paymentRegistry,
  readProviderSettings,
  saveProviderSettings,
  secretValue,
} from "./registry.ts";
export {
  followPayments,
  type PaymentLog,
  type PaymentServices,
  type PayoutHandler,
  paymentServices,
  providerFailure,
  receiveNotification,
  refundOrder,
  startPayment,
  type TxRunner,
} from "./service.ts";
export { PAYMENT_TTL_MS, type Payable, type Payment, paymentsOf } from "./store.ts";
export {
  type CreatePaymentInput,
  type NotificationAnswer,
  type PaymentLaunch,
  type PaymentProvider,
  PaymentProviderError,
  type PaymentReport,
  type PaymentScene,
  type PayoutInput,
  type PayoutReport,
  PROVIDER_NAMES,
  type ProviderConfig,
  type ProviderDeps,
  type ProviderFactory,
  type ProviderName,
  type ProviderReport,
  type RawNotification,
  type RefundInput,
  type RefundReport,
} from "./types.ts";
export {
  authorizeUrl,
  checkOauthState,
  exchangeCode,
  oauthState,
  WECHAT_OAUTH_BASE,
  WECHAT_SNS_BASE,
  wechatOauthConfig,
} from "./wechat-oauth.ts";
export {
  authorization,
  decryptResource,
  encryptResource,
  jsapiParams,
  parseAuthorization,
  requestMessage,
  responseMessage,
  rsaSign,
  rsaVerify,
} from "./wechat-protocol.ts";
export { WECHAT_ENDPOINT, wechatFactory, wechatTradeBill } from "./wechat-provider.ts";
