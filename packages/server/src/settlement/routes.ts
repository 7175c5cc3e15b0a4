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
import { Day, Instant, Nullable, Page, PageQuery, pageLimit, responses } from "../http/schemas.ts";
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

  app.get(
    "/settlements",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "日结记录 / daily settlement runs, newest day first",
        querystring: Type.Object({
          cursor: Type.Optional(Day()),
          limit: PageQuery.properties.limit,
        }),
        response: responses(Page(RunSchema)),
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
        params: Type.Object({ day: Day() }),
        response: responses(RunSchema),
      },
    },
    async (request) => {
      const run = await readRun(ctx.db, request.params.day);
      await audit(request, "settlement.read", { day: request.params.day, found: run !== null });
      if (!run) fail("SETTLEMENT_NOT_FOUND", { field: "day" });
      return runView(run);
    },
  );

  app.post(
    "/settlements/run",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary:
          "立即日结（补结所有已结束的营业日）或试算 / settle now (every day that is over) or dry-run the open day",
        body: Type.Object({
          date: Type.Optional(Day()),
          dryRun: Type.Boolean({ default: false }),
        }),
        response: responses(Type.Object({ outcomes: Type.Array(OutcomeSchema) })),
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
