/**
 * The members pages in the browser (issue 10): find a member by mobile number,
 * open the detail, adjust points with a reason through the server's preview,
 * read the history line and the audit entry with the operator's name, open the
 * referral tree two levels, and a support operator sees masked phone numbers.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { ADMIN, call, credit, operatorToken, register } from "../../../packages/server/test/support/app.ts";
import {
  type BrowserApp,
  browserAvailable,
  openBrowserApp,
} from "../../../packages/server/test/support/browser.ts";

let web: BrowserApp | null = null;
const m: Record<string, { id: string; inviteCode: string }> = {};
const SUPPORT = { username: "kefu.wang", password: "support-pass-1" };

before(async () => {
  if (!browserAvailable("admin")) return;
  web = await openBrowserApp();
  const t = web.server;
  m.a = await register(t, "13800000001");
  m.b = await register(t, "13800000002", m.a.inviteCode);
  m.c = await register(t, "13800000003", m.b.inviteCode);
  await credit(t, m.b.id, "points", "20.5");
  const created = await call(t, "POST", "/admin/operators", {
    token: await operatorToken(t),
    body: { ...SUPPORT, displayName: "王客服", role: "support" },
  });
  assert.equal(created.statusCode, 201, created.body);
});
after(async () => {
  await web?.close();
});

async function signIn(page: Page, who: { username: string; password: string }): Promise<void> {
  await page.goto("/admin/");
  await page.getByLabel("用户名").fill(who.username);
  await page.getByLabel("密码").fill(who.password);
  await page.getByRole("button", { name: /登\s*录/ }).click();
  await page.getByText("数据看板").first().waitFor();
}

async function findByPhone(page: Page, phone: string): Promise<void> {
  await page.getByRole("menuitem", { name: "会员管理" }).click();
  await page.getByLabel("手机号").fill(phone);
  await page.getByRole("button", { name: /查\s*询/ }).click();
  await page.waitForURL(new RegExp(`phone=${phone}`));
}

function rows(page: Page) {
  return page.getByTestId("members-table").locator("tbody tr.ant-table-row");
}

test("an admin finds a member by mobile number and opens the detail", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await web.newPage();
  await signIn(page, ADMIN);
  await findByPhone(page, "13800000002");
  await rows(page).first().getByText("13800000002").waitFor();
  assert.equal(await rows(page).count(), 1);
  await rows(page).first().getByRole("link", { name: "详情" }).click();
  await page.waitForURL(new RegExp(`#/members/${m.b?.id}$`));
  assert.equal(await page.getByTestId("member-phone").textContent(), "13800000002");
  const wallets = page.getByTestId("member-wallets");
  await wallets.getByText("已释放积分").waitFor();
  assert.match((await wallets.locator("tr", { hasText: "已释放积分" }).textContent()) ?? "", /20\.5/);
  assert.match((await page.getByTestId("member-team").textContent()) ?? "", /直推人数\s*1/);
});

test("an admin adjusts points with a reason, sees the balance after, then the history line and the audit entry", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await web.newPage();
  await signIn(page, ADMIN);
  await page.goto(`/admin/#/members/${m.b?.id}`);
  await page.getByRole("button", { name: "调整积分/余额" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("数量").fill("100.25");
  await dialog.getByRole("button", { name: "下一步：核对" }).click();
  await dialog.getByText("请写明调整原因。").waitFor(); // the reason is required before anything is sent
  await dialog.getByLabel("原因").fill("双十一活动补发");
  await dialog.getByRole("button", { name: "下一步：核对" }).click();
  const after = dialog.getByTestId("adjust-balance-after");
  await after.waitFor();
  assert.equal(await after.textContent(), "120.75");
  assert.match((await dialog.getByTestId("adjust-preview").textContent()) ?? "", /20\.5.*120\.75/s);
  const server = web.server;
  const before = await call(server, "GET", `/admin/members/${m.b?.id}`, {
    token: await operatorToken(server),
  });
  const points = (w: { wallet: string; balance: string }[]) => w.find((x) => x.wallet === "points")?.balance;
  assert.equal(points(before.data.wallets), "20.5", "the preview wrote nothing");
  await dialog.getByRole("button", { name: "确认调整" }).click();
  await page.getByText("已调整，当前余额 120.75。").waitFor();

  const history = page.getByTestId("history-table");
  await history.getByText(/双十一活动补发/).waitFor();
  assert.match((await history.locator("tbody tr").first().textContent()) ?? "", /双十一活动补发.*\+100\.25/s);
  await page.getByRole("tab", { name: "操作记录" }).click();
  const audit = page.getByTestId("audit-table");
  await audit.getByText(/双十一活动补发/).waitFor();
  const entry = (await audit.locator("tbody tr").first().textContent()) ?? "";
  assert.match(entry, new RegExp(`${ADMIN.username}.*手动调整.*已释放积分 \\+100\\.25`, "s"));

  const afterwards = await call(server, "GET", `/admin/members/${m.b?.id}`, {
    token: await operatorToken(server),
  });
  assert.equal(points(afterwards.data.wallets), "120.75");
  const log = await call(server, "GET", "/admin/audit-log?action=member.adjust", {
    token: await operatorToken(server),
  });
  const mine = log.data.items.find(
    (e: { detail: { reason?: string } }) => e.detail.reason === "双十一活动补发",
  );
  assert.equal(mine?.operatorName, ADMIN.username);
});

test("the referral tree opens one level at a time, two levels down", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await web.newPage();
  await signIn(page, ADMIN);
  await page.goto(`/admin/#/members/${m.a?.id}`);
  await page.getByRole("tab", { name: "推荐树" }).click();
  const tree = page.getByTestId("referral-tree");
  const node = (id: string | undefined) =>
    tree.locator(".ant-tree-treenode", { has: page.getByTestId(`tree-node-${id}`) });
  await node(m.a?.id).locator(".ant-tree-switcher").click();
  await page.getByTestId(`tree-node-${m.b?.id}`).waitFor();
  assert.equal(await page.getByTestId(`tree-node-${m.c?.id}`).count(), 0, "level two waits for its click");
  assert.match((await page.getByTestId(`tree-node-${m.a?.id}`).textContent()) ?? "", /直推 1 人/);
  await node(m.b?.id).locator(".ant-tree-switcher").click();
  await page.getByTestId(`tree-node-${m.c?.id}`).waitFor();
  assert.match((await page.getByTestId(`tree-node-${m.c?.id}`).textContent()) ?? "", /13800000003/);
});

test("a level of more than one page opens with 加载更多", async (t) => {
  if (!web) return t.skip("no browser");
  await web.server.db.query(
    `insert into members (id, phone, password_hash, invite_code, referrer_id, depth, created_at)
     select 700000 + g, '136' || lpad(g::text, 8, '0'), 'x', 'WIDE' || g, $1::bigint, 3, now()
     from generate_series(1, 55) g`,
    [m.c?.id],
  );
  const page = await web.newPage();
  await signIn(page, ADMIN);
  await page.goto(`/admin/#/members/${m.c?.id}`);
  await page.getByRole("tab", { name: "推荐树" }).click();
  const tree = page.getByTestId("referral-tree");
  await tree.locator(".ant-tree-switcher").first().click();
  await page.getByTestId("tree-node-700055").waitFor();
  assert.match((await page.getByTestId(`tree-node-${m.c?.id}`).textContent()) ?? "", /直推 55 人/);
  assert.equal(await tree.locator("[data-testid^=tree-node-7000]").count(), 50);
  await tree.getByRole("button", { name: "加载更多" }).click();
  await page.getByTestId("tree-node-700001").waitFor();
  assert.equal(await tree.locator("[data-testid^=tree-node-7000]").count(), 55);
  assert.equal(await tree.getByRole("button", { name: "加载更多" }).count(), 0);
});

test("a support operator sees masked phone numbers and neither adjusts nor exports", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await web.newPage();
  await signIn(page, SUPPORT);
  await findByPhone(page, "13800000001");
  await rows(page).first().getByText("138****0001").waitFor();
  assert.doesNotMatch((await page.getByTestId("members-table").textContent()) ?? "", /13800000001/);
  assert.equal(await page.getByTestId("members-export").count(), 0);
  await rows(page).first().getByRole("link", { name: "详情" }).click();
  assert.equal(await page.getByTestId("member-phone").textContent(), "138****0001");
  assert.equal(await page.getByRole("button", { name: "调整积分/余额" }).count(), 0);
  await page.getByRole("tab", { name: "推荐树" }).click();
  await page.getByTestId("referral-tree").locator(".ant-tree-switcher").first().click();
  await page.getByText("138****0002").waitFor();
  await page.getByRole("button", { name: "English" }).click();
  await page.getByRole("tab", { name: "Referral tree" }).waitFor();
  await page.getByText("Network performance", { exact: true }).waitFor();
});

test("an admin exports members as CSV with the token and gets a UTF-8 file with BOM", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await web.newPage();
  await signIn(page, ADMIN);
  await page.getByRole("menuitem", { name: "会员管理" }).click();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("members-export").click(),
  ]);
  assert.match(download.suggestedFilename(), /^会员-\d{4}-\d{2}-\d{2}\.csv$/);
  const path = await download.path();
  const { readFileSync } = await import("node:fs");
  const bytes = readFileSync(path);
  assert.ok(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])));
  const text = bytes.toString("utf8").slice(1);
  assert.match(text, /^会员ID,手机号,/);
  const members = await web.server.db.query<{ n: string }>("select count(*) as n from members");
  assert.equal(text.trim().split("\r\n").length, 1 + Number(members.rows[0]?.n));
});
