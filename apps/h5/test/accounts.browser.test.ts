/**
 * 我的 → 收款账户 in a real browser: the WeChat openid linked through the whole
 * web-authorization round trip — the page asks the server for WeChat's
 * authorize URL, the browser goes to the local fake of open.weixin.qq.com,
 * which sends it back to the page with a code and the state, and the server
 * exchanges the code at the fake's sns/oauth2/access_token — and the Alipay
 * account entered with the real name.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { call, credit, operatorToken } from "../../../packages/server/test/support/app.ts";
import {
  type BrowserApp,
  browserAvailable,
  openBrowserApp,
} from "../../../packages/server/test/support/browser.ts";
import { startFakeWechat, wechatTestSetup } from "../../../packages/server/test/support/fake-wechatpay.ts";
import { member, signedInPage } from "./support.ts";

let web: BrowserApp | null = null;
let fake: Awaited<ReturnType<typeof startFakeWechat>> | null = null;
before(async () => {
  if (!browserAvailable("h5")) return;
  web = await openBrowserApp();
  const server = web.server;
  const setup = wechatTestSetup(() => Math.floor(server.clock.now().getTime() / 1000));
  fake = await startFakeWechat(setup.options);
  const saved = await call(server, "PUT", "/admin/payments/providers/wechat", {
    token: await operatorToken(server),
    body: { enabled: true, payouts: true, config: setup.config(fake.url) },
  });
  assert.equal(saved.statusCode, 200, saved.body);
});
after(async () => {
  await web?.close();
  await fake?.close();
});

test("a member links the WeChat openid through WeChat's authorization and enters an Alipay account", async (t) => {
  if (!web || !fake) return t.skip("no browser");
  const m = await member(web.server, "13811110001");
  fake.setWechatUser("oH5MEMBER_linked_by_oauth_0001");
  const page = await signedInPage(web, m);
  await page.goto("/h5/me");
  await page.getByText("收款账户").click();
  const wechat = page.getByTestId("account-wechat");
  await wechat.getByText("未绑定").waitFor();
  await wechat.getByRole("button", { name: "微信授权绑定" }).click();
  // Back from the fake WeChat: the code is exchanged and the account shows linked, masked.
  await wechat.getByText("已绑定 oH5M****0001").waitFor();
  assert.equal(new URL(page.url()).search, "", "the code and state are dropped from the address");
  const accounts = await call(web.server, "GET", "/me/payment-accounts", { token: m.token });
  assert.deepEqual(accounts.data, [
    { provider: "wechat", account: "oH5MEMBER_linked_by_oauth_0001", accountName: null },
  ]);

  const alipay = page.getByTestId("account-alipay");
  await alipay.getByRole("button", { name: "保存支付宝账户" }).click();
  await alipay.getByText("请填写支付宝账号和真实姓名").waitFor();
  await page.getByLabel("支付宝账号").fill("member@example.com");
  await page.getByLabel("真实姓名").fill("张三");
  await alipay.getByRole("button", { name: "保存支付宝账户" }).click();
  await page.getByText("支付宝账户已保存").waitFor();
  const both = await call(web.server, "GET", "/me/payment-accounts", { token: m.token });
  assert.deepEqual(
    both.data.find((a: { provider: string }) => a.provider === "alipay"),
    { provider: "alipay", account: "member@example.com", accountName: "张三" },
  );
});

test("a WeChat transfer waiting for the member: 确认收款 opens WeChat's confirmation with this transfer's package", async (t) => {
  if (!web || !fake) return t.skip("no browser");
  const server = web.server;
  const m = await member(server, "13811110002");
  await credit(server, m.id, "cash", "100");
  await call(server, "PUT", "/me/payment-accounts/wechat", {
    token: m.token,
    body: { account: "oH5MEMBER_confirm_0002" },
  });
  const placed = await call(server, "POST", "/me/withdrawals", { token: m.token, body: { amount: "20" } });
  assert.equal(placed.statusCode, 201, placed.body);
  fake.transfersNeedConfirmation(true);
  try {
    const approved = await call(server, "POST", `/admin/withdrawals/${placed.data.id}/approve`, {
      token: await operatorToken(server),
      body: {},
    });
    assert.equal(approved.data.status, "paying", approved.body);
  } finally {
    fake.transfersNeedConfirmation(false);
  }

  // In a phone browser outside WeChat the page says where to confirm.
  const browser = await signedInPage(web, m);
  await browser.goto("/h5/withdraw");
  const row = browser.getByTestId("withdrawal-confirm");
  await row.getByText("微信已受理，请确认收款后到账").waitFor();
  await row.getByRole("button", { name: "确认收款" }).click();
  await browser.getByText("请在微信中打开本页面，再点“确认收款”。").waitFor();

  // Inside WeChat the button calls WeChat's requestMerchantTransfer (the bridge is WeChat's own,
  // which a test browser does not have: this one records the call and answers ok).
  const inWechat = await signedInPage(web, m);
  await inWechat.addInitScript({
    content: `Object.defineProperty(navigator, "userAgent", { get: () => "Mozilla/5.0 (iPhone) MicroMessenger/8.0.50" });
      window.WeixinJSBridge = { invoke(name, params, done) { window.__wechatCalls = [...(window.__wechatCalls ?? []), { name, params }]; done({ err_msg: name + ":ok" }); } };`,
  });
  await inWechat.goto("/h5/withdraw");
  await inWechat.getByTestId("withdrawal-confirm").getByRole("button", { name: "确认收款" }).click();
  await inWechat.getByText("已确认收款，到账以微信通知为准。").waitFor();
  const calls = await inWechat.evaluate("window.__wechatCalls");
  const payoutNo = `JFW${String(placed.data.id).padStart(6, "0")}`;
  assert.deepEqual(calls, [
    {
      name: "requestMerchantTransfer",
      params: {
        mchId: "1900000109",
        appId: "wxd678efh567hg6787",
        package: `affffddafdfafddffda==${fake.bills.get(payoutNo)?.billNo}`,
      },
    },
  ]);
  // WeChat's notification then pays it; the row says 已到账 and the button is gone.
  const finished = fake.finishTransfer(payoutNo, "SUCCESS");
  const notified = await server.app.inject({
    method: "POST",
    url: "/payments/wechat/notify",
    headers: finished.headers,
    payload: finished.body,
  });
  assert.equal(notified.statusCode, 204, notified.body);
  await inWechat.reload();
  await inWechat.getByTestId("withdrawal-row").getByText("已到账").waitFor();
  assert.equal(await inWechat.getByTestId("withdrawal-confirm").count(), 0);
});
