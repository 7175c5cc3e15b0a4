/**
 * Orders in the console, in a real browser on the real server: filter by the
 * member's mobile number, open an order, confirm a manual payment, refund one
 * after reading the server's clawback preview, and see the status, the
 * member's balances and the audit log follow.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { ADMIN, call, operatorToken, register } from "../../../packages/server/test/support/app.ts";
import {
  type BrowserApp,
  browserAvailable,
  openBrowserApp,
} from "../../../packages/server/test/support/browser.ts";
import { equityProduct, paidOrder } from "../../../packages/server/test/support/equity.ts";

let web: BrowserApp | null = null;
before(async () => {
  if (browserAvailable("admin")) web = await openBrowserApp();
});
after(async () => {
  await web?.close();
});

async function signIn(page: Page, username = ADMIN.username, password = ADMIN.password) {
  await page.goto("/admin/#/sign-in");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: /登\s*录/ }).click();
  await page.getByRole("menuitem").first().waitFor();
}

async function equityOf(memberId: string): Promise<{ balance: string; exitQuota: string }> {
  const server = (web as BrowserApp).server;
  const admin = await operatorToken(server);
  const member = await call(server, "GET", `/admin/members/${memberId}`, { token: admin });
  assert.equal(member.statusCode, 200, member.body);
  const wallets = member.data.wallets as { wallet: string; balance: string }[];
  return {
    balance: wallets.find((w) => w.wallet === "equity")?.balance ?? "?",
    exitQuota: wallets.find((w) => w.wallet === "exitQuota")?.balance ?? "?",
  };
}

test("an operator refunds an order after reading what it takes back; status, balances and audit follow", async (t) => {
  if (!web) return t.skip("no browser");
  const server = web.server;
  const product = await equityProduct(server, "100");
  const buyer = await register(server, "13922220001");
  const orderId = await paidOrder(server, buyer, product);
  const before = await equityOf(buyer.id);
  assert.notEqual(before.balance, "0", "the order granted equity points");

  const page = await web.newPage();
  await signIn(page);
  await page.getByRole("menuitem", { name: "订单管理" }).click();
  assert.equal(
    await page.getByTestId("page-title").textContent(),
    "订单管理",
    "the page is titled like its menu entry",
  );
  await page.getByLabel("会员手机号").fill("13922220001");
  await page.getByRole("button", { name: /查\s*询/ }).click();
  const row = page.getByTestId("orders-table").locator("tbody tr", { hasText: "139****0001" });
  await row.waitFor();
  assert.equal(await page.getByTestId("orders-table").locator("tbody tr.ant-table-row").count(), 1);
  assert.match((await row.textContent()) ?? "", /已支付/);
  const table = page.getByTestId("orders-table");
  const scroller = table.locator(".ant-table-content, .ant-table-body").first();
  const scrollerBox = await scroller.boundingBox();
  const innerBox = await scroller.locator("table").first().boundingBox();
  const overflow = (innerBox?.width ?? Number.POSITIVE_INFINITY) - (scrollerBox?.width ?? 0);
  const statusBox = await table.locator("tbody tr.ant-table-row td").nth(8).boundingBox();
  const actionsBox = await table.locator("tbody tr.ant-table-row td").last().boundingBox();
  const fit = {
    overflow,
    statusRight: (statusBox?.x ?? 0) + (statusBox?.width ?? 0),
    actionsLeft: actionsBox?.x ?? Number.POSITIVE_INFINITY,
    viewport: page.viewportSize()?.width ?? 0,
  };
  assert.ok(fit.overflow <= 0, `no horizontal scroll at 1440 wide: ${JSON.stringify(fit)}`);
  assert.ok(fit.statusRight <= fit.actionsLeft && fit.actionsLeft < fit.viewport, JSON.stringify(fit));
  await page.getByTestId(`order-detail-${orderId}`).click();
  const drawer = page.getByTestId("order-drawer");
  await drawer.waitFor();
  await page.getByTestId("order-effects").getByText("增值积分奖励").first().waitFor();

  await page.getByRole("button", { name: /退\s*款/ }).click();
  const preview = page.getByTestId("refund-preview");
  await preview.waitFor();
  const equityRow = preview.locator("tr", { hasText: "增值积分" }).first();
  await equityRow.waitFor();
  const cells = await equityRow.locator("td").allTextContents();
  // member, account, before, change, after
  assert.equal(cells[2], before.balance, `preview before: ${cells.join(" | ")}`);
  assert.equal(cells[3], `-${before.balance}`);
  assert.equal(cells[4], "0");
  // The reason is required: the form refuses without it.
  await page.getByRole("button", { name: "确认退款" }).click();
  await page.getByText("请填写退款原因。").waitFor();
  await page.getByLabel("退款原因").fill("买家七天无理由退货");
  await page.getByRole("button", { name: "确认退款" }).click();
  await page.getByText("已退款。").waitFor();
  await drawer.getByTestId("order-status").getByText("已退款").waitFor();
  await drawer.getByText("买家七天无理由退货").waitFor();
  await page
    .getByTestId("order-effects")
    .getByText(/退款冲回/)
    .first()
    .waitFor();

  const afterRefund = await equityOf(buyer.id);
  assert.equal(afterRefund.balance, "0", "the equity points were taken back, as previewed");
  const order = await call(server, "GET", `/admin/orders/${orderId}`, { token: await operatorToken(server) });
  assert.equal(order.data.status, "refunded");
  assert.equal(order.data.refundReason, "买家七天无理由退货");

  // The audit log shows the refund with the operator's name. The refund dialog
  // closes with an animation; Escape must reach the drawer, not the closing dialog.
  await preview.waitFor({ state: "hidden" });
  await page.keyboard.press("Escape");
  await drawer.waitFor({ state: "hidden" });
  await page.getByRole("menuitem", { name: "操作日志" }).click();
  const audit = page.getByTestId("audit-table").locator("tbody tr", { hasText: "订单退款" }).first();
  await audit.waitFor();
  const text = (await audit.textContent()) ?? "";
  assert.match(text, new RegExp(ADMIN.username));
  assert.match(text, new RegExp(`订单 ${orderId}`));
  assert.match(text, /买家七天无理由退货/);
});

test("an operator confirms a manual payment from the order's drawer", async (t) => {
  if (!web) return t.skip("no browser");
  const server = web.server;
  const product = await equityProduct(server, "50");
  const buyer = await register(server, "13922220002");
  const placed = await call(server, "POST", "/orders", { token: buyer.token, body: { productId: product } });
  assert.equal(placed.statusCode, 201, placed.body);

  const page = await web.newPage();
  await signIn(page);
  await page.goto("/admin/#/orders");
  await page.getByLabel("订单状态").click();
  await page.locator(".ant-select-item-option", { hasText: "待支付" }).click();
  await page.getByRole("button", { name: /查\s*询/ }).click();
  await page.getByTestId(`order-detail-${placed.data.id}`).click();
  await page.getByRole("button", { name: "确认收款" }).click();
  await page.getByRole("button", { name: /确\s*定/ }).click();
  // The drawer's status is the lasting sign (the "已确认收款。" toast lasts three seconds: a loaded
  // machine can miss it).
  await page.getByTestId("order-drawer").getByTestId("order-status").getByText("已支付").waitFor();
  const order = await call(server, "GET", `/admin/orders/${placed.data.id}`, {
    token: await operatorToken(server),
  });
  assert.equal(order.data.status, "paid");
});

test("a refund after the member sold equity points warns of the debt it leaves before anything changes", async (t) => {
  if (!web) return t.skip("no browser");
  const server = web.server;
  const product = await equityProduct(server, "200");
  const seller = await register(server, "13922220003");
  const orderId = await paidOrder(server, seller, product);
  const sold = await call(server, "POST", "/me/equity/sell", { token: seller.token, body: { points: "10" } });
  assert.equal(sold.statusCode, 200, sold.body);

  const page = await web.newPage();
  await signIn(page);
  await page.goto("/admin/#/orders");
  await page.getByTestId(`order-detail-${orderId}`).click();
  await page.getByRole("button", { name: /退\s*款/ }).click();
  const warning = page.getByTestId("refund-debt-warning");
  await warning.waitFor();
  assert.match((await warning.textContent()) ?? "", /欠款（增值积分）\s*-10/);
  const debtRow = page.getByTestId("refund-preview").locator("tr", { hasText: "欠款（增值积分）" });
  assert.deepEqual((await debtRow.locator("td").allTextContents()).slice(2), ["0", "-10", "-10"]);
  await page.getByRole("button", { name: /取\s*消/ }).click();
  const order = await call(server, "GET", `/admin/orders/${orderId}`, { token: await operatorToken(server) });
  assert.equal(order.data.status, "paid", "the preview changed nothing");
});
