/**
 * A checkout paid through Alipay. Its cash part is asked for under our order
 * number `JF<checkout id>`; a notification or a query that reports it paid is
 * applied once: the payment row is locked, a report of the same Alipay trade
 * again changes nothing (a replay), and a report whose amount differs from
 * ours, or of an order number we never asked for, is refused with nothing
 * credited. The provider's trade number is unique over all our payments.
 */
import { formatDecimal, parseDecimal } from "@jifen/engine";
import type { Db, Queryable, Tx } from "../db/index.ts";
import { isSqlError } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import type { AlipayProvider, PaymentReport } from "../payments/alipay/index.ts";
import { findCheckout, type PaymentDeps, payCheckout } from "../shop/index.ts";

/** Our order number at Alipay of a checkout. */
export const outTradeNoOf = (checkoutId: string) => `JF${checkoutId}`;

interface PaymentRow {
  out_trade_no: string;
  checkout_id: string;
  amount: string;
  status: "pending" | "paid";
  provider_txn_id: string | null;
}

/**
 * The pay page URL for a member's pending checkout (its cash part); the
 * payment row is made on the first call and kept for later ones.
 */
export async function startAlipayPayment(
  tx: Tx,
  provider: AlipayProvider,
  input: { checkoutId: string; memberId: string; channel: "wap" | "page"; returnUrl?: string; now: Date },
): Promise<{ outTradeNo: string; amountMicro: bigint; payUrl: string }> {
  const checkout = await findCheckout(tx, input.checkoutId);
  if (!checkout || checkout.memberId !== input.memberId) fail("CHECKOUT_NOT_FOUND");
  if (checkout.provider !== "alipay" || !checkout.orders.some((o) => o.status === "pending"))
    fail("CHECKOUT_NOT_PENDING");
  const amountMicro = checkout.amount - checkout.pointsPaid;
  const outTradeNo = outTradeNoOf(checkout.id);
  await tx.query(
    `insert into provider_payments (out_trade_no, provider, checkout_id, amount, status, created_at)
     values ($1, 'alipay', $2::bigint, $3::numeric, 'pending', $4::timestamptz)
     on conflict (out_trade_no) do nothing`,
    [outTradeNo, checkout.id, formatDecimal(amountMicro), input.now.toISOString()],
  );
  const subject = `积分商城订单 ${checkout.id}`;
  const payUrl = provider.payUrl({
    outTradeNo,
    amountMicro,
    subject,
    channel: input.channel,
    ...(input.returnUrl ? { returnUrl: input.returnUrl } : {}),
  });
  return { outTradeNo, amountMicro, payUrl };
}

/** What became of a report: applied (orders paid), replayed (already applied), ignored (not a payment) or refused. */
export type ReportOutcome =
  | { readonly outcome: "applied" | "replayed" | "ignored" }
  | { readonly outcome: "refused"; readonly reason: string };

async function lockPayment(tx: Tx, outTradeNo: string): Promise<PaymentRow | undefined> {
  const rows = await tx.query<PaymentRow>(
    `select out_trade_no, checkout_id, amount, status, provider_txn_id from provider_payments
     where out_trade_no = $1 and provider = 'alipay' for update`,
    [outTradeNo],
  );
  return rows.rows[0];
}

/** Applies a verified report of a payment (notification or query) once. */
export async function applyPaymentReport(
  db: Db,
  report: PaymentReport,
  deps: PaymentDeps,
): Promise<ReportOutcome> {
  try {
    return await db.transaction(async (tx) => {
      const row = await lockPayment(tx, report.outTradeNo);
      if (!row) return { outcome: "refused", reason: "UNKNOWN_ORDER" };
      if (row.status === "paid") {
        if (row.provider_txn_id === report.providerTxnId) return { outcome: "replayed" };
        return { outcome: "refused", reason: "ANOTHER_TRADE_FOR_A_PAID_ORDER" };
      }
      if (report.status !== "paid") return { outcome: "ignored" };
      if (report.amountMicro !== parseDecimal(row.amount))
        return { outcome: "refused", reason: "AMOUNT_MISMATCH" };
      await tx.query(
        `update provider_payments set status = 'paid', provider_txn_id = $2, paid_at = $3::timestamptz
         where out_trade_no = $1`,
        [row.out_trade_no, report.providerTxnId, deps.now.toISOString()],
      );
      const checkout = await findCheckout(tx, row.checkout_id, true);
      if (!checkout) return { outcome: "refused", reason: "UNKNOWN_ORDER" };
      await payCheckout(tx, checkout, deps);
      return { outcome: "applied" };
    });
  } catch (error) {
    if (isSqlError(error, "23505")) return { outcome: "refused", reason: "TRADE_ALREADY_APPLIED_ELSEWHERE" };
    throw error;
  }
}

/** Payments asked for and still pending (for the query that catches a missed notification). */
export async function pendingPayments(q: Queryable, createdBefore: Date, limit = 100): Promise<string[]> {
  const rows = await q.query<{ out_trade_no: string }>(
    `select out_trade_no from provider_payments where provider = 'alipay' and status = 'pending'
       and created_at <= $1::timestamptz order by created_at limit $2`,
    [createdBefore.toISOString(), limit],
  );
  return rows.rows.map((r) => r.out_trade_no);
}

/**
 * Asks Alipay about each pending payment and applies what it reports paid:
 * a notification that never came is caught here. Returns the outcomes.
 */
export async function catchUpPayments(
  db: Db,
  provider: AlipayProvider,
  deps: PaymentDeps,
  createdBefore: Date,
): Promise<Record<string, ReportOutcome | { outcome: "absent" }>> {
  const out: Record<string, ReportOutcome | { outcome: "absent" }> = {};
  for (const outTradeNo of await pendingPayments(db, createdBefore)) {
    const report = await provider.queryPayment(outTradeNo);
    out[outTradeNo] = report ? await applyPaymentReport(db, report, deps) : { outcome: "absent" };
  }
  return out;
}
