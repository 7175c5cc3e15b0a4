/**
 * A flash sale's paid orders in the equity writer's batch (issue 14): a
 * webhook delivery of the shop's own order (`order.paid` with `phone` +
 * `productId`, nothing paid in points) is created, paid and made eligible over
 * the batch's memory — the same checks in the same order as `recordPaid` →
 * `createOrder` → `markPaid` → `REWARD_HOOKS.onOrderPaid` one at a time, the
 * engine's `payOrder` and `eligibleSteps` over the batch's store — and written
 * with the batch, set-based (batch-store.ts): an order costs a few rows in the
 * batch's shared statements instead of ~22 statements of its own.
 *
 * What each run of such orders reads, once (`WEBHOOK_ORDERS`): the external
 * ids already stored, the members by phone (with their referrer), the products
 * (their rows locked in id order, before the batch's operator row and equity
 * state, as a serial order takes them) and the parameters of each paid day.
 */
import {
  type BalanceSource,
  type Config,
  eligibleSteps,
  formatDecimal,
  payOrder,
  runStepsAsync,
  walletKeys,
} from "@jifen/engine";
import { addDays, businessDay } from "../clock/index.ts";
import { configForDay } from "../config/index.ts";
import { fail } from "../errors/index.ts";
import { requestHash } from "../http/command.ts";
import { checkLimit, MAX_ORDER_AMOUNT_MICRO } from "../http/limits.ts";
import { type BalanceKey, buildEntry } from "../ledger/index.ts";
import type { NewOrder, RunLoader, WriterJob } from "../writer/index.ts";
import type { Order } from "./orders.ts";
import { lockProducts, type Plan, type Product } from "./products.ts";
import { orderView } from "./views.ts";

/** Refuses an event field that contradicts the order it names (nothing is credited). */
export function mismatch(field: string, given: string, expected: string): never {
  fail("WEBHOOK_ORDER_MISMATCH", {
    field,
    detail: {
      zh: `${field} 为 ${given}，订单为 ${expected}`,
      en: `${field} is ${given} but the order has ${expected}`,
    },
  });
}

/** What one delivery needs read before its run. */
interface OrderNeed {
  readonly externalId: string;
  readonly phone: string;
  readonly productId: string;
  /** The business day the order is paid on (the wall clock's, as markPaid takes it). */
  readonly day: string;
}

/** What a run of deliveries reads, once. */
interface OrderFacts {
  /** External ids of webhook orders already stored. */
  readonly known: ReadonlySet<string>;
  readonly members: ReadonlyMap<string, { readonly id: string; readonly referrer: string | undefined }>;
  readonly products: ReadonlyMap<string, Product>;
  /** The parameters of each paid day. */
  readonly configs: ReadonlyMap<string, Config>;
}

/** The run loader of webhook orders: two statements (the products locked in id order, then the rest). */
export const WEBHOOK_ORDERS: RunLoader<OrderNeed, OrderFacts> = {
  async load(tx, needs, batch) {
    const products = await lockProducts(
      tx,
      needs.map((n) => n.productId),
    );
    // The external ids already stored and the members by phone, in one statement.
    const found = await tx.query<{ what: string; a: string; b: string | null; c: string | null }>(
      `select 'order' as what, external_id as a, null::text as b, null::text as c from orders
         where provider = 'webhook' and external_id = any($1::text[])
       union all
       select 'member', phone, id::text, referrer_id::text from members where phone = any($2::text[])`,
      [needs.map((n) => n.externalId), [...new Set(needs.map((n) => n.phone))]],
    );
    const known = new Set(found.rows.filter((r) => r.what === "order").map((r) => r.a));
    const members = new Map(
      found.rows
        .filter((r) => r.what === "member")
        .map((m) => [m.a, { id: m.b as string, referrer: m.c ?? undefined }] as const),
    );
    const configs = new Map<string, Config>();
    for (const day of new Set(needs.map((n) => n.day)))
      configs.set(day, day === batch.businessDay ? batch.config : (await configForDay(tx, day)).config);
    // The rows the equity grant reads and re-files in the exit queue: the buyer's and the referrer's equity and exit quota.
    const keys: BalanceKey[] = [];
    for (const n of needs) {
      const member = members.get(n.phone);
      if (!member || !products.get(n.productId)?.plans.includes("equity")) continue;
      keys.push(...walletKeys(member.id, ["equity", "exitQuota"]));
      if (member.referrer !== undefined) keys.push(...walletKeys(member.referrer, ["equity", "exitQuota"]));
    }
    const stock = new Map<string, number>();
    for (const p of products.values()) if (p.stock !== null) stock.set(p.id, p.stock);
    return {
      facts: { known, members, products, configs },
      keys,
      stock,
    };
  },
};

/** The order.paid delivery the writer takes in memory. */
export interface WebhookOrder {
  readonly externalId: string;
  readonly phone: string;
  readonly productId: string;
  readonly quantity: number | undefined;
  readonly amount: bigint | undefined;
}

/** Payments read no balance: `payOrder` only moves (and no points are paid here). */
const NO_BALANCES: BalanceSource = { balance: () => 0n };

type OrderAnswer = ReturnType<typeof orderView>;

/**
 * The writer's job for a delivery: its idempotency key is the route's
 * (`order.paid:<externalId>` in scope `webhook`, a different body under it is
 * EXTERNAL_ORDER_DUPLICATE), its answer the order as the serial path answers it.
 */
export function webhookOrderJob(
  request: Parameters<typeof requestHash>[0],
  delivery: WebhookOrder,
  deps: { readonly now: Date; readonly timeZone: string },
): WriterJob<OrderAnswer> {
  const day = businessDay(deps.now, deps.timeZone);
  return {
    claim: {
      scope: "webhook",
      key: `order.paid:${delivery.externalId}`,
      hash: requestHash(request),
      reused: () => fail("EXTERNAL_ORDER_DUPLICATE", { field: "externalId" }),
    },
    status: 200,
    keys: [],
    at: deps.now,
    needs: {
      loader: WEBHOOK_ORDERS as RunLoader<unknown, unknown>,
      need: { externalId: delivery.externalId, phone: delivery.phone, productId: delivery.productId, day },
    },
    async apply(view, context) {
      const facts = context.facts(WEBHOOK_ORDERS as RunLoader<unknown, OrderFacts>);
      const [order, created] = placeInMemory(view, facts, delivery, deps.now, day);
      const ref = `order:${order.id}`;
      const postings = buildEntry(NO_BALANCES, (b) => payOrder(b, order.memberId, order.amount, 0n));
      await view.append("order.pay", ref, postings, day);
      // REWARD_HOOKS.onOrderPaid: eligible at once when its eligible day has come (cooling-off 0).
      if ((order.eligibleDay as string) <= context.businessDay) {
        const paid = {
          id: order.id,
          ref,
          memberId: order.memberId,
          plans: order.plans,
          amount: order.amount,
        };
        const referrer = facts.members.get(delivery.phone)?.referrer;
        await runStepsAsync(
          eligibleSteps({ ...paid, pointsPaid: 0n }, context.config),
          view.store({ order: created, referrer }),
        );
      }
      return orderView(order);
    },
    finalize: (body, idOf) => ({ ...body, id: idOf(body.id) }),
  };
}

type View = Parameters<WriterJob<OrderAnswer>["apply"]>[0];

/**
 * recordPaid's and createOrder's checks in their order, then the order created
 * in the batch and paid (markPaid's row): its id is the batch's local id.
 */
function placeInMemory(
  view: View,
  facts: OrderFacts,
  d: WebhookOrder,
  now: Date,
  day: string,
): [Order, NewOrder] {
  if (facts.known.has(d.externalId) || view.hasExternalId("webhook", d.externalId))
    fail("EXTERNAL_ORDER_DUPLICATE", { field: "externalId" });
  const member = facts.members.get(d.phone);
  if (!member) fail("MEMBER_NOT_FOUND", { field: "phone" });
  const product = facts.products.get(d.productId);
  if (!product) fail("PRODUCT_NOT_FOUND", { field: "productId" });
  const quantity = d.quantity ?? 1;
  const listed = product.price * BigInt(quantity);
  if (d.amount !== undefined && d.amount > listed)
    mismatch("amount", formatDecimal(d.amount), `price × quantity = ${formatDecimal(listed)}`);
  if (!product.active) fail("PRODUCT_INACTIVE", { field: "productId" });
  const amount = d.amount ?? listed;
  checkLimit(amount, MAX_ORDER_AMOUNT_MICRO, d.amount === undefined ? "quantity" : "amount");
  // No points: the points ratio refuses nothing. The stock, as takeStock takes it.
  const left = view.stockOf(product.id);
  if (left !== undefined && left < quantity)
    fail("OUT_OF_STOCK", {
      field: "quantity",
      detail: { zh: `「${product.name}」仅剩 ${left} 件`, en: `only ${left} left of "${product.name}"` },
    });
  view.takeStock(product.id, quantity);
  const config = facts.configs.get(day) as Config;
  const created = view.addOrder({
    memberId: member.id,
    productId: product.id,
    quantity,
    plans: product.plans,
    amount,
    pointsPaid: 0n,
    provider: "webhook",
    externalId: d.externalId,
    at: now,
    paidDay: day,
    eligibleDay: addDays(day, config.coolingOffDays),
  });
  const order: Order = {
    id: created.local,
    memberId: member.id,
    productId: product.id,
    quantity,
    plans: [...product.plans] as Plan[],
    amount,
    pointsPaid: 0n,
    status: "paid",
    provider: "webhook",
    externalId: d.externalId,
    createdAt: now,
    paidAt: now,
    paidDay: day,
    eligibleDay: created.eligibleDay,
    refundedAt: null,
    refundReason: null,
    cancelledAt: null,
    checkoutId: null,
  };
  return [order, created];
}
