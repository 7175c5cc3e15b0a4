/**
 * The shop's operator routes beyond products and orders (mounted under
 * /admin): product image upload, the demo payment switch, and confirming a
 * manual checkout's payment at once.
 */
import { Type } from "@fastify/type-provider-typebox";
import { fail } from "../errors/index.ts";
import { command } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { operatorAccess } from "../http/operator-access.ts";
import { createdResponses, IdempotencyHeaders, IdParams, responses, withExample } from "../http/schemas.ts";
import { CheckoutSchema, checkoutView, EX_CHECKOUT } from "./checkout-views.ts";
import { findCheckout, payCheckout } from "./checkouts.ts";
import { decodeImageData, imageUrl, MAX_IMAGE_BYTES, storeImage } from "./images.ts";
import { findProduct } from "./products.ts";
import { demoPaymentOn, setDemoPayment } from "./shop-settings.ts";

const ShopSettings = Type.Object({
  demoPayment: Type.Boolean({
    description:
      "演示支付：会员无需真实付款即可完成购买（仅用于演示） / the demo payment method: members finish a purchase without paying (for demos only)",
  }),
});

type Access = ReturnType<typeof operatorAccess>;

/** Operator routes of the shop: images, settings, checkouts. */
export async function shopOperatorRoutes(app: App, ctx: AppContext): Promise<void> {
  const { anyone, admin, money, audit } = operatorAccess(ctx);

  uploadProductImageRoute(app, ctx, admin, audit);
  getShopSettingsRoute(app, ctx, anyone);
  updateShopSettingsRoute(app, ctx, admin, audit);
  confirmCheckoutPaymentRoute(app, ctx, money, audit);
}

/** POST /product-images: 上传商品图片 / upload a product image. */
function uploadProductImageRoute(
  app: App,
  ctx: AppContext,
  admin: Access["admin"],
  audit: Access["audit"],
): void {
  app.post(
    "/product-images",
    {
      preValidation: admin,
      // base64 grows 4/3: a 2 MiB image is about 2.8 MB of JSON.
      bodyLimit: Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 64 * 1024,
      schema: {
        tags: ["admin"],
        summary: "上传商品图片 / upload a product image",
        operationId: "uploadProductImage",
        description:
          "管理员上传 PNG、JPEG 或 WebP 图片（按文件头识别，不超过 2 MB），以 base64 放在 JSON 中；返回图片 id，填入商品的 imageId。同一图片只存一份。 / Admins upload a PNG, JPEG or WebP image (recognised by its first bytes, at most 2 MB) as base64 in JSON; the answer's id goes into a product's imageId. The same image is stored once.",
        headers: IdempotencyHeaders,
        body: withExample(
          Type.Object({
            data: Type.String({
              minLength: 1,
              maxLength: Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 100,
              description: "the file's bytes as base64 (a data: URL prefix is allowed)",
            }),
          }),
          {
            data: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
          },
        ),
        response: createdResponses(
          Type.Object({
            id: Type.String({ description: "SHA-256 of the bytes" }),
            url: Type.String(),
            contentType: Type.String(),
            size: Type.Integer({ description: "bytes" }),
          }),
          {
            errors: ["IMAGE_INVALID", "IMAGE_TOO_LARGE", "IMAGE_TYPE_UNSUPPORTED"],
            example: {
              id: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
              url: "/products/images/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
              contentType: "image/png",
              size: 48213,
            },
          },
        ),
      },
    },
    async (request, reply) => {
      const bytes = decodeImageData(request.body.data);
      return command(
        ctx,
        request,
        reply,
        async (tx) => {
          const image = await storeImage(tx, bytes, ctx.clock.now());
          await audit(request, tx, "product.image", "image", image.id, { size: image.size });
          return { ...image, url: imageUrl(image.id) };
        },
        201,
      );
    },
  );
}

/** GET /shop/settings: 商城设置 / the shop's settings. */
function getShopSettingsRoute(app: App, ctx: AppContext, anyone: Access["anyone"]): void {
  app.get(
    "/shop/settings",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "商城设置 / the shop's settings",
        operationId: "getShopSettings",
        description: "演示支付是否开启。 / Whether the demo payment method is on.",
        response: responses(ShopSettings, { example: { demoPayment: false } }),
      },
    },
    async () => ({ demoPayment: await demoPaymentOn(ctx.db) }),
  );
}

/** PUT /shop/settings: 修改商城设置 / change the shop's settings. */
function updateShopSettingsRoute(
  app: App,
  ctx: AppContext,
  admin: Access["admin"],
  audit: Access["audit"],
): void {
  app.put(
    "/shop/settings",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "修改商城设置 / change the shop's settings",
        operationId: "updateShopSettings",
        description:
          "管理员开启或关闭演示支付（真实商城应关闭）；记入操作日志。 / Admins turn the demo payment method on or off (a real shop keeps it off); written to the audit log.",
        headers: IdempotencyHeaders,
        body: withExample(ShopSettings, { demoPayment: false }),
        response: responses(ShopSettings, { example: { demoPayment: false } }),
      },
    },
    async (request, reply) =>
      command(ctx, request, reply, async (tx) => {
        await setDemoPayment(tx, request.body.demoPayment);
        await audit(request, tx, "shop.settings", "shop", "settings", {
          demoPayment: request.body.demoPayment,
        });
        return { demoPayment: request.body.demoPayment };
      }),
  );
}

/** POST /checkouts/:id/confirm-payment: 确认支付单收款（人工支付）/ confirm a manual checkout's payment. */
function confirmCheckoutPaymentRoute(
  app: App,
  ctx: AppContext,
  money: Access["money"],
  audit: Access["audit"],
): void {
  app.post(
    "/checkouts/:id/confirm-payment",
    {
      preValidation: money,
      schema: {
        tags: ["admin"],
        summary: "确认支付单收款（人工支付）/ confirm a manual checkout's payment",
        operationId: "confirmCheckoutPayment",
        description:
          "财务或管理员确认一张人工支付的支付单已收款：其中待支付的订单一起变为已支付。 / Finance or an admin confirms that a manual checkout was paid: its pending orders are paid together.",
        headers: IdempotencyHeaders,
        params: IdParams,
        response: responses(CheckoutSchema, {
          errors: ["CHECKOUT_NOT_FOUND", "CHECKOUT_NOT_PENDING", "INSUFFICIENT_POINTS", "BALANCE_CONFLICT"],
          example: { ...EX_CHECKOUT, provider: "manual", status: "paid" },
        }),
      },
    },
    async (request, reply) =>
      command(ctx, request, reply, async (tx) => {
        const checkout = await findCheckout(tx, request.params.id, true);
        if (!checkout) fail("CHECKOUT_NOT_FOUND");
        if (checkout.provider !== "manual") {
          fail("CHECKOUT_NOT_PENDING", {
            detail: { zh: "该支付单使用演示支付", en: "this checkout is paid with the demo method" },
          });
        }
        const deps = { hooks: ctx.hooks, now: ctx.clock.now(), timeZone: ctx.timeZone };
        const paid = await payCheckout(tx, checkout, deps);
        await audit(request, tx, "checkout.pay", "checkout", checkout.id, {
          amount: checkoutView(paid, new Map(), false).cash,
        });
        const names = new Map<string, string>();
        for (const o of paid.orders) names.set(o.productId, (await findProduct(tx, o.productId))?.name ?? "");
        return checkoutView(paid, names, await demoPaymentOn(tx));
      }),
  );
}
