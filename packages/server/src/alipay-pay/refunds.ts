/**
 * Refunding an order paid through Alipay: the order's cash part is refunded
 * at Alipay under the refund number `R<order id>` (recorded before the call,
 * so a retry asks for the same refund and Alipay refunds it once), and only
 * once Alipay confirms is the order refunded here (ledger, rewards reversed).
 */
import { formatDecimal, parseDecimal } from "@jifen/engine";
import type { Db } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import type { AlipayProvider } from "../payments/alipay/index.ts";
import { checkRefundReason, lockOrder, markRefunded, type Order, type PaymentDeps } from "../shop/index.ts";

/** The Alipay payment of an order's checkout, when it was paid through Alipay. */
export async function alipayPaymentOf(
  db: Pick<Db, "query">,
  order: Pick<Order, "checkoutId">,
): Promise<{ outTradeNo: string; amountMicro: bigint } | null> {
  if (order.checkoutId === null) return null;
  const rows = await db.query<{ out_trade_no: string; amount: string }>(
    "select out_trade_no, amount from provider_payments where checkout_id = $1::bigint and status = 'paid'",
    [order.checkoutId],
  );
  const row = rows.rows[0];
  return row ? { outTradeNo: row.out_trade_no, amountMicro: parseDecimal(row.amount) } : null;
}

/** Refunds a paid order through Alipay, then here; refused with nothing changed when Alipay refuses. */
export async function refundAlipayOrder(
  db: Db,
  provider: AlipayProvider,
  input: { orderId: string; reason: string },
  deps: PaymentDeps,
): Promise<Order> {
  const reason = checkRefundReason(input.reason);
  const refundNo = `R${input.orderId}`;
  const asked = await db.transaction(async (tx) => {
    const order = await lockOrder(tx, input.orderId);
    if (order.status !== "paid") fail("ORDER_NOT_PAID");
    const payment = await alipayPaymentOf(tx, order);
    if (!payment)
      fail("ORDER_NOT_PAID", { detail: { zh: "该订单不是支付宝支付的", en: "not paid through Alipay" } });
    const cashMicro = order.amount - order.pointsPaid;
    await tx.query(
      `insert into provider_refunds (refund_no, provider, out_trade_no, order_id, amount, status, created_at)
       values ($1, 'alipay', $2, $3::bigint, $4::numeric, 'sending', $5::timestamptz) on conflict (refund_no) do nothing`,
      [refundNo, payment.outTradeNo, order.id, formatDecimal(cashMicro), deps.now.toISOString()],
    );
    return { outTradeNo: payment.outTradeNo, cashMicro };
  });
  if (asked.cashMicro > 0n) {
    const result = await provider.refund({
      outTradeNo: asked.outTradeNo,
      refundNo,
      amountMicro: asked.cashMicro,
      reason,
    });
    if (result.status === "unknown") fail("PROVIDER_OUTCOME_UNKNOWN");
    if (result.status === "failed")
      fail("PROVIDER_REFUND_FAILED", {
        detail: { zh: `支付宝：${result.reason}`, en: `Alipay: ${result.reason}` },
      });
  }
  return db.transaction(async (tx) => {
    const order = await lockOrder(tx, input.orderId);
    const refunded = await markRefunded(tx, order, deps, reason);
    await tx.query(
      "update provider_refunds set status = 'succeeded', finished_at = $2::timestamptz where refund_no = $1",
      [refundNo, deps.now.toISOString()],
    );
    return refunded;
  });
}
