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
  report: { totals: { release: "3021.55", dividend: "812.40" } },
};

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
  report: Type.Unknown({ description: "the settlement report (totals per component, pools, rows, phases)" }),
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
  report: Type.Unknown({
    description: "the report of a settled, dry-run or already-settled day; null otherwise",
  }),
});

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

/** Registers the settlement routes on `app` (mounted under /admin). */
export async function settlementRoutes(app: App, ctx: AppContext): Promise<void> {
  const admin = requireOperator(ctx, "admin");
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

  settlementReadRoutes(app, ctx, admin, audit);
  settlementRunRoute(app, ctx, admin, audit);
}

/** The settlement reports: the list of runs and one day's report. */
function settlementReadRoutes(app: App, ctx: AppContext, admin: OperatorGuard, audit: SettlementAudit): void {
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
      await audit(request, "settlement.list", { cursor: request.query.cursor ?? null });
      return { items: page.items.map(runView), nextCursor: page.nextCursor };
    },
  );

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
      await audit(request, "settlement.read", { day: request.params.day, found: run !== null });
      if (!run) fail("SETTLEMENT_NOT_FOUND", { field: "day" });
      return runView(run);
    },
  );
}

/** Settles the days due now (or dry-runs the open day), audited. */
function settlementRunRoute(app: App, ctx: AppContext, admin: OperatorGuard, audit: SettlementAudit): void {
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
          example: {
            outcomes: [
              {
                day: "2026-01-07",
                status: "settled",
                message: null,
                report: { totals: { release: "3021.55", dividend: "812.40" } },
              },
            ],
          },
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
      try {
        outcomes = await settleThrough(ctx.db, day, {
          now,
          timeZone: ctx.timeZone,
          dryRun,
          owner: `api:${(request.operator as AuthOperator).username}`,
          log: request.log,
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
      }
      await audit(request, action, {
        day,
        outcomes: outcomes.map((o) => ({ day: o.day, status: o.status })),
      });
      return { outcomes: outcomes.map(outcomeView) };
    },
  );
}
