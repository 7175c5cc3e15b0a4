/**
 * The member site's shop at 390×844 (issue 11): a member buys a release-plan
 * package (and a bag of rice) through the cart and checkout, paying part in
 * released points with the demo payment method; the operator settles the day;
 * the member's release and the referrer's share acceleration appear with
 * their one-line explanations on the records page (明细). A product whose stock is gone shows sold out
 * and the checkout refuses it.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { call, credit, operatorToken, register } from "../../../packages/server/test/support/app.ts";
import {
  type BrowserApp,
  browserAvailable,
  openBrowserApp,
  PHONE,
} from "../../../packages/server/test/support/browser.ts";

let web: BrowserApp | null = null;
let admin: string;
const REFERRER = "13900000001";
const BUYER = "13900000002";

before(async () => {
  if (!browserAvailable("h5")) return;
  web = await openBrowserApp();
  admin = await operatorToken(web.server);
});
after(async () => {
  await web?.close();
});

/**
 * A phone-sized page signed in as `phone` (the session the sign-in page would store). The test
 * server's clock is in January 2026, so the stored expiry is moved to the browser's own tomorrow.
 */
async function memberPage(phone: string): Promise<Page> {
  if (!web) throw new Error("no browser");
  const login = await call(web.server, "POST", "/auth/login", { body: { phone, password: "member-pass-1" } });
  assert.equal(login.statusCode, 200, login.body);
  const page = await web.newPage(PHONE);
  const session = JSON.stringify({
    ...login.data,
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  });
  await page.addInitScript(`localStorage.setItem("jifen.h5.session", ${JSON.stringify(session)});`);
  return page;
}

async function productId(name: string): Promise<string> {
  if (!web) throw new Error("no browser");
  const list = await call(web.server, "GET", "/products?limit=100");
  const found = list.data.items.find((p: { name: string }) => p.name === name);
  assert.ok(found, `product ${name}`);
  return found.id;
}

async function noHorizontalScroll(page: Page): Promise<void> {
  const wide = await page.evaluate("document.documentElement.scrollWidth > window.innerWidth");
  assert.equal(wide, false, "no horizontal scroll at 390 px");
}

test("a referred member buys a release package and rice through the cart, part in points, with the demo payment; the day's settlement releases and accelerates", async (t) => {
  if (!web) return t.skip("no browser");
  const server = web.server;
  // The referrer holds a release-plan package of their own (gift to accelerate), bought through the API.
  const referrer = await register(server, REFERRER);
  const pkg = await productId("初级会员礼包");
  const own = await call(server, "POST", "/checkouts", {
    token: referrer.token,
    body: { items: [{ productId: pkg, quantity: 1 }], provider: "demo" },
  });
  assert.equal(own.statusCode, 201, own.body);
  assert.equal(
    (await call(server, "POST", `/checkouts/${own.data.id}/demo-pay`, { token: referrer.token })).statusCode,
    200,
  );
  // The buyer joins through the referrer's invite code and holds 500 released points.
  const buyer = await register(server, BUYER, referrer.inviteCode);
  await credit(server, buyer.id, "points", "500.00");

  const page = await memberPage(BUYER);
  await page.goto("/h5/shop");
  await page.getByText("积分商城").waitFor();
  await noHorizontalScroll(page);
  await page.getByTestId("product-card").filter({ hasText: "初级会员礼包" }).click();
  await page.getByText("购买即获赠积分，按日静态释放").waitFor();
  await page.getByRole("button", { name: "加入购物车" }).click();
  await page.getByText("已加入购物车").waitFor();
  await page.goto(`/h5/shop/products/${await productId("有机大米 5kg")}`);
  await page.getByRole("button", { name: "加入购物车" }).click();
  await page.getByText("已加入购物车").waitFor();
  await page.getByRole("button", { name: "购物车", exact: true }).click();
  await page.getByTestId("cart-line").nth(1).waitFor();
  assert.match((await page.getByTestId("cart-total").textContent()) ?? "", /¥3,099\.00/);
  await page.getByRole("button", { name: /去结算/ }).click();

  // Checkout: the server's cap, 500 points split across the two orders.
  await page.getByText("确认订单").waitFor();
  await page.getByText("本单最多可用 500.00 积分（可用 500.00，抵扣上限 3,099.00）").waitFor();
  await page.getByRole("switch", { name: "使用积分" }).click();
  await page.getByRole("textbox", { name: "积分抵扣" }).fill("500");
  await page.getByText("抵扣 484.03").waitFor();
  await page.getByText("抵扣 15.97").waitFor();
  assert.match((await page.getByTestId("checkout-cash").textContent()) ?? "", /¥2,599\.00/);
  await page.getByText("仅供演示，不会真实扣款").waitFor();
  await noHorizontalScroll(page);
  await page.getByRole("button", { name: "提交订单" }).click();

  // The cashier: the demo method, clearly labelled; confirm and pay.
  await page.getByText("收银台").waitFor();
  assert.match((await page.getByTestId("pay-cash").textContent()) ?? "", /2,599\.00/);
  await page.getByRole("button", { name: /演示支付 ¥2,599\.00/ }).click();
  await page.getByRole("dialog").getByText("不会从任何账户扣款").waitFor();
  await page.getByRole("dialog").getByRole("button", { name: "确定" }).click();
  await page.getByText("支付成功").waitFor();
  assert.equal(await page.getByTestId("pay-order").count(), 2);
  // 我的订单 lists both, paid.
  await page.goto("/h5/shop");
  await page.getByRole("button", { name: "我的订单" }).click();
  const giftLine = page.getByTestId("order-line").filter({ hasText: "初级会员礼包 × 1" });
  await giftLine.getByText("已支付").waitFor();
  assert.match((await giftLine.textContent()) ?? "", /抵扣 484\.03/);
  assert.equal(await page.getByTestId("order-line").count(), 2);

  // Through the API: two paid orders, the points split 484.03 + 15.97, the points spent.
  const orders = (await call(server, "GET", "/orders", { token: buyer.token })).data.items;
  const byProduct = new Map(orders.map((o: { productId: string }) => [o.productId, o]));
  const gift = byProduct.get(pkg) as {
    id: string;
    status: string;
    points: string;
    cash: string;
    plans: string[];
  };
  assert.equal(gift.status, "paid");
  assert.deepEqual(gift.plans, ["release"]);
  assert.equal(gift.points, "484.03");
  assert.equal(gift.cash, "2515.97");
  const wallets = (await call(server, "GET", "/me/wallets", { token: buyer.token })).data.wallets;
  assert.match(wallets.find((w: { wallet: string }) => w.wallet === "points").balance, /^0(\.0+)?$/);

  // The operator settles the day (the clock a day forward first).
  server.clock.advance(86_400_000);
  // Operator sessions last 12 hours: sign in again on the new day.
  admin = await operatorToken(server);
  const settled = await call(server, "POST", "/admin/settlements/run", {
    token: admin,
    body: { dryRun: false },
  });
  assert.equal(settled.statusCode, 200, settled.body);

  // The buyer sees the release on the records page (明细), explained in one line.
  await page.goto("/h5/records?asset=points");
  await page.getByTestId("record-line").getByText(`订单 #${gift.id} 静态释放 1.2%`).waitFor();
  await noHorizontalScroll(page);
  // The referrer sees the share acceleration, explained.
  const referrerPage = await memberPage(REFERRER);
  await referrerPage.goto("/h5/records?asset=points");
  const shareLine = referrerPage.getByTestId("record-line").filter({ hasText: "加速释放" }).first();
  await shareLine.waitFor();
  assert.match((await shareLine.textContent()) ?? "", /直推 139\*\*\*\*0002 加速释放 50%/);

  // And the same lines through the API, with the amounts the ledger holds.
  const mine = (await call(server, "GET", "/me/ledger?asset=points&limit=50", { token: buyer.token })).data
    .items;
  const staticLine = mine.find((l: { cause: { rule: string } }) => l.cause.rule === "release.static");
  assert.equal(staticLine.description, `订单 #${gift.id} 静态释放 1.2%`);
  const theirs = (await call(server, "GET", "/me/ledger?asset=points&limit=50", { token: referrer.token }))
    .data.items;
  const share = theirs.find((l: { cause: { rule: string } }) => l.cause.rule === "release.share");
  assert.equal(share.description, "直推 139****0002 加速释放 50%");
  assert.ok(
    ((await shareLine.textContent()) ?? "").includes(share.amount),
    "the page shows the ledger's amount",
  );
});

test("a product whose stock is gone shows sold out, and the checkout refuses it with the server's words", async (t) => {
  if (!web) return t.skip("no browser");
  const server = web.server;
  admin = await operatorToken(server);
  const created = await call(server, "POST", "/admin/products", {
    token: admin,
    body: { name: "限量茶具套装", description: "仅此一套", price: "88.00", plans: ["equity"], stock: 1 },
  });
  assert.equal(created.statusCode, 201, created.body);
  const page = await memberPage(BUYER);
  await page.goto(`/h5/shop/products/${created.data.id}`);
  await page.getByText("库存 1 件").waitFor();
  await page.getByRole("button", { name: "加入购物车" }).click();
  await page.getByText("已加入购物车").waitFor();

  // Someone else buys the last unit.
  const other = await register(server, "13900000003");
  const bought = await call(server, "POST", "/checkouts", {
    token: other.token,
    body: { items: [{ productId: created.data.id, quantity: 1 }] },
  });
  assert.equal(bought.statusCode, 201, bought.body);

  await page.reload();
  await page.getByTestId("stock").getByText("已售罄").waitFor();
  assert.equal(await page.getByRole("button", { name: "加入购物车" }).count(), 0);
  assert.ok(await page.getByRole("button", { name: "已售罄" }).isDisabled());
  await page.goto("/h5/shop");
  await page.getByTestId("product-card").filter({ hasText: "限量茶具套装" }).getByText("已售罄").waitFor();

  await page.goto("/h5/shop/cart");
  await page.getByRole("button", { name: /去结算/ }).click();
  const refusal = page.getByTestId("form-error");
  await refusal.waitFor();
  assert.match((await refusal.textContent()) ?? "", /库存不足.*「限量茶具套装」仅剩 0 件/);
  assert.ok(await page.getByRole("button", { name: "提交订单" }).isDisabled());
  const stock = await call(server, "GET", `/products/${created.data.id}`);
  assert.equal(stock.data.stock, 0);
});

test("with the demo payment off, the cashier waits for the shop to confirm, then shows the payment", async (t) => {
  if (!web) return t.skip("no browser");
  const server = web.server;
  admin = await operatorToken(server);
  const off = await call(server, "PUT", "/admin/shop/settings", {
    token: admin,
    body: { demoPayment: false },
  });
  assert.equal(off.data.demoPayment, false);
  const page = await memberPage(BUYER);
  await page.goto(`/h5/shop/products/${await productId("精选茶叶礼盒")}`);
  await page.getByRole("button", { name: "立即购买" }).click();
  await page.getByText("确认订单").waitFor();
  assert.equal(await page.getByText("演示支付").count(), 0, "no demo method while it is off");
  await page.getByText("线下付款后由商家确认").waitFor();
  await page.getByRole("button", { name: "提交订单" }).click();
  await page.getByText("等待商家确认收款").waitFor();
  const checkoutId = /\/shop\/pay\/(\d+)/.exec(page.url())?.[1];
  assert.ok(checkoutId);
  const confirmed = await call(server, "POST", `/admin/checkouts/${checkoutId}/confirm-payment`, {
    token: admin,
  });
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  await page.getByRole("button", { name: "刷新状态" }).click();
  await page.getByText("支付成功").waitFor();
});
