import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { auditLedger, call, count, credit, openTestApp, register, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

for (const target of dbTargets()) {
  describe(`idempotency keys on ${target.name}`, () => {
    let t: TestApp;
    before(async () => {
      t = await openTestApp(target);
    });
    after(async () => {
      await t?.cleanup();
    });

    test("a repeat with the same key and body returns the first answer and does nothing more", async () => {
      const m = await register(t, "13600000001");
      await credit(t, m.id, "cash", "100");
      const first = await call(t, "POST", "/me/withdrawals", {
        token: m.token,
        key: "w-1",
        body: { amount: "30" },
      });
      assert.equal(first.statusCode, 201, first.body);
      const holds = await count(t, "ledger_transactions", "kind = 'withdrawal.request'");
      const again = await call(t, "POST", "/me/withdrawals", {
        token: m.token,
        key: "w-1",
        body: { amount: "30" },
      });
      assert.equal(again.statusCode, 201);
      assert.equal(again.headers["idempotent-replayed"], "true");
      assert.deepEqual(again.data, first.data);
      assert.equal(await count(t, "ledger_transactions", "kind = 'withdrawal.request'"), holds);
      assert.equal(await count(t, "withdrawals", `member_id = ${m.id}`), 1);
      await auditLedger(t);
    });

    test("the same key with a different request is a coded 409 and changes nothing", async () => {
      const m = await register(t, "13600000002");
      await credit(t, m.id, "cash", "100");
      const first = await call(t, "POST", "/me/withdrawals", {
        token: m.token,
        key: "k-2",
        body: { amount: "10" },
      });
      assert.equal(first.statusCode, 201);
      const before = await count(t, "withdrawals");
      const other = await call(t, "POST", "/me/withdrawals", {
        token: m.token,
        key: "k-2",
        body: { amount: "11" },
      });
      assert.equal(other.statusCode, 409);
      assert.deepEqual([other.data.code, other.data.field], ["IDEMPOTENCY_KEY_REUSED", "Idempotency-Key"]);
      assert.equal(other.data.message, "该幂等键已用于另一个不同的请求。");
      const otherRoute = await call(t, "POST", "/orders", {
        token: m.token,
        key: "k-2",
        body: { productId: "3" },
      });
      assert.equal(otherRoute.data.code, "IDEMPOTENCY_KEY_REUSED");
      assert.equal(await count(t, "withdrawals"), before);
    });

    test("keys belong to their caller: another member's identical key is independent", async () => {
      const a = await register(t, "13600000003");
      const b = await register(t, "13600000004");
      const ra = await call(t, "POST", "/orders", { token: a.token, key: "same", body: { productId: "3" } });
      const rb = await call(t, "POST", "/orders", { token: b.token, key: "same", body: { productId: "3" } });
      assert.equal(ra.statusCode, 201);
      assert.equal(rb.statusCode, 201);
      assert.notEqual(ra.data.id, rb.data.id);
      assert.equal(rb.headers["idempotent-replayed"], undefined);
    });

    test("a failed request stores nothing: the key can be retried", async () => {
      const m = await register(t, "13600000005");
      const poor = await call(t, "POST", "/me/withdrawals", {
        token: m.token,
        key: "retry",
        body: { amount: "5" },
      });
      assert.equal(poor.data.code, "INSUFFICIENT_CASH");
      await credit(t, m.id, "cash", "5");
      const ok = await call(t, "POST", "/me/withdrawals", {
        token: m.token,
        key: "retry",
        body: { amount: "5" },
      });
      assert.equal(ok.statusCode, 201, ok.body);
    });

    test("parallel repeats of one key take effect once", async () => {
      const m = await register(t, "13600000006");
      await credit(t, m.id, "cash", "100");
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          call(t, "POST", "/me/withdrawals", { token: m.token, key: "par", body: { amount: "7" } }),
        ),
      );
      assert.deepEqual(
        answers.map((a) => a.statusCode),
        Array(8).fill(201),
      );
      assert.equal(new Set(answers.map((a) => a.data.id)).size, 1);
      assert.equal(await count(t, "withdrawals", `member_id = ${m.id}`), 1);
      await auditLedger(t);
    });

    test("a malformed key is refused", async () => {
      const m = await register(t, "13600000007");
      const response = await call(t, "POST", "/orders", {
        token: m.token,
        key: "x".repeat(129),
        body: { productId: "3" },
      });
      assert.deepEqual([response.statusCode, response.data.code], [400, "IDEMPOTENCY_KEY_INVALID"]);
    });

    test("operator commands take keys too", async () => {
      const m = await register(t, "13600000008");
      const { operatorToken } = await import("./support/app.ts");
      const admin = await operatorToken(t);
      const body = { wallet: "points", amount: "3", reason: "补发" };
      const first = await call(t, "POST", `/admin/members/${m.id}/adjustments`, {
        token: admin,
        key: "adj-1",
        body,
      });
      const again = await call(t, "POST", `/admin/members/${m.id}/adjustments`, {
        token: admin,
        key: "adj-1",
        body,
      });
      assert.deepEqual(again.data, first.data);
      assert.equal(
        await count(t, "ledger_transactions", `kind = 'adjustment' and ref = 'member:${m.id}'`),
        1,
      );
    });
  });
}
