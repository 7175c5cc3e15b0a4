/** The dashboard's series under /admin: GET /admin/reports/daily (every operator role). */
import { Type } from "@fastify/type-provider-typebox";
import { addDays, businessDay } from "../clock/index.ts";
import type { App, AppContext } from "../http/context.ts";
import { requireOperator } from "../http/guards.ts";
import { Day, Nullable, responses } from "../http/schemas.ts";
import { dailyReport, MAX_REPORT_DAYS } from "./daily.ts";

const Amount = (description: string) => Type.String({ description });

const DailyPointSchema = Type.Object({
  day: Type.String({ description: "business day YYYY-MM-DD" }),
  newMembers: Type.Integer({ description: "新增会员 / members who joined that day" }),
  orders: Type.Integer({ description: "支付订单数 / orders paid that day" }),
  sales: Amount("销售额 / amount of the orders paid that day (yuan)"),
  refunds: Type.Integer({ description: "退款订单数 / orders refunded that day" }),
  refunded: Amount("退款额 / amount of the orders refunded that day (yuan)"),
  settled: Type.Boolean({ description: "whether the day's settlement is done" }),
  released: Nullable(Amount("释放积分 / points released by the day's settlement (null: not settled)")),
  dividends: Nullable(Amount("分红 / dividends paid by the day's settlement (null: not settled)")),
  equityPrice: Nullable(Amount("增值积分价格 at the end of the day, as the settlement recorded it")),
  equityPool: Nullable(Amount("增值积分资金池 at the end of the day (yuan)")),
});

const DailyReportSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  days: Type.Array(DailyPointSchema, { description: "one entry per day from `from` to `to`, in order" }),
  totals: Type.Object({
    newMembers: Type.Integer(),
    orders: Type.Integer(),
    sales: Amount("yuan"),
    refunds: Type.Integer(),
    refunded: Amount("yuan"),
    released: Amount("points"),
    dividends: Amount("yuan"),
  }),
});

const EX_POINT = {
  day: "2026-01-07",
  newMembers: 12,
  orders: 31,
  sales: "48600.00",
  refunds: 1,
  refunded: "399.00",
  settled: true,
  released: "3021.55",
  dividends: "812.40",
  equityPrice: "1.2604",
  equityPool: "27036",
};

/** Registers GET /reports/daily (mounted under /admin). */
export async function dailyReportRoutes(app: App, ctx: AppContext): Promise<void> {
  app.get(
    "/reports/daily",
    {
      preValidation: requireOperator(ctx),
      schema: {
        tags: ["admin"],
        summary: "每日经营数据 / the dashboard's daily series",
        operationId: "getDailyReport",
        description: `运营查看每个营业日的销售额、订单数、退款、新增会员，以及日结释放的积分、分红和当日收盘的增值积分价格与资金池；默认最近 30 天，最多 ${MAX_REPORT_DAYS} 天。 / Operators read, per business day, sales, orders, refunds, new members, and what the settlement released and paid with the equity price and pool at the day's end; the last 30 days by default, at most ${MAX_REPORT_DAYS} days.`,
        querystring: Type.Object({
          from: Type.Optional(Day("first business day (default: 29 days before `to`)")),
          to: Type.Optional(Day("last business day (default: today)")),
        }),
        response: responses(DailyReportSchema, {
          errors: ["REPORT_RANGE_INVALID", "REPORT_RANGE_TOO_LONG", "INVALID_DATE"],
          example: {
            from: "2026-01-07",
            to: "2026-01-07",
            days: [EX_POINT],
            totals: {
              newMembers: 12,
              orders: 31,
              sales: "48600.00",
              refunds: 1,
              refunded: "399.00",
              released: "3021.55",
              dividends: "812.40",
            },
          },
        }),
      },
    },
    async (request) => {
      const to = request.query.to ?? businessDay(ctx.clock.now(), ctx.timeZone);
      const from = request.query.from ?? addDays(to, -29);
      return dailyReport(ctx.db, from, to, ctx.timeZone);
    },
  );
}
