/**
 * 支付设置 in a real browser against the real server: an admin saves WeChat
 * Pay's settings (the secrets typed once, then shown only as 已设置 and never
 * sent back to the page); a bad field shows the server's Chinese message on
 * that field and nothing stored changes.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { ADMIN, call, operatorToken } from "../../../packages/server/test/support/app.ts";
import {
  type BrowserApp,
  browserAvailable,
  openBrowserApp,
} from "../../../packages/server/test/support/browser.ts";
import { testKeyPair } from "../../../packages/server/test/support/fake-wechatpay.ts";
import { openRoute, signIn, syncClock } from "./support/console.ts";

let web: BrowserApp | null = null;
before(async () => {
  if (browserAvailable("admin")) web = await openBrowserApp();
});
after(async () => {
  await web?.close();
});

async function storedWechat(web: BrowserApp): Promise<{ enabled: boolean; config: Record<string, string> }> {
  const rows = await web.server.db.query<{ value: string }>(
    "select value from server_settings where key = 'payments.wechat'",
  );
  return JSON.parse(rows.rows[0]?.value ?? "null");
}

test("an admin saves WeChat Pay's settings; secrets stay hidden; a bad field shows the server's message and nothing changes", async (t) => {
  if (!web) return t.skip("no browser");
  const merchant = testKeyPair();
  const platform = testKeyPair();
  const apiV3Key = randomBytes(16).toString("hex");
  const page = await web.newPage();
  await syncClock(page, web.server.clock.now());
  await signIn(page, ADMIN.username, ADMIN.password);
  await page.getByRole("menuitem", { name: "支付设置" }).click();
  await page.getByTestId("payment-methods").waitFor();
  assert.match((await page.getByTestId("method-wechat").textContent()) ?? "", /未开启/);
  const form = page.getByTestId("provider-form-wechat");
  const field = (name: string) => form.locator(`[data-field="${name}"]`);
  await field("mchId").fill("1900000109");
  await field("appId").fill("wxd678efh567hg6787");
  await field("appSecret").fill("app-secret-typed-once-0000000000");
  await field("notifyUrl").fill("https://shop.example.com/payments/wechat/notify");
  await field("serialNo").fill("5157F09EFDC096DE15EBE81A47057A7232F1B8E1");
  await field("privateKey").fill(merchant.privateKey);
  await field("apiV3Key").fill(apiV3Key);
  await field("platformSerial").fill("PUB_KEY_ID_0114232134912410000000000000");
  await field("platformPublicKey").fill(platform.publicKey);
  await page.getByTestId("wechat-enabled").click();
  await page.getByTestId("wechat-save").click();
  await page.getByText("微信支付配置已保存").waitFor();

  const saved = await storedWechat(web);
  assert.equal(saved.enabled, true);
  assert.equal(saved.config.apiV3Key, apiV3Key);
  assert.equal(saved.config.privateKey, merchant.privateKey.trim());
  assert.match((await page.getByTestId("method-wechat").textContent()) ?? "", /已开启/);
  // The secrets are not on the page: the fields are empty, marked 已设置, and a reload brings back only masks.
  await openRoute(page, "payments");
  await field("apiV3Key").waitFor();
  assert.equal(await field("apiV3Key").inputValue(), "");
  assert.equal(await field("privateKey").inputValue(), "");
  assert.equal(await field("appSecret").inputValue(), "");
  assert.equal(await field("mchId").inputValue(), "1900000109");
  const html = await page.content();
  assert.ok(!html.includes(apiV3Key), "the APIv3 key never reaches the page");
  assert.ok(!html.includes(merchant.privateKey.split("\n")[1] ?? "?"), "nor the private key");
  assert.ok((await form.getByText("已设置").count()) >= 3, "each secret is shown as 已设置");
  const listed = await call(web.server, "GET", "/admin/payments/providers", {
    token: await operatorToken(web.server),
  });
  assert.equal(listed.data.find((p: { name: string }) => p.name === "wechat").config.apiV3Key, "******");

  // A bad APIv3 key: the server's Chinese refusal shows on that field; nothing stored changes.
  await field("apiV3Key").fill("too-short");
  await field("mchId").fill("1900000999");
  await page.getByTestId("wechat-save").click();
  // antd's help of field apiV3Key (the server's words, under that field).
  await form
    .locator("#apiV3Key_help")
    .getByText(/APIv3 密钥应为 32 个字符/)
    .waitFor();
  assert.deepEqual(await storedWechat(web), saved, "nothing changed");
});
