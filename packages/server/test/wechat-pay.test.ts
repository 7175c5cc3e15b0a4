/**
 * WeChat Pay end to end against a local fake that speaks API v3
 * (support/fake-wechatpay.ts): a paid order, refused notifications (forged
 * signature, replay, altered amount, someone else's order, stale timestamp),
 * a missed notification caught by the query, a refund, and withdrawals paid
 * out — a failure returns the cash, a crash or timeout mid-payout pays once.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { followOnce } from "../src/ops/payment-follower.ts";
import { PaymentProviderError, type ProviderFactory, wechatFactory } from "../src/payments/index.ts";
import {
  auditLedger,
  call,
  count,
  credit,
  openTestApp,
  operatorToken,
  register,
  type TestApp,
} from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import { startFakeWechat, testKeyPair, wechatTestSetup } from "./support/fake-wechatpay.ts";

const QUIET = { warn() {}, info() {}, error() {} };

type Fake = Awaited<ReturnType<typeof startFakeWechat>>;

/** A provider whose payout "crashes" after WeChat Pay took the transfer, the first `times` times. */
function crashingAfterTransfer(times: number): ProviderFactory {
  let left = times;
  return {
    ...wechatFactory,
    create(config, deps) {
      const real = wechatFactory.create(config, deps);
      return {
        ...real,
        async payout(input) {
          const report = await real.payout(input);
          if (left-- > 0)
            throw new PaymentProviderError("NETWORK", "connection reset after sending", 0, true);
          return report;
        },
      };
    },
  };
}

async function notify(t: TestApp, n: { body: string; headers: Record<string, string> }) {
  return t.app.inject({
    method: "POST",
    url: "/payments/wechat/notify",
    headers: n.headers,
    payload: n.body,
  });
}

async function cashOf(t: TestApp, token: string): Promise<string> {
  const wallets = await call(t, "GET", "/me/wallets", { token });
  return (
    (wallets.data.wallets as { wallet: string; balance: string }[]).find((w) => w.wallet === "cash")
      ?.balance ?? "?"
  );
}

for (const target of dbTargets()) {
  describe(`WeChat Pay on ${target.name}`, () => {
    let t: TestApp;
    let fake: Fake;
    let admin: string;
    let productId: string;
    const setup = wechatTestSetup(() => Math.floor(t.clock.now().getTime() / 1000));
    let crashFactory = crashingAfterTransfer(0);
    let phones = 0;

    before(async () => {
      fake = await startFakeWechat(setup.options);
      crashFactory = crashingAfterTransfer(0);
      t = await openTestApp(target, {
        paymentFactories: [{ ...wechatFactory, create: (c, d) => crashFactory.create(c, d) }],
        paymentDeps: { timeoutMs: 400 },
      });
      admin = await operatorToken(t);
      const saved = await call(t, "PUT", "/admin/payments/providers/wechat", {
        token: admin,
        body: { enabled: true, payouts: true, config: setup.config(fake.url) },
      });
      assert.equal(saved.statusCode, 200, saved.body);
      assert.equal(saved.data.config.privateKey, "******", "secrets never come back");
      assert.equal(saved.data.config.apiV3Key, "******");
      const products = await call(t, "GET", "/products");
      productId = products.data.items.find((p: { price: string }) => p.price === "99.00").id;
    });
    after(async () => {
      await t?.cleanup();
      await fake?.close();
    });

    async function member() {
      phones++;
      return register(t, `1390000${String(phones).padStart(4, "0")}`);
    }

    /** A member's checkout through WeChat Pay and its payment asked for (Native QR). */
    async function pendingPayment() {
      const m = await member();
      const checkout = await call(t, "POST", "/checkouts", {
        token: m.token,
        body: { items: [{ productId, quantity: 1 }], provider: "wechat" },
      });
      assert.equal(checkout.statusCode, 201, checkout.body);
      const started = await call(t, "POST", `/checkouts/${checkout.data.id}/payments`, {
        token: m.token,
        body: { provider: "wechat", scene: "native" },
      });
      assert.equal(started.statusCode, 200, started.body);
      const orderId: string = checkout.data.orders[0].id;
      return {
        m,
        orderId,
        checkoutId: checkout.data.id as string,
        outTradeNo: started.data.outTradeNo as string,
        started,
      };
    }

    async function orderStatus(orderId: string) {
      const rows = await t.db.query<{ status: string }>("select status from orders where id = $1::bigint", [
        orderId,
      ]);
      return rows.rows[0]?.status;
    }
    const payments = (orderId: string) =>
      count(t, "ledger_transactions", `kind = 'order.pay' and ref = 'order:${orderId}'`);

    test("a paid order: Native QR asked with a signed request, the notification verified, decrypted and credited once", async () => {
      const p = await pendingPayment();
      assert.equal(p.started.data.amount, "99.00");
      assert.match(p.started.data.launch.codeUrl, /^weixin:\/\/wxpay\/bizpayurl/);
      assert.equal(fake.orders.get(p.outTradeNo)?.total, 9900, "99.00 yuan is 9900 fen");
      const paid = await notify(t, fake.pay(p.outTradeNo));
      assert.equal(paid.statusCode, 204, paid.body);
      assert.equal(await orderStatus(p.orderId), "paid");
      assert.equal(await payments(p.orderId), 1);
      // Replayed (WeChat Pay retries until it hears success): acknowledged, not credited again.
      const replay = await notify(t, fake.pay(p.outTradeNo));
      assert.equal(replay.statusCode, 204);
      assert.equal(await payments(p.orderId), 1);
      await auditLedger(t);
    });

    test("JSAPI needs the member's openid and answers the paySign parameters; H5 answers the h5_url", async () => {
      const p = await pendingPayment();
      const refused = await call(t, "POST", `/checkouts/${p.checkoutId}/payments`, {
        token: p.m.token,
        body: { provider: "wechat", scene: "jsapi" },
      });
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.data.code, "PAYMENT_ACCOUNT_MISSING");
      const linked = await call(t, "PUT", "/me/payment-accounts/wechat", {
        token: p.m.token,
        body: { account: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
      });
      assert.equal(linked.statusCode, 200, linked.body);
      const jsapi = await call(t, "POST", `/checkouts/${p.checkoutId}/payments`, {
        token: p.m.token,
        body: { provider: "wechat", scene: "jsapi" },
      });
      assert.equal(jsapi.statusCode, 200, jsapi.body);
      const params = jsapi.data.launch.params;
      assert.equal(params.signType, "RSA");
      assert.match(params.package, /^prepay_id=wx/);
      const { createVerify } = await import("node:crypto");
      const message = `${params.appId}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
      assert.ok(
        createVerify("RSA-SHA256").update(message).verify(setup.merchant.publicKey, params.paySign, "base64"),
      );
      const h5 = await call(t, "POST", `/checkouts/${p.checkoutId}/payments`, {
        token: p.m.token,
        body: { provider: "wechat", scene: "h5", returnUrl: "https://shop.example.com/h5/#/orders" },
      });
      assert.equal(h5.statusCode, 200, h5.body);
      assert.match(h5.data.launch.url, /^https:\/\/wx\.tenpay\.com\/.*&redirect_url=https%3A%2F%2F/);
    });

    test("forged signature, stale timestamp, altered amount, someone else's order: refused, nothing credited", async () => {
      const p = await pendingPayment();
      const forged = await notify(t, fake.pay(p.outTradeNo, { signWith: testKeyPair().privateKey }));
      assert.equal(forged.statusCode, 401);
      assert.equal(JSON.parse(forged.body).code, "FAIL");
      const stale = await notify(
        t,
        fake.pay(p.outTradeNo, { timestamp: Math.floor(t.clock.now().getTime() / 1000) - 600 }),
      );
      assert.equal(stale.statusCode, 401);
      const altered = await notify(t, fake.pay(p.outTradeNo, { total: 1 }));
      assert.equal(altered.statusCode, 400, altered.body);
      const rejected = await t.db.query<{ code: string }>(
        "select code from payment_rejections where out_trade_no = $1",
        [p.outTradeNo],
      );
      assert.deepEqual(
        rejected.rows.map((r) => r.code),
        ["PAYMENT_AMOUNT_MISMATCH"],
      );
      const stranger = fake.transaction(p.outTradeNo);
      const notOurs = await notify(
        t,
        fake.transactionNotification({ ...stranger, out_trade_no: "JF999999T00000000" }),
      );
      assert.equal(notOurs.statusCode, 400);
      const otherMerchant = await notify(
        t,
        fake.transactionNotification({ ...stranger, mchid: "1900000999" }),
      );
      assert.equal(otherMerchant.statusCode, 401);
      assert.equal(await orderStatus(p.orderId), "pending");
      assert.equal(await payments(p.orderId), 0);
      const list = await call(t, "GET", "/admin/payments/rejections", { token: admin });
      assert.ok(list.data.items.some((r: { code: string }) => r.code === "PAYMENT_UNKNOWN"));
      // The genuine notification still pays it.
      assert.equal((await notify(t, fake.pay(p.outTradeNo))).statusCode, 204);
      assert.equal(await payments(p.orderId), 1);
    });

    test("a notification that never came: the follower's order query catches it", async () => {
      const p = await pendingPayment();
      fake.pay(p.outTradeNo); // paid at WeChat Pay; the notification is lost
      assert.equal(
        (await followOnce({ ...t.app.paymentContext, log: QUIET }, 5 * 60_000)).payments,
        0,
        "too young to query",
      );
      t.clock.advance(6 * 60_000);
      await followOnce({ ...t.app.paymentContext, log: QUIET }, 5 * 60_000);
      assert.equal(await orderStatus(p.orderId), "paid");
      assert.equal(await payments(p.orderId), 1);
      await followOnce({ ...t.app.paymentContext, log: QUIET }, 5 * 60_000);
      assert.equal(await payments(p.orderId), 1);
    });

    test("a refund through WeChat Pay: the order is refunded when the refund notification says SUCCESS", async () => {
      const p = await pendingPayment();
      await notify(t, fake.pay(p.outTradeNo));
      const asked = await call(t, "POST", `/admin/orders/${p.orderId}/refund`, {
        token: admin,
        body: { reason: "七天无理由退货" },
      });
      assert.equal(asked.statusCode, 200, asked.body);
      assert.equal(asked.data.status, "paid", "refunded only when WeChat Pay confirms");
      const outRefundNo = `JFR${p.orderId}N1`;
      assert.equal(fake.refunds.get(outRefundNo)?.refund, 9900);
      const again = await call(t, "POST", `/admin/orders/${p.orderId}/refund`, {
        token: admin,
        body: { reason: "七天无理由退货" },
      });
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(
        fake.refunds.size >= 1 &&
          [...fake.refunds.values()].filter((r) => r.outTradeNo === p.outTradeNo).length,
        1,
      );
      const done = fake.finishRefund(outRefundNo, "SUCCESS");
      assert.equal((await notify(t, done)).statusCode, 204);
      assert.equal(await orderStatus(p.orderId), "refunded");
      assert.equal((await notify(t, done)).statusCode, 204);
      assert.equal(
        await count(t, "ledger_transactions", `kind = 'order.refund' and ref = 'order:${p.orderId}'`),
        1,
      );
      await auditLedger(t);
    });

    async function withdrawal(amount: string) {
      const m = await member();
      await credit(t, m.id, "cash", "100");
      await call(t, "PUT", "/me/payment-accounts/wechat", {
        token: m.token,
        body: { account: `openid-${m.id}` },
      });
      const w = await call(t, "POST", "/me/withdrawals", { token: m.token, body: { amount } });
      assert.equal(w.statusCode, 201, w.body);
      return { m, id: w.data.id as string, payoutNo: `JFW${String(w.data.id).padStart(6, "0")}` };
    }
    const withdrawalStatus = async (id: string) =>
      (await t.db.query<{ status: string }>("select status from withdrawals where id = $1::bigint", [id]))
        .rows[0]?.status;

    test("a payout that fails returns the held cash to the member (a balanced withdrawal.fail)", async () => {
      const w = await withdrawal("50");
      assert.equal(await cashOf(t, w.m.token), "50.00");
      const approved = await call(t, "POST", `/admin/withdrawals/${w.id}/approve`, {
        token: admin,
        body: {},
      });
      assert.equal(approved.statusCode, 200, approved.body);
      assert.equal(approved.data.status, "paying");
      assert.equal(approved.data.payoutNo, w.payoutNo);
      assert.equal(fake.bills.get(w.payoutNo)?.amount, 5000);
      assert.equal(
        (await notify(t, fake.finishTransfer(w.payoutNo, "FAIL", "ACCOUNT_FROZEN"))).statusCode,
        204,
      );
      assert.equal(await withdrawalStatus(w.id), "failed");
      assert.equal(await cashOf(t, w.m.token), "100.00");
      assert.equal(
        await count(t, "ledger_transactions", `kind = 'withdrawal.fail' and ref = 'withdrawal:${w.id}'`),
        1,
      );
      assert.equal(
        await count(t, "ledger_transactions", `kind = 'withdrawal.pay' and ref = 'withdrawal:${w.id}'`),
        0,
      );
      assert.equal(
        (await notify(t, fake.finishTransfer(w.payoutNo, "FAIL", "ACCOUNT_FROZEN"))).statusCode,
        204,
      );
      assert.equal(await cashOf(t, w.m.token), "100.00", "a repeated notification returns nothing twice");
      await auditLedger(t);
    });

    test("a payout whose answer was lost (crash after sending): the retry and the follower pay it once", async () => {
      crashFactory = crashingAfterTransfer(1);
      const w = await withdrawal("30");
      const approved = await call(t, "POST", `/admin/withdrawals/${w.id}/approve`, {
        token: admin,
        body: {},
      });
      assert.equal(approved.statusCode, 200, approved.body);
      assert.equal(approved.data.status, "approved", "the transfer number is stored; the outcome is unknown");
      const retried = await call(t, "POST", `/admin/withdrawals/${w.id}/approve`, { token: admin, body: {} });
      assert.equal(retried.data.code, "WITHDRAWAL_NOT_PENDING");
      crashFactory = crashingAfterTransfer(0);
      await followOnce({ ...t.app.paymentContext, log: QUIET }, 5 * 60_000);
      assert.equal(await withdrawalStatus(w.id), "paying");
      fake.finishTransfer(w.payoutNo, "SUCCESS");
      await followOnce({ ...t.app.paymentContext, log: QUIET }, 5 * 60_000);
      await followOnce({ ...t.app.paymentContext, log: QUIET }, 5 * 60_000);
      assert.equal(await withdrawalStatus(w.id), "paid");
      assert.equal(fake.transferRequests.get(w.payoutNo), 1, "WeChat Pay was asked to transfer once");
      assert.equal(
        await count(t, "ledger_transactions", `kind = 'withdrawal.pay' and ref = 'withdrawal:${w.id}'`),
        1,
      );
      assert.equal(await cashOf(t, w.m.token), "70.00");
      await auditLedger(t);
    });

    test("a payout request that timed out before WeChat Pay took it is sent again under the same number, once", async () => {
      const w = await withdrawal("20");
      fake.hold("/v3/fund-app/mch-transfer/transfer-bills");
      const approved = await call(t, "POST", `/admin/withdrawals/${w.id}/approve`, {
        token: admin,
        body: {},
      });
      assert.equal(approved.data.status, "approved");
      fake.release("/v3/fund-app/mch-transfer/transfer-bills");
      assert.equal(fake.bills.has(w.payoutNo), false);
      await followOnce({ ...t.app.paymentContext, log: QUIET }, 5 * 60_000);
      assert.equal(await withdrawalStatus(w.id), "paying");
      assert.equal(fake.transferRequests.get(w.payoutNo), 1);
      assert.equal((await notify(t, fake.finishTransfer(w.payoutNo, "SUCCESS"))).statusCode, 204);
      assert.equal(await withdrawalStatus(w.id), "paid");
      await auditLedger(t);
    });
  });
}
