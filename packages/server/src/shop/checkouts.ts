/**
 * Checkouts: a member's cart of several items paid in one payment
 * (docs/rules.md "Shop: a cart"). The rules' unit stays the order: a
 * checkout makes one order per item (its amount, its product's plans), and
 * the points paid for the cart are split across the orders in proportion to
 * their amounts by the engine's `splitPoints` (largest remainder, each within
 * the points ratio). The orders are paid together (demo payment, an
 * operator's confirmation, or at once when points cover everything) and each
 * is refunded on its own.
 */
import { formatDecimal, memberAccount, parseDecimal, pointsCapMicro, splitPoints } from "@jifen/engine";
import { businessDay } from "../clock/index.ts";
import { configForDay } from "../config/index.ts";
import type { Queryable, Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { checkLimit, MAX_ORDER_AMOUNT_MICRO, MAX_QUANTITY } from "../http/limits.ts";
import { lockBalances } from "../ledger/index.ts";
import { shareOpenDay } from "../rewards/index.ts";
import {
  createOrder,
  findOrder,
  lockOrder,
  markPaid,
  type Order,
  type PaymentDeps,
  type PaymentProviderName,
  reservedPoints,
} from "./orders.ts";
import { findProduct, type Product, takeStock } from "./products.ts";

/** One line of a cart as the member sends it. */
export interface CartItem {
  readonly productId: string;
  readonly quantity: number;
}

/** One line of a priced cart: its product, amount and share of the points. */
export interface CheckoutLine {
  readonly product: Product;
  readonly quantity: number;
  readonly amount: bigint;
  /** The most points this line's order may be paid with (amount × ratio, down to the fen). */
  readonly cap: bigint;
  readonly points: bigint;
}

/** A priced cart: what the checkout would make. */
export interface CheckoutPlan {
  readonly lines: CheckoutLine[];
  readonly amount: bigint;
  /** Σ of the lines' caps: the most points the ratio allows for the cart. */
  readonly ratioCap: bigint;
  /** The member's points free to spend (balance less what pending orders hold). */
  readonly available: bigint;
  /** The most points the member can pay now: min(ratioCap, available down to the fen). */
  readonly maxPoints: bigint;
  readonly points: bigint;
}

/** Repeated products merged (quantities added), in product id order (the order stock is taken in). */
function mergeCart(items: readonly CartItem[]): CartItem[] {
  const merged = new Map<string, number>();
  for (const item of items) merged.set(item.productId, (merged.get(item.productId) ?? 0) + item.quantity);
  return [...merged.entries()]
    .map(([productId, quantity]) => {
      if (quantity > MAX_QUANTITY) fail("INVALID_INTEGER", { field: "quantity" });
      return { productId, quantity };
    })
    .sort((a, b) => (BigInt(a.productId) < BigInt(b.productId) ? -1 : 1));
}

async function freePoints(q: Queryable, memberId: string): Promise<bigint> {
  const rows = await q.query<{ amount: string }>(
    "select amount from balances where account = $1 and asset = 'points'",
    [memberAccount(memberId, "points")],
  );
  const free = parseDecimal(rows.rows[0]?.amount ?? "0") - (await reservedPoints(q, memberId));
  return free < 0n ? 0n : free;
}

/**
 * Prices a cart for `memberId` and splits `points` across its orders; refuses a
 * product missing or off sale, stock short (as the checkout would), points
 * over the ratio or over what the member has free. A preview runs it alone;
 * a checkout runs it in its transaction after locking the points.
 */
export async function planCheckout(
  q: Queryable,
  input: { memberId: string; items: readonly CartItem[]; points: bigint; now: Date; timeZone: string },
): Promise<CheckoutPlan> {
  const { config } = await configForDay(q, businessDay(input.now, input.timeZone));
  const ratio = config.release.pointsPayRatio;
  const priced = [];
  for (const item of mergeCart(input.items)) {
    const product = await findProduct(q, item.productId);
    if (!product) fail("PRODUCT_NOT_FOUND", { field: "items" });
    if (!product.active) fail("PRODUCT_INACTIVE", { field: "items" });
    if (product.stock !== null && product.stock < item.quantity) {
      fail("OUT_OF_STOCK", {
        field: "items",
        detail: {
          zh: `「${product.name}」仅剩 ${product.stock} 件`,
          en: `only ${product.stock} left of "${product.name}"`,
        },
      });
    }
    const amount = product.price * BigInt(item.quantity);
    checkLimit(amount, MAX_ORDER_AMOUNT_MICRO, "quantity");
    priced.push({ product, quantity: item.quantity, amount, cap: pointsCapMicro(amount, ratio) });
  }
  const amount = priced.reduce((sum, line) => sum + line.amount, 0n);
  const ratioCap = priced.reduce((sum, line) => sum + line.cap, 0n);
  const available = await freePoints(q, input.memberId);
  const availableFen = available - (available % 10_000n);
  const maxPoints = ratioCap < availableFen ? ratioCap : availableFen;
  const parts = splitPoints(
    input.points,
    priced.map((line) => ({ amountMicro: line.amount, capMicro: line.cap })),
  );
  if (input.points > available) fail("INSUFFICIENT_POINTS", { field: "points" });
  const lines = priced.map((line, i) => ({ ...line, points: parts[i] as bigint }));
  return { lines, amount, ratioCap, available, maxPoints, points: input.points };
}

/** How a checkout is paid: an operator confirms it, the demo method, or the shop's webhook per order. */
export type CheckoutProvider = "manual" | "demo" | "webhook" | "wechat" | "alipay";

/** A checkout as stored, with its orders. */
export interface Checkout {
  readonly id: string;
  readonly memberId: string;
  readonly amount: bigint;
  readonly pointsPaid: bigint;
  readonly provider: CheckoutProvider;
  readonly createdAt: Date;
  readonly orders: Order[];
}

/**
 * Places a checkout: locks the member's points, prices the cart, takes every
 * item's stock (product id order, before any balance), makes one order per
 * item with its share of the points, and — when points cover the whole cart —
 * pays them all at once.
 */
export async function placeCheckout(
  tx: Tx,
  input: { memberId: string; items: readonly CartItem[]; points: bigint; provider: CheckoutProvider },
  deps: PaymentDeps,
): Promise<Checkout> {
  // Lock order of a payment: the reward clock, then products, then balances.
  await shareOpenDay(tx);
  const plan = await planCheckout(tx, { ...input, now: deps.now, timeZone: deps.timeZone });
  for (const line of plan.lines) await takeStock(tx, line.product, line.quantity);
  if (plan.points > 0n) {
    await lockBalances(tx, [{ account: memberAccount(input.memberId, "points"), asset: "points" }]);
  }
  const rows = await tx.query<{ id: string }>(
    `insert into checkouts (member_id, amount, points_paid, provider, created_at)
     values ($1::bigint, $2::numeric, $3::numeric, $4, $5::timestamptz) returning id`,
    [
      input.memberId,
      formatDecimal(plan.amount),
      formatDecimal(plan.points),
      input.provider,
      deps.now.toISOString(),
    ],
  );
  const checkoutId = (rows.rows[0] as { id: string }).id;
  const provider: PaymentProviderName = input.provider;
  const orders: Order[] = [];
  for (const line of plan.lines) {
    const order = await createOrder(tx, {
      memberId: input.memberId,
      product: line.product,
      quantity: line.quantity,
      points: line.points,
      provider,
      externalId: null,
      now: deps.now,
      timeZone: deps.timeZone,
      checkoutId,
      stockTaken: true,
    });
    orders.push(order);
  }
  const paid = plan.points === plan.amount ? await payAll(tx, orders, deps) : orders;
  return { ...checkoutRecord(checkoutId, input, plan, deps.now), orders: paid };
}

function checkoutRecord(
  id: string,
  input: { memberId: string; provider: CheckoutProvider },
  plan: CheckoutPlan,
  now: Date,
): Omit<Checkout, "orders"> {
  return {
    id,
    memberId: input.memberId,
    amount: plan.amount,
    pointsPaid: plan.points,
    provider: input.provider,
    createdAt: now,
  };
}

/** Pays every pending order of a checkout, in id order. */
async function payAll(tx: Tx, orders: readonly Order[], deps: PaymentDeps): Promise<Order[]> {
  const out: Order[] = [];
  for (const order of orders) out.push(order.status === "pending" ? await markPaid(tx, order, deps) : order);
  return out;
}

interface CheckoutRow {
  id: string;
  member_id: string;
  amount: string;
  points_paid: string;
  provider: CheckoutProvider;
  created_at: Date;
}

/** The checkout with this id and its orders (locked with `lock`), or null. */
export async function findCheckout(q: Queryable | Tx, id: string, lock = false): Promise<Checkout | null> {
  const rows = await q.query<CheckoutRow>(
    `select id, member_id, amount, points_paid, provider, created_at from checkouts where id = $1::bigint`,
    [id],
  );
  const row = rows.rows[0];
  if (!row) return null;
  const ids = await q.query<{ id: string }>(
    "select id from orders where checkout_id = $1::bigint order by id",
    [id],
  );
  const orders: Order[] = [];
  for (const o of ids.rows) orders.push(lock ? await lockOrder(q as Tx, o.id) : await readOrder(q, o.id));
  return {
    id: row.id,
    memberId: row.member_id,
    amount: parseDecimal(row.amount),
    pointsPaid: parseDecimal(row.points_paid),
    provider: row.provider,
    createdAt: row.created_at,
    orders,
  };
}

async function readOrder(q: Queryable, id: string): Promise<Order> {
  const order = await findOrder(q, id);
  if (!order) fail("ORDER_NOT_FOUND");
  return order;
}

/**
 * Pays a checkout's pending orders together: with the demo method (no money
 * moves from outside; only when an operator turned it on) or an operator's
 * confirmation (`manual`). Refuses CHECKOUT_NOT_PENDING when none is pending.
 */
export async function payCheckout(tx: Tx, checkout: Checkout, deps: PaymentDeps): Promise<Checkout> {
  if (!checkout.orders.some((o) => o.status === "pending")) fail("CHECKOUT_NOT_PENDING");
  return { ...checkout, orders: await payAll(tx, checkout.orders, deps) };
}
