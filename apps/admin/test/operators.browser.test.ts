/**
 * Operators in a real browser: an admin adds a support operator, who signs in
 * and finds no menu entry for what support may not do; an operator on the
 * public demo password is held on the password page until it is changed; the
 * audit log names who did each of these.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { ADMIN, call, operatorToken, sendCode } from "../../../packages/server/test/support/app.ts";
import {
  type BrowserApp,
  browserAvailable,
  openBrowserApp,
} from "../../../packages/server/test/support/browser.ts";
import { chooseOption } from "./support/console.ts";

const DEMO_PASSWORD = "jifen-admin-123";

let web: BrowserApp | null = null;
before(async () => {
  if (browserAvailable("admin")) web = await openBrowserApp();
});
after(async () => {
  await web?.close();
});

async function signIn(page: Page, username: string, password: string) {
  await page.goto("/admin/#/sign-in");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: /登\s*录/ }).click();
}

async function menu(page: Page): Promise<string[]> {
  await page.getByRole("menuitem").first().waitFor();
  return (await page.getByRole("menuitem").allTextContents()).map((s) => s.trim());
}

test("an admin adds a support operator, who sees no menu entry for what support may not do", async (t) => {
  if (!web) return t.skip("no browser");
  const code = await sendCode(web.server, "13944440001", "register");
  const page = await web.newPage();
  await signIn(page, ADMIN.username, ADMIN.password);
  await page.getByRole("menuitem", { name: "运营账号" }).click();
  await page.getByRole("button", { name: "新增账号" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("用户名").fill("kefu.zhang");
  await dialog.getByLabel("姓名").fill("张客服");
  await dialog.getByRole("radio", { name: /^客服/ }).check();
  await dialog.getByLabel("初始密码").fill("kefu-pass-2026");
  await dialog.getByRole("button", { name: /确\s*定|OK/ }).click();
  await page.getByText("已新增账号 kefu.zhang。").waitFor();
  const row = page.getByTestId("operators-table").locator("tbody tr", { hasText: "kefu.zhang" });
  assert.match((await row.textContent()) ?? "", /客服/);
  const adminMenu = await menu(page);
  for (const entry of ["订单管理", "提现审核", "运营账号", "操作日志", "短信记录"]) {
    assert.ok(adminMenu.includes(entry), `admin menu has ${entry}: ${adminMenu}`);
  }
  // The admin reads the console provider's codes.
  await page.getByRole("menuitem", { name: "短信记录" }).click();
  const adminSms = page.getByTestId("sms-table").locator("tbody tr", { hasText: "139****0001" }).first();
  assert.match((await adminSms.textContent()) ?? "", new RegExp(code));

  await page.getByRole("button", { name: "退出登录" }).click();
  await signIn(page, "kefu.zhang", "kefu-pass-2026");
  const supportMenu = await menu(page);
  assert.ok(supportMenu.includes("订单管理"), `${supportMenu}`);
  assert.ok(supportMenu.includes("短信记录"));
  for (const entry of ["提现审核", "运营账号", "操作日志"]) {
    assert.ok(!supportMenu.includes(entry), `support menu lacks ${entry}: ${supportMenu}`);
  }
  await page.goto("/admin/#/operators");
  await page.getByText("页面不存在。").waitFor();
  // Support sees the outbox with the code masked.
  await page.getByRole("menuitem", { name: "短信记录" }).click();
  const supportSms = page.getByTestId("sms-table").locator("tbody tr", { hasText: "139****0001" }).first();
  const text = (await supportSms.textContent()) ?? "";
  assert.doesNotMatch(text, new RegExp(code));
  assert.match(text, /\*{6}/);
});

test("an operator on the public demo password can do nothing but change it", async (t) => {
  if (!web) return t.skip("no browser");
  const server = web.server;
  const admin = await operatorToken(server);
  const created = await call(server, "POST", "/admin/operators", {
    token: admin,
    body: { username: "boss", displayName: "王店长", role: "admin", password: DEMO_PASSWORD },
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.data.mustChangePassword, true);

  const page = await web.newPage();
  await signIn(page, "boss", DEMO_PASSWORD);
  await page.getByTestId("force-password").waitFor();
  assert.equal(await page.getByRole("menuitem").count(), 0, "no menu while the password is the demo one");
  await page.goto("/admin/#/orders");
  await page.getByTestId("force-password").waitFor();
  assert.equal(await page.getByTestId("orders-table").count(), 0);

  await page.getByLabel("当前密码").fill("not-my-password");
  await page.getByLabel("新密码", { exact: true }).fill("wang-dian-2026");
  await page.getByLabel("确认新密码").fill("wang-dian-2026");
  await page.getByRole("button", { name: "保存新密码" }).click();
  const refusal = page.getByTestId("password-error");
  await refusal.waitFor();
  assert.match((await refusal.textContent()) ?? "", /[\u4e00-\u9fff]/);
  await page.getByLabel("当前密码").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "保存新密码" }).click();
  await page.getByTestId("orders-table").waitFor();
  assert.ok((await menu(page)).includes("运营账号"));

  const again = await call(server, "POST", "/admin/auth/login", {
    body: { username: "boss", password: "wang-dian-2026" },
  });
  assert.equal(again.statusCode, 200, again.body);
  assert.equal(again.data.mustChangePassword, false);
});

test("the audit log shows what was just done, by whom, on what", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await web.newPage();
  await signIn(page, ADMIN.username, ADMIN.password);
  await page.getByRole("menuitem", { name: "操作日志" }).click();
  const table = page.getByTestId("audit-table");
  const created = table.locator("tbody tr", { hasText: "新增运营账号" }).filter({ hasText: "kefu.zhang" });
  await created.first().waitFor();
  const createdText = (await created.first().textContent()) ?? "";
  assert.match(createdText, new RegExp(ADMIN.username));
  assert.match(createdText, /运营账号 \d+/);
  const changed = table.locator("tbody tr", { hasText: "修改密码" }).first();
  assert.match((await changed.textContent()) ?? "", /boss/);

  // The choice must show in the select before the search is asked for: a loaded machine once
  // searched with no filter applied (a click while the option list still opened had not taken).
  await chooseOption(page, page.getByLabel("操作", { exact: true }), "修改密码");
  const filtered = page.waitForResponse(
    (r) => r.url().includes("/admin/audit-log") && r.url().includes("action="),
  );
  await page.getByRole("button", { name: /查\s*询/ }).click();
  await filtered;
  await table.locator("tbody tr", { hasText: "修改密码" }).first().waitFor();
  // Several 登录后台 rows may show before the filter applies; wait until none is left.
  await table.locator("tbody tr", { hasText: "登录后台" }).first().waitFor({ state: "detached" });
  const rows = await table.locator("tbody tr.ant-table-row").allTextContents();
  assert.ok(rows.length >= 1 && rows.every((r) => r.includes("修改密码")), rows.join("\n"));
});
