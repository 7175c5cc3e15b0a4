/**
 * The member site's shop beyond single orders: the shop's payment methods,
 * product images, and checkouts — a cart of several items paid in one
 * payment, one order per item (checkouts.ts, docs/rules.md "Shop").
 */
import { type Static, Type } from "@fastify/type-provider-typebox";
import type { Queryable } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { parseNonNegative } from "../http/amounts.ts";
import { command } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { requireMember } from "../http/guards.ts";
import { MAX_COMMAND_AMOUNT_MICRO, MAX_QUANTITY } from "../http/limits.ts";
import {
  Count,
  count,
  createdResponses,
  Decimal,
  Id,
  IdempotencyHeaders,
  IdParams,
  responses,
  withExample,
} from "../http/schemas.ts";
import {
  CheckoutPreviewSchema,
  CheckoutSchema,
  checkoutPreviewView,
  checkoutView,
  EX_CHECKOUT,
  EX_CHECKOUT_PREVIEW,
  PaymentMethods,
} from "./checkout-views.ts";
import {
  type Checkout,
  type CheckoutProvider,
  findCheckout,
  payCheckout,
  placeCheckout,
  planCheckout,
} from "./checkouts.ts";
import { findImage } from "./images.ts";
import { findProduct } from "./products.ts";
import { demoPaymentOn } from "./shop-settings.ts";

const CartBody = {
  items: Type.Array(
    Type.Object({ productId: Id, quantity: Count(MAX_QUANTITY, { description: "units of the product" }) }),
    { minItems: 1, maxItems: 20, description: "the cart: one order per product (repeats are added up)" },
  ),
  points: Type.Optional(
    Decimal("released points to pay the cart with (at most 2 decimals; default 0), split across the orders"),
  ),
};

const CART_ERRORS = [
  "PRODUCT_NOT_FOUND",
  "PRODUCT_INACTIVE",
  "OUT_OF_STOCK",
  "INVALID_AMOUNT",
  "TOO_MANY_PLACES",
  "AMOUNT_NEGATIVE",
  "POINTS_OVER_RATIO",
  "INSUFFICIENT_POINTS",
  "AMOUNT_TOO_LARGE",
  "INVALID_INTEGER",
] as const;

const EX_CART = {
  items: [
    { productId: "1", quantity: 1 },
    { productId: "3", quantity: 2 },
  ],
  points: "500.00",
};

function cartInput(body: { items: { productId: string; quantity: string }[]; points?: string }) {
  return {
    items: body.items.map((item) => ({
      productId: item.productId,
      quantity: count(item.quantity, MAX_QUANTITY, "quantity"),
    })),
    points: parseNonNegative(body.points ?? "0", 2, "points", MAX_COMMAND_AMOUNT_MICRO),
  };
}

async function paymentMethods(ctx: AppContext, q: Queryable): Promise<Static<typeof PaymentMethods>> {
  const providers = (await ctx.payments.offered(q)).map((p) => p.name);
  const others: Static<typeof PaymentMethods> = (await demoPaymentOn(q)) ? ["demo", "manual"] : ["manual"];
  return [...providers, ...others];
}

async function viewOf(q: Queryable, checkout: Checkout) {
  const names = new Map<string, string>();
  for (const order of checkout.orders) {
    if (!names.has(order.productId))
      names.set(order.productId, (await findProduct(q, order.productId))?.name ?? "");
  }
  return checkoutView(checkout, names, await demoPaymentOn(q));
}

type MemberGuard = ReturnType<typeof requireMember>;

/** Routes for members (and anyone, for images and the payment methods). */
export async function checkoutRoutes(app: App, ctx: AppContext): Promise<void> {
  const member = requireMember(ctx);

  getShopRoute(app, ctx);
  getProductImageRoute(app, ctx);
  previewCheckoutRoute(app, ctx, member);
  placeCheckoutRoute(app, ctx, member);
  getMyCheckoutRoute(app, ctx, member);
  demoPayCheckoutRoute(app, ctx, member);
}

/** GET /shop: 商城支付方式 / the shop's payment methods. */
function getShopRoute(app: App, ctx: AppContext): void {
  app.get(
    "/shop",
    {
      schema: {
        tags: ["shop"],
        summary: "商城支付方式 / the shop's payment methods",
        operationId: "getShop",
        description:
          "商城可用的支付方式：演示支付（demo，不会真实扣款）仅在运营开启时出现。 / The shop's payment methods: demo (no money moves) appears only when the operator turned it on.",
        security: [],
        response: responses(Type.Object({ paymentMethods: PaymentMethods }), {
          example: { paymentMethods: ["demo", "manual"] },
        }),
      },
    },
    async () => ({ paymentMethods: await paymentMethods(ctx, ctx.db) }),
  );
}

/** GET /products/images/:imageId: 商品图片 / a product image. */
function getProductImageRoute(app: App, ctx: AppContext): void {
  app.get(
    "/products/images/:imageId",
    {
      schema: {
        tags: ["shop"],
        summary: "商品图片 / a product image",
        operationId: "getProductImage",
        description:
          "按内容哈希寻址的商品图片，可永久缓存（Cache-Control: immutable，ETag 为哈希）。 / A product image addressed by the SHA-256 of its bytes: cached for good (Cache-Control immutable, the hash as ETag).",
        security: [],
        params: Type.Object({
          imageId: Type.String({ pattern: "^[0-9a-f]{64}$", description: "SHA-256 hex" }),
        }),
        response: responses(
          Type.String({ description: "the image bytes (image/png, image/jpeg or image/webp)" }),
          { errors: ["IMAGE_NOT_FOUND"], example: "<image bytes>", description: "图片 / the image" },
        ),
      },
    },
    async (request, reply) => {
      const etag = `"${request.params.imageId}"`;
      reply.header("cache-control", "public, max-age=31536000, immutable").header("etag", etag);
      if (request.headers["if-none-match"] === etag) return reply.code(304 as 200).send("");
      const image = await findImage(ctx.db, request.params.imageId);
      if (!image) fail("IMAGE_NOT_FOUND");
      return reply.type(image.contentType).send(image.bytes);
    },
  );
}

/** POST /checkouts/preview: 结算预览 / preview a cart's checkout. */
function previewCheckoutRoute(app: App, ctx: AppContext, member: MemberGuard): void {
  app.post(
    "/checkouts/preview",
    {
      preValidation: member,
      schema: {
        tags: ["shop"],
        summary: "结算预览 / preview a cart's checkout",
        operationId: "previewCheckout",
        description:
          "不下单，只计算：每件商品的金额、积分抵扣上限与分摊（按金额比例、最大余数法），整单最多可用积分与应付现金。 / Changes nothing: each item's amount, points cap and share of the points (in proportion to amounts, largest remainder), the most points the member can pay for the cart, and the cash left to pay.",
        body: withExample(Type.Object(CartBody), EX_CART),
        response: responses(CheckoutPreviewSchema, {
          errors: [...CART_ERRORS],
          example: EX_CHECKOUT_PREVIEW,
        }),
      },
    },
    async (request) => {
      const input = cartInput(request.body);
      const plan = await planCheckout(ctx.db, {
        memberId: request.member?.id as string,
        ...input,
        now: ctx.clock.now(),
        timeZone: ctx.timeZone,
      });
      return checkoutPreviewView(plan, await paymentMethods(ctx, ctx.db));
    },
  );
}

/** POST /checkouts: 结算购物车（一件商品一笔订单，一次支付）/ check out a cart (one order per item, paid together). */
function placeCheckoutRoute(app: App, ctx: AppContext, member: MemberGuard): void {
  app.post(
    "/checkouts",
    {
      preValidation: member,
      schema: {
        tags: ["shop"],
        summary:
          "结算购物车（一件商品一笔订单，一次支付）/ check out a cart (one order per item, paid together)",
        operationId: "placeCheckout",
        description:
          "为购物车中每件商品各下一笔订单，积分按金额比例分摊，一次支付：demo 为演示支付（须运营开启），manual 由运营确认收款；积分足以支付全部金额时立即支付。 / Places one order per item of the cart with its share of the points, paid together: demo is the demo payment method (the operator must turn it on), manual waits for an operator; a cart paid wholly with points is paid at once.",
        headers: IdempotencyHeaders,
        body: withExample(
          Type.Object({
            ...CartBody,
            provider: Type.Optional(
              Type.Union(
                ["manual", "demo", "webhook", "wechat", "alipay"].map((p) => Type.Literal(p)),
                {
                  description:
                    "manual (default): an operator confirms the payment; demo: 演示支付; webhook: the shop's payment provider reports each order (POST /webhooks/payments, order.paid with orderId); wechat / alipay: 微信支付 / 支付宝 when the shop turned it on (then POST /checkouts/{id}/payments)",
                },
              ),
            ),
          }),
          { ...EX_CART, provider: "demo" },
        ),
        response: createdResponses(CheckoutSchema, {
          errors: [
            ...CART_ERRORS,
            "DEMO_PAYMENT_DISABLED",
            "PAYMENT_PROVIDER_UNAVAILABLE",
            "BALANCE_CONFLICT",
          ],
          example: EX_CHECKOUT,
        }),
      },
    },
    async (request, reply) => {
      const input = cartInput(request.body);
      const provider = (request.body.provider ?? "manual") as CheckoutProvider;
      return command(
        ctx,
        request,
        reply,
        async (tx) => {
          if (provider === "demo" && !(await demoPaymentOn(tx)))
            fail("DEMO_PAYMENT_DISABLED", { field: "provider" });
          if (
            (provider === "wechat" || provider === "alipay") &&
            !(await ctx.payments.provider(tx, provider))
          )
            fail("PAYMENT_PROVIDER_UNAVAILABLE", { field: "provider" });
          const now = ctx.clock.now();
          const checkout = await placeCheckout(
            tx,
            { memberId: request.member?.id as string, ...input, provider },
            { hooks: ctx.hooks, now, timeZone: ctx.timeZone },
          );
          return viewOf(tx, checkout);
        },
        201,
      );
    },
  );
}

/** GET /checkouts/:id: 我的支付单 / one of my checkouts. */
function getMyCheckoutRoute(app: App, ctx: AppContext, member: MemberGuard): void {
  app.get(
    "/checkouts/:id",
    {
      preValidation: member,
      schema: {
        tags: ["shop"],
        summary: "我的支付单 / one of my checkouts",
        operationId: "getMyCheckout",
        description:
          "会员查看自己的一张支付单及其订单；他人的视为不存在。 / One of the member's checkouts with its orders; another member's reads as not found.",
        params: IdParams,
        response: responses(CheckoutSchema, { errors: ["CHECKOUT_NOT_FOUND"], example: EX_CHECKOUT }),
      },
    },
    async (request) => {
      const checkout = await findCheckout(ctx.db, request.params.id);
      if (!checkout || checkout.memberId !== request.member?.id) fail("CHECKOUT_NOT_FOUND");
      return viewOf(ctx.db, checkout);
    },
  );
}

/** POST /checkouts/:id/demo-pay: 演示支付（不会真实扣款）/ pay a checkout with the demo method (no money moves). */
function demoPayCheckoutRoute(app: App, ctx: AppContext, member: MemberGuard): void {
  app.post(
    "/checkouts/:id/demo-pay",
    {
      preValidation: member,
      schema: {
        tags: ["shop"],
        summary: "演示支付（不会真实扣款）/ pay a checkout with the demo method (no money moves)",
        operationId: "demoPayCheckout",
        description:
          "仅当运营开启演示支付时可用：支付单中待支付的订单一起变为已支付，并按规则发放奖励；不会从任何账户扣款。 / Only while the operator has the demo method on: the checkout's pending orders are paid together and their rewards follow the rules; no money is taken from anywhere.",
        headers: IdempotencyHeaders,
        params: IdParams,
        response: responses(CheckoutSchema, {
          errors: [
            "CHECKOUT_NOT_FOUND",
            "CHECKOUT_NOT_PENDING",
            "DEMO_PAYMENT_DISABLED",
            "INSUFFICIENT_POINTS",
            "POINTS_OVER_RATIO",
            "BALANCE_CONFLICT",
          ],
          example: { ...EX_CHECKOUT, status: "paid" },
        }),
      },
    },
    async (request, reply) =>
      command(ctx, request, reply, async (tx) => {
        const checkout = await findCheckout(tx, request.params.id, true);
        if (!checkout || checkout.memberId !== request.member?.id) fail("CHECKOUT_NOT_FOUND");
        if (checkout.provider !== "demo") {
          fail("CHECKOUT_NOT_PENDING", {
            detail: { zh: "该支付单由商家确认收款", en: "this checkout is confirmed by the operator" },
          });
        }
        if (!(await demoPaymentOn(tx))) fail("DEMO_PAYMENT_DISABLED");
        const deps = { hooks: ctx.hooks, now: ctx.clock.now(), timeZone: ctx.timeZone };
        return viewOf(tx, await payCheckout(tx, checkout, deps));
      }),
  );
}
