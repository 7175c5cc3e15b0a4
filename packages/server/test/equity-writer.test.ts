/**
 * The equity writer (issue 14), on PGlite and PostgreSQL:
 * - the batched path answers and writes exactly what the serial path (one
 *   transaction per command) gives for the same order of requests — random
 *   sequences of sells, redeems, conversions both ways and stable payments,
 *   with refusals, idempotent replays and reused keys among them;
 * - a batch that fails half-way (the database refuses its balance update after
 *   its ledger rows went in) leaves nothing, answers each of its requests with
 *   BATCH_FAILED, and the next batch runs from what is committed;
 * - many concurrent clients at one price level leave the pool and every wallet
 *   equal to the engine's replay in the order the writer took them.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { Engine, parseDecimal } from "@jifen/engine";
import type { FastifyRequest } from "fastify";
import { requestHash } from "../src/http/command.ts";
import type { EquityWriter } from "../src/writer/index.ts";
import {
  auditLedger,
  call,
  count,
  credit,
  openTestApp,
  operatorToken,
  register,
  type TestApp,
  webhook,
} from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import { assertSameAsEngine, equityProduct, nextDay, paidOrder, type TestMember } from "./support/equity.ts";

const µ = (text: string) => parseDecimal(text);

/** A seeded generator of numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A decimal text of 1 … max × 10^places units at `places` decimals (no binary floats in the amount). */
function amount(r: () => number, max: number, places: number): string {
  const scale = 10 ** places;
  const units = 1 + Math.floor(r() * max * scale);
  if (places === 0) return String(units);
  return `${Math.floor(units / scale)}.${String(units % scale).padStart(places, "0")}`;
}

/** One request of a sequence: who sends it, where, what, under which key; `merchant` names a member by index. */
interface Req {
  readonly member: number;
  readonly url: string;
  readonly body: Record<string, string>;
  readonly key: string;
  readonly merchant?: number;
  readonly byInvite?: boolean;
  /** Sent by the operator (a payment confirmation or a refund of an order), not by `member`. */
  readonly operator?: boolean;
  /** A signed delivery to the payment webhook (the shop's own order paid, or refunded), not by `member`. */
  readonly webhook?: boolean;
}

/** What the webhook deliveries of a sequence pick from: the members' phones, the products (some unknown). */
interface WebhookShop {
  readonly phones: readonly string[];
  readonly products: readonly string[];
}

/**
 * A webhook delivery: mostly a new shop order of a known member (its first
 * delivery goes through the writer's memory); some refused (unknown phone or
 * product, an amount over price × quantity, out of stock, an external id
 * already used by another body), some paid partly in points (a transaction
 * job), and refunds (`order.refunded`, in the writer's memory): of earlier
 * deliveries (some paid in the same batch, some after the buyer sold points),
 * again under another body (EXTERNAL_ORDER_DUPLICATE once refunded), of
 * unknown orders and of orders paid only later (ORDER_NOT_FOUND).
 */
function delivery(
  r: () => number,
  shop: WebhookShop,
  earlier: readonly Req[],
  id: string,
): Record<string, string> {
  const paid = earlier.filter((q) => q.webhook && q.body.event === "order.paid");
  const dice = r();
  const before = paid[Math.floor(r() * paid.length)];
  if (before && dice < 0.2) {
    const refund = { event: "order.refunded", externalId: before.body.externalId as string };
    // The same order's refund again under another body: refused once the first is stored.
    return r() < 0.35 ? { ...refund, phone: before.body.phone as string } : refund;
  }
  if (dice > 0.95)
    return { event: "order.refunded", externalId: r() < 0.5 ? `unknown-${id}` : `${id}-later` };
  const laterPaid = earlier.find(
    (q) => q.webhook && q.body.event === "order.refunded" && q.body.externalId?.endsWith("-later"),
  );
  const taken = paid.some((q) => q.body.externalId === laterPaid?.body.externalId);
  const externalId =
    before && dice < 0.28
      ? (before.body.externalId as string)
      : laterPaid && !taken && r() < 0.3
        ? (laterPaid.body.externalId as string)
        : id;
  const phone = r() < 0.08 ? "13700000000" : (shop.phones[Math.floor(r() * shop.phones.length)] as string);
  const productId = r() < 0.05 ? "999999" : (shop.products[Math.floor(r() * shop.products.length)] as string);
  const body: Record<string, string> = { event: "order.paid", externalId, phone, productId };
  const quantity = 1 + Math.floor(r() * 3);
  if (quantity > 1) body.quantity = String(quantity);
  const extra = r();
  if (extra < 0.1) body.amount = "10.00";
  else if (extra < 0.15)
    body.amount = "100000.00"; // over price × quantity: WEBHOOK_ORDER_MISMATCH
  else if (extra < 0.22) body.points = "0";
  else if (extra < 0.26) body.points = "1.00"; // paid partly in points: the transaction job's path
  return body;
}

/**
 * A random sequence of `n` member equity commands over `members` members;
 * with `orders` (pending and paid order ids), operators' payment confirmations
 * and refunds of them among them.
 */
function sequence(
  seed: number,
  members: number,
  n: number,
  redeemMax = 40,
  first = 0,
  orders: readonly string[] = [],
  webhooks?: WebhookShop,
): Req[] {
  const r = random(seed);
  const out: Req[] = [];
  for (let i = 0; i < n; i++) {
    const earlier = out[Math.floor(r() * out.length)];
    const dice = r();
    if (earlier && dice < 0.08) {
      out.push(earlier); // the same request again: replayed
      continue;
    }
    const member = first + Math.floor(r() * members);
    const key =
      earlier && !earlier.webhook && dice < 0.12 && earlier.member === member ? earlier.key : `k${seed}-${i}`;
    const kind = Math.floor(r() * (orders.length > 0 ? 7 : 5) + (webhooks && r() < 0.35 ? 100 : 0));
    if (kind >= 100 && webhooks) {
      const body = delivery(r, webhooks, out, `w${seed}-${i}`);
      // Half the refunds come just after the buyer sold points (a member of the sequence, not one invited).
      const paidBy = out.find((q) => q.webhook && q.body.externalId === body.externalId)?.body.phone;
      const buyer = paidBy === undefined ? -1 : webhooks.phones.indexOf(paidBy);
      if (body.event === "order.refunded" && buyer >= 0 && buyer < webhooks.phones.length - 2 && r() < 0.5)
        out.push({
          member: buyer,
          key: `s${seed}-${i}`,
          url: "/me/equity/sell",
          body: { points: amount(r, 6, 2) },
        });
      out.push({ member, key: "", webhook: true, url: "/webhooks/payments", body });
    } else if (kind >= 5) {
      // Confirmed or refunded in any order: a second confirmation, a refund before the payment are refused.
      // Payments mostly of pending orders (the first half of `orders`), refunds mostly of paid ones (the last third).
      const refund = kind === 6;
      const any = r() < 0.25;
      const at = Math.floor(r() * (any ? orders.length : Math.ceil(orders.length / (refund ? 3 : 2))));
      const order = orders[refund && !any ? orders.length - 1 - at : at] as string;
      out.push({
        member,
        key: `o${seed}-${i}`,
        operator: true,
        url: `/admin/orders/${order}/${refund ? "refund" : "confirm-payment"}`,
        body: refund ? { reason: "退货 / returned" } : {},
      });
    } else if (kind === 0)
      out.push({ member, key, url: "/me/equity/sell", body: { points: amount(r, 6, 2) } });
    else if (kind === 1)
      out.push({ member, key, url: "/me/equity/redeem", body: { amount: amount(r, redeemMax, 2) } });
    else if (kind === 2)
      out.push({ member, key, url: "/me/equity/to-stable", body: { points: amount(r, 5, 3) } });
    else if (kind === 3)
      out.push({ member, key, url: "/me/equity/from-stable", body: { stable: amount(r, 15, 2) } });
    else {
      const merchant = first + Math.floor(r() * members); // sometimes oneself: refused before the writer
      out.push({
        member,
        key,
        url: "/me/stable/pay",
        body: { stable: amount(r, 10, 2) },
        merchant,
        byInvite: r() < 0.3,
      });
    }
  }
  return out;
}

/**
 * Members with a paid equity order of 100 each; with `exitMultiple`, that exit
 * quota multiple is set first (and the next day opened, so it applies).
 */
async function shop(
  t: TestApp,
  n: number,
  exitMultiple?: string,
  pendingPerMember = 0,
): Promise<{ members: TestMember[]; orders: string[]; pending: string[] }> {
  if (exitMultiple !== undefined) {
    const params = { coolingOffDays: 0, equity: { exitQuotaMultiple: exitMultiple } };
    const cfg = await call(t, "POST", "/admin/config", { token: await operatorToken(t), body: { params } });
    assert.equal(cfg.statusCode, 201, cfg.body);
    await nextDay(t);
  }
  const admin = await operatorToken(t);
  const product = await equityProduct(t, "100");
  const members: TestMember[] = [];
  const orders: string[] = [];
  for (let i = 0; i < n; i++) members.push(await register(t, `13900${String(i).padStart(6, "0")}`));
  for (const m of members) orders.push(await paidOrder(t, m, product, admin));
  const pending: string[] = [];
  const other = pendingPerMember > 0 ? await equityProduct(t, "37.50") : product;
  for (let k = 0; k < pendingPerMember; k++)
    for (const m of members) {
      const placed = await call(t, "POST", "/orders", {
        token: m.token,
        body: { productId: k % 2 === 0 ? other : product },
      });
      assert.equal(placed.statusCode, 201, placed.body);
      pending.push(placed.data.id);
    }
  return { members, orders, pending };
}

/**
 * What the webhook deliveries pay for: a product of every plan, one of limited
 * stock (it runs out), and two members invited by the first two (their grants
 * give their referrer a part).
 */
async function webhookShop(t: TestApp, members: readonly TestMember[]): Promise<WebhookShop> {
  const token = await operatorToken(t);
  const products: string[] = [];
  for (const body of [
    { name: "秒杀 限量", price: "12.50", plans: ["equity"], stock: "6" },
    { name: "秒杀 全计划", price: "100", plans: ["equity", "cycle", "release"] },
  ]) {
    const created = await call(t, "POST", "/admin/products", { token, body });
    assert.equal(created.statusCode, 201, created.body);
    products.push(created.data.id);
  }
  const invited = [
    await register(t, "13800000001", members[0]?.inviteCode),
    await register(t, "13800000002", members[1]?.inviteCode),
  ];
  const phones = [
    ...members.map((_, i) => `13900${String(i).padStart(6, "0")}`),
    "13800000001",
    "13800000002",
  ];
  assert.equal(invited.length, 2);
  return { phones, products };
}

/** The signed-in admin of a test app: its token and operator id. */
async function adminOf(t: TestApp): Promise<{ token: string; id: string }> {
  const token = await operatorToken(t);
  const row = await t.db.query<{ id: string }>("select id::text from operators where username = 'admin'");
  return { token, id: (row.rows[0] as { id: string }).id };
}

function send(t: TestApp, members: readonly TestMember[], req: Req, admin?: { token: string; id: string }) {
  if (req.webhook) return webhook(t, req.body);
  if (req.operator)
    return call(t, "POST", req.url, { token: admin?.token as string, key: req.key, body: req.body });
  const m = members[req.member] as TestMember;
  const merchant = req.merchant === undefined ? undefined : (members[req.merchant] as TestMember);
  const body = merchant
    ? { ...req.body, ...(req.byInvite ? { inviteCode: merchant.inviteCode } : { merchantId: merchant.id }) }
    : req.body;
  return call(t, "POST", req.url, { token: m.token, key: req.key, body });
}

/** The identity the writer sees of a request: scope, key and the request's hash. */
function identity(members: readonly TestMember[], req: Req, admin?: { id: string }): string {
  if (req.webhook) {
    const hash = requestHash({ method: "POST", url: req.url, body: req.body } as unknown as FastifyRequest);
    return `webhook\u0000${req.body.event}:${req.body.externalId}\u0000${hash}`;
  }
  if (req.operator) {
    const hash = requestHash({ method: "POST", url: req.url, body: req.body } as unknown as FastifyRequest);
    return `operator:${admin?.id}\u0000${req.key}\u0000${hash}`;
  }
  const m = members[req.member] as TestMember;
  const merchant = req.merchant === undefined ? undefined : (members[req.merchant] as TestMember);
  const body = merchant
    ? { ...req.body, ...(req.byInvite ? { inviteCode: merchant.inviteCode } : { merchantId: merchant.id }) }
    : req.body;
  const hash = requestHash({ method: "POST", url: req.url, body } as unknown as FastifyRequest);
  return `member:${m.id}\u0000${req.key}\u0000${hash}`;
}

/** Records the order in which the writer takes commands (scope, key, hash). */
function watch(order: string[], inMemory: string[] = []) {
  return (writer: EquityWriter) => {
    const submit = writer.submit.bind(writer);
    writer.submit = (job) => {
      order.push(`${job.claim.scope}\u0000${job.claim.key}\u0000${job.claim.hash}`);
      inMemory.push(`${job.claim.scope}\u0000${job.claim.key}`);
      return submit(job);
    };
    const submitTx = writer.submitTx.bind(writer);
    writer.submitTx = (job) => {
      order.push(job.label);
      return submitTx(job);
    };
  };
}

/**
 * How many webhook refunds applied came after their buyer sold points (in the
 * writer's order): their reversal takes back points the member no longer holds.
 */
function refundsAfterSells(
  reqs: readonly Req[],
  answers: readonly { statusCode: number }[],
  order: readonly number[],
  shop: WebhookShop,
): number {
  const ok = (i: number) => answers[i]?.statusCode === 200;
  let count = 0;
  order.forEach((i, at) => {
    const refund = reqs[i] as Req;
    if (!refund.webhook || refund.body.event !== "order.refunded" || !ok(i)) return;
    const paidAt = order.findIndex((j) => {
      const q = reqs[j] as Req;
      return (
        q.webhook && q.body.event === "order.paid" && q.body.externalId === refund.body.externalId && ok(j)
      );
    });
    if (paidAt < 0) return;
    const buyer = shop.phones.indexOf((reqs[order[paidAt] as number] as Req).body.phone as string);
    const sells = order
      .slice(paidAt + 1, at)
      .some((j) => (reqs[j] as Req).url.endsWith("/sell") && (reqs[j] as Req).member === buyer && ok(j));
    if (sells) count++;
  });
  return count;
}

/** Starts each call 20 ms after the one before (without waiting for its answer); all their answers. */
async function spaced<T>(calls: readonly (() => Promise<T>)[]): Promise<T[]> {
  const started: Promise<T>[] = [];
  for (const call of calls) {
    started.push(call());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Promise.all(started);
}

/** JSON with object keys sorted. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
}

/** An answer without its request id (an error body names the request it answers). */
function withoutRequestId(data: unknown): unknown {
  if (data === null || typeof data !== "object") return data;
  const { requestId: _id, ...rest } = data as Record<string, unknown>;
  return rest;
}

/** Everything the commands write, in a comparable form. */
async function written(t: TestApp) {
  const q = async (sql: string) => (await t.db.query(sql)).rows;
  return {
    ledger: await q(
      `select t.id::text, t.kind, t.ref, t.business_day::text as day,
         (select string_agg(p.account || ' ' || p.asset || ' ' || p.amount::text, ', ' order by p.id)
          from ledger_postings p where p.transaction_id = t.id) as postings
       from ledger_transactions t order by t.id`,
    ),
    balances: await q("select account, asset, amount::text from balances order by account, asset"),
    exitQueue: await q(
      "select member_id::text, held::text, quota::text, threshold::text from exit_queue order by 1",
    ),
    equity: await q(
      "select pool::text, supply::text, issued::text, price_num::text, price_den::text from equity_state",
    ),
    orders: await q(
      `select id::text, member_id::text, product_id::text, quantity, plans::text, amount::text, points_paid::text,
         status, provider, external_id, created_at::text, paid_at::text, paid_day::text, eligible_day::text,
         refunded_at::text from orders order by id`,
    ),
    rewards: await q(
      `select order_id::text, member_id::text, seq::text, eligible_on::text, reversed_on::text, amount::text,
         points_paid::text, in_cycle, equity_buyer::text, equity_referrer_id::text, equity_referrer::text,
         exit_quota::text, cycle_quota::text, cycle_weight::text, cycle_referrer_id::text,
         cycle_referrer_weight::text, release_grade, release_grade_min::text, release_gift::text,
         release_base::text from order_rewards order by 1`,
    ),
    gifts: await q(
      "select day::text, order_id::text, member_id::text, seq::text, base::text, remaining::text from release_progress order by 1, 2",
    ),
    stock: await q("select id::text, stock from products order by id"),
    // The operators' actions (an operator's refund writes its row with the batch); not the request id.
    audit: await q(
      `select operator_id::text, action, target_type, target_id, detail::text, created_at::text
       from audit_log order by id`,
    ),
    // Not the request hash: a payment by invite code hashes the merchant's code, which each shop draws at random.
    keys: await q("select scope, key, status_code, response::text from idempotency_keys order by scope, key"),
  };
}

for (const target of dbTargets()) {
  describe(`equity writer on ${target.name}`, () => {
    // Whether a member exits depends on the order in which the writer takes the concurrent
    // requests, so one run may see none; the two runs with exits must see at least one between them.
    const exitRuns = { ran: 0, exited: 0 };
    after(() => {
      if (exitRuns.ran === 2) assert.ok(exitRuns.exited > 0, "the commands made members exit in neither run");
    });
    for (const { seed, exitMultiple, webhooks } of [
      { seed: 11 },
      { seed: 15, webhooks: true },
      { seed: 13, exitMultiple: "0.42" },
      { seed: 14, exitMultiple: "0.42", webhooks: true },
    ]) {
      const exits = exitMultiple ? `, exits (exit quota multiple ${exitMultiple})` : "";
      const paid = webhooks ? ", webhook orders" : "";
      test(`seed ${seed}${exits}${paid}: batched and serial paths give the same answers and the same ledger`, async () => {
        // With exits: three early buyers hold still while five others redeem in small amounts (each
        // burns points and lifts the price) until holdings meet their quota.
        const size = exitMultiple ? 8 : 5;
        const order: string[] = [];
        const inMemory: string[] = [];
        const batched = await openTestApp(target, {
          equityWriter: { windowMs: 5, maxBatch: 7 },
          onEquityWriter: watch(order, inMemory),
        });
        const serial = await openTestApp(target, { equityWriter: null });
        try {
          const a = await shop(batched, size, exitMultiple, 2);
          const b = await shop(serial, size, exitMultiple, 2);
          assert.deepEqual(
            b.members.map((m) => m.id),
            a.members.map((m) => m.id),
          );
          assert.deepEqual([...b.orders, ...b.pending], [...a.orders, ...a.pending]);
          // Payment confirmations and refunds of pending and paid orders among the members' commands.
          const orders = [...a.pending, ...a.orders];
          // The flash sale: webhook deliveries of the shop's own orders (issue 14) among the rest.
          const shopA = webhooks ? await webhookShop(batched, a.members) : undefined;
          const shopB = webhooks ? await webhookShop(serial, b.members) : undefined;
          assert.deepEqual(shopB, shopA);
          const n = webhooks ? 64 : 48;
          const reqs = exitMultiple
            ? sequence(seed, 5, n, 12, 3, orders, shopA)
            : sequence(seed, 5, n, 40, 0, orders, shopA);
          const [adminA, adminB] = [await adminOf(batched), await adminOf(serial)];
          for (const [t, members] of [
            [batched, a.members],
            [serial, b.members],
          ] as const)
            for (const m of members) await credit(t, m.id, "stable", "40");
          assert.deepEqual(await written(serial), await written(batched), "the same shop before");
          order.length = 0; // the setup's payment confirmations went through the writer too
          const exitsBefore = await count(batched, "ledger_transactions", "kind = 'equity.exit'");

          const answersA = await Promise.all(reqs.map((req) => send(batched, a.members, req, adminA)));
          // The serial path in the writer's order, then those refused before the writer (their order is free).
          const pending = reqs.map((req, i) => ({ i, id: identity(a.members, req, adminA) }));
          const replayOrder: number[] = [];
          for (const id of order) {
            const at = pending.findIndex((p) => p.id === id);
            assert.ok(at >= 0, "every command the writer took is one of the requests");
            replayOrder.push((pending[at] as { i: number }).i);
            pending.splice(at, 1);
          }
          replayOrder.push(...pending.map((p) => p.i));
          const answersB: Awaited<ReturnType<typeof send>>[] = [];
          for (const i of replayOrder) answersB[i] = await send(serial, b.members, reqs[i] as Req, adminB);

          const codes = new Set<string>();
          // In the order applied (the first difference is the one that matters). Requests sent twice
          // alike are one identity to the writer, so which copy went first is unknown: compare a group's
          // answers as a set.
          // (Keys sorted: a replayed answer comes back from jsonb, whose key order is its own, on both paths.)
          const answer = (r: (typeof answersA)[number] | undefined) =>
            canonical([r?.statusCode, withoutRequestId(r?.data)]);
          const groups = new Map<string, number[]>();
          for (const i of replayOrder) {
            const id = identity(a.members, reqs[i] as Req, adminA);
            groups.set(id, [...(groups.get(id) ?? []), i]);
          }
          for (const [, group] of groups) {
            const req = reqs[group[0] as number] as Req;
            assert.deepEqual(
              group.map((i) => answer(answersA[i])).sort(),
              group.map((i) => answer(answersB[i])).sort(),
              `${req.url} ${JSON.stringify(req.body)}`,
            );
            for (const i of group) codes.add(answersA[i]?.statusCode === 200 ? "ok" : answersA[i]?.data.code);
          }
          // The sequence exercised success and refusals (insufficient holdings, reused keys, self payment).
          assert.ok(codes.has("ok") && codes.size >= 3, [...codes].join(","));
          const kinds = (url: string) =>
            reqs.filter((q, i) => q.url.endsWith(url) && answersA[i]?.statusCode === 200).length;
          assert.ok(
            kinds("/confirm-payment") > 0 && kinds("/refund") > 0,
            `orders were paid and refunded: ${reqs
              .map((q, i) =>
                q.operator ? `${q.url} ${answersA[i]?.statusCode} ${answersA[i]?.data?.code}` : "",
              )
              .filter(Boolean)
              .join("; ")}`,
          );
          // The operators' refunds went through the writer's memory (their confirmations are transaction jobs).
          const operatorRefunds = inMemory.filter((id) => id.startsWith("operator:")).length;
          assert.ok(operatorRefunds > 0, `${operatorRefunds} operators' refunds in the writer's memory`);
          if (webhooks) {
            const memoryOrders = inMemory.filter((id) => id.startsWith("webhook\u0000order.paid:")).length;
            assert.ok(memoryOrders >= 10, `${memoryOrders} deliveries went through the writer's memory`);
            const memoryRefunds = inMemory.filter((id) =>
              id.startsWith("webhook\u0000order.refunded:"),
            ).length;
            assert.ok(memoryRefunds >= 5, `${memoryRefunds} refunds went through the writer's memory`);
            const sold = refundsAfterSells(reqs, answersA, replayOrder, shopA as WebhookShop);
            // Deliveries went through the writer's memory and through its transaction jobs, some refused.
            const outcome = (q: Req, i: number) =>
              `${q.body.event}${q.body.points === "1.00" ? "+points" : ""} ${answersA[i]?.statusCode === 200 ? "ok" : answersA[i]?.data.code}`;
            const seen = new Set(reqs.map((q, i) => (q.webhook ? outcome(q, i) : "")).filter(Boolean));
            assert.ok(
              seen.has("order.paid ok") &&
                seen.has("order.refunded ok") &&
                seen.has("order.refunded ORDER_NOT_FOUND") &&
                seen.has("order.refunded EXTERNAL_ORDER_DUPLICATE") &&
                [...seen].some((o) => o.startsWith("order.paid ") && !o.endsWith(" ok")),
              [...seen].join("; "),
            );
            if (process.env.JIFEN_TEST_VERBOSE)
              console.log(memoryOrders, memoryRefunds, sold, [...seen].join("; "));
          }
          assert.deepEqual(
            await written(batched),
            await written(serial),
            "the same ledger, balances, queue, keys",
          );
          assert.ok(order.length > 0);
          if (exitMultiple) {
            const exitsAfter = await count(batched, "ledger_transactions", "kind = 'equity.exit'");
            exitRuns.ran++;
            if (exitsAfter > exitsBefore) exitRuns.exited++;
          }
          await auditLedger(batched);
        } finally {
          await batched.cleanup();
          await serial.cleanup();
        }
      });
    }

    test("a batch failing half-way leaves nothing, answers each of its requests with BATCH_FAILED; the next runs from what is committed", async () => {
      const order: string[] = [];
      const t = await openTestApp(target, {
        equityWriter: { windowMs: 50, maxBatch: 4 },
        onEquityWriter: watch(order),
      });
      try {
        const { members, orders } = await shop(t, 4);
        order.length = 0; // the setup's payment confirmations went through the writer too
        const engine = new Engine();
        members.forEach((m, i) => {
          engine.join(m.id);
          engine.order({ member: m.id, amount: µ("100"), plans: ["equity"], id: orders[i] as string });
        });
        // The first balance update from now on fails (a sequence is not rolled back with the batch).
        await t.db.exec(`
          create sequence writer_test_fail;
          create function writer_test_fail() returns trigger language plpgsql as $$
          begin
            if nextval('writer_test_fail') = 1 then raise exception 'injected: the batch fails half-way'; end if;
            return null;
          end $$;
          create trigger writer_test_fail before update on balances
            for each statement execute function writer_test_fail();`);
        const before = await written(t);
        const sells = members.flatMap((m, i) => [
          { m, i, key: `s${i}a`, points: "1" },
          { m, i, key: `s${i}b`, points: "2.5" },
        ]);
        const answers = await Promise.all(
          sells.map((s) =>
            call(t, "POST", "/me/equity/sell", { token: s.m.token, key: s.key, body: { points: s.points } }),
          ),
        );
        const byKey = new Map(sells.map((s, i) => [s.key, { s, answer: answers[i] }]));
        const arrival = order.map((o) => o.split("\u0000")[1] as string);
        const failed = arrival.filter((k) => byKey.get(k)?.answer?.statusCode === 503);
        assert.ok(failed.length >= 1, "the first batch failed");
        assert.deepEqual(arrival.slice(0, failed.length), failed, "the failed batch is the first one taken");
        for (const k of failed) {
          const { answer } = byKey.get(k) as { answer: { data: { code: string; message: string } } };
          assert.equal(answer.data.code, "BATCH_FAILED");
          assert.match(answer.data.message, /未做任何更改/);
        }
        const done = arrival.slice(failed.length);
        for (const k of done) assert.equal(byKey.get(k)?.answer?.statusCode, 200, byKey.get(k)?.answer?.body);
        // Nothing of the failed batch: the rest priced from the committed state, as the engine replays them.
        for (const k of done) {
          const { s } = byKey.get(k) as { s: (typeof sells)[number] };
          engine.sell(s.m.id, µ(s.points));
        }
        await assertSameAsEngine(t, engine, members, "after the failed batch and the next");
        const after = await written(t);
        assert.equal(
          after.ledger.length,
          before.ledger.length + done.length,
          "only the committed sells are in the ledger",
        );
        assert.equal(
          after.keys.length,
          before.keys.length + done.length,
          "no key of a failed request is kept",
        );
        // Retried with the same keys, the failed requests now go through, once.
        for (const k of failed) {
          const { s } = byKey.get(k) as { s: (typeof sells)[number] };
          const again = await call(t, "POST", "/me/equity/sell", {
            token: s.m.token,
            key: k,
            body: { points: s.points },
          });
          assert.equal(again.statusCode, 200, again.body);
          assert.equal(again.headers["idempotent-replayed"], undefined);
          engine.sell(s.m.id, µ(s.points));
        }
        await assertSameAsEngine(t, engine, members, "after the retries");
        assert.equal(await count(t, "ledger_transactions", "kind = 'equity.sell'"), sells.length);
        await auditLedger(t);
      } finally {
        await t.cleanup();
      }
    });

    test("a batch of webhook orders failing half-way (its orders refused by the database) leaves nothing: no order, grant, stock or key; each delivery BATCH_FAILED, then applied once when redelivered", async () => {
      let writer: EquityWriter | undefined;
      // The shop is set up one request at a time under a short window (a long one would only delay each request).
      const batching = { windowMs: 5, maxBatch: 6 };
      const t = await openTestApp(target, {
        equityWriter: batching,
        onEquityWriter: (w) => {
          writer = w;
        },
      });
      try {
        const { members } = await shop(t, 3);
        const { products } = await webhookShop(t, members);
        // The first insert of orders from now on fails: the batch's write statement, after its ledger rows.
        await t.db.exec(`
          create sequence writer_test_fail;
          create function writer_test_fail() returns trigger language plpgsql as $$
          begin
            if nextval('writer_test_fail') = 1 then raise exception 'injected: the batch fails half-way'; end if;
            return null;
          end $$;
          create trigger writer_test_fail before insert on orders
            for each statement execute function writer_test_fail();`);
        const before = await written(t);
        // Six deliveries, one batch: it closes at the sixth (the window is only a bound on a slow machine).
        batching.windowMs = 500;
        const deliveries = members.flatMap((_, i) =>
          [0, 1].map((k) => ({
            event: "order.paid",
            externalId: `F-${i}-${k}`,
            phone: `13900${String(i).padStart(6, "0")}`,
            productId: products[k] as string,
          })),
        );
        const answers = await Promise.all(deliveries.map((d) => webhook(t, d)));
        const failed = answers.filter((a) => a.statusCode === 503);
        assert.equal(failed.length, deliveries.length, answers.map((a) => a.body).join("\n"));
        for (const a of failed) {
          assert.equal(a.data.code, "BATCH_FAILED");
          assert.match(a.data.message, /未做任何更改/);
        }
        assert.equal((writer as EquityWriter).stats.failedBatches, 1);
        assert.deepEqual(await written(t), before, "nothing of the failed batch is kept");
        // Redelivered, each is applied once: its order, its payment and grant, its key.
        const again = await Promise.all(deliveries.map((d) => webhook(t, d)));
        for (const a of again) {
          assert.equal(a.statusCode, 200, a.body);
          assert.equal(a.headers["idempotent-replayed"], undefined);
        }
        const twice = await Promise.all(deliveries.map((d) => webhook(t, d)));
        assert.deepEqual(
          twice.map((a) => [a.statusCode, a.headers["idempotent-replayed"], a.data.id]),
          again.map((a) => [200, "true", a.data.id]),
        );
        assert.equal(await count(t, "orders", "provider = 'webhook'"), deliveries.length);
        assert.equal(await count(t, "ledger_transactions", "kind = 'order.pay'"), 3 + deliveries.length);
        assert.equal(await count(t, "order_rewards"), 3 + deliveries.length);
        const stock = await t.db.query<{ stock: number }>(
          "select stock from products where id = $1::bigint",
          [products[0]],
        );
        assert.equal(stock.rows[0]?.stock, 6 - members.length);
        await auditLedger(t);
      } finally {
        await t.cleanup();
      }
    });

    test("webhook refunds in one batch of the writer's memory — after the buyer sold, twice, of an unknown order, of one paid in the same batch: the serial path's answers and rows; failing half-way, the batch leaves nothing", async () => {
      const order: string[] = [];
      const inMemory: string[] = [];
      // The shop is set up one request at a time under a short window (a long one would only delay each
      // request); the deliveries then go under a long one (see below).
      const batching = { windowMs: 5, maxBatch: 10 };
      const batched = await openTestApp(target, {
        equityWriter: batching,
        onEquityWriter: watch(order, inMemory),
      });
      const serial = await openTestApp(target, { equityWriter: null });
      try {
        const paid = (externalId: string, phone: string, productId: string, quantity?: string) => ({
          event: "order.paid",
          externalId,
          phone,
          productId,
          ...(quantity ? { quantity } : {}),
        });
        const refund = (externalId: string, extra: object = {}) => ({
          event: "order.refunded",
          externalId,
          ...extra,
        });
        const phone = (i: number) => `13900${String(i).padStart(6, "0")}`;
        let deliveries: object[] = [];
        let productsA: string[] = [];
        for (const t of [batched, serial]) {
          const { members } = await shop(t, 3);
          const { products } = await webhookShop(t, members);
          if (t === batched) productsA = [...products];
          const [limited, all] = products as [string, string];
          // Stored before the batch: an order of every plan, two of the limited product, one of a member invited by member 0.
          for (const d of [
            paid("P-0", phone(0), all),
            paid("P-1", phone(1), limited, "2"),
            paid("P-2", "13800000001", all),
            paid("P-3", phone(2), all),
          ])
            assert.equal((await webhook(t, d)).statusCode, 200);
          // Member 0 sells all but one of its equity points: the refund takes back more than it holds (debt).
          const held = await t.db.query<{ amount: string }>(
            "select amount::text from balances where account = $1 and asset = 'equity'",
            [`m:${members[0]?.id}:equity`],
          );
          const points = String(µ(held.rows[0]?.amount ?? "0") / 1_000_000n - 1n);
          const sold = await call(t, "POST", "/me/equity/sell", {
            token: (members[0] as TestMember).token,
            key: "sell-all",
            body: { points },
          });
          assert.equal(sold.statusCode, 200, sold.body);
          deliveries = [
            refund("P-0"),
            refund("P-0"), // the same delivery again: the first answer
            refund("P-0", { phone: phone(0) }), // another body under the refund's key: EXTERNAL_ORDER_DUPLICATE
            refund("NO-SUCH-ORDER"),
            refund("N-1"), // not paid yet: ORDER_NOT_FOUND
            paid("N-1", phone(2), all),
            refund("N-1", { phone: phone(2) }), // now paid in this batch: refunded in it
            refund("P-1"), // its two units back in stock
            refund("P-2"), // the referrer's share taken back
            // Member 0's next order: its grant repays the refund's debt in full (the debt row stays, at 0).
            paid("N-4", phone(0), all, "3"),
          ];
        }
        assert.deepEqual(await written(serial), await written(batched), "the same shop before");

        order.length = 0;
        inMemory.length = 0;
        // Ten deliveries, one batch: it closes at the tenth (sent 20 ms apart, so they arrive in order).
        batching.windowMs = 3000;
        const answersA = await spaced(deliveries.map((d) => () => webhook(batched, d)));
        // Every delivery in the writer's memory, none a transaction job.
        assert.equal(inMemory.length, deliveries.length);
        assert.equal(order.length, deliveries.length);
        // The serial path in the writer's order.
        const pending = deliveries.map((body, i) => ({
          i,
          id: identity([], { member: 0, key: "", webhook: true, url: "/webhooks/payments", body } as Req),
        }));
        const answersB: Awaited<ReturnType<typeof webhook>>[] = [];
        for (const id of order) {
          const at = pending.findIndex((p) => p.id === id);
          const { i } = pending.splice(at, 1)[0] as { i: number };
          answersB[i] = await webhook(serial, deliveries[i] as object);
        }
        const answer = (r: (typeof answersA)[number] | undefined) =>
          canonical([r?.statusCode, withoutRequestId(r?.data)]);
        // The two alike are one identity to the writer: compared as a set.
        assert.deepEqual(answersA.map(answer).sort(), answersB.map(answer).sort());
        assert.deepEqual(
          answersA.map((a) => (a.statusCode === 200 ? a.data.status : a.data.code)),
          [
            "refunded",
            "refunded",
            "EXTERNAL_ORDER_DUPLICATE",
            "ORDER_NOT_FOUND",
            "ORDER_NOT_FOUND",
            "paid",
            "refunded",
            "refunded",
            "refunded",
            "paid",
          ],
        );
        assert.deepEqual(
          await written(batched),
          await written(serial),
          "the same ledger, orders, rewards, keys",
        );
        // The refund after the sale left member 0 a debt of equity points, repaid by its next grant in the
        // same batch: the debt row is there, at 0, as on the serial path.
        const repaid = await count(batched, "balances", "account like 'm:%:debt:equity' and amount = 0");
        assert.equal(repaid, 1);

        // A batch of refunds failing half-way (its write refused by the database): nothing, each delivery BATCH_FAILED.
        await batched.db.exec(`
          create sequence writer_test_fail;
          create function writer_test_fail() returns trigger language plpgsql as $$
          begin
            if nextval('writer_test_fail') = 1 then raise exception 'injected: the batch fails half-way'; end if;
            return null;
          end $$;
          create trigger writer_test_fail before update on orders
            for each statement execute function writer_test_fail();`);
        const [limited, all] = productsA as [string, string];
        const more = [
          refund("P-3"),
          paid("N-2", phone(1), all),
          refund("N-2"),
          paid("N-3", phone(2), limited),
          refund("N-3"),
          refund("NO-2"),
        ];
        const before = await written(batched);
        // Each round of the six, one batch: it closes at the sixth (the window is only a bound on a slow machine).
        batching.maxBatch = more.length;
        const failed = await Promise.all(more.map((d) => webhook(batched, d)));
        assert.deepEqual(
          failed.map((a) => [a.statusCode, a.data.code]),
          more.map(() => [503, "BATCH_FAILED"]),
        );
        assert.deepEqual(await written(batched), before, "nothing of the failed batch is kept");
        // Redelivered, each is applied once; a third time, each answer is replayed.
        const again = await Promise.all(more.map((d) => webhook(batched, d)));
        const outcome = (a: (typeof again)[number]) => (a.statusCode === 200 ? a.data.status : a.data.code);
        assert.deepEqual(again.map(outcome), [
          "refunded",
          "paid",
          "refunded",
          "paid",
          "refunded",
          "ORDER_NOT_FOUND",
        ]);
        const thrice = await Promise.all(more.map((d) => webhook(batched, d)));
        assert.deepEqual(
          thrice.map((a) => [outcome(a), a.headers["idempotent-replayed"]]),
          again.map((a, i) => [outcome(a), i < 5 ? "true" : undefined]),
        );
        assert.equal(
          await count(batched, "orders", "external_id in ('P-3', 'N-2', 'N-3') and status = 'refunded'"),
          3,
        );
        assert.equal(await count(batched, "ledger_transactions", "kind = 'order.refund'"), 7);
        await auditLedger(batched);
      } finally {
        await batched.cleanup();
        await serial.cleanup();
      }
    });

    test("a refund in the writer's memory while a day on or after the order's eligible day settles: SETTLEMENT_RUNNING as on the serial path, nothing kept; afterwards it goes through", async () => {
      const batched = await openTestApp(target, { equityWriter: { windowMs: 5, maxBatch: 10 } });
      const serial = await openTestApp(target, { equityWriter: null });
      try {
        const answers: string[][] = [];
        for (const t of [batched, serial]) {
          const { members, orders } = await shop(t, 2);
          const { products } = await webhookShop(t, members);
          const paid = {
            event: "order.paid",
            externalId: "S-1",
            phone: "13900000001",
            productId: products[1],
          };
          assert.equal((await webhook(t, paid)).statusCode, 200);
          // The day being settled: its close is done, its deltas not all applied.
          await t.db.query(
            `insert into settlement_open (business_day, phase, closed_at)
             select open_day, 'closed', now() from reward_clock`,
          );
          const admin = await operatorToken(t);
          const before = await written(t);
          const byOperator = () =>
            call(t, "POST", `/admin/orders/${orders[0]}/refund`, {
              token: admin,
              key: "refund-1",
              body: { reason: "退货 / returned" },
            });
          const seen: string[] = [];
          for (const r of [
            await webhook(t, { event: "order.refunded", externalId: "S-1" }),
            await byOperator(),
          ])
            seen.push(`${r.statusCode} ${canonical(withoutRequestId(r.data))}`);
          assert.deepEqual(await written(t), before, "a refused refund leaves nothing");
          await t.db.query("delete from settlement_open");
          for (const r of [
            await webhook(t, { event: "order.refunded", externalId: "S-1" }),
            await byOperator(),
          ])
            seen.push(`${r.statusCode} ${r.data.status ?? r.data.code}`);
          answers.push(seen);
          await auditLedger(t);
        }
        assert.match(answers[0]?.[0] ?? "", /^409 .*SETTLEMENT_RUNNING/);
        assert.match(answers[0]?.[1] ?? "", /^409 .*SETTLEMENT_RUNNING/);
        assert.deepEqual(answers[0]?.slice(2), ["200 refunded", "200 refunded"]);
        assert.deepEqual(answers[0], answers[1]);
        // Not the ledger's ids: the serial path's refused refunds took ids from the sequence (gaps), the batch none.
        const sansIds = async (t: TestApp) => {
          const w = await written(t);
          return { ...w, ledger: w.ledger.map(({ id: _id, ...row }) => row) };
        };
        assert.deepEqual(await sansIds(batched), await sansIds(serial));
      } finally {
        await batched.cleanup();
        await serial.cleanup();
      }
    });

    test("a key stored meanwhile by another transaction: the batch is retried, that request alone is refused", {
      skip:
        target.name === "pglite"
          ? "PGlite has one connection: no other transaction can store a key meanwhile"
          : false,
    }, async () => {
      let writer: EquityWriter | undefined;
      const t = await openTestApp(target, {
        equityWriter: { windowMs: 50, maxBatch: 3 },
        onEquityWriter: (w) => {
          writer = w;
        },
      });
      try {
        const { members } = await shop(t, 3);
        let stolen = false;
        (writer as EquityWriter).beforeWrite = async () => {
          if (stolen) return;
          stolen = true;
          // Another connection stores the first member's key (as a withdrawal under the same key would) and commits.
          await t.db.query(
            `insert into idempotency_keys (scope, key, request_hash, status_code, response, created_at, completed_at)
             values ($1, 'same-key', 'another request', 201, '{}'::jsonb, now(), now())`,
            [`member:${members[0]?.id}`],
          );
        };
        const answers = await Promise.all(
          members.map((m) =>
            call(t, "POST", "/me/equity/sell", { token: m.token, key: "same-key", body: { points: "1" } }),
          ),
        );
        assert.equal(answers[0]?.statusCode, 409, answers[0]?.body);
        assert.equal(answers[0]?.data.code, "IDEMPOTENCY_KEY_REUSED");
        for (const a of answers.slice(1)) assert.equal(a.statusCode, 200, a.body);
        assert.equal((writer as EquityWriter).stats.retries, 1);
        assert.equal((writer as EquityWriter).stats.failedBatches, 0);
        assert.equal(await count(t, "ledger_transactions", "kind = 'equity.sell'"), 2);
        await auditLedger(t);
      } finally {
        await t.cleanup();
      }
    });

    test("500 concurrent clients at one price level: pool and every wallet equal the engine's replay in the writer's order", async () => {
      const order: string[] = [];
      const t = await openTestApp(target, {
        equityWriter: { windowMs: 3, maxBatch: 100 },
        onEquityWriter: watch(order),
      });
      try {
        const { members, orders, pending } = await shop(t, 25, undefined, 2);
        order.length = 0; // the setup's payment confirmations went through the writer too
        const engine = new Engine();
        members.forEach((m, i) => {
          engine.join(m.id);
          engine.order({ member: m.id, amount: µ("100"), plans: ["equity"], id: orders[i] as string });
        });
        const admin = await adminOf(t);
        // The pending orders: the first 25 at 37.50, the next 25 at 100 (shop's products), one per member each.
        const pendingOf = (k: number) => ({
          id: pending[k] as string,
          member: members[k % members.length] as TestMember,
          amount: µ(k < members.length ? "37.50" : "100"),
        });
        const kinds = [
          { url: "/me/equity/sell", body: { points: "0.5" }, run: (id: string) => engine.sell(id, µ("0.5")) },
          {
            url: "/me/equity/to-stable",
            body: { points: "0.3" },
            run: (id: string) => engine.toStable(id, µ("0.3")),
          },
          {
            url: "/me/equity/redeem",
            body: { amount: "1.00" },
            run: (id: string) => engine.redeem(id, µ("1")),
          },
          {
            url: "/me/equity/from-stable",
            body: { stable: "0.2" },
            run: (id: string) => engine.fromStable(id, µ("0.2")),
          },
        ];
        type Kind = {
          url: string;
          body: object;
          run: (id: string) => void;
          admin?: boolean;
          webhook?: boolean;
        };
        const sale = await equityProduct(t, "19.90");
        const reqs = Array.from({ length: 500 }, (_, i) => {
          const m = members[i % members.length] as TestMember;
          // Every 10th from 3 on: the shop's webhook reports a new paid order (50 of them, in the writer's memory).
          if (i % 10 === 3) {
            const externalId = `x${i}`;
            const phone = `13900${String(i % members.length).padStart(6, "0")}`;
            const kind: Kind = {
              url: "/webhooks/payments",
              body: { event: "order.paid", externalId, phone, productId: sale },
              webhook: true,
              run: (id: string) =>
                engine.order({ member: id, amount: µ("19.90"), plans: ["equity"], id: externalId }),
            };
            return { m, kind, key: `order.paid:${externalId}` };
          }
          // Every 10th: an operator confirms a pending order (50 of them, a flash sale's payments);
          // every 20th from 5 on: a refund of one of the orders paid before (25 of them).
          if (i % 10 === 0) {
            const o = pendingOf(i / 10);
            const kind: Kind = {
              url: `/admin/orders/${o.id}/confirm-payment`,
              body: {},
              admin: true,
              run: () => engine.order({ member: o.member.id, amount: o.amount, plans: ["equity"], id: o.id }),
            };
            return { m: o.member, kind, key: `c${i}` };
          }
          if (i % 20 === 5) {
            const id = orders[(i - 5) / 20] as string;
            const kind: Kind = {
              url: `/admin/orders/${id}/refund`,
              body: { reason: "秒杀退款 / flash-sale refund" },
              admin: true,
              run: () => engine.refund(id),
            };
            return { m, kind, key: `c${i}` };
          }
          return { m, kind: kinds[(i * 7) % kinds.length] as Kind, key: `c${i}` };
        });
        const answers = await Promise.all(
          reqs.map((r) =>
            r.kind.webhook
              ? webhook(t, r.kind.body)
              : call(t, "POST", r.kind.url, {
                  token: r.kind.admin ? admin.token : r.m.token,
                  key: r.key,
                  body: r.kind.body,
                }),
          ),
        );
        const byKey = new Map(reqs.map((r, i) => [r.key, { r, answer: answers[i] }]));
        assert.equal(order.length, reqs.length, "every command went through the writer");
        for (const o of order) {
          const { r, answer } = byKey.get(o.split("\u0000")[1] as string) as {
            r: (typeof reqs)[number];
            answer: (typeof answers)[number];
          };
          let refused: string | undefined;
          try {
            r.kind.run(r.m.id);
          } catch (error) {
            refused = (error as { code?: string }).code ?? String(error);
          }
          assert.equal(answer?.statusCode === 200 ? undefined : answer?.data.code, refused, answer?.body);
        }
        for (const [path, n] of [
          ["/confirm-payment", 50],
          ["/refund", 25],
          ["/webhooks/payments", 50],
        ] as const) {
          const done = reqs.filter((r, i) => r.kind.url.endsWith(path) && answers[i]?.statusCode === 200);
          assert.equal(done.length, n, `every ${path} went through`);
        }
        await assertSameAsEngine(t, engine, members, "after 500 concurrent commands");
        await auditLedger(t);
      } finally {
        await t.cleanup();
      }
    });
  });
}
