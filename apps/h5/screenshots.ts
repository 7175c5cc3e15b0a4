/**
 * Screenshots of every page of the member site at 390×844, zh-CN, against the
 * real server on a fresh embedded database with demo data made through the API
 * (apps/h5/test/support.ts). Run by `npm run screenshots` (scripts/screenshots.mjs),
 * written to docs/screenshots/h5/.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { call, latestCode, operatorToken } from "../../packages/server/test/support/app.ts";
import { openBrowserApp, PHONE } from "../../packages/server/test/support/browser.ts";
import { demoNetwork, memberInDebt, productId, signedInPage } from "./test/support.ts";

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

/** A product photo drawn in the browser (a gradient and the product's name), uploaded by the operator. */
async function productPhoto(label: string, colors: [string, string]): Promise<string> {
  const canvas = await web.newPage({ width: 600, height: 600 });
  await canvas.setContent(
    `<body style="margin:0"><div style="width:600px;height:600px;display:flex;align-items:center;justify-content:center;background:linear-gradient(135deg,${colors[0]},${colors[1]});font:600 96px 'Noto Sans CJK SC',sans-serif;color:#fff;text-shadow:0 4px 16px rgba(0,0,0,.25)">${label}</div></body>`,
  );
  const png = await canvas.screenshot({ type: "png" });
  await canvas.close();
  const admin = await operatorToken(t);
  const up = await call(t, "POST", "/admin/product-images", {
    token: admin,
    body: { data: png.toString("base64") },
  });
  if (up.statusCode !== 201) throw new Error(`image ${up.statusCode}: ${up.body}`);
  return up.data.id;
}

async function shopShots(page: Page): Promise<void> {
  const admin = await operatorToken(t);
  const rice = await productId(t, "有机大米 5kg");
  const riceImage = await productPhoto("五常大米", ["#f6d365", "#fda085"]);
  const current = (await call(t, "GET", `/products/${rice}`)).data;
  await call(t, "PUT", `/admin/products/${rice}`, {
    token: admin,
    body: { ...current, stock: String(current.stock), imageId: riceImage },
  });
  const teaImage = await productPhoto("限量茶具", ["#84fab0", "#3f9b6b"]);
  await call(t, "POST", "/admin/products", {
    token: admin,
    body: {
      name: "限量茶具套装",
      description: "手工青瓷，一壶四杯。",
      price: "388.00",
      plans: ["equity"],
      stock: 0,
      imageId: teaImage,
    },
  });
  await page.goto("/h5/shop");
  await page.getByTestId("product-card").nth(4).waitFor();
  await shot(page, "shop", "积分商城");
  await page.goto(`/h5/shop/products/${rice}`);
  await shot(page, "shop-detail", "加入购物车");
  await page.getByRole("button", { name: "加入购物车" }).click();
  await page.goto(`/h5/shop/products/${await productId(t, "初级会员礼包")}`);
  await page.getByRole("button", { name: "加入购物车" }).click();
  await page.goto("/h5/shop/cart");
  await page.getByTestId("cart-line").nth(1).waitFor();
  await shot(page, "shop-cart", "去结算");
  await page.getByRole("button", { name: /去结算/ }).click();
  await page.getByRole("switch", { name: "使用积分" }).click();
  await page.getByRole("button", { name: "全部使用" }).click();
  await page
    .getByText(/^抵扣 /)
    .first()
    .waitFor();
  await shot(page, "shop-checkout", "演示支付");
  await page.getByRole("button", { name: "提交订单" }).click();
  await shot(page, "shop-pay", "收银台");
  await page.getByRole("button", { name: /演示支付 ¥/ }).click();
  await page.getByRole("dialog").getByRole("button", { name: "确定" }).click();
  await shot(page, "shop-paid", "支付成功");
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
  await guest.locator(".adm-toast-mask").waitFor({ state: "detached" });
  await shot(guest, "register", "您正通过邀请码");
  await guest.getByTestId("agreement-terms").click();
  await shot(guest, "register-agreement", "我知道了");
  await guest.getByRole("button", { name: "我知道了" }).click();
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
  // The shop (branch h5-shop): a photo for the rice, a limited tea set sold out, a cart paid
  // partly in points with the labelled demo payment.
  await shopShots(page);
} finally {
  await web.close();
}
