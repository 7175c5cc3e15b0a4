/**
 * Alipay in the words every payment provider shares: start a payment (a
 * redirect), read a notification, query a payment, refund, pay out and
 * follow a payout. Each outcome that is not known for sure is "unknown": the
 * caller keeps the same number and asks again, never pays under a new one.
 */
import { type AlipayClient, alipayClient } from "./client.ts";
import { NOTIFY_FAILURE, NOTIFY_SUCCESS, readNotification } from "./notify.ts";
import { AlipayBusinessError, payPageUrl, queryRefund, queryTrade, refundTrade } from "./trade.ts";
import { type AlipayPayee, queryTransfer, transfer } from "./transfer.ts";
import { AlipayCallError, type AlipayOptions, type AlipayTransferState } from "./types.ts";

/** A verified payment notification or query: what it says of our order number. */
export interface PaymentReport {
  readonly outTradeNo: string;
  readonly providerTxnId: string;
  readonly amountMicro: bigint;
  /** paid: the money is received; pending: not yet; closed: never will be. */
  readonly status: "paid" | "pending" | "closed";
}

/** A payout's state: succeeded and failed are final. */
export type PayoutOutcome =
  | { readonly status: "succeeded"; readonly providerRef: string }
  | { readonly status: "failed"; readonly reason: string }
  | { readonly status: "pending" | "unknown" | "absent" };

function tradeState(status: string): PaymentReport["status"] {
  if (status === "TRADE_SUCCESS" || status === "TRADE_FINISHED") return "paid";
  return status === "TRADE_CLOSED" ? "closed" : "pending";
}

function payoutOutcome(state: AlipayTransferState): PayoutOutcome {
  if (state.status === "SUCCESS") return { status: "succeeded", providerRef: state.orderId };
  if (state.status === "FAIL") return { status: "failed", reason: state.reason };
  return { status: state.status === "ABSENT" ? "absent" : "pending" };
}

/** An unknown outcome when the gateway did not answer or answered unverifiably. */
async function orUnknown<T>(work: () => Promise<T>, unknown: T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AlipayCallError) return unknown;
    throw error;
  }
}

/** The Alipay provider bound to one application's settings. */
export function alipayProvider(options: AlipayOptions) {
  const client: AlipayClient = alipayClient(options);
  return {
    name: "alipay" as const,
    client,
    /** The URL the member's browser is sent to (phone: wap; computer: page). */
    payUrl(input: {
      outTradeNo: string;
      amountMicro: bigint;
      subject: string;
      channel: "wap" | "page";
      returnUrl?: string;
    }) {
      return payPageUrl(client, input);
    },
    /** A notification's form read and verified; a string says why it is refused. */
    readNotification(form: Readonly<Record<string, string>>): PaymentReport | string {
      const read = readNotification(client, form);
      if (typeof read === "string") return read;
      return {
        outTradeNo: read.outTradeNo,
        providerTxnId: read.tradeNo,
        amountMicro: read.totalAmountMicro,
        status: read.paid && read.refundFeeMicro === null ? "paid" : tradeState(read.tradeStatus),
      };
    },
    /** The plain-text answer Alipay expects. */
    notificationAnswer: (accepted: boolean) => (accepted ? NOTIFY_SUCCESS : NOTIFY_FAILURE),
    async queryPayment(outTradeNo: string): Promise<PaymentReport | null> {
      const trade = await queryTrade(client, outTradeNo);
      if (!trade.found) return null;
      return {
        outTradeNo,
        providerTxnId: trade.tradeNo,
        amountMicro: trade.totalAmountMicro,
        status: tradeState(trade.tradeStatus),
      };
    },
    /** Refunds; "unknown" when the answer was lost (retry with the same refund number, or query). */
    async refund(input: { outTradeNo: string; refundNo: string; amountMicro: bigint; reason: string }) {
      return orUnknown(
        async () => {
          try {
            await refundTrade(client, { ...input, outRequestNo: input.refundNo });
            return { status: "succeeded" as const };
          } catch (error) {
            if (error instanceof AlipayBusinessError && error.subCode !== "ACQ.SYSTEM_ERROR")
              return { status: "failed" as const, reason: `${error.subCode}` };
            if (error instanceof AlipayBusinessError) return { status: "unknown" as const };
            throw error;
          }
        },
        { status: "unknown" as const },
      );
    },
    async refundedAmount(outTradeNo: string, refundNo: string): Promise<bigint | null> {
      return queryRefund(client, outTradeNo, refundNo);
    },
    async payout(input: {
      payoutNo: string;
      amountMicro: bigint;
      payee: AlipayPayee;
      title: string;
    }): Promise<PayoutOutcome> {
      return orUnknown(
        async () => payoutOutcome(await transfer(client, { outBizNo: input.payoutNo, ...input })),
        { status: "unknown" },
      );
    },
    async queryPayout(payoutNo: string): Promise<PayoutOutcome> {
      return orUnknown(async () => payoutOutcome(await queryTransfer(client, payoutNo)), {
        status: "unknown",
      });
    },
  };
}

export type AlipayProvider = ReturnType<typeof alipayProvider>;
