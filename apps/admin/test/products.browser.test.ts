import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { ADMIN, call } from "../../../packages/server/test/support/app.ts";
import {
  type BrowserApp,
  browserAvailable,
  DESKTOP,
  openBrowserApp,
} from "../../../packages/server/test/support/browser.ts";

/** A 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

let web: BrowserApp | null = null;
let page: Page;
before(async () => {
  if (!browserAvailable("admin")) return;
  web = await openBrowserApp();
  page = await web.newPage(DESKTOP);
  await page.goto("/admin/");
  await page.getByLabel("用户名").fill(ADMIN.username);
  await page.getByLabel("密码").fill(ADMIN.password);
  await page.getByRole("button", { name: /登\s*录/ }).click();
  await page.getByText("数据看板").first().waitFor();
});
after(async () => {
  await web?.close();
});

async function adminToken(): Promise<string> {
  if (!web) throw new Error("no browser");
  const answer = await call(web.server, "POST", "/admin/auth/login", { body: ADMIN });
  return answer.data.token;
}

test("an operator creates a product with an image, stock and a plan; a wrong price is refused before sending", async (t) => {
  if (!web) return t.skip("no browser");
  await page.getByRole("menuitem", { name: "商品管理" }).click();
  await page.getByRole("heading", { name: "商品管理" }).waitFor();
  // The demo data's four products are listed, newest first.
  await page.getByRole("cell", { name: /精选茶叶礼盒/ }).waitFor();
  await page.getByRole("button", { name: "新增商品" }).click();
  const drawer = page.getByRole("dialog");
  await drawer.getByLabel("商品名称").fill("高级会员礼包");
  await drawer.getByLabel("价格（元）").fill("12.345");
  await drawer.getByRole("button", { name: /保\s*存/ }).click();
  await drawer.getByText("请输入大于 0 的金额，最多两位小数，例如 99.00。").waitFor();
  await drawer.getByLabel("价格（元）").fill("5000.00");
  await drawer.getByLabel("积分通证").check();
  await drawer.getByLabel("会员礼包").click();
  assert.ok(await drawer.getByLabel("不限").isChecked(), "a new product's stock is unlimited by default");
  assert.equal(await drawer.getByLabel("库存数量").count(), 0);
  await drawer.getByLabel("限量").check();
  await drawer.getByLabel("库存数量").fill("3");
  await drawer
    .locator('input[type="file"]')
    .setInputFiles({ name: "gift.png", mimeType: "image/png", buffer: PNG });
  await drawer.getByTestId("product-image-preview").waitFor();
  await drawer.getByRole("button", { name: /保\s*存/ }).click();
  await page.getByText("已保存「高级会员礼包」").waitFor();
  const row = page.getByRole("row", { name: /高级会员礼包/ });
  await row.waitFor();
  assert.match((await row.textContent()) ?? "", /5000\.00.*积分通证.*会员礼包.*3.*在售/);
  assert.ok(await row.locator("img").count(), "the row shows the image");

  // Through the API: the product, its stock, its image served with caching.
  const listed = await call(web.server, "GET", "/admin/products?name=高级会员", {
    token: await adminToken(),
  });
  const product = listed.data.items[0];
  assert.equal(product.name, "高级会员礼包");
  assert.equal(product.price, "5000.00");
  assert.equal(product.stock, 3);
  assert.deepEqual(product.plans, ["release"]);
  assert.equal(product.membershipPackage, true);
  const image = await fetch(`${web.baseUrl}${product.imageUrl}`);
  assert.equal(image.status, 200);
  assert.match(image.headers.get("cache-control") ?? "", /immutable/);
  assert.deepEqual(Buffer.from(await image.arrayBuffer()), PNG);
});

test("an operator takes a product off sale after confirming; members no longer see it", async (t) => {
  if (!web) return t.skip("no browser");
  const row = page.getByRole("row", { name: /高级会员礼包/ });
  await row.getByRole("button", { name: /下\s*架/ }).click();
  await page.getByText("确定下架「高级会员礼包」吗？").waitFor();
  await page
    .locator(".ant-popconfirm")
    .getByRole("button", { name: /下\s*架/ })
    .click();
  await page.getByText("已下架「高级会员礼包」").waitFor();
  await row.getByText("已下架").waitFor();
  await row.getByRole("button", { name: /上\s*架/ }).waitFor();

  const listed = await call(web.server, "GET", "/admin/products?name=高级会员", {
    token: await adminToken(),
  });
  assert.equal(listed.data.items[0].active, false);
  const publicView = await call(web.server, "GET", `/products/${listed.data.items[0].id}`);
  assert.equal(publicView.statusCode, 404);
  // Filtering by status through the page: only products off sale.
  await page.locator(".ant-select").filter({ hasText: "全部状态" }).click();
  await page.getByTitle("已下架").click();
  await page.getByRole("row", { name: /高级会员礼包/ }).waitFor();
  assert.equal(await page.getByRole("row", { name: /精选茶叶礼盒/ }).count(), 0);
});

test("the demo payment switch is on for the demo shop and turns off", async (t) => {
  if (!web) return t.skip("no browser");
  const toggle = page.getByTestId("demo-payment-switch");
  assert.equal(await toggle.getAttribute("aria-checked"), "true");
  await toggle.click();
  await page.getByText("已关闭演示支付").waitFor();
  const shop = await call(web.server, "GET", "/shop");
  assert.deepEqual(shop.data.paymentMethods, ["manual"]);
});
