/**
 * Orders and their payment. Creating an order fixes its amount (price ×
 * quantity) and the points it will be paid with; paying it writes the payment
 * (engine `payOrder`: the cash part world:payments → p:operator, the points
 * member → p:pointsReceived), fixes its eligible day and calls
 * `hooks.onOrderPaid`; refunding writes the engine's `refundPayment` and calls
 * `hooks.onOrderRefunded`. Points promised to pending orders are reserved:
 * a member cannot promise the same points to two orders.
 */
import {
  debtAccount,
  formatDecimal,
  memberAccount,
  mulRateFloor,
  parseDecimal,
  payOrder,
  refundPayment,
} from "@jifen/engine";
import { addDays, businessDay } from "../clock/index.ts";
import { configForDay } from "../config/index.ts";
import type { Queryable, Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { checkLimit, MAX_ORDER_AMOUNT_MICRO } from "../http/limits.ts";
import { appendTransaction, buildEntry, lockBalances } from "../ledger/index.ts";
import type { HookContext, PaidOrder, RewardHooks } from "../rewards/index.ts";
import { shareOpenDay } from "../rewards/index.ts";
import { type Plan, type Product, returnStock, takeStock } from "./products.ts";

/**
 * How an order is paid: confirmed by an operator, reported by the shop's
 * webhook, or the demo payment method (no money moves; off unless an operator
 * turns it on, shop-settings.ts), or a real-money provider (WeChat Pay,
 * Alipay: payments/, paid when the provider's notification is applied).
 */
export type PaymentProviderName = "manual" | "webhook" | "demo" | "wechat" | "alipay";

/** An order as stored. */
export interface Order {
  readonly id: string;
  readonly memberId: string;
  readonly productId: string;
  readonly quantity: number;
  readonly plans: Plan[];
  readonly amount: bigint;
  readonly pointsPaid: bigint;
  readonly status: "pending" | "paid" | "refunded" | "cancelled";
  readonly provider: PaymentProviderName;
  readonly externalId: string | null;
  readonly createdAt: Date;
  readonly paidAt: Date | null;
  readonly paidDay: string | null;
  readonly eligibleDay: string | null;
  readonly refundedAt: Date | null;
  /** Why the order was refunded (required with every refund; null before). */
  readonly refundReason: string | null;
  readonly cancelledAt: Date | null;
  /** The checkout (cart) the order was placed in, paid together with its other orders; null for one order alone. */
  readonly checkoutId: string | null;
}

interface Row {
  id: string;
  member_id: string;
  product_id: string;
  quantity: number;
  plans: Plan[];
  amount: string;
  points_paid: string;
  status: Order["status"];
  provider: PaymentProviderName;
  external_id: string | null;
  created_at: Date;
  paid_at: Date | null;
  paid_day: string | null;
  eligible_day: string | null;
  refunded_at: Date | null;
  refund_reason: string | null;
  cancelled_at: Date | null;
  checkout_id: string | null;
}

const COLUMNS = `id, member_id, product_id, quantity, plans, amount, points_paid, status, provider, external_id,
  created_at, paid_at, paid_day, eligible_day, refunded_at, refund_reason, cancelled_at, checkout_id`;

function toOrder(r: Row): Order {
  return {
    id: r.id,
    memberId: r.member_id,
    productId: r.product_id,
    quantity: r.quantity,
    plans: r.plans,
    amount: parseDecimal(r.amount),
    pointsPaid: parseDecimal(r.points_paid),
    status: r.status,
    provider: r.provider,
    externalId: r.external_id,
    createdAt: r.created_at,
    paidAt: r.paid_at,
    paidDay: r.paid_day,
    eligibleDay: r.eligible_day,
    refundedAt: r.refunded_at,
    refundReason: r.refund_reason,
    cancelledAt: r.cancelled_at,
    checkoutId: r.checkout_id,
  };
}

/** Largest number of items in one order. */
export { MAX_QUANTITY } from "../http/limits.ts";

/** Refuses points over the order amount or the points pay ratio of `day`'s config. */
async function checkPointsRatio(q: Queryable, amount: bigint, points: bigint, day: string): Promise<void> {
  if (points > amount) fail("POINTS_OVER_AMOUNT", { field: "points" });
  const { config } = await configForDay(q, day);
  const cap = mulRateFloor(amount, config.release.pointsPayRatio);
  if (points > cap) {
    fail("POINTS_OVER_RATIO", {
      field: "points",
      detail: { zh: `最多可抵扣 ${formatDecimal(cap)}`, en: `at most ${formatDecimal(cap)}` },
    });
  }
}

/** Points a member promised to orders still awaiting payment. */
export async function reservedPoints(tx: Queryable, memberId: string): Promise<bigint> {
  const rows = await tx.query<{ reserved: string }>(
    "select coalesce(sum(points_paid), 0) as reserved from orders where member_id = $1::bigint and status = 'pending'",
    [memberId],
  );
  return parseDecimal(rows.rows[0]?.reserved ?? "0");
}

/** INSUFFICIENT_POINTS naming what is available and what pending orders hold. */
function refuseInsufficientPoints(available: bigint, reserved: bigint): never {
  const free = formatDecimal(available < 0n ? 0n : available);
  const held = formatDecimal(reserved);
  fail("INSUFFICIENT_POINTS", {
    field: "points",
    detail:
      reserved > 0n
        ? {
            zh: `可用 ${free}，另有 ${held} 已被待支付订单占用`,
            en: `${free} available, ${held} more reserved by orders awaiting payment`,
          }
        : { zh: `可用 ${free}`, en: `${free} available` },
  });
}

/** Places an order awaiting payment; refuses points over the ratio or beyond what the member has free. */
export async function createOrder(
  tx: Tx,
  input: {
    memberId: string;
    product: Product;
    quantity: number;
    amount?: bigint;
    points: bigint;
    provider: PaymentProviderName;
    externalId: string | null;
    now: Date;
    timeZone: string;
    /** The checkout this order belongs to (a cart's orders are paid together). */
    checkoutId?: string;
    /** The caller took the stock already (a checkout takes every item's first, in product order). */
    stockTaken?: boolean;
  },
): Promise<Order> {
  const { memberId, product, points } = input;
  if (!product.active) fail("PRODUCT_INACTIVE", { field: "productId" });
  const amount = input.amount ?? product.price * BigInt(input.quantity);
  checkLimit(amount, MAX_ORDER_AMOUNT_MICRO, input.amount === undefined ? "quantity" : "amount");
  await checkPointsRatio(tx, amount, points, businessDay(input.now, input.timeZone));
  // The stock is checked and taken by one statement (products.ts takeStock): never oversold. The
  // product row is locked before any balance row, as a refund does (lock order: clock → product → balances).
  if (input.stockTaken !== true) await takeStock(tx, product, input.quantity);
  if (points > 0n) {
    const account = memberAccount(memberId, "points");
    const balances = await lockBalances(tx, [{ account, asset: "points" }]);
    const reserved = await reservedPoints(tx, memberId);
    const free = balances.balance(account, "points") - reserved;
    if (points > free) refuseInsufficientPoints(free, reserved);
  }
  if (input.externalId !== null) {
    const dup = await tx.query("select 1 from orders where provider = $1 and external_id = $2", [
      input.provider,
      input.externalId,
    ]);
    if (dup.rows.length > 0) fail("EXTERNAL_ORDER_DUPLICATE", { field: "externalId" });
  }
  const rows = await tx.query<Row>(
    `insert into orders (member_id, product_id, quantity, plans, amount, points_paid, status, provider, external_id,
       created_at, checkout_id)
     values ($1::bigint, $2::bigint, $3, $4::text[], $5::numeric, $6::numeric, 'pending', $7, $8, $9::timestamptz,
       $10::bigint)
     returning ${COLUMNS}`,
    [
      memberId,
      product.id,
      input.quantity,
      product.plans,
      formatDecimal(amount),
      formatDecimal(points),
      input.provider,
      input.externalId,
      input.now.toISOString(),
      input.checkoutId ?? null,
    ],
  );
  return toOrder(rows.rows[0] as Row);
}

/** The order with this id, locked for the rest of the transaction. */
export async function lockOrder(tx: Tx, id: string): Promise<Order> {
  const rows = await tx.query<Row>(`select ${COLUMNS} from orders where id = $1::bigint for update`, [id]);
  const row = rows.rows[0];
  if (!row) fail("ORDER_NOT_FOUND");
  return toOrder(row);
}

/** The webhook order with this external id, locked. */
export async function lockOrderByExternalId(
  tx: Tx,
  provider: PaymentProviderName,
  externalId: string,
): Promise<Order> {
  const rows = await tx.query<Row>(
    `select ${COLUMNS} from orders where provider = $1 and external_id = $2 for update`,
    [provider, externalId],
  );
  const row = rows.rows[0];
  if (!row) fail("ORDER_NOT_FOUND", { field: "externalId" });
  return toOrder(row);
}

/**
 * The orders of `provider` with these external ids and those with these ids,
 * locked (FOR UPDATE, in id order) — the equity writer's refunds, read once
 * per run (issue 14).
 */
export async function lockOrdersByExternalIds(
  tx: Tx,
  provider: PaymentProviderName,
  externalIds: readonly string[],
  ids: readonly string[] = [],
): Promise<Order[]> {
  if (externalIds.length + ids.length === 0) return [];
  const rows = await tx.query<Row>(
    `select ${COLUMNS} from orders where (provider = $1 and external_id = any($2::text[])) or id = any($3::bigint[])
     order by id for update`,
    [provider, [...new Set(externalIds)], [...new Set(ids)]],
  );
  return rows.rows.map(toOrder);
}

function paidOrder(order: Order): PaidOrder {
  return {
    id: order.id,
    memberId: order.memberId,
    productId: order.productId,
    plans: order.plans,
    amount: order.amount,
    pointsPaid: order.pointsPaid,
    paidDay: order.paidDay as string,
    eligibleDay: order.eligibleDay as string,
  };
}

/** What paying and refunding need besides the order. */
export interface PaymentDeps {
  readonly hooks: RewardHooks;
  readonly now: Date;
  readonly timeZone: string;
}

/**
 * Marks a pending order paid: the payment postings, the eligible day (paid day
 * + cooling-off days of that day's config), then `hooks.onOrderPaid`.
 */
export async function markPaid(
  tx: Tx,
  order: Order,
  deps: PaymentDeps,
  externalId: string | null = order.externalId,
): Promise<Order> {
  if (order.status !== "pending") fail("ORDER_NOT_PENDING");
  // The reward clock first (lock order: clock → p:operator → equity state → balances): a payment
  // waits for a running settlement instead of deadlocking with it or landing in the day it settles.
  await shareOpenDay(tx);
  const day = businessDay(deps.now, deps.timeZone);
  await checkPointsRatio(tx, order.amount, order.pointsPaid, day);
  const { config } = await configForDay(tx, day);
  const pointsAccount = memberAccount(order.memberId, "points");
  const balances = await lockBalances(tx, [{ account: pointsAccount, asset: "points" }]);
  const held = balances.balance(pointsAccount, "points");
  if (held < order.pointsPaid) refuseInsufficientPoints(held, 0n);
  const postings = buildEntry(balances, (b) => payOrder(b, order.memberId, order.amount, order.pointsPaid));
  await appendTransaction(
    tx,
    { businessDay: day, kind: "order.pay", ref: `order:${order.id}`, postings },
    deps.now,
  );
  const rows = await tx.query<Row>(
    `update orders set status = 'paid', paid_at = $2::timestamptz, paid_day = $3::date, eligible_day = $4::date,
       external_id = coalesce($5, external_id)
     where id = $1::bigint returning ${COLUMNS}`,
    [order.id, deps.now.toISOString(), day, addDays(day, config.coolingOffDays), externalId],
  );
  const paid = toOrder(rows.rows[0] as Row);
  const context: HookContext = { now: deps.now, businessDay: day };
  await deps.hooks.onOrderPaid(tx, paidOrder(paid), context);
  return paid;
}

/**
 * Places an order (`createOrder`); one paid entirely with points has nothing
 * left to collect and is paid at once (`markPaid`, in the same transaction).
 */
export async function placeOrder(
  tx: Tx,
  input: Parameters<typeof createOrder>[1],
  deps: PaymentDeps,
): Promise<Order> {
  const amount = input.amount ?? input.product.price * BigInt(input.quantity);
  // Lock order of a payment: the reward clock before any balance.
  if (input.points === amount) await shareOpenDay(tx);
  const order = await createOrder(tx, input);
  return order.pointsPaid === order.amount ? markPaid(tx, order, deps) : order;
}

/** A refund's reason: non-empty text once trimmed (REFUND_REASON_REQUIRED otherwise), at most 200 characters. */
export function checkRefundReason(reason: unknown): string {
  const text = typeof reason === "string" ? reason.trim() : "";
  if (text === "") fail("REFUND_REASON_REQUIRED", { field: "reason" });
  return text;
}

/**
 * Refunds a paid order: cash back out, points back to the member (debt first),
 * the reason stored on the order, then `hooks.onOrderRefunded`.
 */
export async function markRefunded(tx: Tx, order: Order, deps: PaymentDeps, reason: string): Promise<Order> {
  const why = checkRefundReason(reason);
  if (order.status !== "paid") fail("ORDER_NOT_PAID");
  await shareOpenDay(tx);
  // The units go back on sale (docs/rules.md "Shop"); before any balance, so a product row is
  // never taken after a balance row (order placement takes the product row first too).
  await returnStock(tx, order.productId, order.quantity);
  const day = businessDay(deps.now, deps.timeZone);
  const balances = await lockBalances(tx, [
    { account: debtAccount(order.memberId, "points"), asset: "points" },
  ]);
  const postings = buildEntry(balances, (b) =>
    refundPayment(b, order.memberId, order.amount, order.pointsPaid),
  );
  await appendTransaction(
    tx,
    { businessDay: day, kind: "order.refund", ref: `order:${order.id}`, postings },
    deps.now,
  );
  const rows = await tx.query<Row>(
    `update orders set status = 'refunded', refunded_at = $2::timestamptz, refund_reason = $3
     where id = $1::bigint returning ${COLUMNS}`,
    [order.id, deps.now.toISOString(), why],
  );
  const refunded = toOrder(rows.rows[0] as Row);
  await deps.hooks.onOrderRefunded(tx, paidOrder(refunded), { now: deps.now, businessDay: day });
  return refunded;
}

/** Cancels an order still awaiting payment (its reserved points are free again, its units back in stock). */
export async function markCancelled(tx: Tx, order: Order, now: Date): Promise<Order> {
  if (order.status !== "pending") fail("ORDER_NOT_PENDING");
  await returnStock(tx, order.productId, order.quantity);
  const rows = await tx.query<Row>(
    `update orders set status = 'cancelled', cancelled_at = $2::timestamptz where id = $1::bigint returning ${COLUMNS}`,
    [order.id, now.toISOString()],
  );
  return toOrder(rows.rows[0] as Row);
}

/** The order with this id. */
export async function findOrder(q: Queryable, id: string): Promise<Order | null> {
  const rows = await q.query<Row>(`select ${COLUMNS} from orders where id = $1::bigint`, [id]);
  const row = rows.rows[0];
  return row ? toOrder(row) : null;
}

/** The orders with these ids, in the order of `ids` (unknown ids are left out). */
export async function findOrders(q: Queryable, ids: readonly string[]): Promise<Order[]> {
  if (ids.length === 0) return [];
  const rows = await q.query<Row>(`select ${COLUMNS} from orders where id = any($1::bigint[])`, [ids]);
  const byId = new Map(rows.rows.map((r) => [String(r.id), toOrder(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Orders, newest first, optionally of one member and/or in one status. */
export async function listOrders(
  q: Queryable,
  options: { cursor: string | null; limit: number; memberId?: string; status?: Order["status"] },
): Promise<{ items: Order[]; nextCursor: string | null }> {
  const rows = await q.query<Row>(
    `select ${COLUMNS} from orders
     where ($1::bigint is null or id < $1::bigint) and ($2::bigint is null or member_id = $2::bigint)
       and ($3::text is null or status = $3)
     order by id desc limit $4`,
    [options.cursor, options.memberId ?? null, options.status ?? null, options.limit + 1],
  );
  const items = rows.rows.slice(0, options.limit).map(toOrder);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.rows.length > options.limit && last ? last.id : null };
}
