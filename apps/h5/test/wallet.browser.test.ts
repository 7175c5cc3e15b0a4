import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { parseDecimal } from "@jifen/engine";
import { call, count, credit } from "../../../packages/server/test/support/app.ts";
import {
  type BrowserApp,
  browserAvailable,
  openBrowserApp,
} from "../../../packages/server/test/support/browser.ts";
import {
  buy,
  type DemoMember,
  equityHeld,
  horizontalOverflow,
  member,
  memberInDebt,
  productId,
  settleNextDay,
  signedInPage,
} from "./support.ts";

const µ = (text: string) => parseDecimal(text);

let web: BrowserApp | null = null;
let holder: DemoMember;
before(async () => {
  if (!browserAvailable("h5")) return;
  web = await openBrowserApp();
  holder = await member(web.server, "13800000001");
  await buy(web.server, holder, await productId(web.server, "有机大米 5kg"));
  await buy(web.server, holder, await productId(web.server, "初级会员礼包"));
  await settleNextDay(web.server);
});
after(async () => {
  await web?.close();
});

test("a member sells equity points after seeing the fee and the cash received", async (t) => {
  if (!web) return t.skip("no browser");
  const server = web.server;
  const heldBefore = await equityHeld(server, holder);
  const cashBefore = (await call(server, "GET", "/me/equity", { token: holder.token })).data.cash;
  const page = await signedInPage(web, holder);
  await page.goto("/h5/equity");
  await page.getByTestId("held-equity").getByText(heldBefore).waitFor();
  await page.getByRole("button", { name: "卖出" }).click();
  await page.getByLabel("卖出数量").fill("5");
  await page.getByRole("button", { name: "计算费用" }).click();

  const preview = page.getByTestId("equity-preview");
  await preview.getByText("手续费（10%）").waitFor();
  // The page shows the server's own figures of this sale, and the preview changed nothing.
  const expected = await call(server, "POST", "/me/equity/sell?dryRun=true", {
    token: holder.token,
    body: { points: "5" },
  });
  const sale = expected.data.sale as { value: string; fee: string; proceeds: string };
  for (const text of [`¥${sale.value}`, `−¥${sale.fee}`, `¥${sale.proceeds}`])
    await preview.getByText(text).waitFor();
  assert.equal(await equityHeld(server, holder), heldBefore);
  assert.equal(await horizontalOverflow(page), 0);

  const transactions = await count(server, "ledger_transactions");
  await page.getByRole("button", { name: "确认卖出" }).click();
  await page.getByText("操作成功").waitFor();
  const heldAfter = await equityHeld(server, holder);
  assert.equal(µ(heldAfter), µ(heldBefore) - µ("5"));
  await page.getByTestId("held-equity").getByText(heldAfter).waitFor();
  const cashAfter = (await call(server, "GET", "/me/equity", { token: holder.token })).data.cash;
  assert.equal(µ(cashAfter) - µ(cashBefore), µ(sale.proceeds), "the cash received is the previewed one");
  assert.equal(await count(server, "ledger_transactions"), transactions + 1, "sold once");
});

test("a member turns equity points into stable points and pays a merchant with them, each previewed", async (t) => {
  if (!web) return t.skip("no browser");
  const server = web.server;
  const merchant = await member(server, "13700000004");
  const page = await signedInPage(web, holder);
  await page.goto("/h5/equity");
  await page.getByTestId("held-equity").waitFor();
  await page.getByRole("button", { name: "转恒定" }).click();
  await page.getByLabel("转出增值积分数量").fill("2");
  await page.getByRole("button", { name: "计算费用" }).click();
  const preview = page.getByTestId("equity-preview");
  const dry = await call(server, "POST", "/me/equity/to-stable?dryRun=true", {
    token: holder.token,
    body: { points: "2" },
  });
  await preview.getByText(`+${dry.data.moved.stable}`).waitFor();
  await preview.getByText("−2").waitFor();
  await page.getByRole("button", { name: "确认提交" }).click();
  await page.getByText("操作成功").waitFor();
  await page.getByTestId("held-stable").getByText(dry.data.moved.stable).waitFor();
  // The next "操作成功" must be the payment's own.
  await page.getByText("操作成功").waitFor({ state: "hidden" });

  await page.getByRole("button", { name: "付款" }).click();
  await page.getByLabel("付款恒定积分").fill("1.5");
  await page.getByLabel("商家邀请码").fill(merchant.inviteCode);
  await page.getByRole("button", { name: "计算费用" }).click();
  await page.getByTestId("equity-preview").getByText("−1.5").waitFor();
  await page.getByRole("button", { name: "确认提交" }).click();
  await page.getByText("操作成功").waitFor();
  const received = await call(server, "GET", "/me/equity", { token: merchant.token });
  assert.equal(received.data.stable, "1.5");
  // A merchant who does not exist is refused in Chinese before anything moves.
  await page.getByRole("button", { name: "付款" }).click();
  await page.getByLabel("付款恒定积分").fill("0.1");
  await page.getByLabel("商家邀请码").fill("NOSUCH1");
  await page.getByRole("button", { name: "计算费用" }).click();
  await page
    .getByTestId("form-error")
    .getByText(/收款商家不存在|会员不存在/)
    .waitFor();
});

test("a withdrawal is refused while the member is in debt, with the reason", async (t) => {
  if (!web) return t.skip("no browser");
  const debtor = await memberInDebt(web.server, "13900000002");
  const page = await signedInPage(web, debtor);
  await page.goto("/h5/withdraw");
  const blocked = page.getByTestId("withdraw-blocked");
  await blocked.getByText(/暂不能提现/).waitFor();
  assert.match((await blocked.textContent()) ?? "", /欠款（增值积分 \d/);
  const cash = (await call(web.server, "GET", "/me/equity", { token: debtor.token })).data.cash;
  assert.ok(µ(cash) > 0n, "the debtor has cash: only the debt holds it back");
  await page.getByTestId("withdraw-cash").getByText(cash).waitFor();
  assert.equal(await page.getByLabel("提现金额").isDisabled(), true);
  assert.equal(await page.getByRole("button", { name: "申请提现" }).isDisabled(), true);
  // The server refuses it as well.
  const refused = await call(web.server, "POST", "/me/withdrawals", {
    token: debtor.token,
    body: { amount: "10" },
  });
  assert.deepEqual([refused.statusCode, refused.data.code], [409, "DEBT_BLOCKS_WITHDRAWAL"]);
  assert.equal(await count(web.server, "withdrawals", `member_id = ${debtor.id}`), 0);
});

test("a withdrawal shows the server's fee preview, is requested and listed as in review", async (t) => {
  if (!web) return t.skip("no browser");
  const m = await member(web.server, "13900000003");
  await credit(web.server, m.id, "cash", "88.80");
  const page = await signedInPage(web, m);
  await page.goto("/h5/withdraw");
  await page.getByTestId("withdraw-cash").getByText("88.80").waitFor();
  await page.getByLabel("提现金额").fill("100");
  await page
    .getByTestId("form-error")
    .getByText(/余额不足/)
    .waitFor();
  await page.getByLabel("提现金额").fill("50.5");
  const preview = page.getByTestId("withdraw-preview");
  await preview.getByText("¥50.50").waitFor();
  await page.getByRole("button", { name: "申请提现" }).click();
  await page.getByRole("button", { name: "确定" }).click();
  await page.getByText("提现申请已提交，等待审核").waitFor();
  const row = page.getByTestId("withdrawal-row").first();
  await row.getByText("审核中").waitFor();
  await row.getByText("¥50.50", { exact: true }).waitFor();
  await page.getByTestId("withdraw-cash").getByText("38.30").waitFor();
  const listed = await call(web.server, "GET", "/me/withdrawals", { token: m.token });
  assert.deepEqual(
    listed.data.items.map((w: { amount: string; status: string }) => [w.amount, w.status]),
    [["50.50", "pending"]],
  );
});

test("a member sees a provider payout as 打款中, 已到账 or 打款失败 with the reason in words", async (t) => {
  if (!web) return t.skip("no browser");
  const server = web.server;
  const m = await member(server, "13900000004");
  await credit(server, m.id, "cash", "100");
  const ask = async (amount: string) => {
    const w = await call(server, "POST", "/me/withdrawals", { token: m.token, body: { amount } });
    assert.equal(w.statusCode, 201, w.body);
    return w.data.id as string;
  };
  // The states a WeChat Pay transfer leaves (the payout flow itself is tested in wechat-pay.test.ts).
  const payout = async (id: string, status: string, failure: string | null) =>
    server.db.query(
      `update withdrawals set status = $2, decided_at = now(), payout_provider = 'wechat',
         payout_no = 'JFH5' || id, payout_account = 'o-member', payout_failure = $3 where id = $1`,
      [id, status, failure],
    );
  await payout(await ask("10"), "paid", null);
  await payout(await ask("20"), "paying", null);
  await payout(await ask("30"), "failed", "ACCOUNT_FROZEN");
  const page = await signedInPage(web, m);
  await page.goto("/h5/withdraw");
  const rows = page.getByTestId("withdrawal-row");
  await rows.filter({ hasText: "¥30.00" }).getByText("打款失败", { exact: true }).waitFor();
  await rows.filter({ hasText: "¥20.00" }).getByText("打款中", { exact: true }).waitFor();
  await rows.filter({ hasText: "¥10.00" }).getByText("已到账", { exact: true }).waitFor();
  const failure =
    (await rows.filter({ hasText: "¥30.00" }).getByTestId("withdrawal-failure").textContent()) ?? "";
  assert.match(failure, /该用户的微信账户已被冻结（ACCOUNT_FROZEN）/);
  assert.match(failure, /¥30\.00 已退回您的余额/);
  assert.equal(await horizontalOverflow(page), 0);
});

test("every member page fits a 390 px phone: 我的, 明细, 团队, 邀请", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await signedInPage(web, holder);
  await page.goto("/h5/me");
  await page.getByTestId("arrivals").getByText("增值积分").waitFor();
  assert.equal(await horizontalOverflow(page), 0);
  await page.goto("/h5/records?asset=points");
  await page
    .getByText(/静态释放/)
    .first()
    .waitFor();
  assert.equal(await horizontalOverflow(page), 0);
  await page.goto("/h5/team");
  await page.getByTestId("network-total").waitFor();
  assert.equal(await horizontalOverflow(page), 0);
  await page.goto("/h5/invite");
  await page.getByTestId("invite-qr").waitFor();
  const link = (await page.getByTestId("invite-link").textContent()) ?? "";
  assert.match(link, new RegExp(`/h5/register\\?invite=${holder.inviteCode}$`));
  assert.equal(await horizontalOverflow(page), 0);
});
