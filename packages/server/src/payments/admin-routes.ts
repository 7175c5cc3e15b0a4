/**
 * The operators' payment routes (mounted under /admin): each provider's
 * settings (secrets write-only: shown masked, kept when left empty), the
 * notifications refused after their signature checked out, and running the
 * follow-up (payments, refunds, payouts) at once.
 */
import { Type } from "@fastify/type-provider-typebox";
import { formatDecimal, parseDecimal } from "@jifen/engine";
import { fail } from "../errors/index.ts";
import { command } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { operatorAccess } from "../http/operator-access.ts";
import {
  IdempotencyHeaders,
  Nullable,
  Page,
  pageLimit,
  pageQuery,
  responses,
  withExample,
} from "../http/schemas.ts";
import { maskedSettings, PROVIDER_NAMES, readProviderSettings, saveProviderSettings } from "./index.ts";

const ProviderSettingsSchema = Type.Object({
  name: Type.Union(PROVIDER_NAMES.map((n) => Type.Literal(n))),
  enabled: Type.Boolean({ description: "offered at checkout" }),
  payouts: Type.Boolean({ description: "pays approved withdrawals out (商家转账 / 转账到支付宝账户)" }),
  config: Type.Record(Type.String(), Type.String(), {
    description: "the provider's fields; secrets come back as ****** (write-only)",
  }),
});

const EX_WECHAT = {
  name: "wechat",
  enabled: true,
  payouts: true,
  config: {
    mchId: "1900000109",
    appId: "wx8888888888888888",
    serialNo: "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
    privateKey: "******",
    apiV3Key: "******",
    platformPublicKeyId: "PUB_KEY_ID_0114232134912410000000000000",
    platformPublicKey: "******",
    notifyUrl: "https://shop.example.com/payments/wechat/notify",
  },
};

const RejectionSchema = Type.Object({
  id: Type.String(),
  provider: Type.String(),
  code: Type.String({ description: "the refusal's error code, e.g. PAYMENT_AMOUNT_MISMATCH" }),
  outTradeNo: Nullable(Type.String()),
  providerTxId: Nullable(Type.String()),
  amount: Nullable(Type.String({ description: "the amount the notification claimed (yuan)" })),
  detail: Type.String(),
  receivedAt: Type.String(),
});

type Access = ReturnType<typeof operatorAccess>;

function listProvidersRoute(app: App, ctx: AppContext, admin: Access["admin"]): void {
  app.get(
    "/payments/providers",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "支付平台配置 / payment provider settings",
        operationId: "listPaymentProviders",
        description:
          "各支付平台（微信支付、支付宝）的配置；密钥类字段只显示为 ******。 / Each payment provider's settings; secret fields show as ******.",
        response: responses(Type.Array(ProviderSettingsSchema), { example: [EX_WECHAT] }),
      },
    },
    async () => {
      const out = [];
      for (const factory of ctx.payments.factories)
        out.push(maskedSettings(factory, await readProviderSettings(ctx.db, factory.name)));
      return out;
    },
  );
}

function saveProviderRoute(app: App, ctx: AppContext, admin: Access["admin"], audit: Access["audit"]): void {
  app.put(
    "/payments/providers/:name",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "保存支付平台配置 / save a payment provider's settings",
        operationId: "savePaymentProvider",
        description:
          "保存一个支付平台的配置。密钥只写不读：留空或不传则保留原值。也可以用 <字段>File 指定服务器上保存密钥的文件路径。 / Saves a provider's settings. Secrets are write-only: left out or empty keeps the stored value. A secret may instead name a file on the server (<field>File).",
        headers: IdempotencyHeaders,
        params: Type.Object({ name: Type.Union(PROVIDER_NAMES.map((n) => Type.Literal(n))) }),
        body: withExample(
          Type.Object({
            enabled: Type.Boolean(),
            payouts: Type.Boolean(),
            config: Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 8192 })),
          }),
          { enabled: true, payouts: false, config: { ...EX_WECHAT.config, privateKey: "", apiV3Key: "" } },
        ),
        response: responses(ProviderSettingsSchema, {
          errors: ["PAYMENT_SETTINGS_INVALID", "PAYMENT_PROVIDER_UNAVAILABLE"],
          example: EX_WECHAT,
        }),
      },
    },
    async (request, reply) =>
      command(ctx, request, reply, async (tx) => {
        const factory = ctx.payments.factories.find((f) => f.name === request.params.name);
        if (!factory) fail("PAYMENT_PROVIDER_UNAVAILABLE", { field: "name" });
        const saved = await saveProviderSettings(tx, factory, request.body);
        // The audit row names the fields changed, never their values.
        await audit(request, tx, "payments.provider.save", "payment_provider", factory.name, {
          enabled: saved.enabled,
          payouts: saved.payouts,
          fields: Object.keys(request.body.config).sort(),
        });
        return maskedSettings(factory, saved);
      }),
  );
}

function rejectionsRoute(app: App, ctx: AppContext, money: Access["money"]): void {
  app.get(
    "/payments/rejections",
    {
      preValidation: money,
      schema: {
        tags: ["admin"],
        summary: "被拒绝的支付通知 / refused payment notifications",
        operationId: "listPaymentRejections",
        description:
          "签名有效但与订单不符（金额不符、非本店订单、重复支付等）而被拒绝的通知，新的在前；未入账，需人工核实。 / Notifications refused although their signature checked out (amount differs, not our order, paid twice…), newest first; nothing was credited — check each by hand.",
        querystring: pageQuery({}),
        response: responses(Page(RejectionSchema), {
          example: {
            items: [
              {
                id: "1",
                provider: "wechat",
                code: "PAYMENT_AMOUNT_MISMATCH",
                outTradeNo: "JF42T9c1d2e3f",
                providerTxId: "4200000000202601050000000001",
                amount: "0.01",
                detail: "the notification says 0.010000, the payment is 99.000000",
                receivedAt: "2026-01-05T03:00:00.000Z",
              },
            ],
            nextCursor: null,
          },
        }),
      },
    },
    async (request) => {
      const limit = pageLimit(request.query.limit);
      const rows = await ctx.db.query<{
        id: string;
        provider: string;
        code: string;
        out_trade_no: string | null;
        provider_tx_id: string | null;
        amount: string | null;
        detail: string;
        received_at: Date;
      }>(
        `select id, provider, code, out_trade_no, provider_tx_id, amount, detail, received_at from payment_rejections
         where ($1::bigint is null or id < $1::bigint) order by id desc limit $2`,
        [request.query.cursor ?? null, limit + 1],
      );
      const items = rows.rows.slice(0, limit).map((r) => ({
        id: String(r.id),
        provider: r.provider,
        code: r.code,
        outTradeNo: r.out_trade_no,
        providerTxId: r.provider_tx_id,
        amount: r.amount === null ? null : formatDecimal(parseDecimal(r.amount)),
        detail: r.detail,
        receivedAt: r.received_at.toISOString(),
      }));
      const last = items[items.length - 1];
      return { items, nextCursor: rows.rows.length > limit && last ? last.id : null };
    },
  );
}

/** Operator routes of the payment providers. */
export async function paymentAdminRoutes(app: App, ctx: AppContext): Promise<void> {
  const { admin, money, audit } = operatorAccess(ctx);
  listProvidersRoute(app, ctx, admin);
  saveProviderRoute(app, ctx, admin, audit);
  rejectionsRoute(app, ctx, money);
}
