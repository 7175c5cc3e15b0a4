/**
 * POST /admin/simulations: runs a bounded simulation (@jifen/simulator) of a
 * plan under the parameter set in force today (A) and under a draft change of
 * it (B, a patch like POST /admin/config takes), and answers both daily series
 * with their summaries, for the console to draw before a change is saved.
 * Nothing is written. Admins only.
 */
import { type TSchema, Type } from "@fastify/type-provider-typebox";
import { PlanError, parsePlan, type SimulationResult, simulate } from "@jifen/simulator";
import { businessDay } from "../clock/index.ts";
import { configForDay, previewConfig } from "../config/index.ts";
import { fail } from "../errors/index.ts";
import type { App, AppContext } from "../http/context.ts";
import { operatorAccess } from "../http/operator-access.ts";
import { Nullable, responses, withExample } from "../http/schemas.ts";

/** The bound of one request: members summed over the days, per parameter set (a few seconds of work). */
export const MAX_MEMBER_DAYS = 200_000;

const INTEGER_COLUMNS = ["day", "members", "newMembers", "orders"];
const DECIMAL_COLUMNS = [
  "sales",
  "cashIn",
  "releaseStatic",
  "releaseShare",
  "releaseTeam",
  "releasePeer",
  "releaseForfeited",
  "cycleDividends",
  "cyclePooled",
  "cycleReturned",
  "equityGranted",
  "equityGrantedValue",
  "equitySold",
  "payouts",
  "equityPool",
  "equityPrice",
  "issued",
  "burned",
  "treasury",
  "equityHeld",
  "giftUnreleased",
  "pointsHeld",
  "quotaUnpaid",
  "exitQuotaOutstanding",
  "stableFloat",
  "stableFloatToPool",
  "cashHeld",
  "withdrawn",
  "liabilities",
  "payoutsToSales",
  "cashOutToCashIn",
  "daysToReleaseGift",
];

const DayRowSchema = Type.Object(
  Object.fromEntries<TSchema>([
    ...INTEGER_COLUMNS.map((k) => [k, Type.Integer()] as const),
    ...DECIMAL_COLUMNS.map(
      (k) => [k, Type.String({ description: 'exact decimal; "" when undefined' })] as const,
    ),
    [
      "cyclePools",
      Type.Record(Type.String(), Type.String(), { description: "each cycle pool's funding that day" }),
    ],
  ]),
  { description: 'one simulated day (docs/simulate.md "Output")' },
);

const OwedSchema = Type.Object({
  day: Type.Integer(),
  liabilities: Type.String(),
  giftUnreleased: Type.String(),
  pointsHeld: Type.String(),
  quotaUnpaid: Type.String(),
  stableFloat: Type.String(),
  cashHeld: Type.String(),
  exitQuotaOutstanding: Type.String(),
});

const SummarySchema = Type.Object({
  peakLiabilities: Type.Object({ amount: Type.String(), day: Type.Integer() }),
  growthStopDay: Nullable(Type.Integer()),
  owedAtStop: Nullable(OwedSchema),
  owedAfterStop: Nullable(Type.Object({ ...OwedSchema.properties, daysAfterStop: Type.Integer() })),
  equityPrice: Type.Object({
    first: Type.String(),
    last: Type.String(),
    longestStallDays: Type.Integer(),
    firstStallDay: Nullable(Type.Integer()),
    stalls: Type.Boolean(),
  }),
  largestMember: Nullable(
    Type.Object({
      member: Type.String(),
      payouts: Type.String(),
      purchases: Type.String(),
      payoutsToPurchases: Type.String(),
    }),
  ),
  totals: Type.Object({
    sales: Type.String(),
    cashIn: Type.String(),
    payouts: Type.String(),
    payoutsToSales: Type.String(),
    cashOutToCashIn: Type.String(),
  }),
  lines: Type.Array(Type.String(), { description: "the one-minute summary, zh / en sentences" }),
});

const SeriesSchema = Type.Object({ rows: Type.Array(DayRowSchema), summary: SummarySchema });

const SimulationBody = Type.Object({
  plan: Type.Record(Type.String(), Type.Unknown(), {
    description:
      "the plan file's content (docs/simulate.md); its params key is ignored: A is the set in force, B the draft",
  }),
  draft: Type.Record(Type.String(), Type.Unknown(), {
    description:
      'the change to try, as POST /admin/config takes it, e.g. { release: { dailyRate: "0.008" } }',
  }),
});

const EXAMPLE_PLAN = {
  days: 90,
  seed: 1,
  startMembers: 100,
  growth: { curve: "logistic", rate: "0.05", ceiling: 1500, stopDay: 60 },
  referrer: "preferential",
  purchases: {
    ordersPerMemberPerMonth: "1",
    mix: [
      { plans: ["release"], share: "0.5", packages: { 初级会员: "1" } },
      { plans: ["cycle"], share: "0.5", amounts: ["299"] },
    ],
  },
};

/** The documented answer: a two-day run of a one-member shop (computed, so it is always current). */
function example() {
  const plan = parsePlan({
    days: 2,
    startMembers: 1,
    growth: { curve: "constant", perDay: "1" },
    purchases: {
      ordersPerMemberPerMonth: "30",
      mix: [{ plans: ["release"], share: "1", packages: { 初级会员: "1" } }],
    },
    params: {},
  });
  const result = simulate({ plan, params: {}, compare: { release: { dailyRate: "0.008" } } });
  return {
    businessDay: "2026-01-08",
    seed: result.seed,
    days: result.days,
    current: result.primary,
    draft: result.compare,
  };
}

/** A PlanError as the API's coded error. */
function planFailure(error: PlanError): never {
  const detail = {
    zh: `${error.code} ${error.zh}（${error.field}${error.detail ? `：${error.detail}` : ""}）`,
    en: `${error.code} ${error.en} (${error.field}${error.detail ? `: ${error.detail}` : ""})`,
  };
  fail(error.code === "PLAN_TOO_LARGE" ? "SIMULATION_TOO_LARGE" : "SIMULATION_PLAN_INVALID", {
    field: error.field === "draft" ? "draft" : `plan.${error.field}`,
    detail,
  });
}

function engineParams(input: Record<string, unknown>): Record<string, unknown> {
  const { withdrawal: _server, ...engine } = input;
  return engine;
}

/** The simulations API, mounted under /admin. */
export async function simulationRoutes(app: App, ctx: AppContext): Promise<void> {
  const { admin } = operatorAccess(ctx);
  app.post(
    "/simulations",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        operationId: "runSimulation",
        summary: "模拟参数修改的后果 / simulate a draft parameter change against the set in force",
        description: `管理员在保存参数修改之前，用同一模拟计划（会员增长、推荐、购买、行为）分别在今日生效的参数（A）和草稿参数（B = 当前参数 + 修改）下运行，返回两条逐日序列及摘要；不写入任何数据。规模上限：每套参数 ${MAX_MEMBER_DAYS} 会员·天。 / Admins run one plan (growth, referrers, purchases, behaviour) under the set in force today (A) and under the draft (B = the latest set plus the change), and get both daily series with their summaries; nothing is written. Bounded to ${MAX_MEMBER_DAYS} member-days per parameter set; run \`jifen simulate\` for more.`,
        body: withExample(SimulationBody, { plan: EXAMPLE_PLAN, draft: { release: { dailyRate: "0.008" } } }),
        response: responses(
          Type.Object({
            businessDay: Type.String({ description: "the day whose set in force is A" }),
            seed: Type.Integer(),
            days: Type.Integer(),
            current: SeriesSchema,
            draft: SeriesSchema,
          }),
          {
            errors: ["SIMULATION_PLAN_INVALID", "SIMULATION_TOO_LARGE", "INVALID_CONFIG"],
            example: example(),
          },
        ),
      },
    },
    async (request) => {
      const day = businessDay(ctx.clock.now(), ctx.timeZone);
      const current = engineParams((await configForDay(ctx.db, day)).input);
      const draft = engineParams((await previewConfig(ctx.db, request.body.draft)).input);
      let result: SimulationResult;
      try {
        const plan = parsePlan({ ...request.body.plan, params: "database" });
        result = simulate({ plan, params: current, compare: draft, maxMemberDays: MAX_MEMBER_DAYS });
      } catch (error) {
        if (error instanceof PlanError) planFailure(error);
        throw error;
      }
      return {
        businessDay: day,
        seed: result.seed,
        days: result.days,
        current: result.primary,
        draft: result.compare as NonNullable<typeof result.compare>,
      };
    },
  );
}
