/**
 * The refund and order rules of 2026-11-28 through the HTTP API (models.md §0
 * "Orders", "Refunds"): a refund pays no one (the pool pays the burned points'
 * value back to the operator, the price does not move), and a product may take
 * part in no plan (its orders count in team performance and star levels, and
 * are refunded like any other). Each step is compared with the in-memory engine.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Engine, PlatformAccount, parseDecimal } from "@jifen/engine";
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
  paidOrder,
  type TestMember,
} from "./support/equity.ts";

const µ = (text: string) => parseDecimal(text);
const DAY_MS = 86_400_000;

async function operatorCash(t: TestApp): Promise<bigint> {
  const rows = await t.db.query<{ amount: string }>(
    "select amount::text from balances where account = $1 and asset = 'cny'",
    [PlatformAccount.operator],
  );
  return µ(rows.rows[0]?.amount ?? "0");
}

async function refund(t: TestApp, orderId: string): Promise<void> {
  const response = await call(t, "POST", `/admin/orders/${orderId}/refund`, {
    token: await operatorToken(t),
    body: { reason: "退货 / returned" },
  });
  assert.equal(response.statusCode, 200, response.body);
}

for (const target of dbTargets()) {
  describe(`refund rules over HTTP on ${target.name}`, () => {
    let t: TestApp;
    before(async () => {
      t = await openTestApp(target);
    });
    after(async () => {
      await t?.cleanup();
    });

    test("issue 8: X and Y buy 99 each, X 9,900 more, X's big order refunded: no exit, no cash, price kept", async () => {
      const engine = new Engine();
      const admin = await operatorToken(t);
      const small = await equityProduct(t, "99");
      const big = await equityProduct(t, "9900");
      const x: TestMember = await register(t, "13700000001");
      const y: TestMember = await register(t, "13700000002");
      const members = [x, y];
      for (const m of members) engine.join(m.id);
      for (const [m, product, amount] of [
        [x, small, "99"],
        [y, small, "99"],
      ] as const) {
        const id = await paidOrder(t, m, product, admin);
        engine.order({ member: m.id, amount: µ(amount), plans: ["equity"], id });
      }
      const bigOrder = await paidOrder(t, x, big, admin);
      engine.order({ member: x.id, amount: µ("9900"), plans: ["equity"], id: bigOrder });
      await assertSameAsEngine(t, engine, members, "before the refund");
      const priceBefore = (await call(t, "GET", "/equity", { token: x.token })).data.price;

      await refund(t, bigOrder);
      engine.refund(bigOrder);

      await assertSameAsEngine(t, engine, members, "after the refund");
      const figures = await call(t, "GET", "/equity", { token: x.token });
      assert.equal(figures.data.price, priceBefore, "the price did not move");
      assert.equal(
        await count(t, "ledger_transactions", "kind = 'equity.exit'"),
        0,
        "nobody was force-exited",
      );
      for (const m of members) assert.equal((await apiWallets(t, m)).cash.balance, 0n, `${m.id} got no cash`);
      const operator = await operatorCash(t);
      assert.equal(operator, engine.book.balance(PlatformAccount.operator, "cny"));
      assert.ok(operator >= 0n, `the operator's account is ${operator} µ, not negative`);
      const reverse = await t.db.query<{ amount: string }>(
        `select p.amount::text from ledger_postings p join ledger_transactions x on x.id = p.transaction_id
         where x.kind = 'refund.reverse' and x.ref = $1 and p.account = $2`,
        [`order:${bigOrder}`, PlatformAccount.equityPool],
      );
      assert.ok(µ(reverse.rows[0]?.amount ?? "0") < 0n, "the pool paid the burned points' value back");
      await auditLedger(t);
    });

    test("a product in no plan: its order counts in the referrer's team performance and star level; refunded", async () => {
      const admin = await operatorToken(t);
      const created = await call(t, "POST", "/admin/products", {
        token: admin,
        body: { name: "普通商品", price: "60000", plans: [] },
      });
      assert.equal(created.statusCode, 201, created.body);
      assert.deepEqual(created.data.plans, []);
      const a = await register(t, "13700000011");
      const b = await register(t, "13700000012", a.inviteCode);
      const orderId = await paidOrder(t, b, created.data.id, admin);
      assert.equal(
        await count(t, "ledger_transactions", `ref = 'order:${orderId}' and kind <> 'order.pay'`),
        0,
        "no reward movement of its own",
      );
      const team = await call(t, "GET", "/me/team", { token: a.token });
      assert.equal(team.statusCode, 200, team.body);
      assert.equal(team.data.performance.total, "60000.00");

      t.clock.advance(DAY_MS);
      const run = await call(t, "POST", "/admin/settlements/run", {
        token: await operatorToken(t),
        body: {},
      });
      assert.equal(run.statusCode, 200, run.body);
      assert.ok(
        run.data.outcomes.some((o: { status: string }) => o.status === "settled"),
        run.body,
      );
      const star = await t.db.query<{ star: string }>("select star from member_stars where member_id = $1", [
        a.id,
      ]);
      assert.equal(star.rows[0]?.star, "一星", "60,000 of team performance reaches 一星");

      await refund(t, orderId);
      const afterRefund = await call(t, "GET", "/me/team", { token: a.token });
      assert.equal(afterRefund.data.performance.total, "0.00", "a refunded order no longer counts");
      await auditLedger(t);
    });
  });
}
