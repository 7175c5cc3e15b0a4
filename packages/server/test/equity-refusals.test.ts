import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseDecimal } from "@jifen/engine";
import {
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
import { apiWallets, equityProduct, paidOrder, type TestMember } from "./support/equity.ts";

/** Everything a refused command could have written. */
async function writes(t: TestApp) {
  const balances = await t.db.query<{ account: string; asset: string; amount: string }>(
    "select account, asset, amount from balances order by account, asset",
  );
  return {
    transactions: await count(t, "ledger_transactions"),
    postings: await count(t, "ledger_postings"),
    keys: await count(t, "idempotency_keys"),
    balances: balances.rows,
    equity: (await t.db.query("select * from equity_state")).rows,
    exitQueue: (await t.db.query("select * from exit_queue order by member_id")).rows,
  };
}

for (const target of dbTargets()) {
  describe(`equity refusals and authorization on ${target.name}`, () => {
    let t: TestApp;
    let a: TestMember;
    let b: TestMember;

    before(async () => {
      t = await openTestApp(target);
      a = await register(t, "13800000001");
      b = await register(t, "13800000002");
      await paidOrder(t, a, await equityProduct(t, "100"));
      await credit(t, a.id, "stable", "10");
    });
    after(async () => {
      await t?.cleanup();
    });

    test("bad input: each a coded error naming the field, Chinese first, and nothing written", async () => {
      const unknownId = "999999";
      const cases: [string, object, number, string, string][] = [
        ["/me/equity/sell", { points: "-1" }, 400, "AMOUNT_NOT_POSITIVE", "points"],
        ["/me/equity/sell", { points: "0" }, 400, "AMOUNT_NOT_POSITIVE", "points"],
        ["/me/equity/sell", { points: "1.1234567" }, 400, "TOO_MANY_PLACES", "points"],
        ["/me/equity/sell", { points: "1e3" }, 400, "INVALID_AMOUNT", "points"],
        ["/me/equity/sell", { points: "abc" }, 400, "INVALID_AMOUNT", "points"],
        ["/me/equity/sell", {}, 400, "VALIDATION_FAILED", "points"],
        ["/me/equity/sell", { points: "21.000001" }, 409, "INSUFFICIENT_EQUITY", "points"],
        ["/me/equity/redeem", { amount: "1.234" }, 400, "TOO_MANY_PLACES", "amount"],
        ["/me/equity/redeem", { amount: "-5" }, 400, "AMOUNT_NOT_POSITIVE", "amount"],
        ["/me/equity/redeem", { amount: "0.00" }, 400, "AMOUNT_NOT_POSITIVE", "amount"],
        ["/me/equity/redeem", { amount: "1000" }, 409, "INSUFFICIENT_EQUITY", "amount"],
        ["/me/equity/to-stable", { points: "0.0000001" }, 400, "TOO_MANY_PLACES", "points"],
        ["/me/equity/to-stable", { points: "100" }, 409, "INSUFFICIENT_EQUITY", "points"],
        ["/me/equity/from-stable", { stable: "5" }, 409, "TREASURY_SHORT", "stable"],
        ["/me/equity/from-stable", { stable: "10.5" }, 409, "INSUFFICIENT_STABLE", "stable"],
        ["/me/equity/from-stable", { stable: "-1" }, 400, "AMOUNT_NOT_POSITIVE", "stable"],
        ["/me/stable/pay", { stable: "1", merchantId: a.id }, 400, "SELF_PAYMENT", "merchantId"],
        ["/me/stable/pay", { stable: "1", inviteCode: a.inviteCode }, 400, "SELF_PAYMENT", "inviteCode"],
        ["/me/stable/pay", { stable: "1", merchantId: unknownId }, 404, "MEMBER_NOT_FOUND", "merchantId"],
        ["/me/stable/pay", { stable: "1", inviteCode: "ZZZZZZZZ" }, 404, "MEMBER_NOT_FOUND", "inviteCode"],
        ["/me/stable/pay", { stable: "1" }, 400, "VALIDATION_FAILED", "merchantId"],
        [
          "/me/stable/pay",
          { stable: "1", merchantId: b.id, inviteCode: b.inviteCode },
          400,
          "VALIDATION_FAILED",
          "merchantId",
        ],
        ["/me/stable/pay", { stable: "1.1234567", merchantId: b.id }, 400, "TOO_MANY_PLACES", "stable"],
        ["/me/stable/pay", { stable: "11", merchantId: b.id }, 409, "INSUFFICIENT_STABLE", "stable"],
      ];
      const before = await writes(t);
      let n = 0;
      for (const [path, body, status, code, field] of cases) {
        const response = await call(t, "POST", path, { token: a.token, body, key: `bad-${n++}` });
        const what = `${path} ${JSON.stringify(body)}: ${response.body}`;
        assert.deepEqual(
          [response.statusCode, response.data.code, response.data.field],
          [status, code, field],
          what,
        );
        assert.match(response.data.message, /[\u4e00-\u9fff]/, `Chinese message: ${what}`);
        assert.match(response.data.messageEn, /^[\x20-\x7e]+$/, `English message: ${what}`);
        assert.ok(response.data.requestId, what);
      }
      assert.deepEqual(await writes(t), before, "a refused command writes nothing, not even its key");

      const places = await call(t, "POST", "/me/equity/redeem", {
        token: a.token,
        body: { amount: "1.234" },
      });
      assert.equal(places.data.message, "小数位数过多：amount 最多 2 位小数。");
      assert.equal(
        places.data.messageEn,
        "The amount has too many decimal places: amount has at most 2 decimals.",
      );
      const treasury = await call(t, "POST", "/me/equity/from-stable", {
        token: a.token,
        body: { stable: "5" },
      });
      assert.match(treasury.data.message, /^平台库存增值积分不足：需要 [0-9.]+ 个增值积分，平台库存 0 个。$/);
      const over = await call(t, "POST", "/me/equity/sell", {
        token: a.token,
        body: { points: "21.000001" },
      });
      assert.equal(over.data.message, "增值积分不足：需要 21.000001，持有 21。");
      assert.equal(over.data.messageEn, "There are not enough equity points: needs 21.000001, holds 21.");
    });

    test("a member acts only on their own equity", async () => {
      const before = await apiWallets(t, a);
      // A member id in the body is not a field of the command: it is dropped, B acts as B.
      const sneaky = await call(t, "POST", "/me/equity/sell", {
        token: b.token,
        body: { points: "1", memberId: a.id },
      });
      assert.deepEqual([sneaky.statusCode, sneaky.data.code], [409, "INSUFFICIENT_EQUITY"]);
      // Idempotency keys belong to the member: B's request under A's key is B's own.
      const mine = await call(t, "POST", "/me/equity/sell", {
        token: a.token,
        body: { points: "1" },
        key: "k-1",
      });
      assert.equal(mine.statusCode, 200, mine.body);
      const theirs = await call(t, "POST", "/me/equity/sell", {
        token: b.token,
        body: { points: "1" },
        key: "k-1",
      });
      assert.deepEqual([theirs.statusCode, theirs.data.code], [409, "INSUFFICIENT_EQUITY"]);
      assert.equal(theirs.headers["idempotent-replayed"], undefined);
      const afterSell = await apiWallets(t, a);
      assert.equal(afterSell.equity.balance, before.equity.balance - parseDecimal("1"));
      assert.equal((await apiWallets(t, b)).equity.balance, 0n);

      const anonymous = await call(t, "POST", "/me/equity/sell", { body: { points: "1" } });
      assert.deepEqual([anonymous.statusCode, anonymous.data.code], [401, "UNAUTHENTICATED"]);
      for (const path of ["/equity", "/me/equity"]) {
        const read = await call(t, "GET", path);
        assert.deepEqual([read.statusCode, read.data.code], [401, "UNAUTHENTICATED"], path);
      }
      const operator = await call(t, "POST", "/me/equity/sell", {
        token: await operatorToken(t),
        body: { points: "1" },
      });
      assert.deepEqual([operator.statusCode, operator.data.code], [403, "FORBIDDEN"]);
      const memberAsAdmin = await call(t, "GET", "/admin/liabilities", { token: a.token });
      assert.deepEqual([memberAsAdmin.statusCode, memberAsAdmin.data.code], [403, "FORBIDDEN"]);
    });

    test("the equity and figures routes are in the OpenAPI description with their error body", async () => {
      const docs = await call(t, "GET", "/docs/json");
      assert.equal(docs.statusCode, 200);
      const paths = docs.data.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
      const routes: [string, string][] = [
        ["/equity", "get"],
        ["/me/equity", "get"],
        ["/me/equity/sell", "post"],
        ["/me/equity/redeem", "post"],
        ["/me/equity/to-stable", "post"],
        ["/me/equity/from-stable", "post"],
        ["/me/stable/pay", "post"],
        ["/admin/equity", "get"],
        ["/admin/liabilities", "get"],
        ["/admin/referral-reach", "get"],
      ];
      for (const [path, method] of routes) {
        const operation = paths[path]?.[method];
        assert.ok(operation, `${method} ${path} documented`);
        assert.ok(
          Object.keys(operation.responses).some((s) => /^4\d\d$/.test(s)),
          `${path} documents its errors`,
        );
      }
    });

    test("support and finance read the figures but may neither read nor change parameters", async () => {
      const versions = await count(t, "config_versions");
      const audits = await count(t, "audit_log", "action = 'config.change'");
      for (const role of ["support", "finance"] as const) {
        const token = await operatorWithRole(t, role);
        for (const path of ["/admin/equity", "/admin/liabilities", "/admin/referral-reach"]) {
          const read = await call(t, "GET", path, { token });
          assert.equal(read.statusCode, 200, `${role} ${path}: ${read.body}`);
        }
        // The parameters are the admin's alone since the console's parameters page (docs/admin.md).
        const parameters = await call(t, "GET", "/admin/config", { token });
        assert.deepEqual([parameters.statusCode, parameters.data.code], [403, "FORBIDDEN"], role);
        const change = await call(t, "POST", "/admin/config", {
          token,
          body: { params: { equity: { exitQuotaMultiple: "1" } } },
        });
        assert.deepEqual([change.statusCode, change.data.code], [403, "FORBIDDEN"], role);
      }
      assert.equal(await count(t, "config_versions"), versions);
      assert.equal(await count(t, "audit_log", "action = 'config.change'"), audits);
    });
  });
}
