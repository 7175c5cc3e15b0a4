/**
 * Alipay end to end against the local fake gateway, on both databases: a
 * checkout paid through Alipay; forged, replayed, altered and foreign
 * notifications refused with nothing credited; a missed notification caught
 * by the query; a refund; a payout that fails returns the cash; a payout whose
 * answer was lost (a crash) pays once when retried; reconciliation finds each
 * difference planted in the day's statement.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { alipayFetcher, alipayLines, catchUpPayments, refundAlipayOrder } from "../src/alipay-pay/index.ts";
import { type AlipayOptions, alipayProvider } from "../src/payments/alipay/index.ts";
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

for (const target of dbTargets()) {
  describe(`Alipay payments on ${target.name}`, () => {
    let fake: FakeAlipay;
    let t: TestApp;
    let options: AlipayOptions;
    let admin: string;
    let productId: string;
    let phoneSeq = 0;

    before(async () => {
      fake = await startFakeAlipay();
      options = {
        appId: fake.appId,
        privateKey: fake.appPrivateKey,
        alipayPublicKey: fake.alipayPublicKey,
        gateway: fake.gateway,
        notifyUrl: "https://shop.example.cn/payments/alipay/notify",
        timeoutMs: 400,
      };
      t = await openTestApp(target, { alipay: options });
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

    const deps = () => ({ hooks: REWARD_HOOKS, now: t.clock.now(), timeZone: "Asia/Shanghai" });

    /** A member's checkout of one product through Alipay, opened at the cashier. */
    async function alipayCheckout() {
      const m = await register(t, `1371111${String(++phoneSeq).padStart(4, "0")}`);
      const placed = await call(t, "POST", "/checkouts", {
        token: m.token,
        body: { items: [{ productId, quantity: 1 }], provider: "alipay" },
      });
      assert.equal(placed.statusCode, 201, placed.body);
      const pay = await call(t, "POST", `/checkouts/${placed.data.id}/alipay`, { token: m.token, body: {} });
      assert.equal(pay.statusCode, 200, pay.body);
      assert.equal(pay.data.amount, "88.80");
      assert.match(await (await fetch(pay.data.payUrl)).text(), /支付宝收银台/);
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

    test("the shop offers 支付宝; a checkout paid through Alipay; a replayed notification changes nothing", async () => {
      const shop = await call(t, "GET", "/shop");
      assert.ok(shop.data.paymentMethods.includes("alipay"));
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

    test("forged, altered-amount and foreign notifications are refused ('failure') and nothing is credited", async () => {
      const c = await alipayCheckout();
      fake.pay(c.outTradeNo);
      const ledgerRows = await count(t, "ledger_transactions");
      const good = fake.notification(c.outTradeNo);
      assert.equal(await notify({ ...good, total_amount: "0.01" }), "failure"); // forged: not re-signed
      assert.equal(
        await notify({ ...good, sign: good.sign?.replace(/^./, (ch) => (ch === "A" ? "B" : "A")) ?? "" }),
        "failure",
      );
      assert.equal(await notify(fake.notification(c.outTradeNo, { total_amount: "8.88" })), "failure"); // signed, other amount
      assert.equal(await notify(fake.notification(c.outTradeNo, { app_id: "2021000000009999" })), "failure"); // another app's
      assert.equal(await notify(fake.notification(c.outTradeNo, { out_trade_no: "JF999999" })), "failure"); // not our order
      assert.deepEqual(await checkoutStatus(c.member, c.checkoutId), ["pending"]);
      assert.equal(await count(t, "ledger_transactions"), ledgerRows);
      // Someone else's trade number replayed onto this order (signed by Alipay for that trade) is refused too.
      const other = await alipayCheckout();
      fake.pay(other.outTradeNo);
      assert.equal(await notify(fake.notification(other.outTradeNo)), "success");
      const stolen = fake.notification(c.outTradeNo, {
        trade_no: fake.trades.get(other.outTradeNo)?.tradeNo,
      });
      assert.equal(await notify(stolen), "failure");
      assert.deepEqual(await checkoutStatus(c.member, c.checkoutId), ["pending"]);
      assert.equal(await notify(good), "success");
      assert.deepEqual(await checkoutStatus(c.member, c.checkoutId), ["paid"]);
      await auditLedger(t);
    });

    test("a notification that never arrives is caught by the query", async () => {
      const c = await alipayCheckout();
      const waiting = await alipayCheckout();
      fake.pay(c.outTradeNo);
      t.clock.advance(10 * 60_000);
      const outcomes = await catchUpPayments(t.db, alipayProvider(options), deps(), t.clock.now());
      assert.deepEqual(outcomes[c.outTradeNo], { outcome: "applied" });
      assert.deepEqual(outcomes[waiting.outTradeNo], { outcome: "ignored" });
      assert.deepEqual(await checkoutStatus(c.member, c.checkoutId), ["paid"]);
      assert.equal(await notify(fake.notification(c.outTradeNo)), "success"); // the late notification: a replay
      await auditLedger(t);
    });

    test("a refund goes through Alipay first; a lost answer refunds nothing here and the retry refunds once", async () => {
      const c = await alipayCheckout();
      fake.pay(c.outTradeNo);
      assert.equal(await notify(fake.notification(c.outTradeNo)), "success");
      const orderId = (await call(t, "GET", `/checkouts/${c.checkoutId}`, { token: c.member.token })).data
        .orders[0].id;
      const provider = alipayProvider(options);
      fake.stall.set("alipay.trade.refund", "after");
      await assert.rejects(
        refundAlipayOrder(t.db, provider, { orderId, reason: "质量问题退货" }, deps()),
        (e: { code?: string }) => e.code === "PROVIDER_OUTCOME_UNKNOWN",
      );
      fake.stall.delete("alipay.trade.refund");
      assert.deepEqual(await checkoutStatus(c.member, c.checkoutId), ["paid"]);
      const refunded = await refundAlipayOrder(t.db, provider, { orderId, reason: "质量问题退货" }, deps());
      assert.equal(refunded.status, "refunded");
      const trade = fake.trades.get(c.outTradeNo);
      assert.deepEqual([...(trade?.refunds ?? new Map()).entries()], [[`R${orderId}`, 88_80n]]);
      await assert.rejects(
        refundAlipayOrder(t.db, provider, { orderId, reason: "again" }, deps()),
        (e: { code?: string }) => e.code === "ORDER_NOT_PAID",
      );
      await auditLedger(t);
    });

    async function memberWithWithdrawal(amount: string, account: { identity: string; realName?: string }) {
      const m = await register(t, `1372222${String(++phoneSeq).padStart(4, "0")}`);
      await credit(t, m.id, "cash", "500");
      const set = await call(t, "PUT", "/me/alipay-account", { token: m.token, body: account });
      assert.equal(set.statusCode, 200, set.body);
      const w = await call(t, "POST", "/me/withdrawals", { token: m.token, body: { amount } });
      assert.equal(w.statusCode, 201, w.body);
      return { member: m, withdrawalId: w.data.id as string };
    }

    const cashOf = async (member: { token: string }) =>
      (await call(t, "GET", "/me/wallets", { token: member.token })).data;

    test("a payout Alipay refuses rejects the withdrawal and returns the cash", async () => {
      const finance = await operatorWithRole(t, "finance");
      const { member, withdrawalId } = await memberWithWithdrawal("100", {
        identity: "13900009999",
        realName: "李四",
      });
      const before = JSON.stringify(await cashOf(member));
      const paid = await call(t, "POST", `/admin/withdrawals/${withdrawalId}/alipay-payout`, {
        token: finance,
      });
      assert.equal(paid.statusCode, 200, paid.body);
      assert.equal(paid.data.status, "failed");
      const list = await call(t, "GET", `/admin/withdrawals?memberId=${member.id}`, { token: finance });
      assert.equal(list.data.items[0].status, "rejected");
      assert.match(list.data.items[0].reason, /PAYEE_NOT_EXIST/);
      assert.notEqual(JSON.stringify(await cashOf(member)), before);
      assert.match(JSON.stringify(await cashOf(member)), /"500(\.0+)?"/);
      await auditLedger(t);
    });

    test("a payout whose answer was lost (a crash) is followed, not sent again: paid once", async () => {
      const finance = await operatorWithRole(t, "finance");
      fake.payees.set("13800001111", "王五");
      const { member, withdrawalId } = await memberWithWithdrawal("100", {
        identity: "13800001111",
        realName: "王五",
      });
      const balance = fake.balance.balanceFen;
      fake.stall.set("alipay.fund.trans.uni.transfer", "after");
      const first = await call(t, "POST", `/admin/withdrawals/${withdrawalId}/alipay-payout`, {
        token: finance,
      });
      fake.stall.delete("alipay.fund.trans.uni.transfer");
      assert.equal(first.data.status, "sending", first.body);
      assert.equal(await count(t, "withdrawals", `id = ${withdrawalId} and status = 'pending'`), 1);
      const again = await call(t, "POST", `/admin/withdrawals/${withdrawalId}/alipay-payout`, {
        token: finance,
      });
      assert.equal(again.data.status, "succeeded");
      const third = await call(t, "POST", `/admin/withdrawals/${withdrawalId}/alipay-payout`, {
        token: finance,
      });
      assert.equal(third.data.status, "succeeded");
      assert.equal(balance - fake.balance.balanceFen, 100_00n);
      assert.equal([...fake.transfers.values()].filter((x) => x.outBizNo === `W${withdrawalId}`).length, 1);
      const list = await call(t, "GET", `/admin/withdrawals?memberId=${member.id}`, { token: finance });
      assert.equal(list.data.items[0].status, "approved");
      await auditLedger(t);
    });

    test("reconciliation finds each kind of difference planted in the day's statement", async () => {
      const paidHere = await alipayCheckout();
      fake.pay(paidHere.outTradeNo);
      assert.equal(await notify(fake.notification(paidHere.outTradeNo)), "success");
      const dayOf = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
      const date = dayOf(t.clock.now());
      const sources = { ours: alipayLines, fetch: alipayFetcher(options) };
      const paidRows = await t.db.query<{ out_trade_no: string; provider_txn_id: string; amount: string }>(
        "select out_trade_no, provider_txn_id, amount from provider_payments where status = 'paid' order by out_trade_no",
      );
      const refundRows = await t.db.query<{ out_trade_no: string; refund_no: string }>(
        "select out_trade_no, refund_no from provider_refunds where status = 'succeeded'",
      );
      const agreeing = paidRows.rows.map((r) => ({
        tradeNo: r.provider_txn_id,
        outTradeNo: r.out_trade_no,
        kind: "交易" as const,
        amount: "88.80",
      }));
      const refunds = refundRows.rows.map((r) => ({
        tradeNo: "x",
        outTradeNo: r.out_trade_no,
        kind: "退款" as const,
        amount: "88.80",
        refundRequestNo: r.refund_no,
      }));
      fake.plantBill(date, [...agreeing, ...refunds]);
      const clean = await reconcileDay(t.db, { provider: "alipay", date }, sources);
      assert.deepEqual(clean.differences, [], JSON.stringify(clean.differences));
      const [missing, ...rest] = agreeing;
      assert.ok(missing && rest.length > 0);
      const [altered, ...kept] = rest;
      fake.plantBill(date, [
        ...kept,
        { ...(altered as (typeof agreeing)[number]), amount: "88.81" },
        { tradeNo: "2026000000000099", outTradeNo: "JF-NOT-OURS", kind: "交易", amount: "10.00" },
        ...refunds.map((r) => ({ ...r, amount: "8.80" })),
      ]);
      const found = await reconcileDay(t.db, { provider: "alipay", date }, sources);
      const kinds = found.differences.map((d) => `${d.kind}:${d.line}:${d.outTradeNo}`).sort();
      assert.deepEqual(
        kinds,
        [
          `amount_differs:payment:${altered?.outTradeNo}`,
          ...refunds.map((r) => `amount_differs:refund:${r.outTradeNo}`),
          "missing_here:payment:JF-NOT-OURS",
          `missing_there:payment:${missing.outTradeNo}`,
        ].sort(),
      );
    });
  });
}
