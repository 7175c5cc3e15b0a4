/**
 * The member site's payment routes: start paying a checkout or an order
 * through a provider (WeChat Pay JSAPI / H5 / Native, Alipay WAP / page), and
 * the member's accounts at the providers (the WeChat openid that JSAPI
 * payments and payouts need).
 */
import { Type } from "@fastify/type-provider-typebox";
import { fail } from "../errors/index.ts";
import type { App, AppContext } from "../http/context.ts";
import { formatYuan } from "../http/format.ts";
import { requireMember } from "../http/guards.ts";
import { IdParams, Nullable, responses, Text, withExample } from "../http/schemas.ts";
import {
  authorizeUrl,
  checkOauthState,
  exchangeCode,
  memberAccounts,
  oauthState,
  type Payable,
  type PaymentLaunch,
  type PaymentScene,
  PROVIDER_NAMES,
  type ProviderName,
  paymentServices,
  readProviderSettings,
  setMemberAccount,
  startPayment,
  wechatOauthConfig,
} from "./index.ts";

const ProviderParam = Type.Union(
  PROVIDER_NAMES.map((n) => Type.Literal(n)),
  { description: "wechat (微信支付) or alipay (支付宝)" },
);
const SCENES: PaymentScene[] = ["jsapi", "h5", "native", "wap", "page"];

const StartBody = Type.Object({
  provider: ProviderParam,
  scene: Type.Union(
    SCENES.map((s) => Type.Literal(s)),
    {
      description:
        "jsapi: inside WeChat (needs the member's openid); h5: a mobile browser; native: a QR code on a desktop; wap / page: Alipay on a phone / a desktop",
    },
  ),
  returnUrl: Type.Optional(
    Text({ maxLength: 500, description: "where the provider sends the browser back (h5, wap, page)" }),
  ),
});

const LaunchSchema = Type.Object({
  kind: Type.Union([Type.Literal("jsapi"), Type.Literal("redirect"), Type.Literal("qr")]),
  params: Type.Optional(
    Type.Record(Type.String(), Type.String(), {
      description:
        "jsapi: the arguments of WeixinJSBridge getBrandWCPayRequest (appId, timeStamp, nonceStr, package, signType, paySign)",
    }),
  ),
  url: Type.Optional(Type.String({ description: "redirect: the provider's page to open" })),
  codeUrl: Type.Optional(Type.String({ description: "qr: the text of the QR code to show" })),
});

const StartedSchema = Type.Object({
  outTradeNo: Type.String({ description: "our number of the payment (商户订单号)" }),
  provider: ProviderParam,
  amount: Type.String({ description: "the cash to pay (yuan)" }),
  launch: LaunchSchema,
});

function launchView(launch: PaymentLaunch) {
  if (launch.kind === "jsapi") return { kind: launch.kind, params: { ...launch.params } };
  if (launch.kind === "redirect") return { kind: launch.kind, url: launch.url };
  return { kind: launch.kind, codeUrl: launch.codeUrl };
}

const EX_STARTED = {
  outTradeNo: "JF42T9c1d2e3f",
  provider: "wechat",
  amount: "99.00",
  launch: { kind: "qr", codeUrl: "weixin://wxpay/bizpayurl/up?pr=NwY5Mz9&groupid=00" },
};

const START_ERRORS = [
  "ORDER_NOT_FOUND",
  "ORDER_NOT_PENDING",
  "PAYMENT_PROVIDER_UNAVAILABLE",
  "PAYMENT_PROVIDER_MISMATCH",
  "PAYMENT_SCENE_UNSUPPORTED",
  "PAYMENT_ACCOUNT_MISSING",
  "PAYMENT_PROVIDER_FAILED",
] as const;

type MemberGuard = ReturnType<typeof requireMember>;

function startRoute(app: App, ctx: AppContext, member: MemberGuard, what: "checkouts" | "orders"): void {
  app.post(
    `/${what}/:id/payments`,
    {
      preValidation: member,
      schema: {
        tags: ["shop"],
        summary:
          what === "checkouts"
            ? "支付支付单 / pay a checkout through a provider"
            : "支付订单 / pay an order through a provider",
        operationId: what === "checkouts" ? "startCheckoutPayment" : "startOrderPayment",
        description:
          "向微信支付或支付宝发起支付，返回拉起支付所需的参数：JSAPI 参数（微信内）、跳转地址（H5 / 支付宝）或二维码内容（电脑）。到账以支付平台通知为准。 / Asks WeChat Pay or Alipay for a payment and returns how to start it: JSAPI parameters (inside WeChat), a page to open (H5 / Alipay) or a QR code's text (desktop). The order is paid when the provider's notification arrives.",
        params: IdParams,
        body: withExample(StartBody, { provider: "wechat", scene: "native" }),
        response: responses(StartedSchema, { errors: [...START_ERRORS], example: EX_STARTED }),
      },
    },
    async (request) => {
      const id = request.params.id;
      const payable: Payable = what === "checkouts" ? { checkoutId: id } : { orderId: id };
      const { payment, launch } = await startPayment(paymentServices(ctx, request.log), {
        payable,
        memberId: request.member?.id as string,
        provider: request.body.provider as ProviderName,
        scene: request.body.scene as PaymentScene,
        clientIp: request.ip,
        ...(request.body.returnUrl ? { returnUrl: request.body.returnUrl } : {}),
        description: what === "checkouts" ? `积分商城支付单 ${id}` : `积分商城订单 ${id}`,
      });
      return {
        outTradeNo: payment.outTradeNo,
        provider: payment.provider,
        amount: formatYuan(payment.amount),
        launch: launchView(launch),
      };
    },
  );
}

const AccountSchema = Type.Object({
  provider: ProviderParam,
  account: Type.String({
    description: "WeChat: the openid under the shop's appid; Alipay: the login id or user id",
  }),
  accountName: Nullable(
    Type.String({ description: "the real name on the account (Alipay transfers check it)" }),
  ),
});

function accountRoutes(app: App, ctx: AppContext, member: MemberGuard): void {
  app.get(
    "/me/payment-accounts",
    {
      preValidation: member,
      schema: {
        tags: ["shop"],
        summary: "我的收付款账户 / my accounts at the payment providers",
        operationId: "listMyPaymentAccounts",
        description:
          "会员已绑定的微信 openid、支付宝账户（用于微信内支付与提现到账）。 / The member's linked WeChat openid and Alipay account (for paying inside WeChat and receiving withdrawals).",
        response: responses(Type.Array(AccountSchema), {
          example: [{ provider: "wechat", account: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", accountName: null }],
        }),
      },
    },
    async (request) =>
      (await memberAccounts(ctx.db, request.member?.id as string)).map((a) => ({
        provider: a.provider,
        account: a.account,
        accountName: a.accountName,
      })),
  );
  app.put(
    "/me/payment-accounts/:provider",
    {
      preValidation: member,
      schema: {
        tags: ["shop"],
        summary: "绑定收付款账户 / link my account at a payment provider",
        operationId: "setMyPaymentAccount",
        description:
          "绑定或更换会员在微信（openid）或支付宝的账户；提现打款到此账户。 / Links or replaces the member's WeChat openid or Alipay account; withdrawals are paid to it.",
        params: Type.Object({ provider: ProviderParam }),
        body: withExample(
          Type.Object({
            account: Text({ minLength: 1, maxLength: 128 }),
            accountName: Type.Optional(Text({ maxLength: 64 })),
          }),
          { account: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
        ),
        response: responses(AccountSchema, {
          errors: ["PAYMENT_ACCOUNT_INVALID"],
          example: { provider: "wechat", account: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", accountName: null },
        }),
      },
    },
    async (request) => {
      const saved = await setMemberAccount(ctx.db, {
        memberId: request.member?.id as string,
        provider: request.params.provider as ProviderName,
        account: request.body.account,
        accountName: request.body.accountName ?? null,
        now: ctx.clock.now(),
      });
      return { provider: saved.provider, account: saved.account, accountName: saved.accountName };
    },
  );
}

/** The shop's WeChat OAuth settings (refused when WeChat Pay or its AppSecret is not configured). */
async function oauthConfigOf(ctx: AppContext) {
  const settings = await readProviderSettings(ctx.db, "wechat");
  if (!settings || !(settings.enabled || settings.payouts)) fail("WECHAT_OAUTH_UNAVAILABLE");
  return wechatOauthConfig(settings.config);
}

const AuthorizeSchema = Type.Object({
  url: Type.String({ description: "WeChat's authorize page (snsapi_base) to send the browser to" }),
  state: Type.String({ description: "the state WeChat hands back with the code (valid ten minutes)" }),
});

function wechatOauthRoutes(app: App, ctx: AppContext, member: MemberGuard): void {
  app.get(
    "/me/payment-accounts/wechat/authorize",
    {
      preValidation: member,
      schema: {
        tags: ["shop"],
        summary: "微信网页授权地址 / the WeChat authorization URL",
        operationId: "wechatAuthorizeUrl",
        description:
          "在微信内打开会员站时，跳转到此地址（snsapi_base 静默授权）；微信带 code 和 state 回到 redirectUri，再调用 POST /me/payment-accounts/wechat/oauth。redirectUri 的域名须在公众号后台“网页授权域名”中登记。 / Inside WeChat, send the browser here (silent snsapi_base); WeChat comes back to redirectUri with code and state, which go to POST /me/payment-accounts/wechat/oauth. redirectUri's domain must be registered as the official account's OAuth domain.",
        querystring: Type.Object({
          redirectUri: Text({ maxLength: 500, description: "the member-site page WeChat returns to" }),
        }),
        response: responses(AuthorizeSchema, {
          errors: ["WECHAT_OAUTH_UNAVAILABLE", "PAYMENT_SETTINGS_INVALID"],
          example: {
            url: "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx8888888888888888&redirect_uri=https%3A%2F%2Fshop.example.com%2Fme%2Faccounts&response_type=code&scope=snsapi_base&state=1767600000.Qk9hZ3VzU3RhdGVFeGFtcGxlMTIzNDU2#wechat_redirect",
            state: "1767600000.Qk9hZ3VzU3RhdGVFeGFtcGxlMTIzNDU2",
          },
        }),
      },
    },
    async (request) => {
      if (!/^https?:\/\/\S+$/.test(request.query.redirectUri))
        fail("VALIDATION_FAILED", { field: "redirectUri" });
      const cfg = await oauthConfigOf(ctx);
      const state = oauthState(cfg, request.member?.id as string, ctx.clock.now());
      return { url: authorizeUrl(cfg, request.query.redirectUri, state), state };
    },
  );
  app.post(
    "/me/payment-accounts/wechat/oauth",
    {
      preValidation: member,
      schema: {
        tags: ["shop"],
        summary: "用微信授权 code 绑定 openid / link my WeChat openid from the authorization code",
        operationId: "linkWechatByOauth",
        description:
          "把微信网页授权回跳带来的 code 与 state 交给服务器：服务器向微信换取 openid 并绑定到本会员（微信支付 JSAPI 与商家转账都用它）。 / Hands the code and state WeChat returned with to the server, which exchanges the code for the openid and links it to this member (JSAPI payments and WeChat transfers use it).",
        body: withExample(
          Type.Object({ code: Text({ minLength: 1, maxLength: 256 }), state: Text({ maxLength: 128 }) }),
          { code: "061Abc0w3ZQ7Dl2bTZ2w3sG2Qs3Abc0Q", state: "1767600000.Qk9hZ3VzU3RhdGVFeGFtcGxlMTIzNDU2" },
        ),
        response: responses(AccountSchema, {
          errors: ["WECHAT_OAUTH_UNAVAILABLE", "WECHAT_OAUTH_STATE_INVALID", "WECHAT_OAUTH_FAILED"],
          example: { provider: "wechat", account: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", accountName: null },
        }),
      },
    },
    async (request) => {
      const memberId = request.member?.id as string;
      const cfg = await oauthConfigOf(ctx);
      checkOauthState(cfg, memberId, request.body.state, ctx.clock.now());
      const openid = await exchangeCode(cfg, ctx.payments.deps, request.body.code);
      const saved = await setMemberAccount(ctx.db, {
        memberId,
        provider: "wechat",
        account: openid,
        accountName: null,
        now: ctx.clock.now(),
      });
      return { provider: saved.provider, account: saved.account, accountName: saved.accountName };
    },
  );
}

/** The member site's payment routes. */
export async function paymentRoutes(app: App, ctx: AppContext): Promise<void> {
  const member = requireMember(ctx);
  startRoute(app, ctx, member, "checkouts");
  startRoute(app, ctx, member, "orders");
  wechatOauthRoutes(app, ctx, member);
  accountRoutes(app, ctx, member);
}
