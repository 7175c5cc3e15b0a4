/**
 * What the member site asks besides the commands: the equity commands' dry run
 * (the sale's fee and proceeds before confirming), the withdrawal preview, the
 * equity price's daily closes and "what arrived yesterday". A preview answers
 * exactly what the command then does, and writes nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseDecimal } from "@jifen/engine";
import { call, count, credit, openTestApp, operatorToken, register, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import { equityProduct, nextDay, paidOrder, type TestMember } from "./support/equity.ts";

const µ = (text: string) => parseDecimal(text);

for (const target of dbTargets()) {
  describe(`member site previews and summaries on ${target.name}`, () => {
    let t: TestApp;
    let admin: string;
    let product: string;
    let a: TestMember;
    let b: TestMember;
    let orderOfB: string;

    before(async () => {
      t = await openTestApp(target);
      admin = await operatorToken(t);
      product = await equityProduct(t, "100");
      a = await register(t, "13600000101");
      b = await register(t, "13600000102", a.inviteCode);
      await paidOrder(t, a, product, admin);
      orderOfB = await paidOrder(t, b, product, admin);
    });
    after(async () => {
      await t?.cleanup();
    });

    test("a sale's dry run answers the fee and proceeds the sale then pays, and writes nothing", async () => {
      const written = [await count(t, "ledger_transactions"), await count(t, "idempotency_keys")];
      const preview = await call(t, "POST", "/me/equity/sell?dryRun=true", {
        token: a.token,
        body: { points: "5" },
        key: "preview-1",
      });
      assert.equal(preview.statusCode, 200, preview.body);
      assert.equal(preview.data.dryRun, true);
      assert.equal(preview.data.transactionId, null);
      const { value, fee, proceeds, feeRate } = preview.data.sale;
      assert.equal(feeRate, "0.1");
      assert.equal(µ(value) - µ(fee), µ(proceeds), "value − fee = proceeds");
      assert.ok(µ(fee) > 0n);
      assert.deepEqual([await count(t, "ledger_transactions"), await count(t, "idempotency_keys")], written);

      const sold = await call(t, "POST", "/me/equity/sell", { token: a.token, body: { points: "5" } });
      assert.equal(sold.statusCode, 200, sold.body);
      assert.equal(sold.data.dryRun, false);
      assert.deepEqual(sold.data.sale, preview.data.sale);
      assert.deepEqual(sold.data.moved, preview.data.moved);
      assert.equal(sold.data.moved.cash, proceeds);
      assert.deepEqual(sold.data.wallets, preview.data.wallets);
    });

    test("a dry run is refused like the command (too many points) and other commands carry no sale", async () => {
      const refused = await call(t, "POST", "/me/equity/sell?dryRun=true", {
        token: a.token,
        body: { points: "100000" },
      });
      assert.deepEqual([refused.statusCode, refused.data.code], [409, "INSUFFICIENT_EQUITY"]);
      const toStable = await call(t, "POST", "/me/equity/to-stable?dryRun=true", {
        token: a.token,
        body: { points: "1" },
      });
      assert.equal(toStable.statusCode, 200, toStable.body);
      assert.equal(toStable.data.sale, null);
      assert.ok(µ(toStable.data.moved.stable) > 0n);
    });

    test("the withdrawal preview answers the fee and payout and places nothing; debt refuses it", async () => {
      await credit(t, a.id, "cash", "500");
      const before = [await count(t, "withdrawals"), await count(t, "ledger_postings")];
      const preview = await call(t, "POST", "/me/withdrawals/preview", {
        token: a.token,
        body: { amount: "200" },
      });
      assert.equal(preview.statusCode, 200, preview.body);
      assert.equal(µ(preview.data.amount) - µ(preview.data.fee), µ(preview.data.payout));
      assert.deepEqual([await count(t, "withdrawals"), await count(t, "ledger_postings")], before);
      const placed = await call(t, "POST", "/me/withdrawals", { token: a.token, body: { amount: "200" } });
      assert.equal(placed.statusCode, 201, placed.body);
      assert.deepEqual([placed.data.fee, placed.data.payout], [preview.data.fee, preview.data.payout]);

      // B sells the points of an order, the order is refunded: B owes equity points.
      const held = (await call(t, "GET", "/me/equity", { token: b.token })).data.equity;
      const sold = await call(t, "POST", "/me/equity/sell", { token: b.token, body: { points: held } });
      assert.equal(sold.statusCode, 200, sold.body);
      const refunded = await call(t, "POST", `/admin/orders/${orderOfB}/refund`, {
        token: admin,
        body: { reason: "退货" },
      });
      assert.equal(refunded.statusCode, 200, refunded.body);
      const blocked = await call(t, "POST", "/me/withdrawals/preview", {
        token: b.token,
        body: { amount: "1" },
      });
      assert.deepEqual([blocked.statusCode, blocked.data.code], [409, "DEBT_BLOCKS_WITHDRAWAL"]);
    });

    test("the price history has a close per settled day and the open day's live price last", async () => {
      const first = await call(t, "GET", "/equity/prices", { token: a.token });
      assert.equal(first.statusCode, 200, first.body);
      const live = first.data.items.at(-1);
      assert.equal(live.closed, false);
      const figures = await call(t, "GET", "/equity", { token: a.token });
      assert.deepEqual([live.businessDay, live.price], [figures.data.businessDay, figures.data.price]);

      const closedDay = live.businessDay;
      await nextDay(t);
      await nextDay(t);
      const later = await call(t, "GET", "/equity/prices?days=1", { token: a.token });
      assert.equal(later.data.items.length, 2, "one close (days=1) and the live day");
      const close = later.data.items[0];
      assert.equal(close.closed, true);
      const all = await call(t, "GET", "/equity/prices", { token: a.token });
      const firstClose = all.data.items.find((p: { businessDay: string }) => p.businessDay === closedDay);
      assert.deepEqual([firstClose?.price, firstClose?.closed], [figures.data.price, true]);
      const bad = await call(t, "GET", "/equity/prices?days=0", { token: a.token });
      assert.equal(bad.statusCode, 400);
    });

    test("arrivals: what came into each wallet on the last settled day", async () => {
      const c = await register(t, "13600000103");
      await paidOrder(t, c, product);
      const none = await call(t, "GET", "/me/arrivals", { token: c.token });
      assert.equal(none.statusCode, 200, none.body);
      assert.deepEqual(none.data.items, [], "the purchase is on the open day, not yesterday");
      await nextDay(t);
      const arrived = await call(t, "GET", "/me/arrivals", { token: c.token });
      const equity = arrived.data.items.find((i: { wallet: string }) => i.wallet === "equity");
      const held = (await call(t, "GET", "/me/equity", { token: c.token })).data.equity;
      assert.equal(equity?.amount, held);
    });
  });
}
