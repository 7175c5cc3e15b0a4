/**
 * Refunds through the provider that collected an order's cash. The refund is
 * stored first (payment_refunds, our number `out_refund_no` the provider's
 * idempotency key), then asked of the provider; the order is marked refunded
 * (the shop's markRefunded: ledger, stock, rewards) only when the provider
 * reports the refund succeeded — in its answer, its refund notification, or
 * the follower's query. A failed refund leaves the order paid.
 */
import { formatDecimal, parseDecimal } from "@jifen/engine";
import type { Queryable, Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { checkRefundReason, lockOrder, markRefunded, type Order, type PaymentDeps } from "../shop/index.ts";
import { type Payment, paidPaymentOfOrder } from "./store.ts";
import type { ProviderName, RefundInput, RefundReport } from "./types.ts";

/** A refund as stored. */
export interface PaymentRefund {
  readonly id: string;
  readonly paymentId: string;
  readonly orderId: string;
  readonly outRefundNo: string;
  readonly amount: bigint;
  readonly reason: string;
  readonly status: "pending" | "succeeded" | "failed";
  readonly providerRefundId: string | null;
  readonly createdAt: Date;
  readonly finishedAt: Date | null;
}

interface Row {
  id: string;
  payment_id: string;
  order_id: string;
  out_refund_no: string;
  amount: string;
  reason: string;
  status: PaymentRefund["status"];
  provider_refund_id: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const COLUMNS =
  "id, payment_id, order_id, out_refund_no, amount, reason, status, provider_refund_id, created_at, finished_at";

function toRefund(r: Row): PaymentRefund {
  return {
    id: String(r.id),
    paymentId: String(r.payment_id),
    orderId: String(r.order_id),
    outRefundNo: r.out_refund_no,
    amount: parseDecimal(r.amount),
    reason: r.reason,
    status: r.status,
    providerRefundId: r.provider_refund_id,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

/** What the caller sends to the provider after the refund was stored (null: nothing to send). */
export interface RefundToSend {
  readonly provider: ProviderName;
  readonly input: RefundInput;
}

/**
 * Stores the refund of a paid order's cash (in `tx`, the order locked). An
 * order paid wholly with points is refunded at once (no provider involved)
 * and null is returned. A refund already pending for the order is sent again
 * under its own number (a retried request refunds once).
 */
export async function prepareRefund(
  tx: Tx,
  input: { order: Order; reason: string; operatorId: string | null },
  deps: PaymentDeps,
): Promise<{ order: Order; send: RefundToSend | null }> {
  const reason = checkRefundReason(input.reason);
  const order = await lockOrder(tx, input.order.id);
  if (order.status !== "paid") fail("ORDER_NOT_PAID");
  const cash = order.amount - order.pointsPaid;
  const payment = await paidPaymentOfOrder(tx, order);
  if (cash === 0n || payment === null)
    return { order: await markRefunded(tx, order, deps, reason), send: null };
  const pending = await tx.query<Row>(
    `select ${COLUMNS} from payment_refunds where order_id = $1::bigint and status = 'pending'`,
    [order.id],
  );
  const refund = pending.rows[0]
    ? toRefund(pending.rows[0])
    : await insertRefund(tx, payment, order, cash, reason, input.operatorId, deps.now);
  return { order, send: { provider: payment.provider, input: refundInput(payment, refund) } };
}

function refundInput(payment: Payment, refund: PaymentRefund): RefundInput {
  return {
    outTradeNo: payment.outTradeNo,
    providerTxId: payment.providerTxId as string,
    outRefundNo: refund.outRefundNo,
    refundMicro: refund.amount,
    totalMicro: payment.amount,
    reason: refund.reason,
  };
}

async function insertRefund(
  tx: Tx,
  payment: Payment,
  order: Order,
  cash: bigint,
  reason: string,
  operatorId: string | null,
  now: Date,
): Promise<PaymentRefund> {
  const tries = await tx.query<{ n: string }>(
    "select count(*) as n from payment_refunds where order_id = $1::bigint",
    [order.id],
  );
  // Deterministic per attempt: the order id and how many refunds of it failed before.
  const outRefundNo = `JFR${order.id}N${Number(tries.rows[0]?.n ?? 0) + 1}`;
  const rows = await tx.query<Row>(
    `insert into payment_refunds (payment_id, order_id, out_refund_no, amount, reason, status, operator_id, created_at)
     values ($1::bigint, $2::bigint, $3, $4::numeric, $5, 'pending', $6::bigint, $7::timestamptz) returning ${COLUMNS}`,
    [payment.id, order.id, outRefundNo, formatDecimal(cash), reason, operatorId, now.toISOString()],
  );
  return toRefund(rows.rows[0] as Row);
}

/**
 * Applies a refund report (the provider's answer, notification or query):
 * succeeded → the order refunded through markRefunded with the stored
 * reason; failed → the refund failed, the order stays paid; pending → nothing.
 * A repeat changes nothing; an unknown number or another amount is refused.
 */
export async function applyRefundReport(
  tx: Tx,
  report: RefundReport,
  deps: PaymentDeps,
): Promise<{ outcome: "refunded" | "failed" | "repeat" | "none"; refund: PaymentRefund }> {
  const rows = await tx.query<Row>(
    `select ${COLUMNS} from payment_refunds where out_refund_no = $1 for update`,
    [report.outRefundNo],
  );
  const row = rows.rows[0];
  if (!row)
    fail("PAYMENT_UNKNOWN", {
      detail: {
        zh: `退款单 ${report.outRefundNo} 不是本店的`,
        en: `refund ${report.outRefundNo} is not ours`,
      },
    });
  const refund = toRefund(row);
  if (refund.status !== "pending") return { outcome: "repeat", refund };
  if (report.status === "pending") return { outcome: "none", refund };
  // A failed refund moves no money: its amount is not checked (a provider's query may not give it).
  if (report.status === "succeeded" && report.amountMicro !== refund.amount) {
    fail("PAYMENT_AMOUNT_MISMATCH", {
      detail: {
        zh: `退款通知金额 ${formatDecimal(report.amountMicro)}，应退 ${formatDecimal(refund.amount)}`,
        en: `the refund report says ${formatDecimal(report.amountMicro)}, the refund is ${formatDecimal(refund.amount)}`,
      },
    });
  }
  const status = report.status === "succeeded" ? "succeeded" : "failed";
  await tx.query(
    `update payment_refunds set status = $2, provider_refund_id = coalesce($3, provider_refund_id),
       finished_at = $4::timestamptz where id = $1::bigint`,
    [refund.id, status, report.providerRefundId, deps.now.toISOString()],
  );
  const done = { ...refund, status, providerRefundId: report.providerRefundId } as PaymentRefund;
  if (status === "failed") return { outcome: "failed", refund: done };
  const order = await lockOrder(tx, refund.orderId);
  if (order.status === "paid") await markRefunded(tx, order, deps, refund.reason);
  return { outcome: "refunded", refund: done };
}

/** Pending refunds asked for before `before`, oldest first, with their provider and payment number. */
export async function staleRefunds(
  q: Queryable,
  before: Date,
  limit: number,
): Promise<{ provider: ProviderName; outTradeNo: string; outRefundNo: string }[]> {
  const rows = await q.query<{ provider: ProviderName; out_trade_no: string; out_refund_no: string }>(
    `select p.provider, p.out_trade_no, r.out_refund_no from payment_refunds r join payments p on p.id = r.payment_id
     where r.status = 'pending' and r.created_at < $1::timestamptz order by r.created_at, r.id limit $2`,
    [before.toISOString(), limit],
  );
  return rows.rows.map((r) => ({
    provider: r.provider,
    outTradeNo: r.out_trade_no,
    outRefundNo: r.out_refund_no,
  }));
}

/** The refunds of an order, newest first. */
export async function refundsOfOrder(q: Queryable, orderId: string): Promise<PaymentRefund[]> {
  const rows = await q.query<Row>(
    `select ${COLUMNS} from payment_refunds where order_id = $1::bigint order by id desc`,
    [orderId],
  );
  return rows.rows.map(toRefund);
}
