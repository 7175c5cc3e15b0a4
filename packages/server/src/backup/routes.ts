/**
 * The server's backups in the operators' API (mounted under /admin): the list
 * of runs with the schedule, and "back up now". Admin role only: a backup file
 * holds every member's data.
 */
import { Type } from "@fastify/type-provider-typebox";
import { writeAudit } from "../audit/index.ts";
import { fail } from "../errors/index.ts";
import type { App, AppContext, AuthOperator } from "../http/context.ts";
import { requireOperator } from "../http/guards.ts";
import { createdResponses, Instant, Nullable, pageLimit, pageQuery, responses } from "../http/schemas.ts";
import type { BackupService } from "./service.ts";

const RunSchema = Type.Object({
  id: Type.String(),
  fileName: Type.String({ description: "file name in BACKUP_DIR" }),
  trigger: Type.Union([Type.Literal("schedule"), Type.Literal("manual")]),
  status: Type.Union(
    [Type.Literal("running"), Type.Literal("ok"), Type.Literal("failed"), Type.Literal("removed")],
    {
      description: "running; ok (written, read back and checked); failed; removed (beyond BACKUP_KEEP)",
    },
  ),
  startedAt: Instant,
  finishedAt: Nullable(Instant),
  sizeBytes: Nullable(Type.String({ description: "file size in bytes (decimal digits)" })),
  lastTransactionId: Nullable(Type.String({ description: "the last ledger transaction in the backup" })),
  schemaVersion: Nullable(Type.String()),
  sha256: Nullable(Type.String()),
  error: Nullable(Type.String()),
  progress: Nullable(
    Type.Object({ done: Type.Integer(), total: Type.Integer() }, { description: "tables written so far" }),
  ),
});

const EX_RUN = {
  id: "12",
  fileName: "jifen-20260105T193000Z-12.jifen-backup",
  trigger: "schedule",
  status: "ok",
  startedAt: "2026-01-05T19:30:00.000Z",
  finishedAt: "2026-01-05T19:30:04.000Z",
  sizeBytes: "1843302",
  lastTransactionId: "48211",
  schemaVersion: "0014",
  sha256: "9f2c4e0a7d1b3c5e6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6",
  error: null,
  progress: null,
};

const ScheduleSchema = Type.Object({
  time: Nullable(Type.String({ description: "BACKUP_TIME, HH:MM in the business time zone; null: none" })),
  keep: Type.Integer({ description: "BACKUP_KEEP: good backups kept" }),
  dir: Type.String({ description: "BACKUP_DIR" }),
  nextRunAt: Nullable(Instant),
});

function service(ctx: AppContext): BackupService {
  return ctx.backups ?? fail("BACKUPS_OFF");
}

type OperatorGuard = ReturnType<typeof requireOperator>;

/** GET /admin/backups and POST /admin/backups. */
export async function backupRoutes(app: App, ctx: AppContext): Promise<void> {
  const admin = requireOperator(ctx, "admin");
  listRoute(app, ctx, admin);
  startRoute(app, ctx, admin);
}

/** GET /admin/backups: the runs, newest first, and the schedule. */
function listRoute(app: App, ctx: AppContext, admin: OperatorGuard): void {
  app.get(
    "/backups",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "数据备份列表 / backups",
        operationId: "listBackups",
        description:
          "管理员查看服务器写出的备份（新的在前）与备份计划：时间、大小、状态（写出后已读回校验的为 ok）、最后流水号。 / Admins list the server's backups, newest first, with the schedule: time, size, status (ok = written, read back and checked), last ledger transaction id.",
        querystring: pageQuery({}),
        response: responses(
          Type.Object({
            items: Type.Array(RunSchema),
            nextCursor: Nullable(Type.String()),
            schedule: ScheduleSchema,
          }),
          {
            errors: ["BACKUPS_OFF"],
            example: {
              items: [EX_RUN],
              nextCursor: null,
              schedule: {
                time: "03:30",
                keep: 7,
                dir: "/srv/jifen/data/backups",
                nextRunAt: "2026-01-06T19:30:00.000Z",
              },
            },
          },
        ),
      },
    },
    async (request) => {
      const backups = service(ctx);
      const page = await backups.list({
        cursor: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
      });
      const next = backups.nextRun();
      return {
        ...page,
        schedule: { ...backups.settings, nextRunAt: next ? next.toISOString() : null },
      };
    },
  );
}

/** POST /admin/backups: back up now. */
function startRoute(app: App, ctx: AppContext, admin: OperatorGuard): void {
  app.post(
    "/backups",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "立即备份 / back up now",
        operationId: "startBackup",
        description:
          "管理员立即开始一次备份（在后台进行，用 GET /admin/backups 查看进度与结果）；同一时间只有一个备份；记入操作日志。 / Admins start a backup now; it runs in the background (follow it with GET /admin/backups); one at a time; audited.",
        response: createdResponses(RunSchema, {
          errors: ["BACKUP_RUNNING", "BACKUPS_OFF"],
          example: {
            ...EX_RUN,
            trigger: "manual",
            status: "running",
            finishedAt: null,
            sizeBytes: null,
            lastTransactionId: null,
            schemaVersion: null,
            sha256: null,
            progress: { done: 0, total: 0 },
          },
        }),
      },
    },
    async (request, reply) => {
      const operator = request.operator as AuthOperator;
      const run = await service(ctx).start("manual", operator.id);
      await ctx.db.transaction((tx) =>
        writeAudit(tx, {
          operator,
          action: "backup.run",
          targetType: "backup",
          targetId: run.id,
          detail: { fileName: run.fileName },
          requestId: request.id,
          now: ctx.clock.now(),
        }),
      );
      reply.code(201);
      return run;
    },
  );
}
