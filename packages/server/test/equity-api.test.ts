import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Engine, parseDecimal } from "@jifen/engine";
import {
  auditLedger,
  call,
  count,
  openTestApp,
  operatorToken,
  register,
  type TestApp,
} from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import {
  apiWallets,
  assertSameAsEngine,
  equityProduct,
  nextDay,
  paidOrder,
  type TestMember,
} from "./support/equity.ts";

const µ = (text: string) => parseDecimal(text);

for (const target of dbTargets()) {
  describe(`equity plan over HTTP equals the engine on ${target.name}`, () => {
    let t: TestApp;
    const engine = new Engine();
    const members: TestMember[] = [];
    let product: string;
    let admin: string;
    const orders: Record<string, string> = {};

    const join = async (phone: string, referrer?: TestMember): Promise<TestMember> => {
      const m = await register(t, phone, referrer?.inviteCode);
      engine.join(m.id, referrer?.id);
      members.push(m);
      return m;
    };
    const order = async (name: string, m: TestMember) => {
      orders[name] = await paidOrder(t, m, product, admin);
      engine.order({ member: m.id, amount: µ("100"), plans: ["equity"], id: orders[name] });
    };
    const post = (m: TestMember, path: string, body: object, key?: string) =>
      call(t, "POST", path, { token: m.token, body, ...(key ? { key } : {}) });

    before(async () => {
      t = await openTestApp(target);
      admin = await operatorToken(t);
      product = await equityProduct(t, "100");
    });
    after(async () => {
      await t?.cleanup();
    });

    test("the four consumers of models.md §1.1: 21 / 14.7 / 12.495 / 11.2455, price 2.0188", async () => {
      const [a, b, c, d] = [
        await join("13600000001"),
        await join("13600000002"),
        await join("13600000003"),
        await join("13600000004"),
      ] as TestMember[] as [TestMember, TestMember, TestMember, TestMember];
      for (const [name, m] of [
        ["A", a],
        ["B", b],
        ["C", c],
        ["D", d],
      ] as const)
        await order(name, m);
      const held = await Promise.all([a, b, c, d].map(async (m) => (await apiWallets(t, m)).equity.balance));
      assert.deepEqual(held, [µ("21"), µ("14.7"), µ("12.495"), µ("11.2455")]);
      const figures = await call(t, "GET", "/equity", { token: a.token });
      assert.deepEqual(
        [figures.data.price, figures.data.pool, figures.data.circulating, figures.data.issued],
        ["2.0188", "120", "59.4405", "59.4405"],
      );
      await assertSameAsEngine(t, engine, members, "after 4 orders");
      const mine = await call(t, "GET", "/me/equity", { token: a.token });
      assert.equal(mine.statusCode, 200, mine.body);
      // 21 × 120 / 59.4405 = 42.3953… → 42.39; exit at 300 / 21 = 14.2857… → 14.2858
      assert.deepEqual(
        [mine.data.equity, mine.data.value, mine.data.exitQuota, mine.data.exitPrice, mine.data.price],
        ["21", "42.39", "300", "14.2858", "2.0188"],
      );
    });

    test("sell, redeem, stable both ways and a merchant payment, each equal to the engine", async () => {
      const [a, b, c, d] = members as [TestMember, TestMember, TestMember, TestMember];
      const sold = await post(a, "/me/equity/sell", { points: "10" }, "sell-1");
      assert.equal(sold.statusCode, 200, sold.body);
      engine.sell(a.id, µ("10"));
      assert.equal(sold.data.kind, "equity.sell");
      assert.equal(sold.data.moved.equity, "-10");
      assert.equal(µ(sold.data.moved.cash), engine.balance(a.id, "cash"));
      assert.equal(sold.data.exited, false);
      // The example of docs/server.md: 10 × 120 ÷ 59.4405 less 10%, down to the fen.
      assert.deepEqual(
        [sold.data.moved.cash, sold.data.price, sold.data.wallets.equity],
        ["18.16", "2.0598", "11"],
      );
      assert.ok(µ(sold.data.price) > µ("2.0188"), "the sell fee stays in the pool: the price rises");
      await assertSameAsEngine(t, engine, members, "after a sell");

      const transactions = await count(t, "ledger_transactions");
      const replay = await post(a, "/me/equity/sell", { points: "10" }, "sell-1");
      assert.equal(replay.headers["idempotent-replayed"], "true");
      assert.deepEqual(replay.data, sold.data);
      assert.equal(await count(t, "ledger_transactions"), transactions, "a replay writes nothing");

      const redeemed = await post(b, "/me/equity/redeem", { amount: "5.55" });
      assert.equal(redeemed.statusCode, 200, redeemed.body);
      engine.redeem(b.id, µ("5.55"));
      await assertSameAsEngine(t, engine, members, "after a redeem");

      const converted = await post(c, "/me/equity/to-stable", { points: "5" });
      assert.equal(converted.statusCode, 200, converted.body);
      engine.toStable(c.id, µ("5"));
      assert.equal(µ(converted.data.moved.stable), engine.balance(c.id, "stable"));
      await assertSameAsEngine(t, engine, members, "after to-stable");

      const byCode = await post(c, "/me/stable/pay", { stable: "3", inviteCode: d.inviteCode.toLowerCase() });
      assert.equal(byCode.statusCode, 200, byCode.body);
      engine.pay(c.id, d.id, µ("3"));
      const byId = await post(c, "/me/stable/pay", { stable: "0.5", merchantId: d.id });
      assert.equal(byId.statusCode, 200, byId.body);
      engine.pay(c.id, d.id, µ("0.5"));
      assert.deepEqual(byId.data.moved, { stable: "-0.5" });
      await assertSameAsEngine(t, engine, members, "after stable payments");

      const back = await post(d, "/me/equity/from-stable", { stable: "2" });
      assert.equal(back.statusCode, 200, back.body);
      engine.fromStable(d.id, µ("2"));
      await assertSameAsEngine(t, engine, members, "after from-stable");
    });

    test("an exit: a small exit quota multiple set through the admin API, the business day moved", async () => {
      const [a] = members as [TestMember];
      const params = { equity: { exitQuotaMultiple: "0.1", referrerShare: "0.1" } };
      const cfg = await call(t, "POST", "/admin/config", { token: admin, body: { params } });
      assert.equal(cfg.statusCode, 201, cfg.body);
      engine.setConfig(params);
      await nextDay(t, engine);
      admin = await operatorToken(t);
      const e = await join("13600000005", a);
      await order("E", e);
      const wallets = await apiWallets(t, e);
      assert.equal(wallets.equity.balance, 0n, "E's holding was worth its quota at once: sold");
      assert.equal(wallets.exitQuota.balance, 0n);
      assert.ok(wallets.cash.balance > 0n);
      const exits = await count(t, "ledger_transactions", `kind = 'equity.exit' and ref = 'member:${e.id}'`);
      assert.equal(exits, 1);
      await assertSameAsEngine(t, engine, members, "after an exit");
    });

    test("refunds after eligibility take the points back; what is gone becomes debt", async () => {
      const [, b, , , e] = members as TestMember[] as [
        TestMember,
        TestMember,
        TestMember,
        TestMember,
        TestMember,
      ];
      for (const name of ["B", "E"]) {
        const refund = await call(t, "POST", `/admin/orders/${orders[name]}/refund`, {
          token: admin,
          body: { reason: "顾客退货 / returned" },
        });
        assert.equal(refund.statusCode, 200, refund.body);
        engine.refund(orders[name] as string);
      }
      assert.ok((await apiWallets(t, b)).equity.debt > 0n, "B redeemed part of the grant: equity debt");
      assert.equal((await apiWallets(t, e)).equity.debt, engine.debts(e.id).equity ?? 0n);
      const sell = await post(b, "/me/equity/sell", { points: "1" });
      assert.deepEqual([sell.statusCode, sell.data.code], [409, "INSUFFICIENT_EQUITY"]);
      await assertSameAsEngine(t, engine, members, "after refunds");
      const burned = await t.db.query<{ burned: string }>(
        `select (select coalesce(sum(amount), 0) from balances where account = 'burn:equity')
              + (select coalesce(sum(amount), 0) from balances where account like '%:debt:equity') as burned`,
      );
      const figures = await call(t, "GET", "/equity", { token: b.token });
      assert.equal(µ(figures.data.burned), µ(burned.rows[0]?.burned ?? "0"), "burned = burn − equity owed");
    });

    test("cooling-off: an order paid with coolingOffDays 1 is rewarded only when its day opens", async () => {
      const [a, b, , d] = members as [TestMember, TestMember, TestMember, TestMember];
      const params = { coolingOffDays: 1 };
      const cfg = await call(t, "POST", "/admin/config", { token: admin, body: { params } });
      assert.equal(cfg.statusCode, 201, cfg.body);
      engine.setConfig(params);
      await nextDay(t, engine);
      admin = await operatorToken(t);
      const before = await apiWallets(t, b);
      await order("B2", b);
      await order("A2", a);
      await order("D2", d);
      const early = await call(t, "POST", `/admin/orders/${orders.D2}/refund`, {
        token: admin,
        body: { reason: "顾客退货 / returned" },
      });
      assert.equal(early.statusCode, 200, early.body);
      engine.refund(orders.D2 as string);
      await assertSameAsEngine(t, engine, members, "paid, cooling off");
      assert.deepEqual(await apiWallets(t, b), before, "no reward before the eligible day");
      assert.equal(await count(t, "order_rewards", `order_id = ${orders.B2}`), 0);
      await nextDay(t, engine);
      assert.equal(await count(t, "order_rewards", `order_id = ${orders.B2}`), 1);
      const after = await apiWallets(t, b);
      assert.equal(after.equity.debt, 0n, "the new grant repaid B's equity debt first");
      assert.equal(await count(t, "order_rewards", `order_id = ${orders.D2}`), 0, "refunded before: never");
      await assertSameAsEngine(t, engine, members, "eligible after cooling off");
    });

    test("an exit caused by others: the price rises with later orders until a holding meets its quota", async () => {
      const [a, , c, d] = members as [TestMember, TestMember, TestMember, TestMember];
      admin = await operatorToken(t);
      const params = { coolingOffDays: 0, equity: { exitQuotaMultiple: "0.25" } };
      const cfg = await call(t, "POST", "/admin/config", { token: admin, body: { params } });
      assert.equal(cfg.statusCode, 201, cfg.body);
      engine.setConfig(params);
      await nextDay(t, engine);
      admin = await operatorToken(t);
      const f = await join("13600000006");
      await order("F", f);
      assert.ok(
        (await apiWallets(t, f)).equity.balance > 0n,
        "F's holding is worth less than its quota of 25",
      );
      await assertSameAsEngine(t, engine, members, "F holds");
      let exited = false;
      for (const [i, m] of [a, c, d, a, c, d].entries()) {
        await order(`more-${i}`, m);
        await assertSameAsEngine(t, engine, members, `order ${i} by ${m.id}`);
        exited = (await apiWallets(t, f)).equity.balance === 0n;
        if (exited) break;
      }
      assert.ok(exited, "the rising price sold F's holding");
      assert.equal((await apiWallets(t, f)).exitQuota.balance, 0n);
    });

    test("admin figures and liabilities agree with the engine; the ledger balances", async () => {
      admin = await operatorToken(t);
      const support = await call(t, "POST", "/admin/operators", {
        token: admin,
        body: { username: "support-eq", displayName: "客服", role: "support", password: "operator-pass-1" },
      });
      assert.equal(support.statusCode, 201, support.body);
      const token = await operatorToken(t, "support-eq", "operator-pass-1");
      const figures = await call(t, "GET", "/admin/equity", { token });
      assert.equal(figures.statusCode, 200, figures.body);
      const memberView = await call(t, "GET", "/equity", { token: members[0]?.token as string });
      assert.deepEqual(figures.data, memberView.data);

      const owed = await call(t, "GET", "/admin/liabilities", { token });
      assert.equal(owed.statusCode, 200, owed.body);
      const sum = (wallet: "cash" | "equity" | "stable" | "exitQuota" | "gift" | "quota") =>
        members.reduce((s, m) => s + engine.balance(m.id, wallet), 0n);
      const debt = (wallet: "equity" | "cash") =>
        members.reduce((s, m) => s + ((engine.debts(m.id) as Record<string, bigint>)[wallet] ?? 0n), 0n);
      const state = engine.equity;
      assert.equal(µ(owed.data.exitQuota), sum("exitQuota"));
      assert.equal(µ(owed.data.stablePoints), sum("stable"));
      assert.equal(µ(owed.data.giftPoints), sum("gift"));
      assert.equal(µ(owed.data.dividendQuota), sum("quota"));
      assert.equal(µ(owed.data.equity.heldByMembers), sum("equity"));
      assert.equal(µ(owed.data.equity.pool), state.pool);
      assert.equal(µ(owed.data.equity.heldByMembers) + µ(owed.data.equity.treasury), state.supply);
      assert.equal(µ(owed.data.cash.memberCash), sum("cash"));
      assert.equal(µ(owed.data.debts.equity), debt("equity"));
      assert.ok(µ(owed.data.debts.equity) > 0n);
      assert.equal(µ(owed.data.debts.cash), debt("cash"));
      assert.equal(owed.data.equity.price, figures.data.price);
      await auditLedger(t);
    });
  });
}
