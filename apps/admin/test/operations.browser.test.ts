/**
 * The console's operations pages in a real browser against the real server:
 * a parameter change shown with its diff and then as scheduled; an invalid
 * parameter refused next to its field with nothing changed; a dry run and a
 * real settlement and their reports; a support operator who neither sees the
 * parameters page nor may call its API.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Locator, Page } from "playwright-core";
import { ADMIN, call, count, operatorToken, register } from "../../../packages/server/test/support/app.ts";
import {
  type BrowserApp,
  browserAvailable,
  openBrowserApp,
} from "../../../packages/server/test/support/browser.ts";
import { paidOrder } from "../../../packages/server/test/support/equity.ts";
import { openRoute, signIn, syncClock } from "./support/console.ts";

const SUPPORT = { username: "kefu01", password: "support-pass-1" };
let web: BrowserApp | null = null;

before(async () => {
  if (!browserAvailable("admin")) return;
  web = await openBrowserApp();
  const t = web.server;
  const admin = await operatorToken(t);
  const created = await call(t, "POST", "/admin/operators", {
    token: admin,
    body: { ...SUPPORT, displayName: "客服小李", role: "support" },
  });
  assert.equal(created.statusCode, 201, created.body);
  // Day 2026-01-05: two members buy in every plan; then the day is over.
  const a = await register(t, "13900000001");
  const b = await register(t, "13900000002", a.inviteCode);
  for (const [member, product] of [
    [a, "3"],
    [b, "4"],
    [b, "1"],
  ] as const) {
    await paidOrder(t, member, product, admin);
  }
  t.clock.advance(86_400_000);
});
after(async () => {
  await web?.close();
});

async function openConsole(as: { username: string; password: string } = ADMIN): Promise<Page> {
  if (!web) throw new Error("no browser");
  const page = await web.newPage();
  await syncClock(page, web.server.clock.now());
  await signIn(page, as.username, as.password);
  return page;
}

/** A node's text ("" for none). */
async function text(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? "";
}

async function shownConfig() {
  if (!web) throw new Error("no browser");
  return (await call(web.server, "GET", "/admin/config", { token: await operatorToken(web.server) })).data;
}

test("an admin changes a parameter, confirms its diff, and sees it scheduled for the next business day", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await openConsole();
  await openRoute(page, "parameters");
  await page.getByRole("tab", { name: "消费增值" }).click();
  const form = page.getByTestId("form-equity");
  await form.locator("#equity_sellFeeRate").fill("0.05");
  await form.getByRole("button", { name: /保存修改/ }).click();
  const dialog = page.getByRole("dialog");
  const diff = dialog.getByTestId("change-list");
  await diff.waitFor();
  const rows = await diff.locator("tbody tr").allInnerTexts();
  assert.match(await text(diff.locator("thead")), /参数[\s\S]*原值 → 新值/);
  assert.equal(await diff.locator("del").count(), 0, "the old value is not struck out");
  assert.deepEqual(rows.length, 1, rows.join(" | "));
  assert.match(rows[0] ?? "", /卖出手续费率\s*equity\.sellFeeRate\s*0\.1\s*→\s*0\.05/);
  assert.match(await text(dialog), /2026-01-07 起生效/);
  await dialog.getByLabel("修改说明（可选）").fill("卖出手续费下调至 5%");
  await dialog.getByRole("button", { name: /确认保存/ }).click();
  await page.getByText(/已保存版本 #\d+，将于 2026-01-07 起生效/).waitFor();

  const scheduled = page.getByTestId("params-scheduled");
  await scheduled.getByText("equity.sellFeeRate").waitFor();
  assert.match(await text(scheduled), /已排定：2026-01-07 起生效的变更[\s\S]*0\.1\s*→\s*0\.05/);
  const history = page.getByTestId("params-history").locator("tbody tr").first();
  await history.getByText("卖出手续费下调至 5%").waitFor();
  assert.match(await text(history), /2026-01-07[\s\S]*equity\.sellFeeRate[\s\S]*0\.05[\s\S]*管理员/);

  const shown = await shownConfig();
  assert.equal(shown.next.config.equity.sellFeeRate, "0.05", "the change is in force from the next day");
  assert.equal(shown.config.equity.sellFeeRate, "0.1", "today's set is unchanged");
  assert.equal(shown.versions[0].note, "卖出手续费下调至 5%");
});

test("an invalid parameter is refused next to its field with the server's words, and nothing changes", async (t) => {
  if (!web) return t.skip("no browser");
  const before = await shownConfig();
  const versions = await count(web.server, "config_versions");
  const page = await openConsole();
  await openRoute(page, "parameters");
  await page.getByRole("tab", { name: "积分通证" }).click();
  const form = page.getByTestId("form-release");
  await form.locator("#release_pointsPayRatio").fill("1.5");
  await form.getByRole("button", { name: /保存修改/ }).click();
  const item = form.locator(".ant-form-item", { has: page.locator("#release_pointsPayRatio") });
  const error = item.locator(".ant-form-item-explain-error");
  await error.waitFor();
  assert.equal(await text(error), "参数无效：release.pointsPayRatio 须在 0 到 1 之间。");
  await page.getByTestId("params-refusal").waitFor();
  assert.equal(await page.getByRole("dialog").count(), 0, "no confirmation for a refused set");

  await form.locator("#release_pointsPayRatio").fill("abc");
  await item.getByText(/请输入数字/).waitFor(); // the form's own check, before anything is sent

  assert.equal(await count(web.server, "config_versions"), versions);
  assert.deepEqual(await shownConfig(), before, "the parameters are as they were");
});

test("a dry run shows the open day's report without writing; settling now settles it and its report reads the same", async (t) => {
  if (!web) return t.skip("no browser");
  const server = web.server;
  const ledger = await count(server, "ledger_transactions");
  const page = await openConsole();
  await openRoute(page, "settlements");
  await page.getByRole("button", { name: /试算当前营业日/ }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByTestId("settlement-report").waitFor();
  assert.match(await text(dialog), /试算结果：营业日 2026-01-05/);
  const dryReleased = await text(dialog.getByTestId("total-released"));
  assert.ok(Number(dryReleased) > 0, `the package's gift releases on its first day (${dryReleased})`);
  assert.equal(await count(server, "ledger_transactions"), ledger, "a dry run writes nothing");
  assert.equal(await count(server, "settlement_runs"), 0);
  const dryText = await text(dialog);
  assert.match(dryText, /静态分红池[\s\S]*动态分红池/);
  assert.match(dryText, /读取会员 [\d,]+/);
  assert.doesNotMatch(dryText, /\bstatic\b|\bdynamic\b|load:members/, "no raw codes");
  await dialog.locator(".ant-modal-close").click();

  await page.getByRole("button", { name: /立即日结/ }).click();
  await page
    .getByRole("dialog")
    .getByRole("button", { name: /开始日结/ })
    .click();
  await page.getByText("营业日 2026-01-05 已日结。").waitFor();
  const row = page.getByTestId("settlement-runs").locator("tbody tr", { hasText: "2026-01-05" });
  await row.getByText("已完成").waitFor();
  await row.getByRole("link", { name: "查看报告" }).click();
  await page.getByText("日结报告：营业日 2026-01-05").waitFor();
  const report = page.getByTestId("settlement-report");
  await report.waitFor();
  const run = await call(server, "GET", "/admin/settlements/2026-01-05", {
    token: await operatorToken(server),
  });
  assert.equal(run.data.status, "done");
  assert.equal(await text(report.getByTestId("total-released")), run.data.report.totals.released);
  assert.equal(run.data.report.totals.released, dryReleased, "the dry run computed what the run wrote");
  assert.equal(await text(report.getByTestId("total-dividends")), run.data.report.totals.dividends);
  assert.match(await text(report), /账本交易 [\d,]+[\s\S]*账本分录 [\d,]+/);
  assert.doesNotMatch(await text(report), /transactions \d|write:/, "no raw codes");
  assert.ok((await count(server, "ledger_transactions")) > ledger, "the settlement wrote the ledger");
});

test("a support operator sees neither the parameters nor the settlements, and the API refuses them", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await openConsole(SUPPORT);
  const menu = page.locator(".ant-layout-sider .ant-menu");
  assert.match(await text(menu), /数据看板/);
  assert.doesNotMatch(await text(menu), /参数设置|日结/);
  await openRoute(page, "parameters");
  await page.getByText("页面不存在。").waitFor();
  assert.equal(await page.locator("#equity_sellFeeRate").count(), 0);

  const stored = (await page.evaluate('localStorage.getItem("jifen.admin.session")')) as string | null;
  const token = (JSON.parse(stored ?? "{}") as { token?: string }).token;
  assert.ok(token, "signed in");
  for (const [method, path] of [
    ["GET", "/admin/config"],
    ["GET", "/admin/config/versions"],
    ["POST", "/admin/config"],
  ] as const) {
    const response = await fetch(`${web.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(method === "POST" ? { body: JSON.stringify({ params: { coolingOffDays: 1 } }) } : {}),
    });
    assert.equal(response.status, 403, `${method} ${path}`);
    assert.equal(((await response.json()) as { code: string }).code, "FORBIDDEN");
  }
});

test("the dashboard shows the server's daily figures and draws its charts", async (t) => {
  if (!web) return t.skip("no browser");
  const server = web.server;
  const series = await call(server, "GET", "/admin/reports/daily", { token: await operatorToken(server) });
  assert.equal(series.data.totals.sales, "3298.00", "three orders paid on 2026-01-05");
  const page = await openConsole(SUPPORT);
  await openRoute(page, "dashboard");
  const totals = page.getByTestId("range-totals");
  await totals.waitFor();
  assert.match(await text(totals), /销售额（元）\s*3,298\.00[\s\S]*支付订单\s*3[\s\S]*新增会员\s*2/);
  const settled = series.data.days.find((d: { day: string }) => d.day === "2026-01-05");
  assert.equal(settled.settled, true, "settled by the test before");
  const released = page.getByTestId("last-released");
  assert.match(await text(released), new RegExp(`${settled.released}[\\s\\S]*营业日 2026-01-05`));
  assert.match(
    await text(page.getByTestId("equity-price")),
    new RegExp(settled.equityPrice.replace(".", "\\.")),
  );
  for (const chart of ["chart-sales", "chart-members", "chart-rewards", "chart-equity"]) {
    await page.getByTestId(chart).locator("canvas").first().waitFor();
  }
  assert.match(await text(page.getByTestId("liabilities")), /待释放赠送积分/);

  await openRoute(page, "liabilities");
  const reach = page.locator(".ant-card", { hasText: "奖励穿透层级" });
  await reach.locator("tbody tr").first().waitFor();
  const reachText = await text(reach);
  assert.match(reachText, /推荐人增值积分[\s\S]*推荐人权重[\s\S]*分享加速释放[\s\S]*团队级差、平级奖/);
  assert.doesNotMatch(
    reachText,
    /referrer.s|acceleration|levels,|参数版本 —/,
    "no English in the Chinese page",
  );
});
