/**
 * The compliance report in a real browser against the real server: the 合规报告
 * page shows the set in force (share 2 generations, team rules unbounded, the
 * notes and the disclaimer, in Chinese and in English); on the parameters page a
 * draft's report is shown before saving and nothing is saved; a refused draft
 * is shown next to its field; a support operator has no such page.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Locator, Page } from "playwright-core";
import { ADMIN, call, count, operatorToken } from "../../../packages/server/test/support/app.ts";
import {
  type BrowserApp,
  browserAvailable,
  openBrowserApp,
} from "../../../packages/server/test/support/browser.ts";
import { chooseOption, openRoute, signIn, syncClock } from "./support/console.ts";

const SUPPORT = { username: "kefu02", password: "support-pass-2" };
let web: BrowserApp | null = null;

before(async () => {
  if (!browserAvailable("admin")) return;
  web = await openBrowserApp();
  const created = await call(web.server, "POST", "/admin/operators", {
    token: await operatorToken(web.server),
    body: { ...SUPPORT, displayName: "客服小王", role: "support" },
  });
  assert.equal(created.statusCode, 201, created.body);
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

async function text(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? "";
}

/** The rules table's row of a reward, by its Chinese (or English) name. */
function row(scope: Locator | Page, name: string): Locator {
  return scope.getByTestId("compliance-rules").locator("tbody tr", { hasText: name });
}

test("the 合规报告 page: share 2 generations, team rules unbounded, the three patterns, notes and disclaimer", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await openConsole();
  await page.locator(".ant-layout-sider .ant-menu").getByText("合规报告").click();
  const report = page.getByTestId("compliance-report");
  await report.waitFor();
  assert.match(await text(page.locator("body")), /今日生效参数（默认参数，营业日 2026-01-05）/);
  assert.match(
    await text(row(page, "分享加速释放")),
    /积分通证分享加速释放2是是是（≥ ¥3,000）release\.shareRates = \[0\.5, 0\.3\]/,
  );
  assert.match(await text(row(page, "团队级差")), /团队级差不限是是是/);
  assert.match(await text(row(page, "平级奖")), /平级奖不限/);
  assert.match(await text(row(page, "推荐人增值积分")), /推荐人增值积分未开启否否否/);
  const notes = await text(page.getByTestId("compliance-notes"));
  for (const words of [
    "《禁止传销条例》第七条第（一）项",
    "第（二）项",
    "第（三）项",
    "《防范和处置非法集资条例》",
  ])
    assert.ok(notes.includes(words), words);
  assert.match(await text(page.getByTestId("compliance-disclaimer")), /不构成法律意见/);

  await page.getByRole("button", { name: "English" }).click();
  await row(page, "Team differential").getByText("unbounded").waitFor();
  assert.match(await text(page.getByTestId("compliance-disclaimer")), /not legal advice/);
});

test("a draft's compliance report before saving: turning off the peer bonus changes its row, nothing saved", async (t) => {
  if (!web) return t.skip("no browser");
  const versions = await count(web.server, "config_versions");
  const page = await openConsole();
  await openRoute(page, "parameters");
  await page.getByRole("tab", { name: "积分通证" }).click();
  const form = page.getByTestId("form-release");
  await form.locator("#release_peerRate").fill("0");
  await form.getByRole("button", { name: "查看草稿的合规报告" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByTestId("compliance-report").waitFor();
  assert.match(await text(dialog), /参数草稿的合规报告[\s\S]*保存后自 2026-01-06 起生效/);
  assert.match(await text(row(dialog, "平级奖")), /平级奖未开启/);
  assert.match(await text(row(dialog, "团队级差")), /不限/);
  assert.match(await text(row(dialog, "分享加速释放")), /分享加速释放2/);
  await dialog.getByRole("button", { name: "关闭" }).click();
  await dialog.waitFor({ state: "detached" });
  assert.equal(await count(web.server, "config_versions"), versions, "a report saves nothing");
  // The page's header links to the report of the set in force.
  await page.locator(".ant-layout-content").getByRole("link", { name: "合规报告" }).click();
  await page.getByText(/今日生效参数（默认参数/).waitFor();
});

/** Opens 模拟草稿 for a draft of a slower daily release. */
async function openSimulation(page: Page): Promise<Locator> {
  await openRoute(page, "parameters");
  await page.getByRole("tab", { name: "积分通证" }).click();
  const form = page.getByTestId("form-release");
  await form.locator("#release_dailyRate").fill("0.006");
  await form.getByRole("button", { name: "模拟草稿" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByText("模拟：草稿参数对比今日生效参数").waitFor();
  return dialog;
}

/** Picks `option` in the dialog's select labelled `label`, once the select shows it. */
async function choose(page: Page, dialog: Locator, label: string, option: string): Promise<void> {
  await chooseOption(page, dialog.getByLabel(label), option);
}

test("a draft's simulation with the operator's plan: growth, mix and behaviour sent as set, both curves and summaries; nothing saved", async (t) => {
  if (!web) return t.skip("no browser");
  const versions = await count(web.server, "config_versions");
  const page = await openConsole();
  const dialog = await openSimulation(page);
  await dialog.getByLabel("天数").fill("40");
  await dialog.getByLabel("初始会员").fill("30");
  await dialog.getByLabel("随机种子").fill("7");
  await choose(page, dialog, "推荐人选择", "均匀随机");
  await choose(page, dialog, "增长曲线", "每日固定人数");
  // The curve decides the fields: 每日新会员 takes the place of 日增长率 (and 会员上限 goes).
  await dialog.getByLabel("每日新会员").fill("4.5");
  await dialog.getByLabel("停止增长日（可空）").fill("30");
  await dialog.getByLabel("每人每月订单数").fill("2");
  // The mix: drop the ordinary goods line, give its share to the cycle line, buy only the entry package.
  const mix = dialog.getByTestId("simulation-mix");
  await mix
    .getByRole("button", { name: /^删\s?除$/ })
    .nth(3)
    .click();
  await dialog.getByLabel("订单占比 2").fill("0.5");
  await dialog.getByLabel("金额或礼包 1").fill("初级会员:1");
  await dialog.getByLabel("积分抵扣比例").fill("0");
  await dialog.getByLabel("持有人每日卖出比例").fill("0.1");
  await dialog.getByLabel("现金每日提现比例").fill("0.25");
  const sent = page.waitForRequest((r) => r.url().endsWith("/admin/simulations"));
  await dialog.getByRole("button", { name: "运行模拟" }).click();
  assert.deepEqual((await sent).postDataJSON().plan, {
    days: 40,
    seed: 7,
    startMembers: 30,
    growth: { curve: "constant", perDay: "4.5", stopDay: 30 },
    referrer: "uniform",
    purchases: {
      ordersPerMemberPerMonth: "2",
      pointsPaidShare: "0",
      mix: [
        { plans: ["release"], share: "0.3", packages: { 初级会员: "1" } },
        { plans: ["cycle"], share: "0.5", amounts: ["299", "599", "999"] },
        { plans: ["equity"], share: "0.2", amounts: ["100", "500"] },
      ],
    },
    behaviour: { equitySellShare: "0.1", cashWithdrawShare: "0.25" },
  });
  await dialog.getByTestId("simulation-chart").locator("canvas").first().waitFor({ timeout: 60_000 });
  const current = await text(dialog.getByTestId("simulation-summary-current"));
  const draft = await text(dialog.getByTestId("simulation-summary-draft"));
  assert.match(current, /^今日生效参数./);
  assert.match(current, /增长在第 30 天停止/, "the stop day set in the dialog");
  assert.match(draft, /^草稿参数./);
  assert.notEqual(
    current.replace(/^今日生效参数/, ""),
    draft.replace(/^草稿参数/, ""),
    "a slower release changes the run",
  );
  await dialog.locator(".ant-segmented").getByText("未付分红额度").click();
  await dialog.getByTestId("simulation-chart").locator("canvas").first().waitFor();
  assert.equal(await count(web.server, "config_versions"), versions, "a simulation saves nothing");
});

test("a plan the server refuses: the refusal is shown on the field it names, and no curves", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await openConsole();
  const dialog = await openSimulation(page);
  const errorOf = (label: string) =>
    dialog.locator(".ant-form-item", { has: page.getByLabel(label) }).locator(".ant-form-item-explain-error");
  await dialog.getByLabel("日增长率").fill("0.0000001");
  await dialog.getByRole("button", { name: "运行模拟" }).click();
  await errorOf("日增长率").waitFor();
  assert.match(await text(errorOf("日增长率")), /PLAN_BAD_DECIMAL[\s\S]*growth\.rate/);
  assert.match(await text(dialog.getByTestId("simulation-refusal")), /PLAN_BAD_DECIMAL/);
  await dialog.getByLabel("日增长率").fill("0.05");
  await dialog.getByLabel("金额或礼包 1").fill("钻石会员:1");
  await dialog.getByRole("button", { name: "运行模拟" }).click();
  await errorOf("金额或礼包 1").waitFor();
  assert.match(await text(errorOf("金额或礼包 1")), /PLAN_UNKNOWN_PACKAGE[\s\S]*钻石会员/);
  assert.equal(await dialog.getByTestId("simulation-chart").count(), 0, "nothing drawn");
});

test("a refused draft is shown next to its field instead of a report", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await openConsole();
  await openRoute(page, "parameters");
  await page.getByRole("tab", { name: "积分通证" }).click();
  const form = page.getByTestId("form-release");
  await form.locator("#release_peerRate").fill("1.5");
  await form.getByRole("button", { name: "查看草稿的合规报告" }).click();
  const item = form.locator(".ant-form-item", { has: page.locator("#release_peerRate") });
  const error = item.locator(".ant-form-item-explain-error");
  await error.waitFor();
  assert.equal(await text(error), "参数无效：release.peerRate 须在 0 到 1 之间。");
  await page.getByTestId("params-refusal").waitFor();
  assert.equal(await page.getByTestId("compliance-report").count(), 0);
});

test("a support operator has no 合规报告 page", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await openConsole(SUPPORT);
  assert.doesNotMatch(await text(page.locator(".ant-layout-sider .ant-menu")), /合规报告/);
  await openRoute(page, "compliance");
  await page.getByText("页面不存在。").waitFor();
});
