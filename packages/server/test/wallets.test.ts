import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
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

function wallet(data: { wallets: { wallet: string; balance: string; debt: string }[] }, name: string) {
  return data.wallets.find((w) => w.wallet === name);
}

for (const target of dbTargets()) {
  describe(`wallets, adjustments and withdrawals on ${target.name}`, () => {
    let t: TestApp;
    let admin: string;
    let finance: string;
    let support: string;
    before(async () => {
      t = await openTestApp(target);
      admin = await operatorToken(t);
      finance = await operatorWithRole(t, "finance");
      support = await operatorWithRole(t, "support");
    });
    after(async () => {
      await t?.cleanup();
    });

    test("an adjustment is a ledger transaction with the operator's name and an audit entry", async () => {
      const m = await register(t, "13900000001");
      const response = await call(t, "POST", `/admin/members/${m.id}/adjustments`, {
        token: admin,
        body: { wallet: "cash", amount: "100.50", reason: "活动奖励" },
      });
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.data.balance, "100.50");
      const tx = await t.db.query<{ kind: string; memo: string }>(
        "select kind, memo from ledger_transactions where id = $1",
        [response.data.transactionId],
      );
      assert.deepEqual(tx.rows[0], { kind: "adjustment", memo: "活动奖励（操作员 admin）" });
      const audit = await call(t, "GET", "/admin/audit-log?action=member.adjust", { token: support });
      assert.equal(audit.statusCode, 200);
      const entry = audit.data.items[0];
      assert.equal(entry.operatorName, "admin");
      assert.equal(entry.targetId, m.id);
      assert.equal(entry.detail.amount, "100.50");
      assert.equal(typeof entry.requestId, "string");

      const mine = await call(t, "GET", "/me/wallets", { token: m.token });
      assert.equal(wallet(mine.data, "cash")?.balance, "100.50");
      assert.equal(mine.data.hasDebt, false);
      const points = await call(t, "POST", `/admin/members/${m.id}/adjustments`, {
        token: finance,
        body: { wallet: "points", amount: "0.123456", reason: "补偿" },
      });
      assert.equal(points.statusCode, 201, points.body);
    });

    test("adjustments refuse equity, over-precise amounts, a missing reason and going below zero", async () => {
      const m = await register(t, "13900000002");
      await credit(t, m.id, "cash", "10");
      const postings = await count(t, "ledger_postings");
      const cases: [object, number, string, string | undefined][] = [
        [{ wallet: "equity", amount: "1", reason: "x" }, 400, "ADJUST_ASSET", "wallet"],
        [{ wallet: "cash", amount: "1.001", reason: "x" }, 400, "TOO_MANY_PLACES", "amount"],
        [{ wallet: "points", amount: "1.0000001", reason: "x" }, 400, "TOO_MANY_PLACES", "amount"],
        [{ wallet: "cash", amount: "abc", reason: "x" }, 400, "INVALID_AMOUNT", "amount"],
        [{ wallet: "cash", amount: "0", reason: "x" }, 400, "AMOUNT_NOT_POSITIVE", "amount"],
        [{ wallet: "cash", amount: "5", reason: "  " }, 400, "MISSING_REASON", "reason"],
        [{ wallet: "cash", amount: "-10.01", reason: "扣回" }, 409, "ADJUST_BELOW_ZERO", "amount"],
      ];
      for (const [body, status, code, field] of cases) {
        const response = await call(t, "POST", `/admin/members/${m.id}/adjustments`, { token: admin, body });
        assert.deepEqual(
          [response.statusCode, response.data.code, response.data.field],
          [status, code, field],
          JSON.stringify(body),
        );
      }
      assert.equal(await count(t, "ledger_postings"), postings, "no partial writes");
      const down = await call(t, "POST", `/admin/members/${m.id}/adjustments`, {
        token: admin,
        body: { wallet: "cash", amount: "-10", reason: "扣回" },
      });
      assert.equal(down.statusCode, 201);
      assert.equal(down.data.balance, "0.00");
    });

    test("support reads but may not adjust or decide withdrawals; members may not use the admin API", async () => {
      const m = await register(t, "13900000003");
      await credit(t, m.id, "cash", "50");
      const adjust = await call(t, "POST", `/admin/members/${m.id}/adjustments`, {
        token: support,
        body: { wallet: "cash", amount: "1", reason: "x" },
      });
      assert.deepEqual([adjust.statusCode, adjust.data.code], [403, "FORBIDDEN"]);
      const w = await call(t, "POST", "/me/withdrawals", { token: m.token, body: { amount: "20" } });
      assert.equal(w.statusCode, 201, w.body);
      const approve = await call(t, "POST", `/admin/withdrawals/${w.data.id}/approve`, { token: support });
      assert.deepEqual([approve.statusCode, approve.data.code], [403, "FORBIDDEN"]);
      const reads = await call(t, "GET", `/admin/members/${m.id}`, { token: support });
      assert.equal(reads.statusCode, 200);
      const asMember = await call(t, "GET", "/admin/members", { token: m.token });
      assert.deepEqual([asMember.statusCode, asMember.data.code], [403, "FORBIDDEN"]);
      const pending = await call(t, "GET", "/admin/withdrawals?status=pending", { token: support });
      assert.ok(pending.data.items.some((x: { id: string }) => x.id === w.data.id));
    });

    test("withdrawal: held at request, paid out with the fee on approval", async () => {
      const cfg = await call(t, "POST", "/admin/config", {
        token: admin,
        body: { params: { withdrawal: { feeRate: "0.006" } }, note: "手续费 0.6%" },
      });
      assert.equal(cfg.statusCode, 201, cfg.body);
      assert.equal(cfg.data.effectiveDay, "2026-01-06");
      t.clock.advance(86_400_000);
      // Operator sessions last 12 hours: sign in again on the new day.
      admin = await operatorToken(t);
      finance = await operatorWithRole(t, "finance");
      support = await operatorWithRole(t, "support");
      const m = await register(t, "13900000004");
      await credit(t, m.id, "cash", "100");
      const w = await call(t, "POST", "/me/withdrawals", { token: m.token, body: { amount: "33.33" } });
      assert.equal(w.statusCode, 201, w.body);
      assert.deepEqual(
        [w.data.amount, w.data.fee, w.data.payout, w.data.status],
        ["33.33", "0.20", "33.13", "pending"],
      );
      const held = await call(t, "GET", "/me/wallets", { token: m.token });
      assert.equal(wallet(held.data, "cash")?.balance, "66.67");
      const paid = await call(t, "POST", `/admin/withdrawals/${w.data.id}/approve`, { token: finance });
      assert.equal(paid.statusCode, 200, paid.body);
      assert.equal(paid.data.status, "approved");
      const again = await call(t, "POST", `/admin/withdrawals/${w.data.id}/reject`, { token: finance });
      assert.deepEqual([again.statusCode, again.data.code], [409, "WITHDRAWAL_NOT_PENDING"]);
      const balances = await t.db.query<{ account: string; amount: string }>(
        "select account, amount from balances where account in ('world:withdrawals', 'p:feeIncome', 'p:withdrawalsPending') order by account",
      );
      assert.deepEqual(
        balances.rows.map((r) => [r.account, r.amount]),
        [
          ["p:feeIncome", "0.200000"],
          ["p:withdrawalsPending", "20.000000"], // the withdrawal support could not approve, still pending
          ["world:withdrawals", "33.130000"],
        ],
      );
    });

    test("withdrawal: a rejection returns the cash", async () => {
      const m = await register(t, "13900000005");
      await credit(t, m.id, "cash", "10");
      const w = await call(t, "POST", "/me/withdrawals", { token: m.token, body: { amount: 10 } });
      assert.equal(w.statusCode, 201, w.body);
      const rejected = await call(t, "POST", `/admin/withdrawals/${w.data.id}/reject`, {
        token: finance,
        body: { reason: "账户信息不符" },
      });
      assert.equal(rejected.statusCode, 200, rejected.body);
      assert.equal(rejected.data.reason, "账户信息不符");
      const back = await call(t, "GET", "/me/wallets", { token: m.token });
      assert.equal(wallet(back.data, "cash")?.balance, "10.00");
      const history = await call(t, "GET", "/me/ledger?asset=cny", { token: m.token });
      assert.deepEqual(
        history.data.items.map((l: { kind: string; amount: string }) => [l.kind, l.amount]),
        [
          ["withdrawal.reject", "10.00"],
          ["withdrawal.request", "-10.00"],
          ["adjustment", "10.00"],
        ],
      );
    });

    test("withdrawal input: over-precise, negative, zero, beyond balance, below minimum", async () => {
      const m = await register(t, "13900000006");
      await credit(t, m.id, "cash", "5");
      const before = [await count(t, "withdrawals"), await count(t, "ledger_postings")];
      const cases: [unknown, number, string][] = [
        ["1.005", 400, "TOO_MANY_PLACES"],
        ["-1", 400, "AMOUNT_NOT_POSITIVE"],
        ["0", 400, "AMOUNT_NOT_POSITIVE"],
        ["1e3", 400, "INVALID_AMOUNT"],
        ["5.01", 409, "INSUFFICIENT_CASH"],
        ["0.50", 400, "WITHDRAWAL_BELOW_MINIMUM"],
      ];
      for (const [amount, status, code] of cases) {
        const response = await call(t, "POST", "/me/withdrawals", { token: m.token, body: { amount } });
        assert.deepEqual(
          [response.statusCode, response.data.code, response.data.field],
          [status, code, "amount"],
          String(amount),
        );
      }
      assert.deepEqual([await count(t, "withdrawals"), await count(t, "ledger_postings")], before);
    });

    test("a member with debt cannot withdraw", async () => {
      const m = await register(t, "13900000007");
      await credit(t, m.id, "cash", "20");
      await t.db.transaction(async (tx) => {
        const { appendTransaction } = await import("../src/ledger/index.ts");
        await appendTransaction(
          tx,
          {
            businessDay: "2026-01-06",
            kind: "refund.reverse",
            ref: "test",
            postings: [
              { account: `m:${m.id}:debt:points`, asset: "points", amount: -1_000_000n },
              { account: "burn:points", asset: "points", amount: 1_000_000n },
            ],
          },
          t.clock.now(),
        );
      });
      const wallets = await call(t, "GET", "/me/wallets", { token: m.token });
      assert.equal(wallets.data.hasDebt, true);
      assert.equal(wallet(wallets.data, "points")?.debt, "1");
      const response = await call(t, "POST", "/me/withdrawals", { token: m.token, body: { amount: "10" } });
      assert.deepEqual([response.statusCode, response.data.code], [409, "DEBT_BLOCKS_WITHDRAWAL"]);
    });

    test("history is paginated by cursor and a member sees only their own", async () => {
      const m = await register(t, "13900000008");
      for (let i = 1; i <= 5; i++) await credit(t, m.id, "points", String(i));
      const first = await call(t, "GET", "/me/ledger?asset=points&limit=2", { token: m.token });
      assert.equal(first.statusCode, 200);
      assert.deepEqual(
        first.data.items.map((l: { amount: string }) => l.amount),
        ["5", "4"],
      );
      const second = await call(t, "GET", `/me/ledger?asset=points&limit=2&cursor=${first.data.nextCursor}`, {
        token: m.token,
      });
      assert.deepEqual(
        second.data.items.map((l: { amount: string }) => l.amount),
        ["3", "2"],
      );
      const third = await call(t, "GET", `/me/ledger?asset=points&limit=2&cursor=${second.data.nextCursor}`, {
        token: m.token,
      });
      assert.deepEqual(
        third.data.items.map((l: { amount: string }) => l.amount),
        ["1"],
      );
      assert.equal(third.data.nextCursor, null);
      const other = await register(t, "13900000009");
      const theirs = await call(t, "GET", "/me/ledger?asset=points", { token: other.token });
      assert.deepEqual(theirs.data.items, []);
      const bad = await call(t, "GET", "/me/ledger?asset=gold", { token: m.token });
      assert.deepEqual([bad.statusCode, bad.data.code, bad.data.field], [400, "VALIDATION_FAILED", "asset"]);
    });
  });
}
