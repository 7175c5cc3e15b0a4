/**
 * The asynchronous notification (异步通知): a form-encoded POST from Alipay.
 * Its signature covers every parameter but `sign` and `sign_type`; the app_id
 * must be ours. The answer is the plain text `success` (Alipay stops
 * resending) or anything else, e.g. `failure` (Alipay resends over about a day).
 */
import { yuanTextToMicro } from "./amounts.ts";
import type { AlipayClient } from "./client.ts";
import { rsa2Verify, signContent } from "./sign.ts";

/** A verified notification's fields that matter to us. */
export interface AlipayNotification {
  readonly notifyId: string;
  readonly appId: string;
  readonly tradeNo: string;
  readonly outTradeNo: string;
  /** WAIT_BUYER_PAY, TRADE_CLOSED, TRADE_SUCCESS or TRADE_FINISHED. */
  readonly tradeStatus: string;
  readonly totalAmountMicro: bigint;
  /** Refunded so far (refund_fee), when the notification is about a refund. */
  readonly refundFeeMicro: bigint | null;
  /** True for TRADE_SUCCESS and TRADE_FINISHED: the money is received. */
  readonly paid: boolean;
}

/** Why a notification is refused. */
export type NotificationRefusal = "SIGNATURE_INVALID" | "APP_ID_MISMATCH" | "MALFORMED";

/** Verifies a notification's form fields; the refusal names why it is not to be believed. */
export function readNotification(
  client: AlipayClient,
  form: Readonly<Record<string, string>>,
): AlipayNotification | NotificationRefusal {
  const sign = form.sign;
  if (
    typeof sign !== "string" ||
    !rsa2Verify(signContent(form, ["sign", "sign_type"]), sign, client.alipayKey)
  )
    return "SIGNATURE_INVALID";
  if (form.app_id !== client.options.appId) return "APP_ID_MISMATCH";
  const total = yuanTextToMicro(form.total_amount);
  const refund = form.refund_fee === undefined ? null : yuanTextToMicro(form.refund_fee);
  if (!form.out_trade_no || !form.trade_no || !form.trade_status || total === null) return "MALFORMED";
  if (form.refund_fee !== undefined && refund === null) return "MALFORMED";
  return {
    notifyId: form.notify_id ?? "",
    appId: form.app_id,
    tradeNo: form.trade_no,
    outTradeNo: form.out_trade_no,
    tradeStatus: form.trade_status,
    totalAmountMicro: total,
    refundFeeMicro: refund,
    paid: form.trade_status === "TRADE_SUCCESS" || form.trade_status === "TRADE_FINISHED",
  };
}

/** The body Alipay expects back: `success` stops its resending. */
export const NOTIFY_SUCCESS = "success";
export const NOTIFY_FAILURE = "failure";
