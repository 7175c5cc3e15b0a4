/**
 * Screenshots of the console's 商品 page at 1440×900, zh-CN, against the real
 * server on a fresh embedded database (demo products, photos uploaded through
 * the API): docs/screenshots/admin/products.png and products-edit.png.
 * `node --import tsx apps/admin/screenshots/products.ts` (after
 * `node scripts/build-web.mjs admin`); apps/admin/screenshots.ts can call it.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ADMIN, call, operatorToken } from "../../../packages/server/test/support/app.ts";
import { type BrowserApp, DESKTOP, openBrowserApp } from "../../../packages/server/test/support/browser.ts";

const OUT = join(import.meta.dirname, "../../../docs/screenshots/admin");

async function photo(web: BrowserApp, label: string, from: string, to: string): Promise<string> {
  const canvas = await web.newPage({ width: 400, height: 400 });
  await canvas.setContent(
    `<body style="margin:0"><div style="width:400px;height:400px;display:flex;align-items:center;justify-content:center;background:linear-gradient(135deg,${from},${to});font:600 72px 'Noto Sans CJK SC',sans-serif;color:#fff">${label}</div></body>`,
  );
  const png = await canvas.screenshot({ type: "png" });
  await canvas.close();
  const up = await call(web.server, "POST", "/admin/product-images", {
    token: await operatorToken(web.server),
    body: { data: png.toString("base64") },
  });
  return up.data.id;
}

/** Takes the products page's screenshots on `web` (a fresh server with the demo products). */
export async function productScreenshots(web: BrowserApp): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const t = web.server;
  const admin = await operatorToken(t);
  const photos: Record<string, [string, string, string]> = {
    初级会员礼包: ["礼包", "#ff9a8b", "#e93b3d"],
    中级会员礼包: ["礼包", "#a18cd1", "#722ed1"],
    "有机大米 5kg": ["大米", "#f6d365", "#fda085"],
    精选茶叶礼盒: ["茶叶", "#84fab0", "#3f9b6b"],
  };
  const list = await call(t, "GET", "/admin/products", { token: admin });
  for (const product of list.data.items) {
    const [label, from, to] = photos[product.name] ?? ["商品", "#ccc", "#999"];
    const imageId = await photo(web, label, from, to);
    await call(t, "PUT", `/admin/products/${product.id}`, {
      token: admin,
      body: {
        ...product,
        stock: product.stock === null ? null : String(product.stock),
        imageId,
      },
    });
  }
  await call(t, "POST", "/admin/products", {
    token: admin,
    body: {
      name: "限量茶具套装",
      description: "手工青瓷",
      price: "388.00",
      plans: [],
      stock: "0",
      active: false,
    },
  });
  const page = await web.newPage(DESKTOP);
  await page.goto("/admin/");
  await page.getByLabel("用户名").fill(ADMIN.username);
  await page.getByLabel("密码").fill(ADMIN.password);
  await page.getByRole("button", { name: /登\s*录/ }).click();
  await page.getByText("数据看板").first().waitFor();
  await page.goto("/admin/#/products");
  await page.getByRole("row", { name: /精选茶叶礼盒/ }).waitFor();
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(OUT, "products.png") });
  await page
    .getByRole("row", { name: /有机大米/ })
    .getByRole("button", { name: /编\s*辑/ })
    .click();
  await page.getByTestId("product-image-preview").waitFor();
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(OUT, "products-edit.png") });
  console.log("screenshots: docs/screenshots/admin/products.png, products-edit.png");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const web = await openBrowserApp();
  try {
    await productScreenshots(web);
  } finally {
    await web.close();
  }
}
