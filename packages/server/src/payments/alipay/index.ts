export { microToYuanText, yuanTextToMicro } from "./amounts.ts";
export { billDetailText, billDownloadUrl, downloadBill } from "./bill.ts";
export { ALIPAY_GATEWAY, type AlipayClient, alipayClient, beijingTimestamp, readAnswer } from "./client.ts";
export {
  type AlipayNotification,
  NOTIFY_FAILURE,
  NOTIFY_SUCCESS,
  type NotificationRefusal,
  readNotification,
} from "./notify.ts";
export { privateKeyOf, publicKeyOf, responseSpan, rsa2Sign, rsa2Verify, signContent } from "./sign.ts";
export {
  AlipayBusinessError,
  amountField,
  type PayPageInput,
  payPageUrl,
  queryRefund,
  queryTrade,
  type RefundInput,
  refundTrade,
} from "./trade.ts";
export { type AlipayPayee, queryTransfer, transfer } from "./transfer.ts";
export {
  type AlipayAnswer,
  AlipayCallError,
  type AlipayOptions,
  type AlipayTrade,
  type AlipayTransferState,
} from "./types.ts";
