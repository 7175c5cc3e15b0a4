import { Type } from "@fastify/type-provider-typebox";
import { fail } from "../errors/index.ts";
import { parseNonNegative } from "../http/amounts.ts";
import { command } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { requireMember } from "../http/guards.ts";
import { MAX_COMMAND_AMOUNT_MICRO } from "../http/limits.ts";
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
} from "../http/schemas.ts";
import { findOrder, listOrders, lockOrder, MAX_QUANTITY, markCancelled, placeOrder } from "./orders.ts";
import { findProduct, listProducts } from "./products.ts";
import { OrderSchema, orderView, ProductSchema, productView } from "./views.ts";
import { webhookRoutes } from "./webhook.ts";

/** Shop routes for members: products, placing and reading one's own orders; and the payment webhook. */
export async function shopRoutes(app: App, ctx: AppContext): Promise<void> {
  const member = requireMember(ctx);

  app.get(
    "/products",
    {
      schema: {
        tags: ["shop"],
        summary: "在售商品 / products on sale",
        security: [],
        response: responses(Type.Object({ items: Type.Array(ProductSchema) })),
      },
    },
    async () => ({ items: (await listProducts(ctx.db, true)).map(productView) }),
  );

  app.get(
    "/products/:id",
    {
      schema: {
        tags: ["shop"],
        summary: "商品详情 / one product",
        security: [],
        params: IdParams,
        response: responses(ProductSchema),
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
        headers: IdempotencyHeaders,
        body: Type.Object({
          productId: Id,
          quantity: Count(MAX_QUANTITY, { description: "units of the product", default: 1 }),
          points: Type.Optional(Decimal("released points to pay with (yuan, at most 2 decimals; default 0)")),
          provider: Type.Optional(
            Type.Union([Type.Literal("manual"), Type.Literal("webhook")], {
              description: "manual: an operator confirms payment; webhook: the shop reports it",
            }),
          ),
        }),
        response: createdResponses(OrderSchema),
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
        querystring: PageQuery,
        response: responses(Page(OrderSchema)),
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
        params: IdParams,
        response: responses(OrderSchema),
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
        headers: IdempotencyHeaders,
        params: IdParams,
        response: responses(OrderSchema),
      },
    },
    async (request, reply) =>
      command(ctx, request, reply, async (tx) => {
        const order = await lockOrder(tx, request.params.id);
        if (order.memberId !== request.member?.id) fail("ORDER_NOT_FOUND");
        return orderView(await markCancelled(tx, order, ctx.clock.now()));
      }),
  );

  await app.register(async (scope) => webhookRoutes(scope as unknown as App, ctx));
}
