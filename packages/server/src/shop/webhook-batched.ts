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
 *
 * A webhook `order.refunded` delivery is refunded in the same memory
 * (`webhookRefundJob`): `markRefunded` → `REWARD_HOOKS.onOrderRefunded`'s
 * checks in their order, the engine's `refundPayment` and `refundSteps` over
 * the batch's view. The loader reads (and locks, as the serial refund takes
 * them: the order, its product, the member's points rows, what it gave) the
 * stored orders the run's refunds name, once; an order created earlier in the
 * batch is refunded from the batch's memory.
 */
import {
  type BalanceSource,
  type Config,
  debtAccount,
  eligibleSteps,
  formatDecimal,
  memberAccount,
  type OrderEffects,
  parseDecimal,
  payOrder,
  refundPayment,
  refundSteps,
  runStepsAsync,
  walletKeys,
} from "@jifen/engine";
import type { AuditEntry } from "../audit/index.ts";
import { addDays, businessDay } from "../clock/index.ts";
import { configForDay } from "../config/index.ts";
import { fail } from "../errors/index.ts";
import { requestHash } from "../http/command.ts";
import { checkLimit, MAX_ORDER_AMOUNT_MICRO } from "../http/limits.ts";
import { type BalanceKey, buildEntry } from "../ledger/index.ts";
import { effectsFromRow, type OrderRewardRow } from "../rewards/index.ts";
import {
  isLocalOrder,
  type NewOrder,
  type RefundContext,
  type RunLoader,
  type WriterJob,
} from "../writer/index.ts";
import { checkRefundReason, lockOrdersByExternalIds, type Order } from "./orders.ts";
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

/** The reason stored with a refund the shop reports (its event carries none). */
export const WEBHOOK_REFUND_REASON = "商城回调退款 / refunded by the shop (payment webhook)";

/** What one delivery needs read before its run: an order.paid delivery's, or a refund's (`refund`). */
type OrderNeed = PaidNeed | RefundNeed;

/** The order a refund names: a webhook order by its external id, or (an operator's refund) by its id. */
type RefundTarget = { readonly externalId: string } | { readonly orderId: string };
type RefundNeed = RefundTarget & { readonly refund: true };

/** What an order.paid delivery needs read. */
interface PaidNeed {
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
  /** The stored orders the run's refunds name, by external id (webhook orders) and by id. */
  readonly refunds: ReadonlyMap<string, StoredRefund>;
  readonly refundsById: ReadonlyMap<string, StoredRefund>;
  /** The business days being settled (`settlement_open`), in order. */
  readonly settling: readonly string[];
}

/** A stored order a refund names, as the serial refund reads it. */
interface StoredRefund {
  readonly order: Order;
  /** What it gave and when (undefined: never eligible, or already reversed). */
  readonly reward: RefundContext["reward"];
  /** What its gift row of the open day still had to release (0: none). */
  readonly openGift: bigint;
}

const isRefundNeed = (n: OrderNeed): n is RefundNeed => "refund" in n;

/** The run loader of webhook orders: two statements (the products locked in id order, then the rest). */
export const WEBHOOK_ORDERS: RunLoader<OrderNeed, OrderFacts> = {
  async load(tx, all, batch) {
    const needs = all.filter((n): n is PaidNeed => !isRefundNeed(n));
    // The refunds' orders first (the serial refund locks its order, then the product).
    const refundNeeds = all.filter(isRefundNeed);
    const stored = await lockOrdersByExternalIds(
      tx,
      "webhook",
      refundNeeds.flatMap((n) => ("externalId" in n ? [n.externalId] : [])),
      refundNeeds.flatMap((n) => ("orderId" in n ? [n.orderId] : [])),
    );
    const products = await lockProducts(tx, [
      ...needs.map((n) => n.productId),
      ...stored.map((o) => o.productId),
    ]);
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
    const refunds = await loadRefunds(tx, stored, refundedInRun(all, members), batch.businessDay);
    return {
      facts: {
        known,
        members,
        products,
        configs,
        refunds: refunds.byExternalId,
        refundsById: refunds.byId,
        settling: refunds.settling,
      },
      keys: [...keys, ...refunds.keys],
      stock,
    };
  },
};

/** The members whose orders paid earlier in the same run are refunded in it (their points rows are locked up front). */
function refundedInRun(all: readonly OrderNeed[], members: OrderFacts["members"]): string[] {
  const refunded = new Set(all.flatMap((n) => (isRefundNeed(n) && "externalId" in n ? [n.externalId] : [])));
  return all.flatMap((n) =>
    !isRefundNeed(n) && refunded.has(n.externalId) ? [members.get(n.phone)?.id ?? []].flat() : [],
  );
}

/**
 * What the run's refunds read, as the serial refund reads it, in one go: the
 * members' points rows (locked before the operator's row and the equity state,
 * as the serial refund's payment takes them), what each stored order gave
 * (`order_rewards` FOR UPDATE), its gift row of the open day, the days being
 * settled; and the balance rows the refund steps read (locked with the batch's).
 */
async function loadRefunds(
  tx: Parameters<RunLoader<OrderNeed, OrderFacts>["load"]>[0],
  stored: readonly Order[],
  alsoMembers: readonly string[],
  openDay: string,
): Promise<{
  byExternalId: Map<string, StoredRefund>;
  byId: Map<string, StoredRefund>;
  settling: string[];
  keys: BalanceKey[];
}> {
  const byExternalId = new Map<string, StoredRefund>();
  const byId = new Map<string, StoredRefund>();
  const points = [...new Set([...stored.map((o) => o.memberId), ...alsoMembers])];
  if (points.length === 0) return { byExternalId, byId, settling: [], keys: [] };
  await tx.query(
    `select 1 from balances where asset = 'points' and account = any($1::text[]) order by account for update`,
    [points.flatMap((m) => [memberAccount(m, "points"), debtAccount(m, "points")])],
  );
  const ids = stored.map((o) => o.id);
  const rewards = await tx.query<OrderRewardRow & { order_text: string; eligible_text: string }>(
    `select *, order_id::text as order_text, eligible_on::text as eligible_text from order_rewards
     where order_id = any($1::bigint[]) order by order_id for update`,
    [ids],
  );
  const other = await tx.query<{ what: string; a: string; b: string | null }>(
    `select 'gift' as what, order_id::text as a, remaining::text as b from release_progress
       where day = $1::date and order_id = any($2::bigint[])
     union all
     select 'settling', business_day::text, null from settlement_open`,
    [openDay, ids],
  );
  const gifts = new Map(other.rows.filter((r) => r.what === "gift").map((r) => [r.a, r.b as string]));
  const settling = other.rows
    .filter((r) => r.what === "settling")
    .map((r) => r.a)
    .sort();
  const rowOf = new Map(rewards.rows.map((r) => [r.order_text, r]));
  const keys: BalanceKey[] = [];
  for (const order of stored) {
    const row = rowOf.get(order.id);
    const reward =
      row && row.reversed_on === null
        ? { effects: effectsFromRow(row, order), eligibleOn: row.eligible_text }
        : undefined;
    const refund = { order, reward, openGift: parseDecimal(gifts.get(order.id) ?? "0") };
    byId.set(order.id, refund);
    if (order.externalId !== null && order.provider === "webhook") byExternalId.set(order.externalId, refund);
    if (reward) keys.push(...refundKeys(order.memberId, reward.effects));
  }
  return { byExternalId, byId, settling, keys };
}

/** The balance rows `refundSteps` reads for an order that gave `effects`. */
function refundKeys(memberId: string, effects: OrderEffects): BalanceKey[] {
  const keys = walletKeys(memberId, ["equity", "exitQuota", "quota", "weight", "cash", "gift", "points"]);
  if (effects.equity?.referrer !== undefined) keys.push(...walletKeys(effects.equity.referrer, ["equity"]));
  if (effects.cycle?.referrer !== undefined) keys.push(...walletKeys(effects.cycle.referrer, ["weight"]));
  return keys;
}

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
  return [orderOfNew(created), created];
}

/** An order created in the batch as the serial path's row reads (paid). */
function orderOfNew(created: NewOrder): Order {
  return {
    id: created.local,
    memberId: created.memberId,
    productId: created.productId,
    quantity: created.quantity,
    plans: [...created.plans] as Plan[],
    amount: created.amount,
    pointsPaid: created.pointsPaid,
    status: "paid",
    provider: created.provider as Order["provider"],
    externalId: created.externalId,
    createdAt: created.at,
    paidAt: created.at,
    paidDay: created.paidDay,
    eligibleDay: created.eligibleDay,
    refundedAt: null,
    refundReason: null,
    cancelledAt: null,
    checkoutId: null,
  };
}

/**
 * The writer's job for an `order.refunded` delivery: its idempotency key is the
 * route's (`order.refunded:<externalId>` in scope `webhook`), its answer the
 * refunded order as the serial path answers it (`refundJob`).
 */
export function webhookRefundJob(
  request: Parameters<typeof requestHash>[0],
  externalId: string,
  deps: { readonly now: Date; readonly timeZone: string },
): WriterJob<OrderAnswer> {
  const claim = {
    scope: "webhook",
    key: `order.refunded:${externalId}`,
    hash: requestHash(request),
    reused: () => fail("EXTERNAL_ORDER_DUPLICATE", { field: "externalId" }),
  };
  return refundJob(claim, { externalId }, WEBHOOK_REFUND_REASON, deps);
}

/** An operator's refund of an order by its id: what the serial route's transaction also writes. */
export interface ManualRefund {
  readonly orderId: string;
  readonly reason: string;
  /** The audit-log row (`order.refund`) with the refunded amount. */
  readonly audit: (order: Order) => AuditEntry;
}

/**
 * The writer's job for an operator's refund (`POST /admin/orders/:id/refund`
 * of an order not paid through WeChat Pay or Alipay): the command's claim
 * (the operator's Idempotency-Key), the refund as `refundJob`, and its audit row.
 */
export function manualRefundJob(
  claim: WriterJob<OrderAnswer>["claim"],
  refund: ManualRefund,
  deps: { readonly now: Date; readonly timeZone: string },
): WriterJob<OrderAnswer> {
  return refundJob(claim, { orderId: refund.orderId }, refund.reason, deps, refund.audit);
}

/**
 * A refund over the batch's memory. The checks and steps of `markRefunded` and
 * `REWARD_HOOKS.onOrderRefunded` in their order: the order (ORDER_NOT_FOUND),
 * the reason, paid (ORDER_NOT_PAID), its units back in stock, the payment
 * returned (`refundPayment`), the row marked refunded, then the engine's
 * `refundSteps` (what it gave reversed; the equity price does not move); then
 * the operator's audit row, if any.
 */
function refundJob(
  claim: WriterJob<OrderAnswer>["claim"],
  target: RefundTarget,
  reason: string,
  deps: { readonly now: Date; readonly timeZone: string },
  audit?: (order: Order) => AuditEntry,
): WriterJob<OrderAnswer> {
  return {
    claim,
    status: 200,
    keys: [],
    at: deps.now,
    needs: { loader: WEBHOOK_ORDERS as RunLoader<unknown, unknown>, need: { ...target, refund: true } },
    async apply(view, context) {
      const facts = context.facts(WEBHOOK_ORDERS as RunLoader<unknown, OrderFacts>);
      const [order, refund] = refundedOrderOf(view, facts, target);
      const why = checkRefundReason(reason);
      if (order.status !== "paid") fail("ORDER_NOT_PAID");
      view.takeStock(order.productId, -order.quantity); // returnStock
      const balances = await view
        .store()
        .lockBalances([{ account: debtAccount(order.memberId, "points"), asset: "points" }]);
      const postings = buildEntry(balances, (b) =>
        refundPayment(b, order.memberId, order.amount, order.pointsPaid),
      );
      const ref = `order:${order.id}`;
      await view.append("order.refund", ref, postings, businessDay(deps.now, deps.timeZone));
      view.refund(order.id, { at: deps.now, reason: why });
      // REWARD_HOOKS.onOrderRefunded: the open day's parameters (the batch's).
      await runStepsAsync(
        refundSteps({ ...order, ref }, context.config),
        view.store(undefined, { ...refund, settling: facts.settling }),
      );
      if (audit) view.audits.push(audit(order));
      return orderView({ ...order, status: "refunded", refundedAt: deps.now, refundReason: why });
    },
    finalize: (body, idOf) => (isLocalOrder(body.id) ? { ...body, id: idOf(body.id) } : body),
  };
}

/**
 * The order a refund names as the batch sees it (ORDER_NOT_FOUND when none):
 * one created earlier in the batch or a stored one, refunded already when the
 * batch refunded it; with what the refund steps read of it.
 */
function refundedOrderOf(
  view: View,
  facts: OrderFacts,
  target: RefundTarget,
): [Order, Omit<RefundContext, "settling">] {
  const created = "externalId" in target ? view.findOrder("webhook", target.externalId) : undefined;
  if (created) {
    const reward = view.rewardOf(created.local);
    const order = orderOfNew(created);
    return [
      view.refundOf(created.local) ? { ...order, status: "refunded" } : order,
      {
        id: created.local,
        reward: reward && { effects: reward.effects, eligibleOn: reward.day },
        openGift: reward?.effects.release?.gift ?? 0n,
      },
    ];
  }
  if ("orderId" in target) {
    const stored = facts.refundsById.get(target.orderId);
    if (!stored) fail("ORDER_NOT_FOUND"); // as lockOrder refuses it
    return storedRefund(view, stored);
  }
  const stored = facts.refunds.get(target.externalId);
  if (!stored) fail("ORDER_NOT_FOUND", { field: "externalId" });
  return storedRefund(view, stored);
}

/** A stored order a refund names, refunded already when the batch refunded it. */
function storedRefund(view: View, stored: StoredRefund): [Order, Omit<RefundContext, "settling">] {
  const order = view.refundOf(stored.order.id)
    ? { ...stored.order, status: "refunded" as const }
    : stored.order;
  return [order, { id: stored.order.id, reward: stored.reward, openGift: stored.openGift }];
}
