/**
 * Alipay as a PaymentProvider (types.ts), on the protocol module in
 * ./alipay: WAP / page pay as a redirect, the asynchronous notification
 * (a form; its signature covers every field but sign and sign_type) read as a
 * payment report, alipay.trade.query, alipay.trade.refund and its query, and
 * payouts by alipay.fund.trans.uni.transfer with alipay.fund.trans.common.query.
 *
 * Settings (server_settings `payments.alipay`, config): appId, privateKey (or
 * privateKeyFile: the application's private key), alipayPublicKey (or
 * alipayPublicKeyFile), notifyUrl (https://<shop>/payments/alipay/notify),
 * gateway (optional; the sandbox's for trials).
 */
import { fail } from "../errors/index.ts";
import {
  AlipayBusinessError,
  AlipayCallError,
  type AlipayClient,
  type AlipayTransferState,
  alipayClient,
  payPageUrl,
  queryRefund,
  queryTrade,
  queryTransfer,
  readNotification,
  refundTrade,
  transfer,
} from "./alipay/index.ts";
import { secretValue } from "./registry.ts";
import {
  type PaymentProvider,
  PaymentProviderError,
  type PaymentReport,
  type PayoutReport,
  type ProviderConfig,
  type ProviderDeps,
  type ProviderFactory,
  type RefundReport,
} from "./types.ts";

/** A call's failure in the interface's words: a lost answer is uncertain, a business refusal is not. */
function providerError(error: unknown): never {
  if (error instanceof AlipayCallError) {
    const code = error.kind === "timeout" ? "TIMEOUT" : error.kind === "network" ? "NETWORK" : "BAD_ANSWER";
    throw new PaymentProviderError(code, error.message, 0, true);
  }
  if (error instanceof AlipayBusinessError) {
    const code = error.subCode ?? error.code;
    const uncertain = error.code === "20000" || /SYSTEM_ERROR|unknow-error/.test(code);
    throw new PaymentProviderError(code, error.message, 200, uncertain);
  }
  if (error instanceof RangeError) throw new PaymentProviderError("AMOUNT", error.message, 0, false);
  throw error;
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    return providerError(error);
  }
}

function tradeStatus(status: string): PaymentReport["status"] {
  if (status === "TRADE_SUCCESS" || status === "TRADE_FINISHED") return "paid";
  return status === "TRADE_CLOSED" ? "closed" : "pending";
}

function payoutReport(payoutNo: string, state: AlipayTransferState): PayoutReport {
  const base = { kind: "payout", payoutNo } as const;
  if (state.status === "SUCCESS") return { ...base, providerPayoutId: state.orderId, status: "paid" };
  if (state.status === "FAIL")
    return { ...base, providerPayoutId: null, status: "failed", failure: state.reason };
  if (state.status === "ABSENT") return { ...base, providerPayoutId: null, status: "not_found" };
  return { ...base, providerPayoutId: state.orderId, status: "paying" };
}

/** A notification's form fields (UTF-8, as our requests ask Alipay to use). */
function formOf(rawBody: Buffer): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(rawBody.toString("utf8")));
}

function notificationRefused(reason: string): never {
  fail("PAYMENT_NOTIFICATION_INVALID", {
    detail: { zh: `支付宝通知：${reason}`, en: `Alipay notification: ${reason}` },
  });
}

/** The Alipay provider over a client. */
export function alipayPaymentProvider(client: AlipayClient, now: () => Date): PaymentProvider {
  return {
    name: "alipay",
    scenes: ["wap", "page"],
    payouts: true,
    ...paymentsIn(client, now),
    ...moneyOut(client),
  };
}

/** Money in: the pay page, the query, the notification and its answer. */
function paymentsIn(
  client: AlipayClient,
  now: () => Date,
): Pick<PaymentProvider, "createPayment" | "queryPayment" | "verifyNotification" | "answerNotification"> {
  return {
    createPayment: async (input) =>
      guarded(async () => {
        if (input.scene !== "wap" && input.scene !== "page") fail("PAYMENT_SCENE_UNSUPPORTED");
        const url = payPageUrl(client, {
          channel: input.scene,
          outTradeNo: input.outTradeNo,
          amountMicro: input.amountMicro,
          subject: input.description,
          expiresAt: input.expiresAt,
          ...(input.returnUrl ? { returnUrl: input.returnUrl } : {}),
        });
        return { kind: "redirect", url };
      }),
    queryPayment: (outTradeNo) =>
      guarded(async () => {
        const trade = await queryTrade(client, outTradeNo);
        if (!trade.found) return null;
        const status = tradeStatus(trade.tradeStatus);
        return {
          kind: "payment",
          outTradeNo,
          providerTxId: status === "paid" ? trade.tradeNo : null,
          amountMicro: trade.totalAmountMicro,
          status,
          paidAt: status === "paid" ? now() : null,
        };
      }),
    async verifyNotification(raw) {
      const read = readNotification(client, formOf(raw.rawBody));
      if (typeof read === "string") notificationRefused(read);
      const status = tradeStatus(read.tradeStatus);
      // A refund's notification (refund_fee, out_biz_no) reports the trade, still paid or now
      // closed: a repeat of the payment; the refund itself is booked from the refund's answer
      // or its query (the notification gives the trade's refunded total, not this refund's).
      return {
        kind: "payment",
        outTradeNo: read.outTradeNo,
        providerTxId: read.paid || read.refundFeeMicro !== null ? read.tradeNo : null,
        amountMicro: read.totalAmountMicro,
        status: read.refundFeeMicro !== null ? "paid" : status,
        paidAt: read.paid ? now() : null,
      };
    },
    answerNotification: (ok) => ({
      statusCode: 200,
      contentType: "text/plain; charset=utf-8",
      body: ok ? "success" : "failure",
    }),
  };
}

/** Money out: refunds and payouts, and their queries. */
function moneyOut(
  client: AlipayClient,
): Pick<PaymentProvider, "refund" | "queryRefund" | "payout" | "queryPayout"> {
  return {
    refund: (input) =>
      guarded(async (): Promise<RefundReport> => {
        await refundTrade(client, {
          outTradeNo: input.outTradeNo,
          outRequestNo: input.outRefundNo,
          amountMicro: input.refundMicro,
          reason: input.reason,
        });
        return refundReport(input.outRefundNo, input.outTradeNo, input.refundMicro);
      }),
    queryRefund: (outRefundNo, outTradeNo) =>
      guarded(async () => {
        // No data: Alipay never received this refund (it refunds synchronously), so it failed
        // and may be asked again under a new number; found: it was made, whatever we heard.
        const amount = await queryRefund(client, outTradeNo, outRefundNo);
        if (amount !== null) return refundReport(outRefundNo, outTradeNo, amount);
        return {
          kind: "refund",
          outRefundNo,
          outTradeNo,
          providerRefundId: null,
          amountMicro: 0n,
          status: "failed",
        };
      }),
    payout: (input) =>
      guarded(async () => {
        const state = await transfer(client, {
          outBizNo: input.payoutNo,
          amountMicro: input.amountMicro,
          payee: {
            identity: input.account,
            identityType: /^2088\d{12}$/.test(input.account) ? "ALIPAY_USER_ID" : "ALIPAY_LOGON_ID",
            ...(input.accountName ? { name: input.accountName } : {}),
          },
          title: input.remark,
        });
        return payoutReport(input.payoutNo, state);
      }),
    queryPayout: (payoutNo) =>
      guarded(async () => payoutReport(payoutNo, await queryTransfer(client, payoutNo))),
  };
}

function refundReport(outRefundNo: string, outTradeNo: string, amountMicro: bigint): RefundReport {
  return {
    kind: "refund",
    outRefundNo,
    outTradeNo,
    providerRefundId: null,
    amountMicro,
    status: "succeeded",
  };
}

/** An Alipay client from the stored settings (also for the statement download of `jifen reconcile`). */
export function alipayClientOf(config: ProviderConfig, deps: Partial<ProviderDeps> = {}): AlipayClient {
  return alipayClient({
    appId: config.appId ?? "",
    privateKey: secretValue(config, "privateKey"),
    alipayPublicKey: secretValue(config, "alipayPublicKey"),
    ...(config.gateway ? { gateway: config.gateway } : {}),
    ...(config.notifyUrl ? { notifyUrl: config.notifyUrl } : {}),
    ...(deps.timeoutMs !== undefined ? { timeoutMs: deps.timeoutMs } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
}

/** Makes the Alipay provider from its stored settings. */
export const alipayFactory: ProviderFactory = {
  name: "alipay",
  secretFields: ["privateKey"],
  requiredFields: ["appId", "privateKey", "alipayPublicKey", "notifyUrl"],
  create(config: ProviderConfig, deps: ProviderDeps): PaymentProvider {
    return alipayPaymentProvider(alipayClientOf(config, deps), deps.now);
  },
};
