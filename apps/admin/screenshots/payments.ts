/**
 * Screenshots of 支付设置 and of withdrawals paid out through WeChat Pay, on
 * the screenshot run's server (apps/admin/screenshots.ts): WeChat Pay is
 * configured against the local fake that speaks API v3 (test/support), four
 * withdrawals are approved and paid out through it — one paid, one failed
 * (its cash returned), one still paying, one waiting — so every payout state
 * on the picture was reached through the real protocol.
 * docs/screenshots/admin/payments.png, payments-field-error.png, withdrawals-payouts.png.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { call, credit, operatorToken, register } from "../../../packages/server/test/support/app.ts";
import type { BrowserApp } from "../../../packages/server/test/support/browser.ts";
import { startFakeWechat, wechatTestSetup } from "../../../packages/server/test/support/fake-wechatpay.ts";
import { openRoute } from "../test/support/console.ts";

const OUT = join(import.meta.dirname, "../../../docs/screenshots/admin");

async function payoutsThroughFake(web: BrowserApp, fake: Awaited<ReturnType<typeof startFakeWechat>>) {
  const t = web.server;
  const admin = await operatorToken(t);
  const notify = (n: { body: string; headers: Record<string, string> }) =>
    t.app.inject({ method: "POST", url: "/payments/wechat/notify", headers: n.headers, payload: n.body });
  const outcomes = ["paid", "failed", "paying", "pending"] as const;
  for (const [i, outcome] of outcomes.entries()) {
    const m = await register(t, `1370000${String(9000 + i)}`);
    await credit(t, m.id, "cash", "300");
    await call(t, "PUT", "/me/payment-accounts/wechat", {
      token: m.token,
      body: { account: `oUpF8uMuAJO_M2pxb1Q9zNjWe${String(i).padStart(3, "0")}` },
    });
    const w = await call(t, "POST", "/me/withdrawals", {
      token: m.token,
      body: { amount: `${(i + 1) * 50}` },
    });
    if (outcome === "pending") continue;
    const approved = await call(t, "POST", `/admin/withdrawals/${w.data.id}/approve`, {
      token: admin,
      body: {},
    });
    const payoutNo = approved.data.payoutNo as string;
    if (outcome === "paid") await notify(fake.finishTransfer(payoutNo, "SUCCESS"));
    if (outcome === "failed") await notify(fake.finishTransfer(payoutNo, "FAIL", "ACCOUNT_FROZEN"));
  }
}

/** Configures WeChat Pay against the fake, pays withdrawals out, and takes the pictures. */
export async function paymentScreenshots(web: BrowserApp, page: Page): Promise<void> {
  const t = web.server;
  const setup = wechatTestSetup(() => Math.floor(t.clock.now().getTime() / 1000));
  const fake = await startFakeWechat(setup.options);
  try {
    const saved = await call(t, "PUT", "/admin/payments/providers/wechat", {
      token: await operatorToken(t),
      body: { enabled: true, payouts: true, config: setup.config(fake.url) },
    });
    if (saved.statusCode !== 200) throw new Error(`wechat settings: ${saved.body}`);
    await payoutsThroughFake(web, fake);
    // The picture shows the production addresses (the defaults), not the fake's.
    await t.db.query(
      `update server_settings set value = ((value::jsonb) #- '{config,endpoint}' #- '{config,oauthBase}' #- '{config,snsBase}')::text
       where key = 'payments.wechat'`,
    );
    await openRoute(page, "payments");
    await page.getByTestId("provider-form-wechat").waitFor();
    await page.screenshot({ path: join(OUT, "payments.png"), fullPage: true });
    const form = page.getByTestId("provider-form-wechat");
    await form.locator('[data-field="apiV3Key"]').fill("abc123");
    await page.getByTestId("wechat-save").click();
    await form.locator("#apiV3Key_help").waitFor();
    await form.locator('[data-field="apiV3Key"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(OUT, "payments-field-error.png") });
    await openRoute(page, "withdrawals");
    await page.getByRole("tab", { name: "全部" }).click();
    await page.getByTestId("withdrawals-table").locator("tbody tr").nth(3).waitFor();
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(OUT, "withdrawals-payouts.png"), fullPage: true });
    console.log("docs/screenshots/admin/payments.png, payments-field-error.png, withdrawals-payouts.png");
  } finally {
    await fake.close();
  }
}
