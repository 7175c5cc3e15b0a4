/**
 * The `webhook` payment provider: an existing shop reports paid and refunded
 * orders. The body is signed with HMAC-SHA256 over the raw bytes with the
 * shared secret (header `X-Jifen-Signature: sha256=<hex>`); each external
 * order id is accepted once (an identical redelivery replays the first
 * answer), and an event that names an order must agree with it.
 */
import { timingSafeEqual } from "node:crypto";
import { type Static, Type } from "@fastify/type-provider-typebox";
import { formatDecimal } from "@jifen/engine";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { parseNonNegative, parseYuan } from "../http/amounts.ts";
import { command } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { EX_ORDER } from "../http/examples.ts";
import { parseJsonLossless } from "../http/json-body.ts";
import { MAX_COMMAND_AMOUNT_MICRO, MAX_ORDER_AMOUNT_MICRO } from "../http/limits.ts";
import { Count, count, Decimal, Id, Phone, responses, Text, withExample } from "../http/schemas.ts";
import { findMemberByPhone } from "../members/index.ts";
import { REWARD_HOOKS } from "../rewards/index.ts";
import { maskPhone } from "../sms/index.ts";
import { viaWriter, type WriterAnswer } from "../writer/index.ts";
import {
  createOrder,
  lockOrder,
  lockOrderByExternalId,
  MAX_QUANTITY,
  markPaid,
  markRefunded,
  type Order,
} from "./orders.ts";
import { findProduct } from "./products.ts";
import { OrderSchema, orderView } from "./views.ts";
import { mismatch, WEBHOOK_REFUND_REASON, webhookOrderJob, webhookRefundJob } from "./webhook-batched.ts";
import { signWebhook } from "./webhook-signature.ts";

declare module "fastify" {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

function verify(ctx: AppContext, request: FastifyRequest): void {
  if (ctx.webhookSecret === null) fail("WEBHOOK_DISABLED");
  const given = request.headers["x-jifen-signature"];
  const raw = request.rawBody;
  if (typeof given !== "string" || raw === undefined) fail("WEBHOOK_SIGNATURE_INVALID");
  const expected = Buffer.from(signWebhook(ctx.webhookSecret, raw));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
    fail("WEBHOOK_SIGNATURE_INVALID");
}

const WebhookBody = Type.Object({
  event: Type.Union([Type.Literal("order.paid"), Type.Literal("order.refunded")]),
  externalId: Text({
    minLength: 1,
    maxLength: 64,
    description: "the shop's order id (accepted once; an identical redelivery gets the first answer)",
  }),
  orderId: Type.Optional(Id),
  phone: Type.Optional(Phone),
  productId: Type.Optional(Id),
  quantity: Type.Optional(Count(MAX_QUANTITY, { description: "units of the product (default 1)" })),
  amount: Type.Optional(
    Decimal("yuan paid in total (default price × quantity; at most price × quantity and 100,000,000)"),
  ),
  points: Type.Optional(Decimal("part paid with the member's released points")),
});

type WebhookEvent = Static<typeof WebhookBody>;

/** Checks every field an `order.paid` event gives against the order it names. */
async function checkAgainstOrder(
  tx: Tx,
  body: WebhookEvent,
  order: Order,
  amount: bigint | undefined,
  points: bigint | undefined,
): Promise<void> {
  if (amount !== undefined && amount !== order.amount)
    mismatch("amount", formatDecimal(amount), formatDecimal(order.amount));
  if (points !== undefined && points !== order.pointsPaid)
    mismatch("points", formatDecimal(points), formatDecimal(order.pointsPaid));
  if (body.productId !== undefined && body.productId !== order.productId)
    mismatch("productId", body.productId, order.productId);
  if (body.quantity !== undefined && Number(body.quantity) !== order.quantity)
    mismatch("quantity", body.quantity, String(order.quantity));
  if (body.phone !== undefined) {
    const member = await findMemberByPhone(tx, body.phone);
    if (member?.id !== order.memberId) mismatch("phone", maskPhone(body.phone), "another member");
  }
}

/** The webhook route's schema (OpenAPI: receivePaymentWebhook). */
const WEBHOOK_SCHEMA = {
  tags: ["shop"],
  summary: "支付回调 / payment webhook of an existing shop",
  operationId: "receivePaymentWebhook",
  description:
    "order.paid: either `orderId` (a pending order placed in Jifen) or `phone` + `productId` (+ quantity, amount, points) to record the shop's own order. order.refunded: `externalId`. Signed: X-Jifen-Signature: sha256=HMAC-SHA256(secret, raw body).",
  security: [],
  headers: Type.Object({
    "x-jifen-signature": Type.String({ description: "sha256=<hex HMAC of the raw body>" }),
  }),
  body: withExample(WebhookBody, {
    event: "order.paid",
    externalId: "YZ20260105-000731",
    phone: "13812345678",
    productId: "3",
    quantity: 2,
    amount: "198.00",
    points: "0",
  }),
  response: responses(OrderSchema, {
    errors: [
      "WEBHOOK_DISABLED",
      "WEBHOOK_SIGNATURE_INVALID",
      "EXTERNAL_ORDER_DUPLICATE",
      "ORDER_NOT_FOUND",
      "ORDER_NOT_PENDING",
      "ORDER_NOT_PAID",
      "MEMBER_NOT_FOUND",
      "PRODUCT_NOT_FOUND",
      "PRODUCT_INACTIVE",
      "INVALID_PHONE",
      "INVALID_AMOUNT",
      "TOO_MANY_PLACES",
      "AMOUNT_NOT_POSITIVE",
      "AMOUNT_NEGATIVE",
      "POINTS_OVER_AMOUNT",
      "POINTS_OVER_RATIO",
      "INSUFFICIENT_POINTS",
      "AMOUNT_TOO_LARGE",
      "WEBHOOK_ORDER_MISMATCH",
      "BALANCE_CONFLICT",
      "SETTLEMENT_RUNNING",
      "BATCH_FAILED",
      "WRITER_STOPPING",
    ],
    example: {
      ...EX_ORDER,
      provider: "webhook",
      externalId: "YZ20260105-000731",
      points: "0.00",
      cash: "198.00",
    },
  }),
};

/**
 * An order.paid delivery: a pending order placed in Jifen (`orderId`) is
 * checked against the body and marked paid; otherwise the shop's own order
 * (`phone` + `productId`) is recorded and paid.
 */
async function recordPaid(
  tx: Tx,
  ctx: AppContext,
  body: WebhookEvent,
  deps: Parameters<typeof markPaid>[2],
  parsed: { amount: bigint | undefined; points: bigint | undefined; quantity: number | undefined },
) {
  const { amount, points, quantity } = parsed;
  const dup = await tx.query("select 1 from orders where provider = 'webhook' and external_id = $1", [
    body.externalId,
  ]);
  if (dup.rows.length > 0) fail("EXTERNAL_ORDER_DUPLICATE", { field: "externalId" });
  if (body.orderId !== undefined) {
    const order = await lockOrder(tx, body.orderId);
    if (order.provider !== "webhook") {
      fail("ORDER_NOT_PENDING", {
        field: "orderId",
        detail: { zh: "该订单由运营人工确认收款", en: "this order is confirmed by an operator" },
      });
    }
    await checkAgainstOrder(tx, body, order, amount, points);
    return orderView(await markPaid(tx, order, deps, body.externalId));
  }
  if (body.phone === undefined)
    fail("VALIDATION_FAILED", {
      field: "phone",
      detail: { zh: "phone 必填", en: "phone is required" },
    });
  if (body.productId === undefined) {
    fail("VALIDATION_FAILED", {
      field: "productId",
      detail: { zh: "productId 必填", en: "productId is required" },
    });
  }
  const member = await findMemberByPhone(tx, body.phone);
  if (!member) fail("MEMBER_NOT_FOUND", { field: "phone" });
  const product = await findProduct(tx, body.productId);
  if (!product) fail("PRODUCT_NOT_FOUND", { field: "productId" });
  const listed = product.price * BigInt(quantity ?? 1);
  if (amount !== undefined && amount > listed)
    mismatch("amount", formatDecimal(amount), `price × quantity = ${formatDecimal(listed)}`);
  const order = await createOrder(tx, {
    memberId: member.id,
    product,
    quantity: quantity ?? 1,
    ...(amount !== undefined ? { amount } : {}),
    points: points ?? 0n,
    provider: "webhook",
    externalId: body.externalId,
    now: deps.now,
    timeZone: ctx.timeZone,
  });
  return orderView(await markPaid(tx, order, deps));
}

/** A delivery the writer answered: 200, and so is its replay (marked). */
function answerOf(reply: FastifyReply, answer: WriterAnswer<unknown>): ReturnType<typeof orderView> {
  reply.code(answer.status as 200);
  if (answer.kind === "replay") reply.header("idempotent-replayed", "true");
  return answer.body as ReturnType<typeof orderView>;
}

/**
 * An order.refunded delivery: with the engine's reward hooks, in the writer's
 * batch memory, written set-based with the batch (issue 14); otherwise the
 * serial refund (through the writer as a transaction job when it is on).
 */
function refunded(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  deps: Parameters<typeof markRefunded>[2],
  delivery: Parameters<typeof command>[5],
): Promise<ReturnType<typeof orderView>> {
  const { externalId } = request.body as WebhookEvent;
  const writer = ctx.writer;
  if (writer && ctx.hooks.onOrderRefunded === REWARD_HOOKS.onOrderRefunded) {
    const job = webhookRefundJob(request, externalId, deps);
    return viaWriter(ctx.lease, request, reply, async () => answerOf(reply, await writer.submit(job)));
  }
  return command(
    ctx,
    request,
    reply,
    async (tx) => {
      const order = await lockOrderByExternalId(tx, "webhook", externalId);
      return orderView(await markRefunded(tx, order, deps, WEBHOOK_REFUND_REASON));
    },
    200,
    delivery,
    { viaWriter: true },
  );
}

/** The webhook provider's route. */
export async function webhookRoutes(app: App, ctx: AppContext): Promise<void> {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    request.rawBody = body as Buffer;
    try {
      done(null, parseJsonLossless((body as Buffer).toString("utf8")));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addHook("preValidation", async (request) => verify(ctx, request));

  app.post("/webhooks/payments", { schema: WEBHOOK_SCHEMA }, async (request, reply) => {
    const body = request.body;
    const deps = { hooks: ctx.hooks, now: ctx.clock.now(), timeZone: ctx.timeZone };
    // Each delivery is keyed by its event and external id: providers retry until they get a
    // 2xx, so an identical redelivery (even a concurrent one) replays the first answer; a
    // different body under the same external id is EXTERNAL_ORDER_DUPLICATE.
    const delivery = {
      scope: "webhook",
      key: `${body.event}:${body.externalId}`,
      reused: "EXTERNAL_ORDER_DUPLICATE",
      field: "externalId",
    } as const;
    if (body.event === "order.refunded") return refunded(ctx, request, reply, deps, delivery);
    const writer = ctx.writer;
    const points =
      body.points === undefined
        ? undefined
        : parseNonNegative(body.points, 2, "points", MAX_COMMAND_AMOUNT_MICRO);
    const amount =
      body.amount === undefined ? undefined : parseYuan(body.amount, "amount", MAX_ORDER_AMOUNT_MICRO);
    const quantity = body.quantity === undefined ? undefined : count(body.quantity, MAX_QUANTITY, "quantity");
    // The shop's own order, nothing paid in points (a flash sale's deliveries): created, paid and made
    // eligible in the writer's batch memory, written set-based with the batch (issue 14).
    if (
      writer &&
      ctx.hooks.onOrderPaid === REWARD_HOOKS.onOrderPaid &&
      body.orderId === undefined &&
      body.phone !== undefined &&
      body.productId !== undefined &&
      (points === undefined || points === 0n)
    ) {
      const { phone, productId, externalId } = body;
      return viaWriter(ctx.lease, request, reply, async () => {
        const job = webhookOrderJob(request, { externalId, phone, productId, quantity, amount }, deps);
        return answerOf(reply, await writer.submit(job));
      });
    }
    return command(
      ctx,
      request,
      reply,
      (tx) => recordPaid(tx, ctx, body, deps, { amount, points, quantity }),
      200,
      delivery,
      { viaWriter: true },
    );
  });
}
