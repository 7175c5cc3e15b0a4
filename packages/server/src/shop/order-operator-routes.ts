import { Type } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import type { AuditEntry } from "../audit/index.ts";
import { fail } from "../errors/index.ts";
import { command, commandClaim } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { EX_ORDER, EX_PENDING_ORDER, page } from "../http/examples.ts";
import { op, operatorAccess } from "../http/operator-access.ts";
import type { RouteDoc } from "../http/route-docs.ts";
import {
  Day,
  Id,
  IdempotencyHeaders,
  IdParams,
  Page,
  Phone,
  pageLimit,
  pageQuery,
  responses,
  Text,
  withExample,
} from "../http/schemas.ts";
import { requestLanguage } from "../ledger/index.ts";
import { paymentServices, refundOrder } from "../payments/index.ts";
import { REWARD_HOOKS } from "../rewards/index.ts";
import { viaWriter } from "../writer/index.ts";
import { orderEffects, previewRefund, searchOrderIds } from "./order-admin.ts";
import {
  AdminOrderSchema,
  adminOrderViews,
  EffectSchema,
  EX_EFFECTS,
  EX_REFUND_PREVIEW,
  RefundPreviewSchema,
} from "./order-admin-views.ts";
import {
  checkRefundReason,
  findOrder,
  findOrders,
  lockOrder,
  markCancelled,
  markPaid,
  markRefunded,
  type Order,
} from "./orders.ts";
import { PLANS, type Plan } from "./products.ts";
import { OrderSchema, orderView } from "./views.ts";
import { manualRefundJob } from "./webhook-batched.ts";

/** The audit-log row of an operator's refund, as the serial route's `audit` writes it. */
function refundAudit(request: FastifyRequest, order: Order, reason: string, now: Date): AuditEntry {
  return {
    operator: op(request),
    action: "order.refund",
    targetType: "order",
    targetId: order.id,
    detail: { amount: orderView(order).amount, reason },
    requestId: request.id,
    now,
  };
}

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
          "运营按状态、奖励计划、会员（手机号或编号）与下单日期（营业日，含首尾）查看订单，新的在前；手机号打码。 / Operators list orders, newest first, by status, plan, member (mobile number or id) and day ordered (business days, both ends included); phones masked.",
        querystring: pageQuery({
          memberId: Type.Optional(Id),
          status: Type.Optional(
            Type.Union(["pending", "paid", "refunded", "cancelled"].map((s) => Type.Literal(s))),
          ),
          plan: Type.Optional(Type.Union(PLANS.map((p) => Type.Literal(p)))),
          phone: Type.Optional(Phone),
          from: Type.Optional(Day("ordered on or after this business day")),
          to: Type.Optional(Day("ordered on or before this business day")),
        }),
        response: responses(Page(AdminOrderSchema), {
          example: page([{ ...EX_ORDER, memberPhone: "138****5678", productName: "臻品茶礼盒" }]),
        }),
      },
    },
    async (request) => {
      const { query } = request;
      const found = await searchOrderIds(ctx.db, {
        cursor: query.cursor ?? null,
        limit: pageLimit(query.limit),
        timeZone: ctx.timeZone,
        ...(query.memberId ? { memberId: query.memberId } : {}),
        ...(query.status ? { status: query.status as Order["status"] } : {}),
        ...(query.plan ? { plan: query.plan as Plan } : {}),
        ...(query.phone ? { phone: query.phone } : {}),
        ...(query.from ? { from: query.from } : {}),
        ...(query.to ? { to: query.to } : {}),
      });
      const orders = await findOrders(ctx.db, found.ids);
      return { items: await adminOrderViews(ctx.db, orders), nextCursor: found.nextCursor };
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
        command(
          ctx,
          request,
          reply,
          async (tx) => {
            const order = await lockOrder(tx, request.params.id);
            const deps = { hooks: ctx.hooks, now: ctx.clock.now(), timeZone: ctx.timeZone };
            if (action === "pay" && order.provider !== "manual") {
              fail("ORDER_NOT_PENDING", {
                detail: { zh: "该订单由商城回调确认", en: "this order is paid through the webhook" },
              });
            }
            const next =
              action === "pay" ? await markPaid(tx, order, deps) : await markCancelled(tx, order, deps.now);
            await audit(request, tx, `order.${action}`, "order", order.id, {
              amount: orderView(order).amount,
            });
            return orderView(next);
          },
          200,
          undefined,
          // A payment moves the equity pool (an order of the equity plan): through the writer (issue 14).
          { viaWriter: action === "pay" },
        ),
    );
  orderAction("confirm-payment", "确认收款（人工支付）/ confirm a manual payment", "pay", {
    operationId: "confirmOrderPayment",
    description:
      "财务或管理员确认人工支付订单已收款，订单变为已支付并按规则发放奖励。 / Finance or an admin confirms that a manual order was paid; the order is paid and its rewards follow the rules.",
    errors: ["ORDER_NOT_PENDING", "INSUFFICIENT_POINTS", "BATCH_FAILED", "WRITER_STOPPING"],
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
          "财务或管理员为已支付订单退款并填写原因，撤回该订单带来的奖励（会员不足以抵扣的部分记为欠款）；原因记在订单与操作日志中。经微信支付或支付宝收款的订单通过原支付平台退款，平台确认退款成功后订单才变为已退款。 / Finance or an admin refunds a paid order with a reason; the rewards it brought are taken back (what a member cannot cover becomes debt); the reason is kept on the order and in the audit log. An order paid through WeChat Pay or Alipay is refunded through that provider and becomes refunded when the provider confirms.",
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
            "PAYMENT_PROVIDER_FAILED",
            "PAYMENT_PROVIDER_UNAVAILABLE",
            "SETTLEMENT_RUNNING",
            "BATCH_FAILED",
            "WRITER_STOPPING",
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
      const now = ctx.clock.now();
      const paidBy = (await findOrder(ctx.db, request.params.id))?.provider;
      if (paidBy === "wechat" || paidBy === "alipay") {
        // Through the provider that collected the cash: refunded when the provider confirms (payments/).
        const order = await refundOrder(paymentServices(ctx, request.log), {
          orderId: request.params.id,
          reason,
          operatorId: op(request).id,
        });
        await ctx.db.transaction((tx) =>
          audit(request, tx, "order.refund", "order", order.id, { amount: orderView(order).amount, reason }),
        );
        return orderView(order);
      }
      const writer = ctx.writer;
      // With the engine's reward hooks: refunded in the writer's batch memory, written set-based with the batch.
      if (writer && ctx.hooks.onOrderRefunded === REWARD_HOOKS.onOrderRefunded) {
        const job = manualRefundJob(
          commandClaim(request),
          { orderId: request.params.id, reason, audit: (order) => refundAudit(request, order, reason, now) },
          { now, timeZone: ctx.timeZone },
        );
        return viaWriter(ctx.lease, request, reply, async () => {
          const answer = await writer.submit(job);
          reply.code(answer.status as 200);
          if (answer.kind === "replay") reply.header("idempotent-replayed", "true");
          return answer.body as ReturnType<typeof orderView>;
        });
      }
      return command(
        ctx,
        request,
        reply,
        async (tx) => {
          const order = await lockOrder(tx, request.params.id);
          const deps = { hooks: ctx.hooks, now: ctx.clock.now(), timeZone: ctx.timeZone };
          const next = await markRefunded(tx, order, deps, reason);
          await audit(request, tx, "order.refund", "order", order.id, {
            amount: orderView(order).amount,
            reason,
          });
          return orderView(next);
        },
        200,
        undefined,
        { viaWriter: true },
      );
    },
  );

  app.get(
    "/orders/:id/effects",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "订单的账务影响 / an order's ledger effects",
        operationId: "listOrderEffects",
        description:
          "运营查看一笔订单带来的全部记账：支付、奖励（增值积分、分红权重与额度、赠送积分、推荐奖励）、退款与冲回，旧的在前，每行说明原因；手机号打码（按 Accept-Language 给出中文或英文说明）。 / Operators read every ledger posting an order caused: payment, rewards (equity points, dividend weight and quota, gift points, referral rewards), refund and reversals, oldest first, each with its cause in words; phones masked (the description in the Accept-Language).",
        params: IdParams,
        querystring: pageQuery({}),
        response: responses(Page(EffectSchema), { errors: ["ORDER_NOT_FOUND"], example: EX_EFFECTS }),
      },
    },
    async (request) => {
      const order = await findOrder(ctx.db, request.params.id);
      if (!order) fail("ORDER_NOT_FOUND");
      return orderEffects(ctx.db, order, {
        cursor: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
        language: requestLanguage(request.headers),
      });
    },
  );

  app.get(
    "/orders/:id/refund-preview",
    {
      preValidation: money,
      schema: {
        tags: ["admin"],
        summary: "退款预览：将冲回什么 / refund preview: what a refund would take back",
        operationId: "previewOrderRefund",
        description:
          "财务或管理员在退款前查看退款将写入的记账与变动的余额（含将产生的欠款）。由退款本身的代码在一个随后回滚的事务中算出，什么都不改变；退款不可能时给出与退款相同的错误。 / Finance or an admin sees, before refunding, the postings a refund would write and the balances it would change (debts included). Computed by the refund's own code in a transaction that is rolled back: nothing changes; where the refund is impossible it answers the refund's error.",
        params: IdParams,
        response: responses(RefundPreviewSchema, {
          errors: ["ORDER_NOT_FOUND", "ORDER_NOT_PAID", "ORDER_REFUNDED", "SETTLEMENT_RUNNING"],
          example: EX_REFUND_PREVIEW,
        }),
      },
    },
    async (request) => {
      const deps = { hooks: ctx.hooks, now: ctx.clock.now(), timeZone: ctx.timeZone };
      return previewRefund(ctx.db, request.params.id, deps, requestLanguage(request.headers));
    },
  );
}
