/**
 * 协议设置 / Agreements in a real browser against the real server: the built-in
 * texts show as version 1; an admin edits the privacy policy and publishes it
 * after a confirmation; it becomes version 2 for the member site, the audit log
 * names it, and a blank text is refused in the form.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { call } from "../../../packages/server/test/support/app.ts";
import {
  type BrowserApp,
  browserAvailable,
  openBrowserApp,
} from "../../../packages/server/test/support/browser.ts";
import { openRoute, signIn, syncClock } from "./support/console.ts";

let web: BrowserApp | null = null;
before(async () => {
  if (browserAvailable("admin")) web = await openBrowserApp();
});
after(async () => {
  await web?.close();
});

test("an admin publishes a new privacy policy, which the member site then shows", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await web.newPage();
  await syncClock(page, web.server.clock.now());
  await signIn(page, "admin", "admin-password-1");
  await openRoute(page, "agreements");
  const terms = page.getByTestId("agreement-terms");
  await terms.getByTestId("agreement-version").getByText("第 1 版").waitFor();
  await terms.getByText("系统内置").waitFor();

  await page.getByRole("tab", { name: "隐私政策" }).click();
  const privacy = page.getByTestId("agreement-privacy");
  const body = privacy.getByLabel("正文");
  assert.match(await body.inputValue(), /我们重视您的个人信息保护/, "the built-in text is there to edit");
  await body.fill("   ");
  await privacy.getByRole("button", { name: "发布新版本" }).click();
  await privacy.getByText("请填写协议正文。").waitFor();

  await body.fill("一、我们只收集手机号和交易记录。\n二、我们不会出售您的个人信息。");
  await privacy.getByRole("button", { name: "发布新版本" }).click();
  await page.locator(".ant-modal-confirm-title", { hasText: "发布为第 2 版？" }).waitFor();
  await page.getByRole("dialog").getByRole("button", { name: "发布新版本" }).click();
  await page.getByText("已发布第 2 版。").waitFor();
  await privacy.getByTestId("agreement-version").getByText("第 2 版").waitFor();
  assert.equal(await privacy.getByText("系统内置").count(), 0);
  assert.equal(await privacy.getByTestId("agreement-consents").textContent(), "0");

  const shown = await call(web.server, "GET", "/agreements/privacy");
  assert.equal(shown.data.version, 2);
  assert.equal(shown.data.body, "一、我们只收集手机号和交易记录。\n二、我们不会出售您的个人信息。");
  assert.equal(
    (await call(web.server, "GET", "/agreements/terms")).data.version,
    1,
    "the other one is untouched",
  );

  await page.getByRole("menuitem", { name: "操作日志" }).click();
  const row = page.getByTestId("audit-table").locator("tbody tr", { hasText: "发布协议" }).first();
  await row.waitFor();
  assert.match((await row.textContent()) ?? "", /版本.*2/);
});
