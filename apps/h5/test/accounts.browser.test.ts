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
import { call, operatorToken } from "../../../packages/server/test/support/app.ts";
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
