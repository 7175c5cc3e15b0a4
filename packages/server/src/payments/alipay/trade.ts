/**
 * Trades: the pay page (alipay.trade.wap.pay for phones, alipay.trade.page.pay
 * for computers) is a signed redirect to the gateway; alipay.trade.query finds
 * a payment whose notification never came; alipay.trade.refund and
 * alipay.trade.fastpay.refund.query give money back.
 */
import { microToYuanText, yuanTextToMicro } from "./amounts.ts";
import { ALIPAY_GATEWAY, type AlipayClient } from "./client.ts";
import { type AlipayAnswer, AlipayCallError, type AlipayTrade } from "./types.ts";

/** What the member is sent to pay. */
export interface PayPageInput {
  /** "wap": a phone browser (QUICK_WAP_WAY); "page": a computer (FAST_INSTANT_TRADE_PAY). */
  readonly channel: "wap" | "page";
  /** Our order number (商户订单号), at most 64 letters, digits, `_`. */
  readonly outTradeNo: string;
  readonly amountMicro: bigint;
  readonly subject: string;
  /** Where the member's browser comes back (同步跳转, shows nothing is paid until the notification). */
  readonly returnUrl?: string;
  /** Where "give up" on the wap page leads. */
  readonly quitUrl?: string;
  /** Absolute time after which the trade closes unpaid. */
  readonly expiresAt?: Date;
}

/** The gateway URL that opens Alipay's cashier for the member (an HTTP GET of the signed parameters). */
export function payPageUrl(client: AlipayClient, input: PayPageInput): string {
  const method = input.channel === "wap" ? "alipay.trade.wap.pay" : "alipay.trade.page.pay";
  const biz: Record<string, string> = {
    out_trade_no: input.outTradeNo,
    total_amount: microToYuanText(input.amountMicro),
    subject: input.subject,
    product_code: input.channel === "wap" ? "QUICK_WAP_WAY" : "FAST_INSTANT_TRADE_PAY",
  };
  if (input.quitUrl && input.channel === "wap") biz.quit_url = input.quitUrl;
  if (input.expiresAt) {
    const at = new Date(input.expiresAt.getTime() + 8 * 3_600_000);
    biz.time_expire = at.toISOString().slice(0, 19).replace("T", " ");
  }
  const params = client.signedParams(method, biz, input.returnUrl ? { return_url: input.returnUrl } : {});
  return `${client.options.gateway ?? ALIPAY_GATEWAY}?${new URLSearchParams(params).toString()}`;
}

/** An answer's amount field read exactly, or a protocol error naming it. */
export function amountField(answer: AlipayAnswer, name: string): bigint {
  const micro = yuanTextToMicro(answer.fields[name]);
  if (micro === null) throw new AlipayCallError("protocol", `${name} is not a yuan amount`);
  return micro;
}

function failed(method: string, answer: AlipayAnswer): never {
  throw new AlipayBusinessError(method, answer);
}

/** Alipay refused the call (code other than 10000): `subCode` says why, e.g. ACQ.TRADE_NOT_EXIST. */
export class AlipayBusinessError extends Error {
  readonly code: string;
  readonly subCode: string | null;
  constructor(method: string, answer: AlipayAnswer) {
    super(`alipay ${method}: ${answer.code} ${answer.subCode ?? ""} ${answer.subMsg ?? answer.msg}`);
    this.name = "AlipayBusinessError";
    this.code = answer.code;
    this.subCode = answer.subCode;
  }
}

/** alipay.trade.query by our order number. */
export async function queryTrade(client: AlipayClient, outTradeNo: string): Promise<AlipayTrade> {
  const method = "alipay.trade.query";
  const answer = await client.call(method, { out_trade_no: outTradeNo });
  if (answer.subCode === "ACQ.TRADE_NOT_EXIST") return { found: false };
  if (answer.code !== "10000") failed(method, answer);
  if (answer.fields.out_trade_no !== outTradeNo)
    throw new AlipayCallError("protocol", "the answer names another out_trade_no");
  return {
    found: true,
    tradeNo: String(answer.fields.trade_no ?? ""),
    outTradeNo,
    tradeStatus: String(answer.fields.trade_status ?? ""),
    totalAmountMicro: amountField(answer, "total_amount"),
  };
}

/** A refund asked for (退款请求号 `outRequestNo` makes a retry of the same refund safe). */
export interface RefundInput {
  readonly outTradeNo: string;
  readonly outRequestNo: string;
  readonly amountMicro: bigint;
  readonly reason: string;
}

/** alipay.trade.refund; returns the trade's refunded total after it (refund_fee). */
export async function refundTrade(
  client: AlipayClient,
  input: RefundInput,
): Promise<{ refundedTotalMicro: bigint; fundChange: boolean }> {
  const method = "alipay.trade.refund";
  const answer = await client.call(method, {
    out_trade_no: input.outTradeNo,
    refund_amount: microToYuanText(input.amountMicro),
    out_request_no: input.outRequestNo,
    refund_reason: input.reason.slice(0, 256),
  });
  if (answer.code !== "10000") failed(method, answer);
  return {
    refundedTotalMicro: amountField(answer, "refund_fee"),
    fundChange: answer.fields.fund_change === "Y",
  };
}

/** alipay.trade.fastpay.refund.query: the amount refunded by one request, or null when it did not happen. */
export async function queryRefund(
  client: AlipayClient,
  outTradeNo: string,
  outRequestNo: string,
): Promise<bigint | null> {
  const method = "alipay.trade.fastpay.refund.query";
  const answer = await client.call(method, { out_trade_no: outTradeNo, out_request_no: outRequestNo });
  if (answer.subCode === "ACQ.TRADE_NOT_EXIST") return null;
  if (answer.code !== "10000") failed(method, answer);
  const status = answer.fields.refund_status;
  if (answer.fields.refund_amount === undefined || (status !== undefined && status !== "REFUND_SUCCESS"))
    return null;
  return amountField(answer, "refund_amount");
}
