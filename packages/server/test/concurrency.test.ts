import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { auditLedger, call, credit, openTestApp, register } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

for (const target of dbTargets()) {
  describe(`concurrency on ${target.name}`, () => {
    test("50 parallel withdrawals from one balance never overdraw", async () => {
      const t = await openTestApp(target);
      try {
        const m = await register(t, "13500000001");
        await credit(t, m.id, "cash", "100");
        const answers = await Promise.all(
          Array.from({ length: 50 }, () =>
            call(t, "POST", "/me/withdrawals", { token: m.token, body: { amount: "10" } }),
          ),
        );
        const codes = answers.map((a) => (a.statusCode === 201 ? "ok" : a.data.code));
        assert.equal(codes.filter((c) => c === "ok").length, 10, JSON.stringify(codes));
        assert.ok(
          codes.every((c) => c === "ok" || c === "INSUFFICIENT_CASH" || c === "BALANCE_CONFLICT"),
          JSON.stringify(codes),
        );
        const balance = await t.db.query<{ amount: string }>(
          "select amount from balances where account = $1 and asset = 'cny'",
          [`m:${m.id}:cash`],
        );
        assert.equal(balance.rows[0]?.amount, "0.000000");
        const pending = await t.db.query<{ total: string }>(
          "select coalesce(sum(amount), 0) as total from withdrawals where member_id = $1::bigint and status = 'pending'",
          [m.id],
        );
        assert.equal(pending.rows[0]?.total, "100.000000");
        await auditLedger(t);
      } finally {
        await t.cleanup();
      }
    });

    test("parallel orders cannot promise the same points twice", async () => {
      const t = await openTestApp(target);
      try {
        const m = await register(t, "13500000002");
        await credit(t, m.id, "points", "99");
        const answers = await Promise.all(
          Array.from({ length: 10 }, () =>
            call(t, "POST", "/orders", { token: m.token, body: { productId: "3", points: "99" } }),
          ),
        );
        const ok = answers.filter((a) => a.statusCode === 201);
        assert.equal(ok.length, 1, answers.map((a) => a.body).join("\n"));
        assert.ok(answers.every((a) => a.statusCode === 201 || a.data.code === "INSUFFICIENT_POINTS"));
      } finally {
        await t.cleanup();
      }
    });
  });
}
