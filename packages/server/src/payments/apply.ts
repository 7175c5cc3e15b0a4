/**
 * Applying what a provider reports about a payment — exactly once. A paid
 * report is checked against our payment (our number, the provider's
 * transaction id not held by another payment, the amount to the fen, every
 * order still pending) and only then credits: the payment row takes the
 * transaction id (unique per provider) and every order of it is marked paid
 * through the shop's own path (markPaid). A repeat of an applied report
 * changes nothing. Anything that does not match is refused with a coded
 * error and written to payment_rejections (in its own transaction: the
 * refused one wrote nothing), never credited.
 */
import { formatDecimal } from "@jifen/engine";
import type { Db, Tx } from "../db/index.ts";
import { AppError, type AppErrorCode, fail } from "../errors/index.ts";
import { findCheckout, lockOrder, markPaid, type Order, type PaymentDeps } from "../shop/index.ts";
import {
  findPaymentByTxId,
  lockPaymentByOutTradeNo,
  type Payment,
  setPaymentClosed,
  setPaymentPaid,
} from "./store.ts";
import type { PaymentReport, ProviderName } from "./types.ts";

/** The codes of a report refused after its signature checked out (each written to payment_rejections). */
export const REJECTION_CODES: readonly AppErrorCode[] = [
  "PAYMENT_UNKNOWN",
  "PAYMENT_AMOUNT_MISMATCH",
  "PAYMENT_TX_REUSED",
  "PAYMENT_PAID_TWICE",
  "PAYMENT_ORDER_NOT_PENDING",
];

/** What applying a report did. */
export interface Applied {
  /** credited: the orders were paid now; repeat: it was applied before; none: nothing to credit. */
  readonly outcome: "credited" | "repeat" | "none";
  readonly payment: Payment;
}

function refuse(code: AppErrorCode, zh: string, en: string): never {
  fail(code, { detail: { zh, en } });
}

/** The orders a payment pays, locked (a checkout's in id order). */
async function lockPayableOrders(tx: Tx, payment: Payment): Promise<Order[]> {
  if (payment.orderId !== null) return [await lockOrder(tx, payment.orderId)];
  const checkout = await findCheckout(tx, payment.checkoutId as string, true);
  return checkout?.orders ?? [];
}

/** Refuses a paid report that does not match `payment`; returns true for a repeat of the applied one. */
async function checkPaidReport(tx: Tx, provider: ProviderName, payment: Payment, report: PaymentReport) {
  const txId = report.providerTxId as string;
  if (payment.status === "paid") {
    if (payment.providerTxId === txId) return true;
    refuse(
      "PAYMENT_PAID_TWICE",
      `支付单 ${payment.outTradeNo} 已由交易 ${payment.providerTxId} 支付，又收到交易 ${txId}，请核实并退款`,
      `payment ${payment.outTradeNo} was paid by ${payment.providerTxId}; another transaction ${txId} came — check and refund it`,
    );
  }
  const holder = await findPaymentByTxId(tx, provider, txId);
  if (holder !== null && holder.id !== payment.id) {
    refuse(
      "PAYMENT_TX_REUSED",
      `交易 ${txId} 已用于支付单 ${holder.outTradeNo}`,
      `transaction ${txId} already paid ${holder.outTradeNo}`,
    );
  }
  if (report.amountMicro !== payment.amount) {
    refuse(
      "PAYMENT_AMOUNT_MISMATCH",
      `通知金额 ${formatDecimal(report.amountMicro)}，应付 ${formatDecimal(payment.amount)}`,
      `the notification says ${formatDecimal(report.amountMicro)}, the payment is ${formatDecimal(payment.amount)}`,
    );
  }
  return false;
}

/**
 * Applies a payment report of `provider` (from a notification or a query) in
 * `tx`. Refuses (throws) a report that does not match; see REJECTION_CODES.
 */
export async function applyPaymentReport(
  tx: Tx,
  provider: ProviderName,
  report: PaymentReport,
  deps: PaymentDeps,
): Promise<Applied> {
  const payment = await lockPaymentByOutTradeNo(tx, report.outTradeNo);
  if (!payment || payment.provider !== provider) {
    refuse(
      "PAYMENT_UNKNOWN",
      `支付单 ${report.outTradeNo} 不是本店的`,
      `payment ${report.outTradeNo} is not ours`,
    );
  }
  if (report.status === "closed" && payment.status === "pending") await setPaymentClosed(tx, payment);
  if (report.status !== "paid" || report.providerTxId === null) return { outcome: "none", payment };
  if (await checkPaidReport(tx, provider, payment, report)) return { outcome: "repeat", payment };
  const orders = await lockPayableOrders(tx, payment);
  const stale = orders.find((o) => o.status !== "pending");
  if (stale || orders.length === 0) {
    refuse(
      "PAYMENT_ORDER_NOT_PENDING",
      `订单 ${stale?.id ?? "?"} 已不是待支付（${stale?.status ?? "无"}），款项未入账，请退款`,
      `order ${stale?.id ?? "?"} is no longer pending (${stale?.status ?? "none"}); nothing credited — refund the payment`,
    );
  }
  await setPaymentPaid(tx, payment, report.providerTxId, deps.now);
  for (const order of orders) await markPaid(tx, order, deps);
  return { outcome: "credited", payment: { ...payment, status: "paid", providerTxId: report.providerTxId } };
}

/** Whether `error` is a refusal of a genuine but non-matching report (to be recorded). */
export function isRejection(error: unknown): error is AppError {
  return error instanceof AppError && REJECTION_CODES.includes(error.code);
}

/** Writes a refused report to payment_rejections (its own transaction). */
export async function recordRejection(
  db: Db,
  input: {
    provider: string;
    code: string;
    outTradeNo: string | null;
    providerTxId: string | null;
    amountMicro: bigint | null;
    detail: string;
    now: Date;
  },
): Promise<void> {
  await db.query(
    `insert into payment_rejections (provider, code, out_trade_no, provider_tx_id, amount, detail, received_at)
     values ($1, $2, $3, $4, $5::numeric, $6, $7::timestamptz)`,
    [
      input.provider,
      input.code,
      input.outTradeNo,
      input.providerTxId,
      input.amountMicro === null ? null : formatDecimal(input.amountMicro),
      input.detail.slice(0, 1000),
      input.now.toISOString(),
    ],
  );
}
