/**
 * The settlement's admin API under /admin (role admin only): the runs, one
 * day's report, and running the settlement now (catching up every day that is
 * over) or as a dry run of the open day. Every call is written to the audit log.
 */
import { Type } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { writeAudit } from "../audit/index.ts";
import { addDays, businessDay } from "../clock/index.ts";
import { AppError, fail } from "../errors/index.ts";
import type { App, AppContext, AuthOperator } from "../http/context.ts";
import { iso } from "../http/format.ts";
import { requireOperator } from "../http/guards.ts";
import {
  Day,
  Instant,
  Nullable,
  Page,
  PageQuery,
  pageLimit,
  responses,
  withExample,
} from "../http/schemas.ts";

const EX_RUN = {
  day: "2026-01-07",
  status: "done",
  configVersionId: "3",
  owner: "scheduler",
  startedAt: "2026-01-07T16:00:00.000Z",
  finishedAt: "2026-01-07T16:00:04.120Z",
  durationMs: 4120,
  memberCount: 1280,
  error: null,
  report: {
    day: "2026-01-07",
    dryRun: false,
    configVersionId: "3",
    members: 1280,
    membersPaid: 905,
    openOrders: 2210,
    ordersReleased: 2210,
    cycleSales: "48600",
    totals: {
      static: "2650.3",
      share: "280.15",
      team: "80.1",
      peer: "11",
      released: "3021.55",
      forfeited: "0",
      dividends: "812.4",
      pooled: "14580",
      returned: "13767.6",
      burned: "812.4",
    },
    pools: [{ name: "static", tier: null, amount: "14580", members: 312 }],
    equity: { price: "1.2604", pool: "27036", circulating: "21450" },
    stars: { 一星: 12, 二星: 3 },
    rows: { transactions: 906, postings: 2718, balances: 1810, orders: 2210, stars: 2 },
    owner: "scheduler",
    startedAt: "2026-01-07T16:00:00.000Z",
    finishedAt: "2026-01-07T16:00:04.120Z",
    durationMs: 4120,
    phasesMs: { "load:members": 120, compute: 300, "write:postings": 2100 },
  },
};

const EX_OUTCOMES = {
  outcomes: [
    {
      day: "2026-01-07",
      status: "settled",
      message: null,
      openDay: null,
      dueAt: null,
      report: EX_RUN.report,
    },
  ],
};

const Text = (description: string) => Type.String({ description });

/** The report of a settled (or dry-run) day (report.ts `SettlementReport`); amounts are decimal text. */
const ReportSchema = Type.Object({
  day: Type.String(),
  dryRun: Type.Boolean(),
  configVersionId: Nullable(Type.String({ description: "the parameter version in force (null: defaults)" })),
  members: Type.Integer({ description: "会员数 / members" }),
  membersPaid: Type.Integer({
    description: "获得释放或分红的会员 / members who received a release or a dividend",
  }),
  openOrders: Type.Integer({ description: "未释放完的订单 / open release-plan orders" }),
  ordersReleased: Type.Integer({ description: "orders that released points that day" }),
  cycleSales: Text("当日循环购业绩 D / the day's eligible cycle-plan sales"),
  totals: Type.Object({
    static: Text("静态释放"),
    share: Text("分享加速"),
    team: Text("团队级差"),
    peer: Text("平级奖"),
    released: Text("释放合计 / points released"),
    forfeited: Text("无可释放而作废的加速 / accelerations lost"),
    dividends: Text("分红 / cycle dividends paid"),
    pooled: Text("入池 / pools funded"),
    returned: Text("退回平台 / returned to the platform"),
    burned: Text("消耗的分红额度 / dividend quota used up"),
  }),
  pools: Type.Array(
    Type.Object({
      name: Type.String(),
      tier: Nullable(Type.String()),
      amount: Text("yuan"),
      members: Type.Integer(),
    }),
  ),
  equity: Type.Optional(
    Type.Object(
      { price: Text("4 decimals"), pool: Text("yuan"), circulating: Text("points") },
      { description: "增值积分 at the end of the day (absent in older reports)" },
    ),
  ),
  stars: Type.Record(Type.String(), Type.Integer(), { description: "members per star level after the day" }),
  rows: Type.Object({
    transactions: Type.Integer(),
    postings: Type.Integer(),
    balances: Type.Integer(),
    orders: Type.Integer(),
    stars: Type.Integer(),
  }),
  owner: Type.String(),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  durationMs: Type.Integer(),
  phasesMs: Type.Record(Type.String(), Type.Integer(), { description: "milliseconds per phase" }),
});

import { listRuns, readRun, type SettlementRun } from "./report.ts";
import { openDay, type SettleOutcome, settleThrough } from "./run.ts";

const RunSchema = Type.Object({
  day: Type.String(),
  status: Type.String({ description: "running, done, failed" }),
  configVersionId: Nullable(Type.String()),
  owner: Nullable(Type.String()),
  startedAt: Nullable(Instant),
  finishedAt: Nullable(Instant),
  durationMs: Nullable(Type.Integer()),
  memberCount: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  report: Nullable(ReportSchema),
});

const OutcomeSchema = Type.Object({
  day: Type.String(),
  status: Type.String({
    description:
      "settled, dry-run, already-settled, busy, not-due, or nothing-due (no day up to `day` was ever open: see openDay, dueAt)",
  }),
  message: Nullable(Type.String()),
  openDay: Nullable(
    Type.String({ description: "nothing-due: the open business day, the first one to settle" }),
  ),
  dueAt: Nullable(Instant),
  report: Nullable(ReportSchema),
});

/** The phases a run reports, in order (settlement/load.ts, run.ts, write.ts). */
const PHASES = [
  "load:members",
  "load:performance",
  "load:orders",
  "load:balances",
  "load:stars",
  "compute",
  "write:balances",
  "write:postings",
  "write:transactions",
  "open-next-day",
] as const;

const ProgressSchema = Type.Object({
  running: Type.Boolean({ description: "whether this server is running a settlement started from the API" }),
  day: Nullable(Type.String({ description: "the business day being settled (or dry-run)" })),
  dryRun: Type.Boolean(),
  phase: Nullable(Type.String({ description: `the current phase: ${PHASES.join(", ")}` })),
  step: Type.Integer({ description: "the current phase's number, 1 to steps (0: not started)" }),
  steps: Type.Integer({ description: "how many phases a run has" }),
  done: Type.Integer({ description: "rows done in the current phase" }),
  total: Type.Integer({ description: "rows of the current phase (0: not known yet)" }),
  percent: Type.Integer({ description: "an estimate of the whole run, 0 to 99 while it runs" }),
  startedAt: Nullable(Instant),
});

interface Progress {
  day: string | null;
  dryRun: boolean;
  phase: string | null;
  done: number;
  total: number;
  startedAt: Date | null;
}

/** What the settlement started from this server's API is doing (in memory; cheap to read). */
function progressTracker() {
  let current: Progress | null = null;
  return {
    start(day: string, dryRun: boolean) {
      current = { day, dryRun, phase: null, done: 0, total: 0, startedAt: new Date() };
    },
    update(phase: string, done: number, total: number) {
      if (current) Object.assign(current, { phase, done, total });
    },
    finish() {
      current = null;
    },
    view() {
      const p = current;
      const index = p?.phase ? PHASES.indexOf(p.phase as (typeof PHASES)[number]) : -1;
      const within = p && p.total > 0 ? Math.min(1, p.done / p.total) : 0;
      // 100 is the answer's: a run at its last phase has still to commit.
      const percent = index < 0 ? 0 : Math.min(99, Math.floor(((index + within) / PHASES.length) * 100));
      return {
        running: p !== null,
        day: p?.day ?? null,
        dryRun: p?.dryRun ?? false,
        phase: p?.phase ?? null,
        step: index + 1,
        steps: PHASES.length,
        done: p?.done ?? 0,
        total: p?.total ?? 0,
        percent,
        startedAt: p?.startedAt ? iso(p.startedAt) : null,
      };
    },
  };
}

function runView(run: SettlementRun) {
  return {
    day: run.day,
    status: run.status,
    configVersionId: run.configVersionId,
    owner: run.owner,
    startedAt: run.startedAt ? iso(run.startedAt) : null,
    finishedAt: run.finishedAt ? iso(run.finishedAt) : null,
    durationMs: run.durationMs,
    memberCount: run.memberCount,
    error: run.error,
    report: run.report,
  };
}

function outcomeView(outcome: SettleOutcome) {
  return {
    day: outcome.day,
    status: outcome.status,
    message: "message" in outcome ? outcome.message : null,
    openDay: outcome.status === "nothing-due" ? outcome.openDay : null,
    dueAt: outcome.status === "nothing-due" ? outcome.dueAt : null,
    report: "report" in outcome ? outcome.report : null,
  };
}

type OperatorGuard = ReturnType<typeof requireOperator>;
type SettlementAudit = (
  request: FastifyRequest,
  action: string,
  detail: Record<string, unknown>,
) => Promise<unknown>;
type ProgressTracker = ReturnType<typeof progressTracker>;

/** Registers the settlement routes on `app` (mounted under /admin). */
export async function settlementRoutes(app: App, ctx: AppContext): Promise<void> {
  const admin = requireOperator(ctx, "admin");
  const progress = progressTracker();
  const audit = (request: FastifyRequest, action: string, detail: Record<string, unknown>) =>
    ctx.db.transaction((tx) =>
      writeAudit(tx, {
        operator: request.operator as AuthOperator,
        action,
        targetType: "settlement",
        ...(typeof detail.day === "string" ? { targetId: detail.day } : {}),
        detail,
        requestId: request.id,
        now: ctx.clock.now(),
      }),
    );

  // Reads are not audited (noise in 操作日志); commands are.
  settlementReadRoutes(app, ctx, admin, progress);
  settlementDayRoute(app, ctx, admin);
  settlementRunRoute(app, ctx, admin, audit, progress);
}

/** The settlement reports: the list of runs and the progress of the run going on. */
function settlementReadRoutes(
  app: App,
  ctx: AppContext,
  admin: OperatorGuard,
  progress: ProgressTracker,
): void {
  app.get(
    "/settlements",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "日结记录 / daily settlement runs, newest day first",
        operationId: "listSettlements",
        description:
          "管理员查看每日结算的运行记录（营业日、状态、耗时、会员数与报告），最近的营业日在前。 / Admins list the daily settlement runs — day, status, duration, member count and report — newest day first.",
        querystring: Type.Object({
          cursor: Type.Optional(Day()),
          limit: PageQuery.properties.limit,
        }),
        response: responses(Page(RunSchema), { example: { items: [EX_RUN], nextCursor: "2026-01-07" } }),
      },
    },
    async (request) => {
      const page = await listRuns(ctx.db, {
        beforeDay: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
      });
      return { items: page.items.map(runView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/settlements/progress",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "日结进度 / progress of the settlement running now",
        operationId: "getSettlementProgress",
        description:
          "管理员在日结或试算进行时轮询其进度：当前阶段、已处理行数与估计百分比（本服务器从接口发起的运行）。 / Admins poll the progress of the settlement or dry run this server started from the API: the phase, rows done and an estimated percentage.",
        response: responses(ProgressSchema, {
          example: {
            running: true,
            day: "2026-01-07",
            dryRun: false,
            phase: "write:postings",
            step: 8,
            steps: 10,
            done: 120000,
            total: 300000,
            percent: 71,
            startedAt: "2026-01-07T16:00:00.000Z",
          },
        }),
      },
    },
    async () => progress.view(),
  );
}

/** One day's settlement report. */
function settlementDayRoute(app: App, ctx: AppContext, admin: OperatorGuard): void {
  app.get(
    "/settlements/:day",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "某营业日的日结报告 / the settlement report of a business day",
        operationId: "getSettlement",
        description:
          "管理员查看某营业日的日结记录与报告。 / Admins read the settlement run and report of one business day.",
        params: Type.Object({ day: Day() }),
        response: responses(RunSchema, { errors: ["SETTLEMENT_NOT_FOUND", "INVALID_DATE"], example: EX_RUN }),
      },
    },
    async (request) => {
      const run = await readRun(ctx.db, request.params.day);
      if (!run) fail("SETTLEMENT_NOT_FOUND", { field: "day" });
      return runView(run);
    },
  );
}

/** Settles the days due now (or dry-runs the open day), audited. */
function settlementRunRoute(
  app: App,
  ctx: AppContext,
  admin: OperatorGuard,
  audit: SettlementAudit,
  progress: ProgressTracker,
): void {
  app.post(
    "/settlements/run",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary:
          "立即日结（补结所有已结束的营业日）或试算 / settle now (every day that is over) or dry-run the open day",
        operationId: "runSettlement",
        description:
          "管理员立即结算所有已结束但未结算的营业日（至 date 为止），或试算当前营业日而不写入；每次调用记入操作日志。 / Admins settle now every business day that is over and not yet settled (through `date`), or dry-run the open day without writing; every call is audited.",
        body: withExample(
          Type.Object({
            date: Type.Optional(Day()),
            dryRun: Type.Boolean({ default: false }),
          }),
          { date: "2026-01-07", dryRun: false },
        ),
        response: responses(Type.Object({ outcomes: Type.Array(OutcomeSchema) }), {
          errors: ["SETTLEMENT_FAILED", "INVALID_DATE"],
          example: EX_OUTCOMES,
        }),
      },
    },
    async (request) => {
      const now = ctx.clock.now();
      const { dryRun } = request.body;
      const open = await openDay(ctx.db);
      const day =
        request.body.date ??
        (dryRun ? (open ?? businessDay(now, ctx.timeZone)) : addDays(businessDay(now, ctx.timeZone), -1));
      const action = dryRun ? "settlement.dry-run" : "settlement.run";
      let outcomes: SettleOutcome[];
      progress.start(day, dryRun);
      try {
        outcomes = await settleThrough(ctx.db, day, {
          now,
          timeZone: ctx.timeZone,
          dryRun,
          owner: `api:${(request.operator as AuthOperator).username}`,
          log: request.log,
          progress: progress.update,
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        request.log.error({ err: error, day }, "settlement failed");
        await audit(request, action, { day, error: message });
        // The cause (often the database's own words) goes to the log and the audit log, not the client.
        throw new AppError("SETTLEMENT_FAILED", {
          detail: {
            zh: "原因已记入服务器日志和审计日志",
            en: "the cause is in the server log and the audit log",
          },
        });
      } finally {
        progress.finish();
      }
      await audit(request, action, {
        day,
        outcomes: outcomes.map((o) => ({ day: o.day, status: o.status })),
      });
      return { outcomes: outcomes.map(outcomeView) };
    },
  );
}
