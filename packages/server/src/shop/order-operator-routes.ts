import { Type } from "@fastify/type-provider-typebox";
import { fail } from "../errors/index.ts";
import { command } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { EX_ORDER, EX_PENDING_ORDER, page } from "../http/examples.ts";
import { operatorAccess } from "../http/operator-access.ts";
import type { RouteDoc } from "../http/route-docs.ts";
import {
  Id,
  IdempotencyHeaders,
  IdParams,
  Page,
  pageLimit,
  pageQuery,
  responses,
  Text,
  withExample,
} from "../http/schemas.ts";
import {
  checkRefundReason,
  findOrder,
  listOrders,
  lockOrder,
  markCancelled,
  markPaid,
  markRefunded,
} from "./orders.ts";
import { OrderSchema, orderView } from "./views.ts";

/** Orders for operators: list, detail, mark paid, cancel, refund. Mounted under /admin. */
export async function orderOperatorRoutes(app: App, ctx: AppContext): Promise<void> {
  const { anyone, money, audit } = operatorAccess(ctx);

  // ---- orders ------------------------------------------------------------

  app.get(
    "/orders",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "订单列表 / orders",
        operationId: "listOrders",
        description:
          "运营按会员与状态查看订单，新的在前。 / Operators list orders, newest first, by member and status.",
        querystring: pageQuery({
          memberId: Type.Optional(Id),
          status: Type.Optional(
            Type.Union(["pending", "paid", "refunded", "cancelled"].map((s) => Type.Literal(s))),
          ),
        }),
        response: responses(Page(OrderSchema), { example: page([EX_ORDER]) }),
      },
    },
    async (request) => {
      const page = await listOrders(ctx.db, {
        cursor: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
        ...(request.query.memberId ? { memberId: request.query.memberId } : {}),
        ...(request.query.status ? { status: request.query.status as "paid" } : {}),
      });
      return { items: page.items.map(orderView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/orders/:id",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "订单详情 / one order",
        operationId: "getOrder",
        description: "运营查看一笔订单。 / Operators read one order.",
        params: IdParams,
        response: responses(OrderSchema, { errors: ["ORDER_NOT_FOUND"], example: EX_ORDER }),
      },
    },
    async (request) => {
      const order = await findOrder(ctx.db, request.params.id);
      if (!order) fail("ORDER_NOT_FOUND");
      return orderView(order);
    },
  );

  const orderAction = (
    path: string,
    summary: string,
    action: "pay" | "cancel",
    doc: { operationId: string; description: string; errors: RouteDoc["errors"]; example: unknown },
  ) =>
    app.post(
      `/orders/:id/${path}`,
      {
        preValidation: money,
        schema: {
          tags: ["admin"],
          summary,
          operationId: doc.operationId,
          description: doc.description,
          headers: IdempotencyHeaders,
          params: IdParams,
          response: responses(OrderSchema, {
            errors: ["ORDER_NOT_FOUND", "BALANCE_CONFLICT", ...(doc.errors ?? [])],
            example: doc.example,
          }),
        },
      },
      async (request, reply) =>
        command(ctx, request, reply, async (tx) => {
          const order = await lockOrder(tx, request.params.id);
          const deps = { hooks: ctx.hooks, now: ctx.clock.now(), timeZone: ctx.timeZone };
          if (action === "pay" && order.provider !== "manual") {
            fail("ORDER_NOT_PENDING", {
              detail: { zh: "该订单由商城回调确认", en: "this order is paid through the webhook" },
            });
          }
          const next =
            action === "pay" ? await markPaid(tx, order, deps) : await markCancelled(tx, order, deps.now);
          await audit(request, tx, `order.${action}`, "order", order.id, { amount: orderView(order).amount });
          return orderView(next);
        }),
    );
  orderAction("confirm-payment", "确认收款（人工支付）/ confirm a manual payment", "pay", {
    operationId: "confirmOrderPayment",
    description:
      "财务或管理员确认人工支付订单已收款，订单变为已支付并按规则发放奖励。 / Finance or an admin confirms that a manual order was paid; the order is paid and its rewards follow the rules.",
    errors: ["ORDER_NOT_PENDING", "INSUFFICIENT_POINTS"],
    example: EX_ORDER,
  });
  orderAction("cancel", "取消待支付订单 / cancel an order awaiting payment", "cancel", {
    operationId: "cancelOrder",
    description:
      "财务或管理员取消待支付的订单，抵扣的积分退回。 / Finance or an admin cancels an order awaiting payment; points set aside for it are freed.",
    errors: ["ORDER_NOT_PENDING"],
    example: { ...EX_PENDING_ORDER, status: "cancelled" },
  });

  app.post(
    "/orders/:id/refund",
    {
      preValidation: money,
      schema: {
        tags: ["admin"],
        summary: "退款（须填写原因）/ refund a paid order (a reason is required)",
        operationId: "refundOrder",
        description:
          "财务或管理员为已支付订单退款并填写原因，撤回该订单带来的奖励（会员不足以抵扣的部分记为欠款）；原因记在订单与操作日志中。 / Finance or an admin refunds a paid order with a reason; the rewards it brought are taken back (what a member cannot cover becomes debt); the reason is kept on the order and in the audit log.",
        headers: IdempotencyHeaders,
        params: IdParams,
        body: withExample(
          Type.Object({
            reason: Text({
              maxLength: 200,
              description: "退款原因 / why (required, not blank); stored on the order and in the audit log",
            }),
          }),
          { reason: "买家七天无理由退货" },
        ),
        response: responses(OrderSchema, {
          errors: [
            "ORDER_NOT_FOUND",
            "ORDER_NOT_PAID",
            "ORDER_REFUNDED",
            "REFUND_REASON_REQUIRED",
            "BALANCE_CONFLICT",
          ],
          example: {
            ...EX_ORDER,
            status: "refunded",
            refundedAt: "2026-01-09T03:00:12.000Z",
            refundReason: "买家七天无理由退货",
          },
        }),
      },
    },
    async (request, reply) => {
      const reason = checkRefundReason(request.body.reason);
      return command(ctx, request, reply, async (tx) => {
        const order = await lockOrder(tx, request.params.id);
        const deps = { hooks: ctx.hooks, now: ctx.clock.now(), timeZone: ctx.timeZone };
        const next = await markRefunded(tx, order, deps, reason);
        await audit(request, tx, "order.refund", "order", order.id, {
          amount: orderView(order).amount,
          reason,
        });
        return orderView(next);
      });
    },
  );
}
