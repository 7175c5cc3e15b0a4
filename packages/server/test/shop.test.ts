import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { PaidOrder } from "../src/rewards/index.ts";
import { signWebhook } from "../src/shop/index.ts";
import {
  auditLedger,
  call,
  count,
  credit,
  openTestApp,
  operatorToken,
  operatorWithRole,
  register,
  type TestApp,
} from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

async function webhook(t: TestApp, body: object, secret = "webhook-secret") {
  const raw = JSON.stringify(body);
  return t.app.inject({
    method: "POST",
    url: "/webhooks/payments",
    headers: { "content-type": "application/json", "x-jifen-signature": signWebhook(secret, raw) },
    payload: raw,
  });
}

async function balance(t: TestApp, account: string, asset: string): Promise<string> {
  const rows = await t.db.query<{ amount: string }>(
    "select amount from balances where account = $1 and asset = $2",
    [account, asset],
  );
  return rows.rows[0]?.amount ?? "0";
}

for (const target of dbTargets()) {
  describe(`shop on ${target.name}`, () => {
    let t: TestApp;
    let admin: string;
    let finance: string;
    const paid: PaidOrder[] = [];
    const refunded: PaidOrder[] = [];
    let failNextPayment = false;
    before(async () => {
      t = await openTestApp(target, {
        hooks: {
          async onOrderPaid(tx, order) {
            // The hook runs inside the payment's transaction: it sees the paid order.
            const row = await tx.query<{ status: string }>(
              "select status from orders where id = $1::bigint",
              [order.id],
            );
            assert.equal(row.rows[0]?.status, "paid");
            if (failNextPayment) {
              failNextPayment = false;
              throw new Error("reward engine failed");
            }
            paid.push(order);
          },
          async onOrderRefunded(_tx, order) {
            refunded.push(order);
          },
        },
      });
      admin = await operatorToken(t);
      finance = await operatorWithRole(t, "finance");
    });
    after(async () => {
      await t?.cleanup();
    });

    test("products: public list, admin CRUD with coded refusals, support may not edit", async () => {
      const list = await call(t, "GET", "/products");
      assert.equal(list.statusCode, 200);
      assert.equal(list.data.items.length, 4);
      const bad: [object, string, string][] = [
        [{ name: "x", price: "12.345", plans: ["equity"] }, "TOO_MANY_PLACES", "price"],
        [{ name: "x", price: "-1", plans: ["equity"] }, "AMOUNT_NOT_POSITIVE", "price"],
        [{ name: "x", price: "1", plans: ["gold"] }, "UNKNOWN_PLAN", "plans"],
      ];
      for (const [body, code, field] of bad) {
        const response = await call(t, "POST", "/admin/products", { token: admin, body });
        assert.deepEqual([response.statusCode, response.data.code, response.data.field], [400, code, field]);
      }
      const support = await operatorWithRole(t, "support");
      const denied = await call(t, "POST", "/admin/products", {
        token: support,
        body: { name: "x", price: "1", plans: ["equity"] },
      });
      assert.equal(denied.statusCode, 403);
      const created = await call(t, "POST", "/admin/products", {
        token: admin,
        body: { name: "测试商品", price: "10.50", plans: ["equity", "cycle"] },
      });
      assert.equal(created.statusCode, 201, created.body);
      assert.deepEqual(
        [created.data.price, created.data.plans, created.data.active],
        ["10.50", ["equity", "cycle"], true],
      );
      const off = await call(t, "DELETE", `/admin/products/${created.data.id}`, { token: admin });
      assert.equal(off.data.active, false);
      const hidden = await call(t, "GET", `/products/${created.data.id}`);
      assert.equal(hidden.data.code, "PRODUCT_NOT_FOUND");
      const m = await register(t, "13300000001");
      const order = await call(t, "POST", "/orders", {
        token: m.token,
        body: { productId: created.data.id },
      });
      assert.deepEqual([order.statusCode, order.data.code], [409, "PRODUCT_INACTIVE"]);
    });

    test("an order paid manually: amount from price × quantity, points and cash on the ledger, hook called once", async () => {
      const m = await register(t, "13300000002");
      await credit(t, m.id, "points", "50");
      const order = await call(t, "POST", "/orders", {
        token: m.token,
        body: { productId: "3", quantity: 2, points: "48.5" },
      });
      assert.equal(order.statusCode, 201, order.body);
      assert.deepEqual(
        [order.data.amount, order.data.points, order.data.cash, order.data.status],
        ["198.00", "48.50", "149.50", "pending"],
      );
      assert.equal(paid.length, 0);
      const confirmed = await call(t, "POST", `/admin/orders/${order.data.id}/confirm-payment`, {
        token: finance,
      });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      assert.deepEqual(
        [confirmed.data.status, confirmed.data.paidDay, confirmed.data.eligibleDay],
        ["paid", "2026-01-05", "2026-01-05"],
      );
      assert.equal(paid.length, 1);
      assert.deepEqual(
        { id: paid[0]?.id, amount: paid[0]?.amount, points: paid[0]?.pointsPaid, plans: paid[0]?.plans },
        { id: order.data.id, amount: 198_000_000n, points: 48_500_000n, plans: ["equity"] },
      );
      assert.equal(await balance(t, `m:${m.id}:points`, "points"), "1.500000");
      assert.equal(await balance(t, "p:pointsReceived", "points"), "48.500000");
      assert.equal(await balance(t, "p:operator", "cny"), "149.500000");
      const twice = await call(t, "POST", `/admin/orders/${order.data.id}/confirm-payment`, {
        token: finance,
      });
      assert.deepEqual([twice.statusCode, twice.data.code], [409, "ORDER_NOT_PENDING"]);
      assert.equal(paid.length, 1);
      const audit = await call(t, "GET", "/admin/audit-log?action=order.pay", { token: admin });
      assert.equal(audit.data.items[0]?.targetId, order.data.id);

      const refund = await call(t, "POST", `/admin/orders/${order.data.id}/refund`, {
        token: finance,
        body: { reason: "顾客退货 / returned" },
      });
      assert.equal(refund.statusCode, 200, refund.body);
      assert.equal(refund.data.status, "refunded");
      assert.equal(refunded.length, 1);
      assert.equal(await balance(t, `m:${m.id}:points`, "points"), "50.000000");
      const again = await call(t, "POST", `/admin/orders/${order.data.id}/refund`, {
        token: finance,
        body: { reason: "again" },
      });
      assert.deepEqual([again.statusCode, again.data.code], [409, "ORDER_NOT_PAID"]);
      await auditLedger(t);
    });

    test("points: over the order, over the ratio, more than held, over-precise or negative — refused, nothing written", async () => {
      const m = await register(t, "13300000003");
      await credit(t, m.id, "points", "30");
      const before = await count(t, "orders");
      const cases: [object, number, string][] = [
        [{ productId: "3", points: "100" }, 400, "POINTS_OVER_AMOUNT"],
        [{ productId: "3", points: "31" }, 409, "INSUFFICIENT_POINTS"],
        [{ productId: "3", points: "1.234" }, 400, "TOO_MANY_PLACES"],
        [{ productId: "3", points: "-1" }, 400, "AMOUNT_NEGATIVE"],
        [{ productId: "3", quantity: 0 }, 400, "INVALID_INTEGER"],
        [{ productId: "999" }, 404, "PRODUCT_NOT_FOUND"],
      ];
      for (const [body, status, code] of cases) {
        const response = await call(t, "POST", "/orders", { token: m.token, body });
        assert.deepEqual([response.statusCode, response.data.code], [status, code], JSON.stringify(body));
      }
      assert.equal(await count(t, "orders"), before);

      const cfg = await call(t, "POST", "/admin/config", {
        token: admin,
        body: { params: { release: { pointsPayRatio: "0.2" } } },
      });
      assert.equal(cfg.statusCode, 201, cfg.body);
      const sameDay = await call(t, "POST", "/orders", {
        token: m.token,
        body: { productId: "3", points: "30" },
      });
      assert.equal(sameDay.statusCode, 201, "a change takes effect from the next business day");
      await call(t, "POST", `/orders/${sameDay.data.id}/cancel`, { token: m.token });
      t.clock.advance(86_400_000);
      const over = await call(t, "POST", "/orders", {
        token: m.token,
        body: { productId: "3", points: "19.81" },
      });
      assert.deepEqual(
        [over.statusCode, over.data.code, over.data.field],
        [400, "POINTS_OVER_RATIO", "points"],
      );
      assert.match(over.data.message, /最多可抵扣 19\.8/);
      const atCap = await call(t, "POST", "/orders", {
        token: m.token,
        body: { productId: "3", points: "19.80" },
      });
      assert.equal(atCap.statusCode, 201, atCap.body);
      const bad = await call(t, "POST", "/admin/config", {
        token: await operatorToken(t),
        body: { params: { release: { pointsPayRatio: "1.5" } } },
      });
      assert.deepEqual(
        [bad.statusCode, bad.data.code, bad.data.field],
        [400, "INVALID_CONFIG", "release.pointsPayRatio"],
      );
      const unknown = await call(t, "POST", "/admin/config", {
        token: await operatorToken(t),
        body: { params: { bogus: 1 } },
      });
      assert.deepEqual([unknown.data.code, unknown.data.field], ["INVALID_CONFIG", "bogus"]);
    });

    test("a member cannot read or cancel another member's order", async () => {
      const a = await register(t, "13300000004");
      const b = await register(t, "13300000005");
      const order = await call(t, "POST", "/orders", { token: a.token, body: { productId: "4" } });
      const read = await call(t, "GET", `/orders/${order.data.id}`, { token: b.token });
      assert.deepEqual([read.statusCode, read.data.code], [404, "ORDER_NOT_FOUND"]);
      const cancel = await call(t, "POST", `/orders/${order.data.id}/cancel`, { token: b.token });
      assert.deepEqual([cancel.statusCode, cancel.data.code], [404, "ORDER_NOT_FOUND"]);
      const list = await call(t, "GET", "/orders", { token: b.token });
      assert.deepEqual(list.data.items, []);
      const own = await call(t, "GET", `/orders/${order.data.id}`, { token: a.token });
      assert.equal(own.statusCode, 200);
    });

    test("a failing reward hook rolls the payment back", async () => {
      const m = await register(t, "13300000006");
      const order = await call(t, "POST", "/orders", { token: m.token, body: { productId: "4" } });
      const postings = await count(t, "ledger_postings");
      failNextPayment = true;
      const response = await call(t, "POST", `/admin/orders/${order.data.id}/confirm-payment`, {
        token: await operatorToken(t),
      });
      assert.deepEqual([response.statusCode, response.data.code], [500, "INTERNAL_ERROR"]);
      assert.equal(await count(t, "ledger_postings"), postings);
      const still = await call(t, "GET", `/orders/${order.data.id}`, { token: m.token });
      assert.equal(still.data.status, "pending");
    });

    test("webhook: signed reports of paid and refunded orders, each external id once", async () => {
      const m = await register(t, "13300000007");
      await credit(t, m.id, "points", "10");
      const orders = await count(t, "orders");
      const unsigned = await t.app.inject({
        method: "POST",
        url: "/webhooks/payments",
        headers: { "content-type": "application/json", "x-jifen-signature": "sha256=00" },
        payload: JSON.stringify({
          event: "order.paid",
          externalId: "S-1",
          phone: "13300000007",
          productId: "4",
        }),
      });
      assert.equal(unsigned.statusCode, 401);
      assert.equal(JSON.parse(unsigned.body).code, "WEBHOOK_SIGNATURE_INVALID");
      const wrongSecret = await webhook(
        t,
        { event: "order.paid", externalId: "S-1", phone: "13300000007", productId: "4" },
        "nope",
      );
      assert.equal(wrongSecret.statusCode, 401);
      assert.equal(await count(t, "orders"), orders);

      const body = {
        event: "order.paid",
        externalId: "S-1",
        phone: "13300000007",
        productId: "4",
        quantity: 3,
        amount: "500.00",
        points: "10",
      };
      const ok = await webhook(t, body);
      assert.equal(ok.statusCode, 200, ok.body);
      const order = JSON.parse(ok.body);
      assert.deepEqual(
        [order.status, order.amount, order.cash, order.points, order.externalId, order.provider],
        ["paid", "500.00", "490.00", "10.00", "S-1", "webhook"],
      );
      // A redelivery (providers retry until a 2xx) answers 200 with the first answer;
      // a different body under the same external id is a conflict.
      const redelivered = await webhook(t, body);
      assert.equal(redelivered.statusCode, 200, redelivered.body);
      assert.deepEqual(JSON.parse(redelivered.body), order);
      assert.equal(await count(t, "orders"), orders + 1);
      const dup = await webhook(t, { ...body, amount: "499.00" });
      assert.equal(dup.statusCode, 409);
      assert.equal(JSON.parse(dup.body).code, "EXTERNAL_ORDER_DUPLICATE");
      const unknownMember = await webhook(t, {
        event: "order.paid",
        externalId: "S-2",
        phone: "13300009999",
        productId: "4",
      });
      assert.equal(JSON.parse(unknownMember.body).code, "MEMBER_NOT_FOUND");
      const refund = await webhook(t, { event: "order.refunded", externalId: "S-1" });
      assert.equal(refund.statusCode, 200, refund.body);
      assert.equal(JSON.parse(refund.body).status, "refunded");
      assert.equal(await balance(t, `m:${m.id}:points`, "points"), "10.000000");
      const refundAgain = await webhook(t, { event: "order.refunded", externalId: "S-1" });
      assert.equal(refundAgain.statusCode, 200, "a redelivered refund replays its answer");
      assert.equal(JSON.parse(refundAgain.body).status, "refunded");
      assert.equal(await balance(t, `m:${m.id}:points`, "points"), "10.000000");

      const pending = await call(t, "POST", "/orders", {
        token: m.token,
        body: { productId: "4", provider: "webhook" },
      });
      const manualConfirm = await call(t, "POST", `/admin/orders/${pending.data.id}/confirm-payment`, {
        token: await operatorToken(t),
      });
      assert.equal(manualConfirm.data.code, "ORDER_NOT_PENDING", "a webhook order is not confirmed by hand");
      const byId = await webhook(t, { event: "order.paid", externalId: "S-3", orderId: pending.data.id });
      assert.equal(byId.statusCode, 200, byId.body);
      assert.deepEqual([JSON.parse(byId.body).status, JSON.parse(byId.body).externalId], ["paid", "S-3"]);
      await auditLedger(t);
    });

    test("the cooling-off period sets the eligible day", async () => {
      const cfg = await call(t, "POST", "/admin/config", {
        token: await operatorToken(t),
        body: { params: { coolingOffDays: 2 } },
      });
      assert.equal(cfg.statusCode, 201, cfg.body);
      t.clock.advance(86_400_000);
      const m = await register(t, "13300000008");
      const order = await call(t, "POST", "/orders", { token: m.token, body: { productId: "4" } });
      const confirmed = await call(t, "POST", `/admin/orders/${order.data.id}/confirm-payment`, {
        token: await operatorToken(t),
      });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      const day = confirmed.data.paidDay as string;
      const eligible = new Date(`${day}T00:00:00Z`);
      eligible.setUTCDate(eligible.getUTCDate() + 2);
      assert.equal(confirmed.data.eligibleDay, eligible.toISOString().slice(0, 10));
    });
  });
}

for (const target of dbTargets())
  describe(`webhook without a secret on ${target.name}`, () => {
    test("answers 503 WEBHOOK_DISABLED", async () => {
      const t = await openTestApp(target, { webhookSecret: undefined });
      try {
        const response = await webhook(t, { event: "order.refunded", externalId: "x" });
        assert.equal(response.statusCode, 503);
        assert.equal(JSON.parse(response.body).code, "WEBHOOK_DISABLED");
      } finally {
        await t.cleanup();
      }
    });
  });
