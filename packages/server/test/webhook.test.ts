/**
 * The payment webhook (issue 8): events that contradict the order they name
 * are refused, amounts are bounded, an exact redelivery answers 200 with the
 * first answer (also ten at once), and a different body under the same
 * external id is a conflict — never a 500.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { call, count, openTestApp, register, webhook } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

for (const target of dbTargets()) {
  describe(`payment webhook on ${target.name}`, () => {
    test("an event that contradicts the order it names is refused and credits nothing", async () => {
      const t = await openTestApp(target);
      try {
        const m = await register(t, "13600000001");
        await register(t, "13600000002");
        const pending = await call(t, "POST", "/orders", {
          token: m.token,
          body: { productId: "4", provider: "webhook" },
        });
        assert.equal(pending.statusCode, 201, pending.body);
        const orderId = pending.data.id;
        const postings = await count(t, "ledger_postings");
        const base = { event: "order.paid", externalId: "W-1", orderId };
        for (const [extra, field] of [
          [{ amount: "0.01" }, "amount"],
          [{ amount: "199.01" }, "amount"],
          [{ phone: "13600000002" }, "phone"],
          [{ phone: "13600009999" }, "phone"],
          [{ productId: "3" }, "productId"],
          [{ quantity: 2 }, "quantity"],
          [{ points: "5" }, "points"],
        ] as const) {
          const r = await webhook(t, { ...base, ...extra });
          assert.deepEqual(
            [r.statusCode, r.data.code, r.data.field],
            [409, "WEBHOOK_ORDER_MISMATCH", field],
            `${JSON.stringify(extra)}: ${r.body}`,
          );
        }
        assert.equal(await count(t, "ledger_postings"), postings, "nothing credited");
        const still = await call(t, "GET", `/orders/${orderId}`, { token: m.token });
        assert.equal(still.data.status, "pending");

        const ok = await webhook(t, {
          ...base,
          amount: "199",
          phone: "13600000001",
          productId: "4",
          quantity: 1,
          points: "0",
        });
        assert.equal(ok.statusCode, 200, ok.body);
        assert.equal(ok.data.status, "paid");
      } finally {
        await t.cleanup();
      }
    });

    test("a shop's own order: the amount is bounded by the limit and by price × quantity", async () => {
      const t = await openTestApp(target);
      try {
        await register(t, "13600000003");
        const orders = await count(t, "orders");
        const own = { event: "order.paid", phone: "13600000003", productId: "3" };
        const huge = await webhook(t, { ...own, externalId: "S-1", amount: "1000000000000" });
        assert.deepEqual(
          [huge.statusCode, huge.data.code, huge.data.field],
          [400, "AMOUNT_TOO_LARGE", "amount"],
        );
        const over = await webhook(t, { ...own, externalId: "S-2", amount: "99.01" });
        assert.deepEqual(
          [over.statusCode, over.data.code, over.data.field],
          [409, "WEBHOOK_ORDER_MISMATCH", "amount"],
        );
        const many = await webhook(t, { ...own, externalId: "S-3", quantity: 10000 });
        assert.deepEqual([many.statusCode, many.data.code], [400, "INVALID_INTEGER"]);
        assert.equal(await count(t, "orders"), orders, "nothing recorded");
        const discounted = await webhook(t, { ...own, externalId: "S-4", quantity: 2, amount: "150" });
        assert.equal(discounted.statusCode, 200, discounted.body);
        assert.deepEqual([discounted.data.amount, discounted.data.status], ["150.00", "paid"]);
      } finally {
        await t.cleanup();
      }
    });

    test("ten identical deliveries at once: all 200 with one answer, one order; ten different bodies: one 200, nine 409", async () => {
      const t = await openTestApp(target);
      try {
        await register(t, "13600000004");
        const orders = await count(t, "orders");
        const body = {
          event: "order.paid",
          externalId: "P-1",
          phone: "13600000004",
          productId: "4",
          quantity: 2,
        };
        const same = await Promise.all(Array.from({ length: 10 }, () => webhook(t, body)));
        assert.deepEqual(
          same.map((r) => r.statusCode),
          Array(10).fill(200),
          same.map((r) => r.body).join("\n"),
        );
        const first = same[0]?.data;
        for (const r of same) assert.deepEqual(r.data, first);
        assert.equal(await count(t, "orders"), orders + 1);
        assert.equal(await count(t, "orders", "external_id = 'P-1' and status = 'paid'"), 1);

        const different = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            webhook(t, { ...body, externalId: "P-2", amount: String(300 + i) }),
          ),
        );
        const statuses = different.map((r) => r.statusCode).sort();
        assert.deepEqual(statuses, [200, ...Array(9).fill(409)], different.map((r) => r.body).join("\n"));
        for (const r of different.filter((x) => x.statusCode === 409))
          assert.equal(r.data.code, "EXTERNAL_ORDER_DUPLICATE");
        assert.equal(await count(t, "orders"), orders + 2);

        // Refunds too: ten identical refund deliveries, one refund.
        const refunds = await Promise.all(
          Array.from({ length: 10 }, () => webhook(t, { event: "order.refunded", externalId: "P-1" })),
        );
        assert.deepEqual(
          refunds.map((r) => [r.statusCode, r.data.status]),
          Array(10).fill([200, "refunded"]),
        );
        assert.equal(await count(t, "ledger_transactions", "kind = 'order.refund'"), 1);
      } finally {
        await t.cleanup();
      }
    });
  });
}
