/**
 * Health checks for process managers and load balancers:
 * - `GET /health`: the process is alive and answers (no database read, so a
 *   database outage does not get the process restarted);
 * - `GET /ready`: the database answers, every migration file is applied with
 *   the same checksum, and the settlement scheduler has not been stopped —
 *   200 when all hold, 503 NOT_READY otherwise, with each check's state.
 */
import { Type } from "@fastify/type-provider-typebox";
import { businessDay } from "../clock/index.ts";
import { loadMigrations, type Migration } from "../db/index.ts";
import { AppError, toErrorBody } from "../errors/index.ts";
import type { App, AppContext } from "../http/context.ts";
import { Nullable, responses } from "../http/schemas.ts";

/** What /ready reports about the daily settlement job. */
export interface SchedulerState {
  /** off: SETTLEMENT_TIME=off (settle with `jifen settle`); scheduled: next run known; stopped: shutting down. */
  readonly state: "off" | "scheduled" | "stopped";
  readonly nextRun: Date | null;
}

/** The scheduler as main.ts has it: null when SETTLEMENT_TIME is off. */
export interface SchedulerLike {
  nextRun(): Date | null;
}

/** How long /ready waits for the database before calling it unreachable. */
export const READY_DB_TIMEOUT_MS = 2000;

function schedulerState(scheduler: SchedulerLike | null | undefined): SchedulerState {
  if (!scheduler) return { state: "off", nextRun: null };
  const nextRun = scheduler.nextRun();
  return { state: nextRun ? "scheduled" : "stopped", nextRun };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const Check = Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()) });

const ReadySchema = Type.Object({
  ok: Type.Boolean(),
  code: Type.Optional(Type.String({ description: "NOT_READY when a check failed" })),
  message: Type.Optional(Type.String()),
  messageEn: Type.Optional(Type.String()),
  requestId: Type.Optional(Type.String()),
  driver: Type.String(),
  checks: Type.Object({
    database: Check,
    migrations: Type.Object({
      ok: Type.Boolean(),
      expected: Type.Integer({ description: "migration files this server ships" }),
      applied: Nullable(Type.Integer({ description: "of them applied with the same checksum" })),
      pending: Type.Array(Type.String(), { description: "files not applied (or changed since)" }),
      error: Type.Optional(Type.String()),
    }),
    scheduler: Type.Object({
      ok: Type.Boolean(),
      state: Type.String({ description: "off, scheduled or stopped" }),
      nextRun: Nullable(Type.String({ description: "next daily settlement (ISO time)" })),
    }),
  }),
  openDay: Nullable(Type.String({ description: "the reward engine's open business day" })),
  businessDay: Type.String({ description: "today's business day by the server's clock" }),
});

const READY_EXAMPLE = {
  ok: true,
  driver: "postgres",
  checks: {
    database: { ok: true },
    migrations: { ok: true, expected: 8, applied: 8, pending: [] },
    scheduler: { ok: true, state: "scheduled", nextRun: "2026-01-08T16:05:00.000Z" },
  },
  openDay: "2026-01-08",
  businessDay: "2026-01-08",
};

/** Registers /health and /ready. `scheduler` is read per request (main.ts starts it after the app is built). */
export function healthRoutes(
  app: App,
  ctx: AppContext,
  scheduler: () => SchedulerLike | null | undefined,
  migrations: readonly Migration[] = loadMigrations(),
): void {
  healthRoute(app, ctx);
  readyRoute(app, ctx, scheduler, migrations);
}

/** GET /health: liveness, no database read. */
function healthRoute(app: App, ctx: AppContext): void {
  app.get(
    "/health",
    {
      schema: {
        tags: ["system"],
        summary: "存活检查 / liveness: the process answers (no database read)",
        operationId: "getHealth",
        description:
          "负载均衡与监控用：进程存活即返回 ok（不读数据库），附数据库类型与当前营业日，无需登录。 / For load balancers and monitoring: ok while the process answers (no database read), with the driver and the business day; no sign-in.",
        security: [],
        response: responses(
          Type.Object({ ok: Type.Boolean(), driver: Type.String(), businessDay: Type.String() }),
          { example: { ok: true, driver: "postgres", businessDay: "2026-01-08" } },
        ),
      },
    },
    async () => ({
      ok: true,
      driver: ctx.db.driver,
      businessDay: businessDay(ctx.clock.now(), ctx.timeZone),
    }),
  );
}

/** GET /ready: database reachable, migrations applied, scheduler running (503 otherwise). */
function readyRoute(
  app: App,
  ctx: AppContext,
  scheduler: () => SchedulerLike | null | undefined,
  migrations: readonly Migration[],
): void {
  app.get(
    "/ready",
    {
      schema: {
        tags: ["system"],
        summary: "就绪检查 / readiness: database reachable, migrations applied, scheduler running",
        operationId: "getReady",
        description:
          "部署与监控用：数据库可达、迁移已全部执行、日结调度正常时返回 200，否则 503 并列出每项检查的状态；无需登录。 / For deployments and monitoring: 200 when the database answers, every migration is applied and the scheduler is in a good state; otherwise 503 with each check's state; no sign-in.",
        security: [],
        response: { ...responses(ReadySchema, { example: READY_EXAMPLE }), 503: ReadySchema },
      },
    },
    async (request, reply) => {
      const database: { ok: boolean; error?: string } = { ok: true };
      let openDay: string | null = null;
      let applied: Map<string, string> | null = null;
      try {
        await withTimeout(
          (async () => {
            await ctx.db.query("select 1");
            const rows = await ctx.db.query<{ version: string; checksum: string }>(
              "select version, checksum from schema_migrations",
            );
            applied = new Map(rows.rows.map((r) => [r.version, r.checksum]));
            const clock = await ctx.db.query<{ open_day: string }>(
              "select open_day from reward_clock where id = 1",
            );
            openDay = clock.rows[0]?.open_day ?? null;
          })(),
          READY_DB_TIMEOUT_MS,
        );
      } catch (error) {
        database.ok = applied !== null;
        if (!database.ok) database.error = error instanceof Error ? error.message : String(error);
      }
      const known = applied as Map<string, string> | null;
      const pending = migrations
        .filter((m) => known?.get(m.version) !== m.checksum)
        .map((m) => `${m.version}_${m.name}`);
      const migrationsCheck = {
        ok: known !== null && pending.length === 0,
        expected: migrations.length,
        applied: known === null ? null : migrations.length - pending.length,
        pending: known === null ? [] : pending,
        ...(known === null ? { error: "database not reachable" } : {}),
      };
      const sched = schedulerState(scheduler());
      const schedulerCheck = {
        ok: sched.state !== "stopped",
        state: sched.state,
        nextRun: sched.nextRun?.toISOString() ?? null,
      };
      const ok = database.ok && migrationsCheck.ok && schedulerCheck.ok;
      const body = {
        ok,
        driver: ctx.db.driver,
        checks: { database, migrations: migrationsCheck, scheduler: schedulerCheck },
        openDay,
        businessDay: businessDay(ctx.clock.now(), ctx.timeZone),
      };
      if (ok) return body;
      const { body: error } = toErrorBody(new AppError("NOT_READY"), request.id);
      return reply.code(503).send({ ...error, ...body });
    },
  );
}
