/**
 * Data for the member site's browser tests and screenshots, made through the
 * HTTP API as a shop would make it: members registered with SMS codes under
 * each other's invite codes, paid orders of the demo products, settled days.
 * And the browser side: a page signed in as a member.
 */
import type { Page } from "playwright-core";
import {
  call,
  credit,
  latestCode,
  operatorToken,
  register,
  type TestApp,
} from "../../../packages/server/test/support/app.ts";
import { type BrowserApp, PHONE } from "../../../packages/server/test/support/browser.ts";

export interface DemoMember {
  readonly id: string;
  readonly phone: string;
  readonly token: string;
  readonly inviteCode: string;
}

/** Registers `phone` (under `referrer`) and keeps its number. */
export async function member(t: TestApp, phone: string, referrer?: DemoMember): Promise<DemoMember> {
  const m = await register(t, phone, referrer?.inviteCode);
  return { ...m, phone };
}

/** The id of the seeded demo product named `name`. */
export async function productId(t: TestApp, name: string): Promise<string> {
  const list = await call(t, "GET", "/products");
  const found = (list.data.items as { id: string; name: string }[]).find((p) => p.name === name);
  if (!found) throw new Error(`no product ${name}`);
  return found.id;
}

/** Places an order (paying `points` of it with released points) and confirms its payment as an operator. */
export async function buy(t: TestApp, m: DemoMember, product: string, points?: string): Promise<string> {
  const order = await call(t, "POST", "/orders", {
    token: m.token,
    body: { productId: product, ...(points ? { points } : {}) },
  });
  if (order.statusCode !== 201) throw new Error(`order ${order.statusCode}: ${order.body}`);
  if (order.data.status === "paid") return order.data.id;
  const paid = await call(t, "POST", `/admin/orders/${order.data.id}/confirm-payment`, {
    token: await operatorToken(t),
  });
  if (paid.statusCode !== 200) throw new Error(`pay ${paid.statusCode}: ${paid.body}`);
  return order.data.id;
}

/** Moves the clock a day on and settles every day that is over, as the operator's scheduler would. */
export async function settleNextDay(t: TestApp): Promise<void> {
  t.clock.advance(86_400_000);
  const run = await call(t, "POST", "/admin/settlements/run", {
    token: await operatorToken(t),
    body: { dryRun: false },
  });
  if (run.statusCode !== 200) throw new Error(`settle ${run.statusCode}: ${run.body}`);
}

/** Refunds an order as an operator. */
export async function refund(t: TestApp, orderId: string): Promise<void> {
  const done = await call(t, "POST", `/admin/orders/${orderId}/refund`, {
    token: await operatorToken(t),
    body: { reason: "退货" },
  });
  if (done.statusCode !== 200) throw new Error(`refund ${done.statusCode}: ${done.body}`);
}

/** A member's equity points held (decimal string). */
export async function equityHeld(t: TestApp, m: DemoMember): Promise<string> {
  return (await call(t, "GET", "/me/equity", { token: m.token })).data.equity;
}

/**
 * A member who owes: B buys the equity product, sells all its equity points,
 * and the order is refunded — the reversal takes back points B no longer has.
 */
export async function memberInDebt(t: TestApp, phone: string): Promise<DemoMember> {
  const m = await member(t, phone);
  await credit(t, m.id, "cash", "300");
  const order = await buy(t, m, await productId(t, "有机大米 5kg"));
  const sold = await call(t, "POST", "/me/equity/sell", {
    token: m.token,
    body: { points: await equityHeld(t, m) },
  });
  if (sold.statusCode !== 200) throw new Error(`sell ${sold.statusCode}: ${sold.body}`);
  await refund(t, order);
  return m;
}

/**
 * A small network with some history: 张 (A) with three direct referrals and one
 * of the second generation, membership packages, rice and tea bought, five
 * settled days with releases, dividends and a price that moves.
 */
export async function demoNetwork(t: TestApp): Promise<{ a: DemoMember; b: DemoMember; c: DemoMember }> {
  const a = await member(t, "13800001024");
  const b = await member(t, "13912345678", a);
  const c = await member(t, "13700005678", a);
  const d = await member(t, "13600002468", a);
  const e = await member(t, "13500001357", b);
  const starter = await productId(t, "初级会员礼包");
  const middle = await productId(t, "中级会员礼包");
  const rice = await productId(t, "有机大米 5kg");
  const tea = await productId(t, "精选茶叶礼盒");
  const admin = await operatorToken(t);
  const fee = await call(t, "POST", "/admin/config", {
    token: admin,
    body: { params: { withdrawal: { feeRate: "0.006" } }, note: "提现手续费 0.6%" },
  });
  if (fee.statusCode >= 300) throw new Error(`config ${fee.statusCode}: ${fee.body}`);
  const gift = await call(t, "POST", `/admin/members/${a.id}/adjustments`, {
    token: admin,
    body: { wallet: "cash", amount: "1280.50", reason: "开业活动奖励" },
  });
  if (gift.statusCode !== 201) throw new Error(`adjust ${gift.statusCode}: ${gift.body}`);
  await buy(t, a, starter);
  await buy(t, a, rice);
  await buy(t, a, tea);
  await buy(t, b, middle);
  await buy(t, c, starter);
  await buy(t, d, rice);
  await buy(t, e, starter);
  for (let day = 0; day < 5; day++) {
    await settleNextDay(t);
    for (const m of [a, b, c, d, e].slice(0, day + 2)) await buy(t, m, rice);
    if (day === 2) await buy(t, c, tea);
  }
  await settleNextDay(t);
  for (const amount of ["200.00", "100.00"]) {
    const w = await call(t, "POST", "/me/withdrawals", { token: a.token, body: { amount } });
    if (w.statusCode !== 201) throw new Error(`withdraw ${w.statusCode}: ${w.body}`);
    if (amount === "200.00")
      await call(t, "POST", `/admin/withdrawals/${w.data.id}/approve`, { token: await operatorToken(t) });
  }
  return { a, b, c };
}

/** A phone-sized page signed in as `m` (its session stored the way the sign-in page stores it). */
export async function signedInPage(web: BrowserApp, m: DemoMember): Promise<Page> {
  const page = await web.newPage(PHONE);
  const login = await call(web.server, "POST", "/auth/login", {
    body: { phone: m.phone, password: "member-pass-1" },
  });
  if (login.statusCode !== 200) throw new Error(`login ${login.statusCode}: ${login.body}`);
  await page.addInitScript({
    content: `localStorage.setItem("jifen.h5.session", ${JSON.stringify(JSON.stringify(login.data))});`,
  });
  return page;
}

/** The page's width beyond the viewport (0: no horizontal scroll). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth");
}

/** Signs `phone` in on `page` through the sign-in page with an SMS code. */
export async function signIn(page: Page, t: TestApp, phone: string): Promise<void> {
  await page.goto("/h5/sign-in");
  await page.getByLabel("手机号").fill(phone);
  await page.getByTestId("send-code").click();
  await page.getByText(/秒后重发/).waitFor();
  await page.getByLabel("验证码").fill(await latestCode(t, phone));
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await page.waitForURL(/\/h5\/me$/);
}
