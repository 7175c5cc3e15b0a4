/**
 * The withdrawal queue in a real browser: approve one withdrawal, reject
 * another with a required reason; the queue, the member's cash and the audit
 * log follow.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ADMIN, call, credit, operatorToken, register } from "../../../packages/server/test/support/app.ts";
import {
  type BrowserApp,
  browserAvailable,
  openBrowserApp,
} from "../../../packages/server/test/support/browser.ts";

let web: BrowserApp | null = null;
before(async () => {
  if (browserAvailable("admin")) web = await openBrowserApp();
});
after(async () => {
  await web?.close();
});

test("an operator approves one withdrawal and rejects another with a reason", async (t) => {
  if (!web) return t.skip("no browser");
  const server = web.server;
  const ask = async (phone: string, amount: string) => {
    const m = await register(server, phone);
    await credit(server, m.id, "cash", "100");
    const w = await call(server, "POST", "/me/withdrawals", { token: m.token, body: { amount } });
    assert.equal(w.statusCode, 201, w.body);
    return { member: m, id: w.data.id as string };
  };
  const first = await ask("13933330001", "30");
  const second = await ask("13933330002", "40");

  const page = await web.newPage();
  await page.goto("/admin/#/sign-in");
  await page.getByLabel("用户名").fill(ADMIN.username);
  await page.getByLabel("密码").fill(ADMIN.password);
  await page.getByRole("button", { name: /登\s*录/ }).click();
  await page.getByRole("menuitem", { name: "提现审核" }).click();
  const table = page.getByTestId("withdrawals-table");
  const firstRow = table.locator("tbody tr", { hasText: "139****0001" });
  await firstRow.waitFor();
  // 申请时间 is in view without scrolling the table sideways (the page is 1440 px wide).
  const requestedAt = await table.getByRole("columnheader", { name: "申请时间" }).boundingBox();
  const tableBox = await table.boundingBox();
  assert.ok(requestedAt && tableBox && requestedAt.x + requestedAt.width <= tableBox.x + tableBox.width);
  assert.match((await firstRow.textContent()) ?? "", /30\.00/);
  assert.match((await table.locator("tbody tr", { hasText: "139****0002" }).textContent()) ?? "", /待审核/);

  await page.getByTestId(`approve-${first.id}`).click();
  await page.getByRole("button", { name: /确\s*定/ }).click();
  await page.getByText(`已通过提现 #${first.id}。`).waitFor();
  await firstRow.waitFor({ state: "detached" });

  await page.getByTestId(`reject-${second.id}`).click();
  await page.getByRole("button", { name: "确认驳回" }).click();
  await page.getByText("请填写驳回原因，会员会看到它。").waitFor();
  await page.getByLabel("驳回原因").fill("银行卡户名与实名不一致");
  await page.getByRole("button", { name: "确认驳回" }).click();
  await page.getByText(`已驳回提现 #${second.id}。`).waitFor();

  await page.getByRole("tab", { name: "已驳回" }).click();
  const rejected = table.locator("tbody tr", { hasText: "139****0002" });
  await rejected.waitFor();
  assert.match((await rejected.textContent()) ?? "", /银行卡户名与实名不一致/);
  await page.getByRole("tab", { name: "已通过" }).click();
  await table.locator("tbody tr", { hasText: "139****0001" }).waitFor();

  const admin = await operatorToken(server);
  const decided = await call(server, "GET", "/admin/withdrawals?status=rejected", { token: admin });
  assert.equal(
    decided.data.items.find((w: { id: string }) => w.id === second.id)?.reason,
    "银行卡户名与实名不一致",
  );
  const wallets = await call(server, "GET", "/me/wallets", { token: second.member.token });
  const cash = (wallets.data.wallets as { wallet: string; balance: string }[]).find(
    (w) => w.wallet === "cash",
  );
  assert.equal(cash?.balance, "100.00", "the rejected amount is back in the member's cash");
  const approvedCash = await call(server, "GET", "/me/wallets", { token: first.member.token });
  assert.equal(
    (approvedCash.data.wallets as { wallet: string; balance: string }[]).find((w) => w.wallet === "cash")
      ?.balance,
    "70.00",
  );
});

test("a failed provider payout shows its reason in words, not the provider's code alone", async (t) => {
  if (!web) return t.skip("no browser");
  const server = web.server;
  const m = await register(server, "13933330003");
  await credit(server, m.id, "cash", "100");
  const w = await call(server, "POST", "/me/withdrawals", { token: m.token, body: { amount: "20" } });
  assert.equal(w.statusCode, 201, w.body);
  // What a WeChat Pay transfer that failed leaves behind (the payout flow itself is tested in wechat-pay.test.ts).
  await server.db.query(
    `update withdrawals set status = 'failed', decided_at = now(), payout_provider = 'wechat',
       payout_no = 'JFTRIAL0001', payout_account = 'o-trial', payout_failure = 'ACCOUNT_FROZEN',
       payout_finished_at = now() where id = $1`,
    [w.data.id],
  );

  const page = await web.newPage();
  await page.goto("/admin/#/sign-in");
  await page.getByLabel("用户名").fill(ADMIN.username);
  await page.getByLabel("密码").fill(ADMIN.password);
  await page.getByRole("button", { name: /登\s*录/ }).click();
  await page.getByRole("menuitem", { name: "提现审核" }).click();
  await page.getByRole("tab", { name: "打款失败" }).click();
  const row = page.getByTestId("withdrawals-table").locator("tbody tr", { hasText: "139****0003" });
  await row.waitFor();
  await row.getByText(/失败原因：该用户的微信账户已被冻结（ACCOUNT_FROZEN）/).waitFor();
});
