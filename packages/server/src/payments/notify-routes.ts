/**
 * POST /payments/{provider}/notify: where WeChat Pay and Alipay send their
 * payment, refund and transfer notifications. The body is kept as the exact
 * bytes (signatures cover them), verified by the provider, applied once, and
 * answered as the provider's protocol requires (service.ts
 * receiveNotification). Payout reports go to the withdrawals (wallets).
 */
import { Type } from "@fastify/type-provider-typebox";
import type { App, AppContext } from "../http/context.ts";
import { responses } from "../http/schemas.ts";
import { applyPayoutReport } from "../wallets/index.ts";
import { viaWriter } from "../writer/index.ts";
import { PROVIDER_NAMES, type ProviderName, paymentServices, receiveNotification } from "./index.ts";

const NOTIFY_SCHEMA = {
  tags: ["payments"],
  summary: "支付平台通知 / a payment provider's notification",
  operationId: "receivePaymentNotification",
  description:
    "微信支付与支付宝的支付、退款、转账结果通知：按平台协议验签、解密，每笔交易只入账一次，金额或订单不符则拒绝并记录。应答按平台要求（微信：成功 204，失败 4xx/5xx 与 {code,message}；支付宝：success / fail）。 / WeChat Pay's and Alipay's payment, refund and transfer notifications: verified and decrypted by the provider's protocol, each transaction credited once, a mismatch refused and recorded; answered as the provider requires.",
  security: [],
  params: Type.Object({
    provider: Type.Union(
      PROVIDER_NAMES.map((n) => Type.Literal(n)),
      { description: "wechat or alipay" },
    ),
  }),
  response: responses(
    Type.Object(
      { code: Type.Optional(Type.String()), message: Type.Optional(Type.String()) },
      {
        description: "WeChat Pay: empty (204) or {code:SUCCESS}; Alipay: the text success",
      },
    ),
    {
      errors: [
        "PAYMENT_NOTIFICATION_INVALID",
        "PAYMENT_UNKNOWN",
        "PAYMENT_AMOUNT_MISMATCH",
        "PAYMENT_TX_REUSED",
        "PAYMENT_PAID_TWICE",
        "PAYMENT_ORDER_NOT_PENDING",
      ],
      example: { code: "SUCCESS", message: "成功" },
    },
  ),
};

/** The notification route, with the exact bytes of JSON and form bodies kept. */
export async function paymentNotifyRoutes(app: App, ctx: AppContext): Promise<void> {
  app.removeContentTypeParser("application/json");
  for (const type of ["application/json", "application/x-www-form-urlencoded", "text/plain", "text/xml"]) {
    app.addContentTypeParser(type, { parseAs: "buffer", bodyLimit: 256 * 1024 }, (_request, body, done) =>
      done(null, body),
    );
  }
  // A notification applies through the shop's writer: a process that does not hold its lease
  // forwards the exact bytes and headers to the one that does (writer/route.ts).
  app.post("/payments/:provider/notify", { schema: NOTIFY_SCHEMA }, async (request, reply) => {
    if (Buffer.isBuffer(request.body)) Object.assign(request, { rawBody: request.body });
    return viaWriter(ctx.lease, request, reply, async () => {
      const svc = paymentServices(ctx, request.log);
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(request.headers))
        headers[k.toLowerCase()] = Array.isArray(v) ? v[0] : v;
      const raw = {
        rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        headers,
        contentType: String(request.headers["content-type"] ?? ""),
      };
      const answer = await receiveNotification(
        svc,
        request.params.provider as ProviderName,
        raw,
        async (_p, report) => {
          await applyPayoutReport({ ...svc, now: () => ctx.clock.now() }, report);
        },
      );
      reply.code(answer.statusCode as 200).type(answer.contentType);
      return answer.statusCode === 204 ? reply.send() : reply.send(answer.body);
    });
  });
}
