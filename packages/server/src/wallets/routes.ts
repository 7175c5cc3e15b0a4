import { Type } from "@fastify/type-provider-typebox";
import { ASSETS, type Asset, WALLETS } from "@jifen/engine";
import { parseYuan } from "../http/amounts.ts";
import { command } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { EX_WALLETS, EX_WITHDRAWAL, page } from "../http/examples.ts";
import { formatAmount, formatYuan, iso } from "../http/format.ts";
import { requireMember } from "../http/guards.ts";
import { MAX_COMMAND_AMOUNT_MICRO } from "../http/limits.ts";
import {
  causeProperties,
  createdResponses,
  Decimal,
  IdempotencyHeaders,
  Instant,
  Nullable,
  Page,
  PageQuery,
  pageLimit,
  responses,
  withExample,
} from "../http/schemas.ts";
import { memberHasDebt, memberHistory, requestLanguage } from "../ledger/index.ts";
import { equityRoutes } from "./equity-routes.ts";
import { memberExtraRoutes } from "./member-extra-routes.ts";
import { payoutConfirmRoute } from "./payout-confirm-route.ts";
import { WalletSchema, walletsView } from "./view.ts";
import { listWithdrawals, requestWithdrawal, type Withdrawal } from "./withdrawals.ts";

const HistoryLineSchema = Type.Object({
  id: Type.String(),
  transactionId: Type.String(),
  businessDay: Type.String(),
  kind: Type.String(),
  ref: Type.String(),
  memo: Nullable(Type.String()),
  wallet: Type.String({ description: "the wallet, or debt:<wallet>" }),
  amount: Type.String({ description: "signed: + in, − out" }),
  createdAt: Instant,
  ...causeProperties,
});

/** A withdrawal as the API shows it. */
export const WithdrawalSchema = Type.Object({
  id: Type.String(),
  memberId: Type.String(),
  amount: Type.String(),
  fee: Type.String(),
  payout: Type.String({ description: "amount − fee" }),
  feeRate: Type.String(),
  status: Type.String({
    description:
      "pending, rejected; approved (paid by hand, or a provider payout not yet sent), paying (the provider has it), paid, failed (the cash went back to the member)",
  }),
  businessDay: Type.String(),
  requestedAt: Instant,
  decidedAt: Nullable(Instant),
  reason: Nullable(Type.String()),
  payoutProvider: Nullable(Type.String({ description: "wechat or alipay when paid out through a provider" })),
  payoutNo: Nullable(Type.String({ description: "our transfer number at the provider (商户单号)" })),
  payoutProviderId: Nullable(
    Type.String({
      description: "the provider's number of the transfer (微信转账单号 / 支付宝转账单号), once it has one",
    }),
  ),
  payoutFinishedAt: Nullable(Instant),
  payoutFailure: Nullable(Type.String({ description: "the provider's reason when the payout failed" })),
  payoutAction: Nullable(
    Type.String({
      description:
        "WeChat Pay 商家转账: the package_info the member confirms the transfer with (wx requestMerchantTransfer) while paying",
    }),
  ),
});

/** A withdrawal as API text. */
export function withdrawalView(w: Withdrawal) {
  return {
    id: w.id,
    memberId: w.memberId,
    amount: formatYuan(w.amount),
    fee: formatYuan(w.fee),
    payout: formatYuan(w.amount - w.fee),
    feeRate: formatAmount("points", w.feeRate),
    status: w.status,
    businessDay: w.businessDay,
    requestedAt: iso(w.requestedAt),
    decidedAt: w.decidedAt ? iso(w.decidedAt) : null,
    reason: w.reason,
    payoutProvider: w.payout?.provider ?? null,
    payoutNo: w.payout?.payoutNo ?? null,
    payoutProviderId: w.payout?.providerPayoutId ?? null,
    payoutFinishedAt: w.payout?.finishedAt ? iso(w.payout.finishedAt) : null,
    payoutFailure: w.payout?.failure ?? null,
    payoutAction: w.payout?.memberAction ?? null,
  };
}

/** Member wallet routes: balances, history, withdrawals, and the equity plan's commands. */
export async function walletRoutes(app: App, ctx: AppContext): Promise<void> {
  const member = requireMember(ctx);

  app.get(
    "/me/wallets",
    {
      preValidation: member,
      schema: {
        tags: ["me"],
        summary: "我的钱包（含待支付订单占用的积分）/ my balances, reserved points and debts",
        operationId: "getMyWallets",
        description:
          "会员查看各钱包余额与欠款：余额（现金）、积分（含待支付订单占用与可用）、赠送积分、增值积分、恒定积分、额度与权重。 / The signed-in member's balance and debt in each wallet (points also reserved by pending orders and available): cash, points, gift points, equity and stable points, quotas and weight.",
        response: responses(Type.Object({ wallets: Type.Array(WalletSchema), hasDebt: Type.Boolean() }), {
          example: { wallets: EX_WALLETS, hasDebt: false },
        }),
      },
    },
    async (request) => {
      const wallets = await walletsView(ctx.db, request.member?.id as string);
      return { wallets, hasDebt: await memberHasDebt(ctx.db, request.member?.id as string) };
    },
  );

  app.get(
    "/me/ledger",
    {
      preValidation: member,
      schema: {
        tags: ["me"],
        summary: "我的明细 / my history in one asset",
        operationId: "listMyLedger",
        description:
          "会员查看某一资产的流水明细，新的在前，每条带正负金额与来由。 / The signed-in member's ledger lines in one asset, newest first, each a signed amount with its cause.",
        querystring: Type.Object({
          asset: Type.Union(ASSETS.map((a) => Type.Literal(a))),
          wallet: Type.Optional(
            Type.Union(
              WALLETS.map((w) => Type.Literal(w)),
              {
                description:
                  "只看该资产中的一个钱包（及其欠款）：积分资产含已释放积分 points 与待释放积分 gift。 / Only this wallet of the asset (and its debt): the points asset holds released points and gift points waiting for release.",
              },
            ),
          ),
          cursor: PageQuery.properties.cursor,
          limit: PageQuery.properties.limit,
        }),
        response: responses(Page(HistoryLineSchema), {
          example: page(
            [
              {
                id: "501233",
                transactionId: "88213",
                businessDay: "2026-01-08",
                kind: "release.daily",
                ref: "day:2026-01-08",
                memo: null,
                wallet: "points",
                amount: "2.38",
                createdAt: "2026-01-08T16:00:05.000Z",
              },
            ],
            "501233",
          ),
        }),
      },
    },
    async (request) => {
      const memberId = request.member?.id as string;
      const asset = request.query.asset as Asset;
      const page = await memberHistory(
        ctx.db,
        memberId,
        asset,
        request.query.cursor ?? null,
        pageLimit(request.query.limit),
        requestLanguage(request.headers),
        request.query.wallet ?? null,
      );
      const prefix = `m:${memberId}:`;
      return {
        items: page.items.map((line) => ({
          id: line.id,
          transactionId: line.transactionId,
          businessDay: line.businessDay,
          kind: line.kind,
          ref: line.ref,
          memo: line.memo,
          wallet: line.account.slice(prefix.length),
          amount: formatAmount(asset, line.amount),
          createdAt: iso(line.createdAt),
          cause: line.cause,
          description: line.description,
        })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.post(
    "/me/withdrawals",
    {
      preValidation: member,
      schema: {
        tags: ["me"],
        summary: "申请提现 / request a cash withdrawal",
        operationId: "requestWithdrawal",
        description:
          "会员从余额申请提现，扣除手续费后待财务审核；有欠款时不能提现。 / The member asks to withdraw cash from their balance; the fee is taken and the request waits for finance to decide. A member with debt cannot withdraw.",
        headers: IdempotencyHeaders,
        body: withExample(Type.Object({ amount: Decimal("yuan, at most 2 decimals") }), { amount: "500.00" }),
        response: createdResponses(WithdrawalSchema, {
          errors: [
            "INVALID_AMOUNT",
            "TOO_MANY_PLACES",
            "AMOUNT_NOT_POSITIVE",
            "WITHDRAWAL_BELOW_MINIMUM",
            "DEBT_BLOCKS_WITHDRAWAL",
            "INSUFFICIENT_CASH",
            "BALANCE_CONFLICT",
          ],
          example: EX_WITHDRAWAL,
        }),
      },
    },
    async (request, reply) => {
      const amount = parseYuan(request.body.amount, "amount", MAX_COMMAND_AMOUNT_MICRO);
      return command(
        ctx,
        request,
        reply,
        async (tx) =>
          withdrawalView(
            await requestWithdrawal(tx, {
              memberId: request.member?.id as string,
              amount,
              now: ctx.clock.now(),
              timeZone: ctx.timeZone,
            }),
          ),
        201,
      );
    },
  );

  app.get(
    "/me/withdrawals",
    {
      preValidation: member,
      schema: {
        tags: ["me"],
        summary: "我的提现记录 / my withdrawals",
        operationId: "listMyWithdrawals",
        description:
          "会员查看自己的提现申请及其审核结果，新的在前。 / The member's withdrawals and their decisions, newest first.",
        querystring: PageQuery,
        response: responses(Page(WithdrawalSchema), { example: page([EX_WITHDRAWAL]) }),
      },
    },
    async (request) => {
      const page = await listWithdrawals(ctx.db, {
        cursor: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
        memberId: request.member?.id as string,
      });
      return { items: page.items.map(withdrawalView), nextCursor: page.nextCursor };
    },
  );

  payoutConfirmRoute(app, ctx);
  await equityRoutes(app, ctx);
  await memberExtraRoutes(app, ctx);
}
