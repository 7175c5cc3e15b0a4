/**
 * What the member site asks besides the commands themselves: a withdrawal's
 * preview (the fee and the payout, or the refusal, before confirming), the
 * equity price's history (the price chart), and what arrived in each wallet on
 * the last settled business day (我的: 昨日到账). Amounts are decimal strings.
 */
import { Type } from "@fastify/type-provider-typebox";
import { formatDecimal, parseDecimal } from "@jifen/engine";
import { addDays, businessDay } from "../clock/index.ts";
import { configForDay } from "../config/index.ts";
import { parseYuan } from "../http/amounts.ts";
import type { App, AppContext } from "../http/context.ts";
import { dryRun } from "../http/dry-run.ts";
import { formatAmount, formatYuan } from "../http/format.ts";
import { requireMember } from "../http/guards.ts";
import { MAX_COMMAND_AMOUNT_MICRO } from "../http/limits.ts";
import { Count, count, Decimal, responses, withExample } from "../http/schemas.ts";
import { openDay, priceCloses } from "../rewards/index.ts";
import { openDayEquityFigures } from "./equity-figures.ts";
import { requestWithdrawal } from "./withdrawals.ts";

const WithdrawalPreviewSchema = Type.Object({
  amount: Type.String({ description: "提现金额 (yuan)" }),
  fee: Type.String({ description: "手续费 (yuan)" }),
  payout: Type.String({ description: "到账金额 (yuan): amount − fee" }),
  feeRate: Type.String({ description: "the fee rate in force (0.006 = 0.6%)" }),
  minAmount: Type.String({ description: "the smallest withdrawal (yuan)" }),
});

const PricePointSchema = Type.Object({
  businessDay: Type.String(),
  price: Type.String({ description: "4 decimals" }),
  pool: Type.String({ description: "分红池 (yuan)" }),
  circulating: Type.String(),
  closed: Type.Boolean({ description: "true: the day's close; false: the open day's live figures" }),
});

const ArrivalsSchema = Type.Object({
  businessDay: Type.String({ description: "the last settled business day (the day before the open day)" }),
  items: Type.Array(
    Type.Object({
      wallet: Type.String(),
      amount: Type.String({ description: "the sum of what came in that day (positive postings)" }),
    }),
  ),
});

type MemberGuard = ReturnType<typeof requireMember>;

/** The member site's previews and summaries. */
export async function memberExtraRoutes(app: App, ctx: AppContext): Promise<void> {
  const member = requireMember(ctx);

  previewWithdrawalRoute(app, ctx, member);
  listEquityPricesRoute(app, ctx, member);
  getMyArrivalsRoute(app, ctx, member);
}

/** POST /me/withdrawals/preview: 提现预览：手续费与到账金额 / preview a withdrawal: its fee and payout. */
function previewWithdrawalRoute(app: App, ctx: AppContext, member: MemberGuard): void {
  app.post(
    "/me/withdrawals/preview",
    {
      preValidation: member,
      schema: {
        tags: ["me"],
        summary: "提现预览：手续费与到账金额 / preview a withdrawal: its fee and payout",
        operationId: "previewWithdrawal",
        description:
          "按提现的全部规则计算手续费与到账金额，但不提交申请；有欠款、低于最低金额或余额不足时同样拒绝。 / Computes a withdrawal's fee and payout under every rule of a real request without placing it; refused the same way (debt, below the minimum, not enough cash).",
        body: withExample(Type.Object({ amount: Decimal("yuan, at most 2 decimals") }), { amount: "500.00" }),
        response: responses(WithdrawalPreviewSchema, {
          errors: [
            "INVALID_AMOUNT",
            "TOO_MANY_PLACES",
            "AMOUNT_NOT_POSITIVE",
            "WITHDRAWAL_BELOW_MINIMUM",
            "DEBT_BLOCKS_WITHDRAWAL",
            "INSUFFICIENT_CASH",
          ],
          example: { amount: "500.00", fee: "3.00", payout: "497.00", feeRate: "0.006", minAmount: "100.00" },
        }),
      },
    },
    async (request) => {
      const amount = parseYuan(request.body.amount, "amount", MAX_COMMAND_AMOUNT_MICRO);
      return dryRun(ctx.db, async (tx) => {
        const now = ctx.clock.now();
        const w = await requestWithdrawal(tx, {
          memberId: request.member?.id as string,
          amount,
          now,
          timeZone: ctx.timeZone,
        });
        const { server } = await configForDay(tx, businessDay(now, ctx.timeZone));
        return {
          amount: formatYuan(w.amount),
          fee: formatYuan(w.fee),
          payout: formatYuan(w.amount - w.fee),
          feeRate: formatDecimal(w.feeRate),
          minAmount: formatYuan(server.withdrawal.minAmount),
        };
      });
    },
  );
}

/** GET /equity/prices: 增值积分价格走势 / the equity price's history. */
function listEquityPricesRoute(app: App, ctx: AppContext, member: MemberGuard): void {
  app.get(
    "/equity/prices",
    {
      preValidation: member,
      schema: {
        tags: ["equity"],
        summary: "增值积分价格走势 / the equity price's history",
        operationId: "listEquityPrices",
        description:
          "最近若干个已结算营业日的收盘价格、分红池与流通量（旧的在前），最后一项为当前营业日的实时数据。 / The close of the last settled business days (price, pool, circulating; oldest first), then the open day's live figures.",
        querystring: Type.Object({
          days: Type.Optional(Count(366, { description: "settled days", default: 30 })),
        }),
        response: responses(Type.Object({ items: Type.Array(PricePointSchema) }), {
          example: {
            items: [
              {
                businessDay: "2026-01-07",
                price: "1.2480",
                pool: "25000",
                circulating: "20032",
                closed: true,
              },
              {
                businessDay: "2026-01-08",
                price: "1.2604",
                pool: "25300",
                circulating: "20073",
                closed: false,
              },
            ],
          },
        }),
      },
    },
    async (request) => {
      const days = count(request.query.days ?? "30", 366, "days");
      const live = await openDayEquityFigures(ctx.db);
      const closes = await priceCloses(ctx.db, live.businessDay, days);
      return {
        items: [
          ...closes.map((c) => ({ ...c, closed: true })),
          {
            businessDay: live.businessDay,
            price: live.price,
            pool: live.pool,
            circulating: live.circulating,
            closed: false,
          },
        ],
      };
    },
  );
}

/** GET /me/arrivals: 昨日到账 / what came into each wallet on the last settled day. */
function getMyArrivalsRoute(app: App, ctx: AppContext, member: MemberGuard): void {
  app.get(
    "/me/arrivals",
    {
      preValidation: member,
      schema: {
        tags: ["me"],
        summary: "昨日到账 / what came into each wallet on the last settled day",
        operationId: "getMyArrivals",
        description:
          '会员在最近一个已结算营业日（“昨日”）各钱包的入账合计：释放的积分、分红、奖励等（不含欠款账户）。 / The sum of what came into each of the member\'s wallets on the last settled business day ("yesterday"): released points, dividends, rewards (debt accounts left out).',
        response: responses(ArrivalsSchema, {
          example: {
            businessDay: "2026-01-08",
            items: [
              { wallet: "points", amount: "2.38" },
              { wallet: "cash", amount: "12.60" },
            ],
          },
        }),
      },
    },
    async (request) => {
      const day = addDays(await openDay(ctx.db), -1);
      const memberId = request.member?.id as string;
      const rows = await ctx.db.query<{ account: string; asset: string; total: string }>(
        `select p.account, p.asset, sum(p.amount)::text as total
         from ledger_postings p join ledger_transactions t on t.id = p.transaction_id and t.batch = p.batch
         where p.member_id = $1::bigint and t.business_day = $2::date and p.amount > 0
           and p.account not like '%:debt:%'
         group by p.account, p.asset order by p.account`,
        [memberId, day],
      );
      const prefix = `m:${memberId}:`;
      return {
        businessDay: day,
        items: rows.rows
          .filter((r) => r.account.startsWith(prefix))
          .map((r) => ({
            wallet: r.account.slice(prefix.length),
            amount: formatAmount(r.asset as "cny", parseDecimal(r.total)),
          })),
      };
    },
  );
}
