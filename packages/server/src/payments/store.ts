/**
 * The `payments` table: one row per payment asked of a provider, for a
 * checkout (a cart) or a single order. Our number (`out_trade_no`) is the
 * provider's idempotency key; the provider's transaction id is unique per
 * provider (a notification credits once).
 */
import { randomBytes } from "node:crypto";
import { formatDecimal, parseDecimal } from "@jifen/engine";
import type { Queryable, Tx } from "../db/index.ts";
import type { PaymentScene, ProviderName } from "./types.ts";

/** A payment as stored. */
export interface Payment {
  readonly id: string;
  readonly provider: ProviderName;
  readonly outTradeNo: string;
  readonly checkoutId: string | null;
  readonly orderId: string | null;
  readonly memberId: string;
  /** The cash to collect, in micro units (a whole number of fen). */
  readonly amount: bigint;
  readonly scene: PaymentScene;
  readonly status: "pending" | "paid" | "closed";
  readonly providerTxId: string | null;
  readonly createdAt: Date;
  readonly paidAt: Date | null;
}

interface Row {
  id: string;
  provider: ProviderName;
  out_trade_no: string;
  checkout_id: string | null;
  order_id: string | null;
  member_id: string;
  amount: string;
  scene: PaymentScene;
  status: Payment["status"];
  provider_tx_id: string | null;
  created_at: Date;
  paid_at: Date | null;
}

const COLUMNS = `id, provider, out_trade_no, checkout_id, order_id, member_id, amount, scene, status, provider_tx_id,
  created_at, paid_at`;

function toPayment(r: Row): Payment {
  return {
    id: String(r.id),
    provider: r.provider,
    outTradeNo: r.out_trade_no,
    checkoutId: r.checkout_id === null ? null : String(r.checkout_id),
    orderId: r.order_id === null ? null : String(r.order_id),
    memberId: String(r.member_id),
    amount: parseDecimal(r.amount),
    scene: r.scene,
    status: r.status,
    providerTxId: r.provider_tx_id,
    createdAt: r.created_at,
    paidAt: r.paid_at,
  };
}

/** How long a payment can be paid after it was asked for. */
export const PAYMENT_TTL_MS = 2 * 3600_000;

/**
 * A new out_trade_no: "JF" + the row id + "T" + 8 random hex digits (at most
 * 32 characters of [0-9A-Za-z], as WeChat Pay and Alipay allow). The random
 * tail keeps numbers unique at the provider when a database is restored.
 */
function newOutTradeNo(id: string): string {
  return `JF${id}T${randomBytes(4).toString("hex")}`;
}

/** What a payment is for: a checkout or a single order. */
export type Payable = { readonly checkoutId: string } | { readonly orderId: string };

/** Records a payment asked of `provider` (status pending). */
export async function insertPayment(
  tx: Tx,
  input: {
    provider: ProviderName;
    payable: Payable;
    memberId: string;
    amount: bigint;
    scene: PaymentScene;
    now: Date;
  },
): Promise<Payment> {
  const ids = await tx.query<{ id: string }>(
    "select nextval(pg_get_serial_sequence('payments', 'id')) as id",
  );
  const id = String((ids.rows[0] as { id: string }).id);
  const rows = await tx.query<Row>(
    `insert into payments (id, provider, out_trade_no, checkout_id, order_id, member_id, amount, scene, status,
       created_at)
     values ($1::bigint, $2, $3, $4::bigint, $5::bigint, $6::bigint, $7::numeric, $8, 'pending', $9::timestamptz)
     returning ${COLUMNS}`,
    [
      id,
      input.provider,
      newOutTradeNo(id),
      "checkoutId" in input.payable ? input.payable.checkoutId : null,
      "orderId" in input.payable ? input.payable.orderId : null,
      input.memberId,
      formatDecimal(input.amount),
      input.scene,
      input.now.toISOString(),
    ],
  );
  return toPayment(rows.rows[0] as Row);
}

/** The pending payment of `payable` through `provider` in `scene` still payable at `now`, to ask again. */
export async function reusablePayment(
  q: Queryable,
  input: { provider: ProviderName; payable: Payable; scene: PaymentScene; amount: bigint; now: Date },
): Promise<Payment | null> {
  const isCheckout = "checkoutId" in input.payable;
  const rows = await q.query<Row>(
    `select ${COLUMNS} from payments
     where ${isCheckout ? "checkout_id" : "order_id"} = $1::bigint and provider = $2 and scene = $3
       and status = 'pending' and amount = $4::numeric and created_at > $5::timestamptz
     order by id desc limit 1`,
    [
      isCheckout
        ? (input.payable as { checkoutId: string }).checkoutId
        : (input.payable as { orderId: string }).orderId,
      input.provider,
      input.scene,
      formatDecimal(input.amount),
      new Date(input.now.getTime() - PAYMENT_TTL_MS / 2).toISOString(),
    ],
  );
  const row = rows.rows[0];
  return row ? toPayment(row) : null;
}

/** The payment with our number, locked for the transaction; null when it is not ours. */
export async function lockPaymentByOutTradeNo(tx: Tx, outTradeNo: string): Promise<Payment | null> {
  const rows = await tx.query<Row>(`select ${COLUMNS} from payments where out_trade_no = $1 for update`, [
    outTradeNo,
  ]);
  const row = rows.rows[0];
  return row ? toPayment(row) : null;
}

/** The payment that holds `providerTxId` at `provider`, if any. */
export async function findPaymentByTxId(
  q: Queryable,
  provider: ProviderName,
  providerTxId: string,
): Promise<Payment | null> {
  const rows = await q.query<Row>(
    `select ${COLUMNS} from payments where provider = $1 and provider_tx_id = $2`,
    [provider, providerTxId],
  );
  const row = rows.rows[0];
  return row ? toPayment(row) : null;
}

/** The paid payment that collected the cash of order `orderId` (alone or in its checkout). */
export async function paidPaymentOfOrder(
  q: Queryable,
  order: { id: string; checkoutId: string | null },
): Promise<Payment | null> {
  const rows = await q.query<Row>(
    `select ${COLUMNS} from payments
     where status = 'paid' and (order_id = $1::bigint or ($2::bigint is not null and checkout_id = $2::bigint))
     order by id limit 1`,
    [order.id, order.checkoutId],
  );
  const row = rows.rows[0];
  return row ? toPayment(row) : null;
}

/** Marks a locked pending payment paid with the provider's transaction id. */
export async function setPaymentPaid(
  tx: Tx,
  payment: Payment,
  providerTxId: string,
  now: Date,
): Promise<void> {
  await tx.query(
    "update payments set status = 'paid', provider_tx_id = $2, paid_at = $3::timestamptz where id = $1::bigint",
    [payment.id, providerTxId, now.toISOString()],
  );
}

/** Marks a locked pending payment closed (the provider closed it unpaid). */
export async function setPaymentClosed(tx: Tx, payment: Payment): Promise<void> {
  await tx.query("update payments set status = 'closed' where id = $1::bigint and status = 'pending'", [
    payment.id,
  ]);
}

/** Pending payments asked for before `before`, oldest first (the follower queries them). */
export async function stalePayments(q: Queryable, before: Date, limit: number): Promise<Payment[]> {
  const rows = await q.query<Row>(
    `select ${COLUMNS} from payments where status = 'pending' and created_at < $1::timestamptz
     order by created_at, id limit $2`,
    [before.toISOString(), limit],
  );
  return rows.rows.map(toPayment);
}

/** The payments of a checkout or an order, newest first. */
export async function paymentsOf(q: Queryable, payable: Payable): Promise<Payment[]> {
  const isCheckout = "checkoutId" in payable;
  const rows = await q.query<Row>(
    `select ${COLUMNS} from payments where ${isCheckout ? "checkout_id" : "order_id"} = $1::bigint order by id desc`,
    [isCheckout ? payable.checkoutId : payable.orderId],
  );
  return rows.rows.map(toPayment);
}
