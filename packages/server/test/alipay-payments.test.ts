/**
 * Alipay through the shared payments layer, end to end against the local fake
 * gateway, on both databases: a checkout paid through Alipay; forged,
 * replayed, altered, foreign and stolen-trade notifications refused with
 * nothing credited; a missed notification caught by the query; a refund; a
 * payout Alipay refuses returns the cash; a payout whose answer was lost (a
 * crash) pays once; reconciliation finds each difference planted in the
 * day's statement (downloaded from the fake).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { followOnce } from "../src/ops/payment-follower.ts";
import { alipayFactory, saveProviderSettings } from "../src/payments/index.ts";
import { reconcileDay } from "../src/reconcile/index.ts";
import { REWARD_HOOKS } from "../src/rewards/index.ts";
import {
  auditLedger,
  call,
  count,
  credit,
  openTestApp,
  operatorWithRole,
  register,
  type TestApp,
} from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import { type FakeAlipay, startFakeAlipay } from "./support/fake-alipay.ts";
import { heldFetch, ORDINARY_TIMEOUT_MS } from "./support/held-fetch.ts";

const quiet = { warn() {}, info() {}, error() {} };

for (const target of dbTargets()) {
  describe(`Alipay payments on ${target.name}`, () => {
    let fake: FakeAlipay;
    let t: TestApp;
    let admin: string;
    let productId: string;
    let phoneSeq = 0;

    before(async () => {
      fake = await startFakeAlipay();
      // Ordinary calls: a limit a loaded machine meets. A stalled call is never answered, so its short
      // limit always runs out, however slow the machine (then the outcome is unknown).
      t = await openTestApp(target, {
        paymentDeps: { timeoutMs: ORDINARY_TIMEOUT_MS, fetch: heldFetch(fake.holds) },
      });
      await saveProviderSettings(t.db, alipayFactory, {
        enabled: true,
        payouts: true,
        config: {
          appId: fake.appId,
          privateKey: fake.appPrivateKey,
          alipayPublicKey: fake.alipayPublicKey,
          gateway: fake.gateway,
          notifyUrl: "https://shop.example.cn/payments/alipay/notify",
        },
      });
      admin = await operatorWithRole(t, "admin");
      const created = await call(t, "POST", "/admin/products", {
        token: admin,
        body: { name: "有机大米", description: "", plans: [], price: "88.80" },
      });
      assert.equal(created.statusCode, 201, created.body);
      productId = created.data.id;
    });
    after(async () => {
      await t.cleanup();
      await fake.close();
    });

    const follow = () =>
      followOnce(
        {
          db: t.db,
          payments: t.app.paymentContext.payments,
          clock: t.clock,
          timeZone: "Asia/Shanghai",
          hooks: REWARD_HOOKS,
          log: quiet,
        },
        60_000,
      );

    /** A member's checkout of one product through Alipay, opened at the cashier. */
    async function alipayCheckout() {
      const m = await register(t, `1371111${String(++phoneSeq).padStart(4, "0")}`);
      const placed = await call(t, "POST", "/checkouts", {
        token: m.token,
        body: { items: [{ productId, quantity: 1 }], provider: "alipay" },
      });
      assert.equal(placed.statusCode, 201, placed.body);
      const pay = await call(t, "POST", `/checkouts/${placed.data.id}/payments`, {
        token: m.token,
        body: { provider: "alipay", scene: "wap" },
      });
      assert.equal(pay.statusCode, 200, pay.body);
      assert.equal(pay.data.amount, "88.80");
      assert.equal(pay.data.launch.kind, "redirect");
      assert.match(await (await fetch(pay.data.launch.url)).text(), /支付宝收银台/);
      return { member: m, checkoutId: placed.data.id as string, outTradeNo: pay.data.outTradeNo as string };
    }

    async function notify(form: Record<string, string>) {
      const response = await t.app.inject({
        method: "POST",
        url: "/payments/alipay/notify",
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
        payload: new URLSearchParams(form).toString(),
      });
      return response.body;
    }

    async function checkoutStatus(member: { token: string }, id: string): Promise<string[]> {
      const got = await call(t, "GET", `/checkouts/${id}`, { token: member.token });
      return got.data.orders.map((o: { status: string }) => o.status);
    }

    test("a checkout paid through Alipay; a replayed notification changes nothing", async () => {
      const c = await alipayCheckout();
      fake.pay(c.outTradeNo);
      const form = fake.notification(c.outTradeNo);
      assert.equal(await notify(form), "success");
      assert.deepEqual(await checkoutStatus(c.member, c.checkoutId), ["paid"]);
      const ledgerRows = await count(t, "ledger_transactions");
      assert.equal(await notify(form), "success");
      assert.equal(await notify(fake.notification(c.outTradeNo)), "success");
      assert.equal(await count(t, "ledger_transactions"), ledgerRows);
      await auditLedger(t);
    });

    test("forged, altered-amount, foreign and stolen-trade notifications are refused ('failure'), nothing credited", async () => {
      const c = await alipayCheckout();
      fake.pay(c.outTradeNo);
      const ledgerRows = await count(t, "ledger_transactions");
      const good = fake.notification(c.outTradeNo);
      assert.equal(await notify({ ...good, total_amount: "0.01" }), "failure"); // forged: not re-signed
      const flipped = `${good.sign?.startsWith("A") ? "B" : "A"}${good.sign?.slice(1)}`;
      assert.equal(await notify({ ...good, sign: flipped }), "failure");
      assert.equal(await notify(fake.notification(c.outTradeNo, { total_amount: "8.88" })), "failure"); // signed, other amount
      assert.equal(await notify(fake.notification(c.outTradeNo, { app_id: "2021000000009999" })), "failure"); // another app's
      assert.equal(await notify(fake.notification(c.outTradeNo, { out_trade_no: "JF999999X" })), "failure"); // not ours
      assert.deepEqual(await checkoutStatus(c.member, c.checkoutId), ["pending"]);
      assert.equal(await count(t, "ledger_transactions"), ledgerRows);
      const other = await alipayCheckout();
      fake.pay(other.outTradeNo);
      assert.equal(await notify(fake.notification(other.outTradeNo)), "success");
      const stolen = fake.notification(c.outTradeNo, {
        trade_no: fake.trades.get(other.outTradeNo)?.tradeNo,
      });
      assert.equal(await notify(stolen), "failure"); // another member's trade number on this order
      assert.deepEqual(await checkoutStatus(c.member, c.checkoutId), ["pending"]);
      assert.ok((await count(t, "payment_rejections", "provider = 'alipay'")) >= 3);
      assert.equal(await notify(good), "success");
      assert.deepEqual(await checkoutStatus(c.member, c.checkoutId), ["paid"]);
      await auditLedger(t);
    });

    test("a notification that never arrives is caught by the query", async () => {
      const c = await alipayCheckout();
      const waiting = await alipayCheckout();
      fake.pay(c.outTradeNo);
      t.clock.advance(10 * 60_000);
      await follow();
      assert.deepEqual(await checkoutStatus(c.member, c.checkoutId), ["paid"]);
      assert.deepEqual(await checkoutStatus(waiting.member, waiting.checkoutId), ["pending"]);
      assert.equal(await notify(fake.notification(c.outTradeNo)), "success"); // the late one: a repeat
      await auditLedger(t);
    });

    test("a refund goes through Alipay and is booked once", async () => {
      const c = await alipayCheckout();
      fake.pay(c.outTradeNo);
      assert.equal(await notify(fake.notification(c.outTradeNo)), "success");
      const orderId = (await call(t, "GET", `/checkouts/${c.checkoutId}`, { token: c.member.token })).data
        .orders[0].id;
      const refunded = await call(t, "POST", `/admin/orders/${orderId}/refund`, {
        token: admin,
        body: { reason: "质量问题退货" },
      });
      assert.equal(refunded.statusCode, 200, refunded.body);
      assert.equal(refunded.data.status, "refunded");
      const trade = fake.trades.get(c.outTradeNo);
      assert.deepEqual([...(trade?.refunds ?? new Map()).values()], [88_80n]);
      const again = await call(t, "POST", `/admin/orders/${orderId}/refund`, {
        token: admin,
        body: { reason: "再退" },
      });
      assert.equal(again.statusCode, 409, again.body);
      assert.deepEqual([...(trade?.refunds ?? new Map()).values()], [88_80n]);
      await auditLedger(t);
    });

    test("a refund whose request never reached Alipay is found failed by the query; asked again, it refunds once", async () => {
      const c = await alipayCheckout();
      fake.pay(c.outTradeNo);
      assert.equal(await notify(fake.notification(c.outTradeNo)), "success");
      const orderId = (await call(t, "GET", `/checkouts/${c.checkoutId}`, { token: c.member.token })).data
        .orders[0].id;
      fake.stall.set("alipay.trade.refund", "before");
      const lost = await call(t, "POST", `/admin/orders/${orderId}/refund`, {
        token: admin,
        body: { reason: "退货" },
      });
      fake.stall.delete("alipay.trade.refund");
      assert.notEqual(lost.data.status, "refunded", lost.body);
      assert.deepEqual(await checkoutStatus(c.member, c.checkoutId), ["paid"]);
      t.clock.advance(10 * 60_000);
      await follow();
      assert.equal(await count(t, "payment_refunds", `order_id = ${orderId} and status = 'failed'`), 1);
      const again = await call(t, "POST", `/admin/orders/${orderId}/refund`, {
        token: admin,
        body: { reason: "退货" },
      });
      assert.equal(again.data.status, "refunded", again.body);
      assert.deepEqual([...(fake.trades.get(c.outTradeNo)?.refunds ?? new Map()).values()], [88_80n]);
      await auditLedger(t);
    });

    async function memberWithWithdrawal(amount: string, account: { account: string; accountName?: string }) {
      const m = await register(t, `1372222${String(++phoneSeq).padStart(4, "0")}`);
      await credit(t, m.id, "cash", "500");
      const set = await call(t, "PUT", "/me/payment-accounts/alipay", { token: m.token, body: account });
      assert.equal(set.statusCode, 200, set.body);
      const w = await call(t, "POST", "/me/withdrawals", { token: m.token, body: { amount } });
      assert.equal(w.statusCode, 201, w.body);
      return { member: m, withdrawalId: w.data.id as string };
    }

    const cashOf = async (member: { token: string }) => {
      const wallets = (await call(t, "GET", "/me/wallets", { token: member.token })).data;
      return JSON.stringify(wallets);
    };

    test("a payout Alipay refuses fails the withdrawal and returns the cash", async () => {
      const finance = await operatorWithRole(t, "finance");
      const { member, withdrawalId } = await memberWithWithdrawal("100", {
        account: "13900009999",
        accountName: "李四",
      });
      const approved = await call(t, "POST", `/admin/withdrawals/${withdrawalId}/approve`, {
        token: finance,
        body: {},
      });
      assert.equal(approved.statusCode, 200, approved.body);
      assert.equal(approved.data.status, "failed", approved.body);
      assert.match(await cashOf(member), /"500(\.0+)?"/);
      await auditLedger(t);
    });

    test("a payout whose answer was lost (a crash) is queried, not sent again: paid once", async () => {
      const finance = await operatorWithRole(t, "finance");
      fake.payees.set("13800001111", "王五");
      const { member, withdrawalId } = await memberWithWithdrawal("100", {
        account: "13800001111",
        accountName: "王五",
      });
      const balance = fake.balance.balanceFen;
      fake.stall.set("alipay.fund.trans.uni.transfer", "after");
      const first = await call(t, "POST", `/admin/withdrawals/${withdrawalId}/approve`, {
        token: finance,
        body: {},
      });
      fake.stall.delete("alipay.fund.trans.uni.transfer");
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(first.data.status, "approved", first.body); // outcome unknown: not paid, not failed
      await follow();
      await follow();
      const list = await call(t, "GET", `/admin/withdrawals?memberId=${member.id}`, { token: finance });
      assert.equal(list.data.items[0].status, "paid");
      assert.equal(balance - fake.balance.balanceFen, 100_00n);
      assert.equal(fake.calls.filter((c) => c.method === "alipay.fund.trans.uni.transfer").length >= 1, true);
      assert.equal([...fake.transfers.values()].filter((x) => x.identity === "13800001111").length, 1);
      await auditLedger(t);
    });

    test("reconciliation finds each kind of difference planted in the day's statement", async () => {
      const c = await alipayCheckout();
      fake.pay(c.outTradeNo);
      assert.equal(await notify(fake.notification(c.outTradeNo)), "success");
      const date = new Date(t.clock.now().getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
      const paid = await t.db.query<{ out_trade_no: string; provider_tx_id: string }>(
        "select out_trade_no, provider_tx_id from payments where status = 'paid' order by id",
      );
      const refunds = await t.db.query<{ out_trade_no: string; out_refund_no: string }>(
        "select p.out_trade_no, r.out_refund_no from payment_refunds r join payments p on p.id = r.payment_id where r.status = 'succeeded'",
      );
      const trades = paid.rows.map((r) => ({
        tradeNo: r.provider_tx_id,
        outTradeNo: r.out_trade_no,
        kind: "交易" as const,
        amount: "88.80",
      }));
      const backs = refunds.rows.map((r) => ({
        tradeNo: "x",
        outTradeNo: r.out_trade_no,
        kind: "退款" as const,
        amount: "88.80",
        refundRequestNo: r.out_refund_no,
      }));
      assert.ok(trades.length >= 3 && backs.length >= 1);
      fake.plantBill(date, [...trades, ...backs]);
      const clean = await reconcileDay(t.db, { provider: "alipay", date });
      assert.deepEqual(clean.differences, []);
      const [missing, altered, ...kept] = trades;
      fake.plantBill(date, [
        ...kept,
        { ...(altered as (typeof trades)[number]), amount: "88.81" },
        { tradeNo: "2026000000000099", outTradeNo: "JF-NOT-OURS", kind: "交易", amount: "10.00" },
        ...backs.map((r) => ({ ...r, amount: "8.80" })),
      ]);
      const found = await reconcileDay(t.db, { provider: "alipay", date });
      assert.deepEqual(
        found.differences.map((d) => `${d.kind}:${d.line}:${d.outTradeNo}`).sort(),
        [
          `amount_differs:payment:${altered?.outTradeNo}`,
          ...backs.map((r) => `amount_differs:refund:${r.outTradeNo}`),
          "missing_here:payment:JF-NOT-OURS",
          `missing_there:payment:${missing?.outTradeNo}`,
        ].sort(),
      );
    });
  });
}
