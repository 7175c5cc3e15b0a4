/**
 * Screenshots of every page of the member site at 390×844, zh-CN, against the
 * real server on a fresh embedded database with demo data made through the API
 * (apps/h5/test/support.ts). Run by `npm run screenshots` (scripts/screenshots.mjs),
 * written to docs/screenshots/h5/.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { latestCode } from "../../packages/server/test/support/app.ts";
import { openBrowserApp, PHONE } from "../../packages/server/test/support/browser.ts";
import { demoNetwork, memberInDebt, signedInPage } from "./test/support.ts";

const OUT = join(import.meta.dirname, "../../docs/screenshots/h5");
mkdirSync(OUT, { recursive: true });

const web = await openBrowserApp();
const t = web.server;

async function shot(page: Page, name: string, ready: string): Promise<void> {
  await page.getByText(ready).first().waitFor();
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(OUT, `${name}.png`) });
  console.log(`screenshots: docs/screenshots/h5/${name}.png`);
}

try {
  const { a } = await demoNetwork(t);
  const debtor = await memberInDebt(t, "13300009999");

  const guest = await web.newPage(PHONE);
  await guest.goto("/h5/sign-in");
  await shot(guest, "sign-in", "验证码登录");
  await guest.goto(`/h5/register?invite=${a.inviteCode}`);
  await guest.getByLabel("手机号").fill("13100002222");
  await guest.getByTestId("send-code").click();
  await guest.getByText(/秒后重发/).waitFor();
  await latestCode(t, "13100002222");
  await guest.getByText("验证码已发送").waitFor({ state: "hidden" });
  await shot(guest, "register", "您正通过邀请码");
  await guest.goto("/h5/reset-password");
  await shot(guest, "reset-password", "重置密码");

  const page = await signedInPage(web, a);
  await page.goto("/h5/me");
  await shot(page, "me", "昨日到账");
  await page.goto("/h5/records?asset=points");
  await shot(page, "records-points", "静态释放");
  await page.goto("/h5/records?asset=cny");
  await page.getByTestId("record-line").first().waitFor();
  await shot(page, "records-cash", "资产明细");
  await page.goto("/h5/team");
  await shot(page, "team", "网体总业绩");
  await page.goto("/h5/invite");
  await page.getByTestId("invite-qr").waitFor();
  await shot(page, "invite", "复制邀请链接");
  await page.goto("/h5/equity");
  await page.getByTestId("price-chart").waitFor();
  await shot(page, "equity", "价格走势");
  await page.getByRole("button", { name: /卖出/ }).click();
  await page.getByLabel("卖出数量").fill("5");
  await page.getByRole("button", { name: "计算费用" }).click();
  await shot(page, "equity-sell-preview", "实得余额");
  await page.goto("/h5/withdraw");
  await page.getByLabel("提现金额").fill("500");
  await shot(page, "withdraw", "预计到账");

  const owing = await signedInPage(web, debtor);
  await owing.goto("/h5/withdraw");
  await shot(owing, "withdraw-blocked", "暂不能提现");
} finally {
  await web.close();
}
