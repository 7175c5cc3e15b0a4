/**
 * Alipay's HTTP surface. Members: pay a checkout through Alipay (the pay page
 * URL) and give the Alipay account their withdrawals are paid to. Alipay: the
 * asynchronous notification (form-encoded, answered with the plain text
 * `success` or `failure`). Operators (finance): pay a pending withdrawal out.
 * Without Alipay settings every route answers ALIPAY_NOT_CONFIGURED (503).
 */
import { Type } from "@fastify/type-provider-typebox";
import { formatFixed } from "@jifen/engine";
import { fail } from "../errors/index.ts";
import { command } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { requireMember } from "../http/guards.ts";
import { op, operatorAccess } from "../http/operator-access.ts";
import { IdempotencyHeaders, IdParams, responses, Text, withExample } from "../http/schemas.ts";
import type { AlipayProvider } from "../payments/alipay/index.ts";
import { applyPaymentReport, startAlipayPayment } from "./payments.ts";
import { payOutWithdrawal, setPayoutAccount } from "./payouts.ts";

function provider(ctx: AppContext): AlipayProvider {
  if (!ctx.alipay) fail("ALIPAY_NOT_CONFIGURED");
  return ctx.alipay;
}

/** Member routes (/checkouts/:id/alipay, /me/alipay-account) and the notification. */
export async function alipayRoutes(app: App, ctx: AppContext): Promise<void> {
  payRoute(app, ctx);
  accountRoute(app, ctx);
  notifyRoute(app, ctx);
}

const PayAnswer = Type.Object({
  outTradeNo: Type.String({ description: "商户订单号 / our order number at Alipay" }),
  amount: Type.String({ description: "应付金额（元）/ yuan to pay, two decimals" }),
  payUrl: Type.String({
    description: "支付宝收银台地址，浏览器跳转 / Alipay's cashier: send the browser there",
  }),
});

function payRoute(app: App, ctx: AppContext): void {
  app.post(
    "/checkouts/:id/alipay",
    {
      preValidation: requireMember(ctx),
      schema: {
        tags: ["shop"],
        summary: "支付宝支付 / pay a checkout through Alipay",
        operationId: "payCheckoutWithAlipay",
        description:
          "为会员待支付的支付单（provider 为 alipay）生成支付宝收银台地址；支付结果以支付宝异步通知为准。 / The Alipay cashier URL for the member's pending checkout (provider alipay); it is paid when Alipay's notification (or a query) says so, not when the browser comes back.",
        headers: IdempotencyHeaders,
        params: IdParams,
        body: withExample(
          Type.Object({
            channel: Type.Optional(
              Type.Union([Type.Literal("wap"), Type.Literal("page")], {
                description: "wap (default): phone browser; page: computer",
              }),
            ),
            returnUrl: Type.Optional(Text({ maxLength: 500, description: "where the browser comes back" })),
          }),
          { channel: "wap" },
        ),
        response: responses(PayAnswer, {
          errors: ["CHECKOUT_NOT_FOUND", "CHECKOUT_NOT_PENDING", "ALIPAY_NOT_CONFIGURED"],
          example: {
            outTradeNo: "JF1024",
            amount: "198.00",
            payUrl:
              "https://openapi.alipay.com/gateway.do?app_id=2021000000000001&method=alipay.trade.wap.pay&…",
          },
        }),
      },
    },
    async (request, reply) =>
      command(ctx, request, reply, async (tx) => {
        const started = await startAlipayPayment(tx, provider(ctx), {
          checkoutId: request.params.id,
          memberId: request.member?.id as string,
          channel: request.body.channel ?? "wap",
          ...(request.body.returnUrl ? { returnUrl: request.body.returnUrl } : {}),
          now: ctx.clock.now(),
        });
        return {
          outTradeNo: started.outTradeNo,
          amount: formatFixed(started.amountMicro, 2),
          payUrl: started.payUrl,
        };
      }),
  );
}

const AccountBody = Type.Object({
  identity: Text({
    minLength: 1,
    maxLength: 100,
    description: "支付宝登录号（手机号或邮箱）或支付宝用户号（2088 开头 16 位）/ Alipay login id or user id",
  }),
  realName: Type.Optional(
    Text({ maxLength: 50, description: "实名，登录号必填 / real name, required with a login id" }),
  ),
});

function accountRoute(app: App, ctx: AppContext): void {
  app.put(
    "/me/alipay-account",
    {
      preValidation: requireMember(ctx),
      schema: {
        tags: ["wallets"],
        summary: "设置提现支付宝账户 / set the Alipay account withdrawals are paid to",
        operationId: "setMyAlipayAccount",
        description:
          "会员填写提现收款的支付宝账户：登录号（手机号或邮箱，须填实名）或用户号（2088 开头）。 / The Alipay account the member's withdrawals are paid to: a login id (phone or e-mail, with the real name) or a user id (2088…).",
        headers: IdempotencyHeaders,
        body: withExample(AccountBody, { identity: "13812345678", realName: "张三" }),
        response: responses(Type.Object({ identity: Type.String(), identityType: Type.String() }), {
          errors: ["VALIDATION_FAILED"],
          example: { identity: "138****5678", identityType: "ALIPAY_LOGON_ID" },
        }),
      },
    },
    async (request, reply) =>
      command(ctx, request, reply, async (tx) => {
        const identity = request.body.identity.trim();
        const identityType = /^2088\d{12}$/.test(identity) ? "ALIPAY_USER_ID" : "ALIPAY_LOGON_ID";
        const realName = request.body.realName?.trim();
        if (identityType === "ALIPAY_LOGON_ID" && !realName)
          fail("VALIDATION_FAILED", {
            field: "realName",
            detail: { zh: "登录号须填写实名", en: "a login id needs the real name" },
          });
        await setPayoutAccount(
          tx,
          request.member?.id as string,
          { identity, identityType, ...(realName ? { name: realName } : {}) },
          ctx.clock.now(),
        );
        return { identity: identity.replace(/^(\d{3})\d{4}(\d{4})$/, "$1****$2"), identityType };
      }),
  );
}

/** POST /payments/alipay/notify: Alipay's notification (form fields), answered in plain text. */
function notifyRoute(app: App, ctx: AppContext): void {
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string" },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
  app.post("/payments/alipay/notify", { schema: { hide: true } }, async (request, reply) => {
    const alipay = provider(ctx);
    const form = (request.body ?? {}) as Record<string, string>;
    const report = alipay.readNotification(form);
    const deps = { hooks: ctx.hooks, now: ctx.clock.now(), timeZone: ctx.timeZone };
    const outcome =
      typeof report === "string"
        ? { outcome: "refused" as const, reason: report }
        : await applyPaymentReport(ctx.db, report, deps);
    const accepted = outcome.outcome !== "refused";
    if (!accepted)
      request.log.warn(
        { provider: "alipay", outTradeNo: form.out_trade_no, tradeNo: form.trade_no, reason: outcome.reason },
        "payment notification refused",
      );
    reply.type("text/plain; charset=utf-8");
    return alipay.notificationAnswer(accepted);
  });
}

/** Operator route (/admin/withdrawals/:id/alipay-payout), mounted under /admin. */
export async function alipayOperatorRoutes(app: App, ctx: AppContext): Promise<void> {
  const { money } = operatorAccess(ctx);
  app.post(
    "/withdrawals/:id/alipay-payout",
    {
      preValidation: money,
      schema: {
        tags: ["admin"],
        summary: "支付宝打款 / pay a withdrawal out through Alipay",
        operationId: "payWithdrawalWithAlipay",
        description:
          "财务或管理员把待审核的提现通过支付宝转账打给会员：成功即批准；支付宝拒绝（如账户不存在）即驳回并退回余额；结果未知时保持打款中，重试不会重复打款。 / Finance or an admin pays a pending withdrawal to the member's Alipay account: success approves it; a refusal (no such account…) rejects it and returns the cash; an unknown outcome stays `sending`, and a retry never pays twice.",
        params: IdParams,
        response: responses(
          Type.Object({
            status: Type.Union([Type.Literal("sending"), Type.Literal("succeeded"), Type.Literal("failed")]),
          }),
          {
            errors: [
              "WITHDRAWAL_NOT_FOUND",
              "WITHDRAWAL_NOT_PENDING",
              "PAYOUT_ACCOUNT_MISSING",
              "ALIPAY_NOT_CONFIGURED",
            ],
            example: { status: "succeeded" },
          },
        ),
      },
    },
    async (request) => ({
      status: await payOutWithdrawal(ctx.db, provider(ctx), {
        withdrawalId: request.params.id,
        operatorId: op(request).id,
        now: ctx.clock.now(),
        timeZone: ctx.timeZone,
      }),
    }),
  );
}
