import { Type } from "@fastify/type-provider-typebox";
import { fail } from "../errors/index.ts";
import { parseNonNegative } from "../http/amounts.ts";
import { command } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { EX_ORDER, EX_PENDING_ORDER, EX_PRODUCT, page } from "../http/examples.ts";
import { requireMember } from "../http/guards.ts";
import { MAX_COMMAND_AMOUNT_MICRO } from "../http/limits.ts";
import { registerRoutes } from "../http/register.ts";
import {
  Count,
  count,
  createdResponses,
  Decimal,
  Id,
  IdempotencyHeaders,
  IdParams,
  Page,
  PageQuery,
  pageLimit,
  responses,
  withExample,
} from "../http/schemas.ts";
import { findOrder, listOrders, lockOrder, MAX_QUANTITY, markCancelled, placeOrder } from "./orders.ts";
import { findProduct, listProducts } from "./products.ts";
import { OrderSchema, orderView, ProductSchema, productView } from "./views.ts";
import { webhookRoutes } from "./webhook-routes.ts";

/** Shop routes for members: products, placing and reading one's own orders; and the payment webhook. */
export async function shopRoutes(app: App, ctx: AppContext): Promise<void> {
  const member = requireMember(ctx);

  app.get(
    "/products",
    {
      schema: {
        tags: ["shop"],
        summary: "在售商品 / products on sale",
        operationId: "listProducts",
        description:
          "任何人可查看在售商品（含库存、图片）及其参与的奖励计划，无需登录；按 id 顺序分页。 / Anyone may list the products on sale (with stock and image) and the reward plans each takes part in; no sign-in; pages in id order.",
        security: [],
        querystring: PageQuery,
        response: responses(Page(ProductSchema), {
          example: { items: [EX_PRODUCT], nextCursor: null },
        }),
      },
    },
    async (request) => {
      const page = await listProducts(ctx.db, {
        activeOnly: true,
        cursor: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
      });
      return { items: page.items.map(productView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/products/:id",
    {
      schema: {
        tags: ["shop"],
        summary: "商品详情 / one product",
        operationId: "getProduct",
        description:
          "查看一件在售商品；已下架的商品视为不存在。 / One product on sale; a product taken off sale reads as not found.",
        security: [],
        params: IdParams,
        response: responses(ProductSchema, { errors: ["PRODUCT_NOT_FOUND"], example: EX_PRODUCT }),
      },
    },
    async (request) => {
      const product = await findProduct(ctx.db, request.params.id);
      if (!product?.active) fail("PRODUCT_NOT_FOUND");
      return productView(product);
    },
  );

  app.post(
    "/orders",
    {
      preValidation: member,
      schema: {
        tags: ["shop"],
        summary:
          "下单（全部用积分支付的订单立即支付）/ place an order (one paid entirely with points is paid at once)",
        operationId: "placeOrder",
        description:
          "会员下单，可用已释放积分抵扣一部分（不超过参数规定的比例）；人工支付的订单待运营确认收款，全部用积分支付的订单立即支付。 / A member places an order, optionally paying part with released points (up to the ratio the parameters allow); a manual order waits for an operator to confirm the payment.",
        headers: IdempotencyHeaders,
        body: withExample(
          Type.Object({
            productId: Id,
            quantity: Count(MAX_QUANTITY, { description: "units of the product", default: 1 }),
            points: Type.Optional(
              Decimal("released points to pay with (yuan, at most 2 decimals; default 0)"),
            ),
            provider: Type.Optional(
              Type.Union([Type.Literal("manual"), Type.Literal("webhook")], {
                description: "manual: an operator confirms payment; webhook: the shop reports it",
              }),
            ),
          }),
          { productId: "3", quantity: 2, points: "18.00", provider: "manual" },
        ),
        response: createdResponses(OrderSchema, {
          errors: [
            "PRODUCT_NOT_FOUND",
            "PRODUCT_INACTIVE",
            "INVALID_AMOUNT",
            "TOO_MANY_PLACES",
            "AMOUNT_NEGATIVE",
            "POINTS_OVER_AMOUNT",
            "POINTS_OVER_RATIO",
            "INSUFFICIENT_POINTS",
            "AMOUNT_TOO_LARGE",
            "INVALID_INTEGER",
            "BALANCE_CONFLICT",
            "OUT_OF_STOCK",
          ],
          example: EX_PENDING_ORDER,
        }),
      },
    },
    async (request, reply) => {
      const points = parseNonNegative(request.body.points ?? "0", 2, "points", MAX_COMMAND_AMOUNT_MICRO);
      const quantity = count(request.body.quantity, MAX_QUANTITY, "quantity");
      return command(
        ctx,
        request,
        reply,
        async (tx) => {
          const product = await findProduct(tx, request.body.productId);
          if (!product) fail("PRODUCT_NOT_FOUND", { field: "productId" });
          const now = ctx.clock.now();
          const order = await placeOrder(
            tx,
            {
              memberId: request.member?.id as string,
              product,
              quantity,
              points,
              provider: request.body.provider ?? "manual",
              externalId: null,
              now,
              timeZone: ctx.timeZone,
            },
            { hooks: ctx.hooks, now, timeZone: ctx.timeZone },
          );
          return orderView(order);
        },
        201,
      );
    },
  );

  app.get(
    "/orders",
    {
      preValidation: member,
      schema: {
        tags: ["shop"],
        summary: "我的订单 / my orders",
        operationId: "listMyOrders",
        description: "会员查看自己的订单，新的在前。 / The signed-in member's orders, newest first.",
        querystring: PageQuery,
        response: responses(Page(OrderSchema), { example: page([EX_ORDER]) }),
      },
    },
    async (request) => {
      const page = await listOrders(ctx.db, {
        cursor: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
        memberId: request.member?.id as string,
      });
      return { items: page.items.map(orderView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/orders/:id",
    {
      preValidation: member,
      schema: {
        tags: ["shop"],
        summary: "订单详情 / one of my orders",
        operationId: "getMyOrder",
        description:
          "会员查看自己的一笔订单；他人的订单视为不存在。 / One of the signed-in member's orders; another member's order reads as not found.",
        params: IdParams,
        response: responses(OrderSchema, { errors: ["ORDER_NOT_FOUND"], example: EX_ORDER }),
      },
    },
    async (request) => {
      const order = await findOrder(ctx.db, request.params.id);
      // Another member's order reads as missing: its existence is not disclosed.
      if (!order || order.memberId !== request.member?.id) fail("ORDER_NOT_FOUND");
      return orderView(order);
    },
  );

  app.post(
    "/orders/:id/cancel",
    {
      preValidation: member,
      schema: {
        tags: ["shop"],
        summary: "取消待支付订单 / cancel an order awaiting payment",
        operationId: "cancelMyOrder",
        description:
          "会员取消自己待支付的订单，抵扣的积分退回。 / The member cancels their own order awaiting payment; points set aside for it are freed.",
        headers: IdempotencyHeaders,
        params: IdParams,
        response: responses(OrderSchema, {
          errors: ["ORDER_NOT_FOUND", "ORDER_NOT_PENDING"],
          example: { ...EX_PENDING_ORDER, status: "cancelled" },
        }),
      },
    },
    async (request, reply) =>
      command(ctx, request, reply, async (tx) => {
        const order = await lockOrder(tx, request.params.id);
        if (order.memberId !== request.member?.id) fail("ORDER_NOT_FOUND");
        return orderView(await markCancelled(tx, order, ctx.clock.now()));
      }),
  );

  await registerRoutes(app, ctx, webhookRoutes);
}
