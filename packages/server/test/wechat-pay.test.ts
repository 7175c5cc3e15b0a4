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
import { downloadStatement, ourLines, reconcileDay } from "../src/reconcile/index.ts";
import {
  auditLedger,
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
import { startFakeWechat, testKeyPair, wechatTestSetup } from "./support/fake-wechatpay.ts";
import { heldFetch, ORDINARY_TIMEOUT_MS } from "./support/held-fetch.ts";

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
        paymentDeps: {
          // Ordinary calls: a limit a loaded machine meets. A call the fake holds is never answered, so
          // its short limit always runs out, however slow the machine (then the provider's TIMEOUT).
          timeoutMs: ORDINARY_TIMEOUT_MS,
          fetch: heldFetch((url) => fake.holds(url)),
        },
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

    test("a transfer WeChat holds for the member's confirmation: only that member gets what WeChat's confirm needs", async () => {
      fake.transfersNeedConfirmation(true);
      try {
        const w = await withdrawal("20");
        const approved = await call(t, "POST", `/admin/withdrawals/${w.id}/approve`, {
          token: admin,
          body: {},
        });
        assert.equal(approved.data.status, "paying", approved.body);
        const billNo = fake.bills.get(w.payoutNo)?.billNo;
        assert.equal(approved.data.payoutAction, `affffddafdfafddffda==${billNo}`);
        const confirm = await call(t, "GET", `/me/withdrawals/${w.id}/payout-confirm`, { token: w.m.token });
        assert.equal(confirm.statusCode, 200, confirm.body);
        assert.deepEqual(confirm.data, {
          mchId: "1900000109",
          appId: "wxd678efh567hg6787",
          package: `affffddafdfafddffda==${billNo}`,
        });
        const other = await member();
        const notTheirs = await call(t, "GET", `/me/withdrawals/${w.id}/payout-confirm`, {
          token: other.token,
        });
        assert.deepEqual([notTheirs.statusCode, notTheirs.data.code], [404, "WITHDRAWAL_NOT_FOUND"]);
        assert.equal((await notify(t, fake.finishTransfer(w.payoutNo, "SUCCESS"))).statusCode, 204);
        assert.equal(await withdrawalStatus(w.id), "paid");
        const done = await call(t, "GET", `/me/withdrawals/${w.id}/payout-confirm`, { token: w.m.token });
        assert.deepEqual([done.statusCode, done.data.code], [409, "WITHDRAWAL_NO_CONFIRM"]);
      } finally {
        fake.transfersNeedConfirmation(false);
      }
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

    test("an operator's 查询/重发 on a stuck payout: sent once under the same number, booked when final, refused after", async () => {
      const w = await withdrawal("10");
      fake.hold("/v3/fund-app/mch-transfer/transfer-bills");
      const approved = await call(t, "POST", `/admin/withdrawals/${w.id}/approve`, {
        token: admin,
        body: {},
      });
      assert.equal(approved.data.status, "approved");
      fake.release("/v3/fund-app/mch-transfer/transfer-bills");
      const support = await operatorWithRole(t, "support");
      const notAllowed = await call(t, "POST", `/admin/withdrawals/${w.id}/payout/refresh`, {
        token: support,
        body: {},
      });
      assert.equal(notAllowed.statusCode, 403);
      const sent = await call(t, "POST", `/admin/withdrawals/${w.id}/payout/refresh`, {
        token: admin,
        body: {},
      });
      assert.equal(sent.statusCode, 200, sent.body);
      assert.equal(sent.data.status, "paying");
      const again = await call(t, "POST", `/admin/withdrawals/${w.id}/payout/refresh`, {
        token: admin,
        body: {},
      });
      assert.equal(again.data.status, "paying");
      assert.equal(fake.transferRequests.get(w.payoutNo), 1, "asked to transfer once");
      fake.finishTransfer(w.payoutNo, "SUCCESS"); // the notification is lost; the query finds it
      const paid = await call(t, "POST", `/admin/withdrawals/${w.id}/payout/refresh`, {
        token: admin,
        body: {},
      });
      assert.equal(paid.data.status, "paid");
      assert.equal(
        await count(t, "ledger_transactions", `kind = 'withdrawal.pay' and ref = 'withdrawal:${w.id}'`),
        1,
      );
      const closed = await call(t, "POST", `/admin/withdrawals/${w.id}/payout/refresh`, {
        token: admin,
        body: {},
      });
      assert.equal(closed.statusCode, 409);
      assert.equal(closed.data.code, "WITHDRAWAL_PAYOUT_NOT_OPEN");
      await auditLedger(t);
    });

    test("the openid through WeChat's web authorization (snsapi_base): state bound to the member, code used once", async () => {
      const m = await member();
      const other = await member();
      const asked = await call(
        t,
        "GET",
        `/me/payment-accounts/wechat/authorize?redirectUri=${encodeURIComponent("https://shop.example.com/me/accounts?from=wx")}`,
        { token: m.token },
      );
      assert.equal(asked.statusCode, 200, asked.body);
      const url = new URL(asked.data.url);
      assert.equal(`${url.origin}${url.pathname}`, `${fake.url}/connect/oauth2/authorize`);
      assert.equal(url.searchParams.get("appid"), setup.options.appId);
      assert.equal(url.searchParams.get("scope"), "snsapi_base");
      assert.equal(url.hash, "#wechat_redirect");
      fake.setWechatUser("oMEMBER_openid_from_wechat_0001");
      // The browser at WeChat: redirected back to the member site with a code and the state.
      const wechat = await fetch(asked.data.url, { redirect: "manual" });
      assert.equal(wechat.status, 302);
      const back = new URL(wechat.headers.get("location") ?? "");
      assert.equal(back.origin + back.pathname, "https://shop.example.com/me/accounts");
      const code = back.searchParams.get("code") ?? "";
      const state = back.searchParams.get("state") ?? "";
      assert.equal(state, asked.data.state);
      // Someone else cannot put this code on their own account with this member's state.
      const stolen = await call(t, "POST", "/me/payment-accounts/wechat/oauth", {
        token: other.token,
        body: { code, state },
      });
      assert.equal(stolen.statusCode, 400);
      assert.equal(stolen.data.code, "WECHAT_OAUTH_STATE_INVALID");
      const linked = await call(t, "POST", "/me/payment-accounts/wechat/oauth", {
        token: m.token,
        body: { code, state },
      });
      assert.equal(linked.statusCode, 200, linked.body);
      assert.equal(linked.data.account, "oMEMBER_openid_from_wechat_0001");
      const mine = await call(t, "GET", "/me/payment-accounts", { token: m.token });
      assert.deepEqual(
        mine.data.map((a: { provider: string; account: string }) => [a.provider, a.account]),
        [["wechat", "oMEMBER_openid_from_wechat_0001"]],
      );
      assert.deepEqual((await call(t, "GET", "/me/payment-accounts", { token: other.token })).data, []);
      // A code works once (WeChat: 40163 code been used): refused in Chinese, nothing changed.
      const reused = await call(t, "POST", "/me/payment-accounts/wechat/oauth", {
        token: m.token,
        body: { code, state },
      });
      assert.equal(reused.statusCode, 502);
      assert.equal(reused.data.code, "WECHAT_OAUTH_FAILED");
      assert.match(reused.data.message, /40163/);
      // A state older than ten minutes is refused before WeChat is asked.
      t.clock.advance(11 * 60_000);
      const late = await call(t, "POST", "/me/payment-accounts/wechat/oauth", {
        token: m.token,
        body: { code: "whatever", state },
      });
      assert.equal(late.data.code, "WECHAT_OAUTH_STATE_INVALID");
    });

    test("settings: a bad field is refused with its name and nothing changes; secrets stay hidden and kept when left empty", async () => {
      const before = await call(t, "GET", "/admin/payments/providers", { token: admin });
      assert.equal(before.statusCode, 200, before.body);
      const wechat = before.data.find((p: { name: string }) => p.name === "wechat");
      assert.equal(wechat.config.appSecret, "******");
      assert.equal(wechat.config.apiV3Key, "******");
      const finance = await operatorWithRole(t, "finance");
      assert.equal((await call(t, "GET", "/admin/payments/providers", { token: finance })).statusCode, 403);
      const config = {
        ...wechat.config,
        privateKey: "",
        apiV3Key: "",
        appSecret: "",
        platformPublicKey: wechat.config.platformPublicKey,
      };
      for (const [field, value, words] of [
        ["apiV3Key", "too-short", /APIv3 密钥应为 32 个字符/],
        ["notifyUrl", "shop.example.com/notify", /notifyUrl 应为 http/],
      ] as const) {
        const bad = await call(t, "PUT", "/admin/payments/providers/wechat", {
          token: admin,
          body: { enabled: true, payouts: true, config: { ...config, [field]: value } },
        });
        assert.equal(bad.statusCode, 400, bad.body);
        assert.equal(bad.data.code, "PAYMENT_SETTINGS_INVALID");
        assert.equal(bad.data.field, field);
        assert.match(bad.data.message, words);
      }
      const unchanged = await call(t, "GET", "/admin/payments/providers", { token: admin });
      assert.deepEqual(unchanged.data, before.data);
      const kept = await call(t, "PUT", "/admin/payments/providers/wechat", {
        token: admin,
        body: { enabled: true, payouts: true, config: { ...config, mchId: setup.options.mchId } },
      });
      assert.equal(kept.statusCode, 200, kept.body);
      const stored = await t.db.query<{ value: string }>(
        "select value from server_settings where key = 'payments.wechat'",
      );
      const saved = JSON.parse(stored.rows[0]?.value ?? "{}").config;
      assert.equal(saved.apiV3Key, setup.options.apiV3Key, "an empty secret keeps the stored one");
      assert.equal(saved.appSecret, setup.options.appSecret);
    });

    test("reconcile --provider wechat downloads the trade bill (signed, gzip, SHA1) and finds each planted difference", async () => {
      const date = "2026-01-05";
      const paid = await t.db.query<{ out_trade_no: string; provider_tx_id: string; amount: string }>(
        "select out_trade_no, provider_tx_id, amount from payments where provider = 'wechat' and provider_tx_id is not null order by id",
      );
      assert.ok(paid.rows.length >= 3, "earlier tests paid orders");
      const header =
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
      const line = (outTradeNo: string, txId: string, yuan: string) =>
        `\`${date} 10:00:00,\`${setup.options.appId},\`${setup.options.mchId},\`0,\`,\`${txId},\`${outTradeNo},\`o1,\`NATIVE,\`SUCCESS,\`OTHERS,\`CNY,\`${yuan},\`0.00,\`0,\`0,\`0.00,\`0.00,\`,\`,\`积分商城订单,\`,\`0.00000,\`0.60%,\`${yuan},\`0.00,\``;
      const bill = (lines: string[]) =>
        [header, ...lines, "总交易单数,应结订单总金额", "`0,`0.00", ""].join("\r\n");
      const payLines = paid.rows.map((r) => ({ no: r.out_trade_no, tx: r.provider_tx_id, yuan: "99.00" }));
      const refunds = await t.db.query<{ n: string }>(
        "select count(*)::text as n from payment_refunds r join payments p on p.id = r.payment_id where p.provider = 'wechat' and r.status = 'succeeded'",
      );
      const sources = {
        ours: async (...a: Parameters<typeof ourLines>) =>
          (await ourLines(...a)).filter((l) => l.kind === "payment"),
        fetch: (db: Parameters<typeof downloadStatement>[0], provider: "wechat" | "alipay", day: string) =>
          downloadStatement(db, provider, day, { now: () => t.clock.now() }),
      };
      assert.ok(Number(refunds.rows[0]?.n) >= 0);
      fake.setTradeBill(date, bill(payLines.map((p) => line(p.no, p.tx, p.yuan))));
      const clean = await reconcileDay(t.db, { provider: "wechat", date }, sources);
      assert.deepEqual(clean.differences, []);
      const [missing, altered, ...kept] = payLines;
      fake.setTradeBill(
        date,
        bill([
          ...kept.map((p) => line(p.no, p.tx, p.yuan)),
          line(altered?.no ?? "", altered?.tx ?? "", "98.99"),
          line("JF-NOT-OURS", "4200000000000000000000000099", "10.00"),
        ]),
      );
      const found = await reconcileDay(t.db, { provider: "wechat", date }, sources);
      assert.deepEqual(
        found.differences.map((d) => `${d.kind}:${d.line}:${d.outTradeNo}`).sort(),
        [
          `amount_differs:payment:${altered?.no}`,
          "missing_here:payment:JF-NOT-OURS",
          `missing_there:payment:${missing?.no}`,
        ].sort(),
      );
      fake.corruptDownloads("`9,`9.99\r\n");
      await assert.rejects(
        reconcileDay(t.db, { provider: "wechat", date }, sources),
        (e: unknown) => e instanceof PaymentProviderError && e.providerCode === "BAD_HASH",
      );
      fake.corruptDownloads("");
      const none = await reconcileDay(t.db, { provider: "wechat", date: "2026-01-01" }, sources);
      assert.deepEqual(none.differences, [], "no bill and no payment that day");
    });
  });
}
