import { Type } from "@fastify/type-provider-typebox";
import { configRisks, DEFAULT_CONFIG_INPUT, DEFAULT_RETURN_WINDOW_DAYS } from "@jifen/engine";
import { addDays, businessDay } from "../clock/index.ts";
import { fail } from "../errors/index.ts";
import { command } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { iso } from "../http/format.ts";
import { op, operatorAccess } from "../http/operator-access.ts";
import {
  createdResponses,
  IdempotencyHeaders,
  Instant,
  Nullable,
  Page,
  PageQuery,
  pageLimit,
  responses,
  Text,
  withExample,
} from "../http/schemas.ts";
import { ConfigSchema } from "./schema.ts";
import {
  addConfigVersion,
  type ConfigVersionRow,
  configForDay,
  DEFAULT_SERVER_PARAMS_INPUT,
  isEmptyPatch,
  listConfigVersions,
  previewConfig,
} from "./versions.ts";

const VersionSchema = Type.Object({
  id: Type.String(),
  params: Type.Unknown({ description: "the keys this version changed (a patch)" }),
  effectiveDay: Type.String(),
  operatorId: Nullable(Type.String()),
  operatorName: Nullable(Type.String({ description: "修改人 / who saved it" })),
  note: Type.String(),
  createdAt: Instant,
});

const EX_VERSION = {
  id: "3",
  params: { withdrawal: { feeRate: "0.006" } },
  effectiveDay: "2026-01-07",
  operatorId: "1",
  operatorName: "管理员",
  note: "提现手续费调整为 0.6%",
  createdAt: "2026-01-06T10:00:00.000Z",
};

function versionView(v: ConfigVersionRow) {
  return {
    id: v.id,
    params: v.params,
    effectiveDay: v.effective_day,
    operatorId: v.operator_id,
    operatorName: v.operator_name,
    note: v.note,
    createdAt: iso(v.created_at),
  };
}

/** A whole parameter set for the document's examples: the defaults. */
const EX_CONFIG = { ...DEFAULT_CONFIG_INPUT, withdrawal: DEFAULT_SERVER_PARAMS_INPUT.withdrawal };

/** The parameters API: effective config, versions, preview, change (admin only). Mounted under /admin. */
export async function configRoutes(app: App, ctx: AppContext): Promise<void> {
  const { admin, audit } = operatorAccess(ctx);

  const ConfigWarnings = Type.Array(
    Type.Object({
      code: Type.String({ description: "e.g. COOLING_OFF_SHORTER_THAN_RETURN_WINDOW" }),
      key: Type.String({ description: "the parameter concerned" }),
      zh: Type.String(),
      en: Type.String(),
    }),
    { description: "风险提示 / risks of this parameter set (docs/rules.md §5); saving is still allowed" },
  );
  const ConfigChangeBody = Type.Object({
    params: Type.Record(Type.String(), Type.Unknown(), {
      description:
        'keys to change (at least one), e.g. { release: { pointsPayRatio: "0.5" }, withdrawal: { feeRate: "0.006" } }',
    }),
    note: Text({ maxLength: 200, default: "" }),
  });
  const warningsOf = (config: Parameters<typeof configRisks>[0]) =>
    configRisks(config, { returnWindowDays: DEFAULT_RETURN_WINDOW_DAYS });
  /** The change's patch, refused when it changes no parameter. */
  const patchOf = (params: Record<string, unknown>) => {
    if (isEmptyPatch(params)) fail("CONFIG_CHANGE_EMPTY", { field: "params" });
    return params;
  };

  app.get(
    "/config",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "当前参数与版本 / parameters in force today and their versions",
        operationId: "getConfig",
        description:
          "管理员查看今日生效的参数、下一营业日将生效的参数及全部参数版本（每个版本从其生效日起适用，附修改人）。 / Admins see the parameters in force today, the set in force from the next business day, and every parameter version (each applies from its effective day, with who saved it).",
        response: responses(
          Type.Object({
            businessDay: Type.String(),
            versionId: Nullable(Type.String()),
            config: ConfigSchema,
            warnings: ConfigWarnings,
            next: Type.Object(
              {
                businessDay: Type.String(),
                versionId: Nullable(Type.String()),
                config: ConfigSchema,
                warnings: ConfigWarnings,
              },
              {
                description:
                  "明日生效的参数 / the set in force from the next business day (changes saved today)",
              },
            ),
            versions: Type.Array(VersionSchema, { description: "the newest 200 versions" }),
          }),
          {
            example: {
              businessDay: "2026-01-08",
              versionId: "3",
              config: EX_CONFIG,
              warnings: [],
              next: { businessDay: "2026-01-09", versionId: "3", config: EX_CONFIG, warnings: [] },
              versions: [
                {
                  id: "3",
                  params: { withdrawal: { feeRate: "0.006" } },
                  effectiveDay: "2026-01-07",
                  operatorId: "1",
                  operatorName: "管理员",
                  note: "提现手续费调整为 0.6%",
                  createdAt: "2026-01-06T10:00:00.000Z",
                },
              ],
            },
          },
        ),
      },
    },
    async () => {
      const day = businessDay(ctx.clock.now(), ctx.timeZone);
      const effective = await configForDay(ctx.db, day);
      const tomorrow = addDays(day, 1);
      const next = await configForDay(ctx.db, tomorrow);
      const versions = await listConfigVersions(ctx.db);
      return {
        businessDay: day,
        versionId: effective.versionId,
        config: effective.input,
        warnings: warningsOf(effective.config),
        next: {
          businessDay: tomorrow,
          versionId: next.versionId,
          config: next.input,
          warnings: warningsOf(next.config),
        },
        versions: versions.map(versionView),
      };
    },
  );

  app.get(
    "/config/versions",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "参数修改记录 / parameter versions, newest first (paginated)",
        operationId: "listConfigVersions",
        description:
          "管理员分页查看参数版本：每个版本修改了哪些参数、生效日、修改人、备注与保存时间，最新在前。 / Admins page through the parameter versions: the keys each changed, its effective day, who saved it, the note and when, newest first.",
        querystring: PageQuery,
        response: responses(Page(VersionSchema), { example: { items: [EX_VERSION], nextCursor: null } }),
      },
    },
    async (request) => {
      const limit = pageLimit(request.query.limit);
      const rows = await listConfigVersions(ctx.db, {
        beforeId: request.query.cursor ?? null,
        limit: limit + 1,
      });
      const items = rows.slice(0, limit).map(versionView);
      return { items, nextCursor: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null };
    },
  );

  app.post(
    "/config/preview",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        operationId: "previewConfigChange",
        summary: "预览参数修改（不保存）/ preview a parameter change without saving it",
        description:
          "管理员预览参数修改：像保存一样校验，返回自下一营业日起将生效的完整参数与风险提示，但不保存。 / Admins preview a change: it is validated like POST /admin/config and answers the set it would put in force from the next business day, with its risk warnings; nothing is saved.",
        body: withExample(ConfigChangeBody, { params: { coolingOffDays: 7 }, note: "冷静期改为 7 天" }),
        response: responses(
          Type.Object({ effectiveDay: Type.String(), config: ConfigSchema, warnings: ConfigWarnings }),
          {
            errors: ["INVALID_CONFIG", "CONFIG_CHANGE_EMPTY"],
            example: {
              effectiveDay: "2026-01-09",
              config: { ...EX_CONFIG, coolingOffDays: "7" },
              warnings: [],
            },
          },
        ),
      },
    },
    async (request) => {
      const patch = patchOf(request.body.params);
      const effectiveDay = addDays(businessDay(ctx.clock.now(), ctx.timeZone), 1);
      const preview = await previewConfig(ctx.db, patch);
      return { effectiveDay, config: preview.input, warnings: warningsOf(preview.config) };
    },
  );

  app.post(
    "/config",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "修改参数（次日生效）/ change parameters from the next business day",
        operationId: "changeConfig",
        description:
          "管理员修改参数，新版本从下一个营业日起生效；只需给出要改的键，记入操作日志。 / Admins change parameters; the new version applies from the next business day. Give only the keys to change; audited.",
        headers: IdempotencyHeaders,
        body: withExample(ConfigChangeBody, {
          params: { withdrawal: { feeRate: "0.006" } },
          note: "提现手续费调整为 0.6%",
        }),
        response: createdResponses(
          Type.Object({ versionId: Type.String(), effectiveDay: Type.String(), warnings: ConfigWarnings }),
          {
            errors: ["INVALID_CONFIG", "CONFIG_CHANGE_EMPTY"],
            example: { versionId: "4", effectiveDay: "2026-01-09", warnings: [] },
          },
        ),
      },
    },
    async (request, reply) => {
      const patch = patchOf(request.body.params);
      return command(
        ctx,
        request,
        reply,
        async (tx) => {
          const now = ctx.clock.now();
          const effectiveDay = addDays(businessDay(now, ctx.timeZone), 1);
          const versionId = await addConfigVersion(tx, {
            patch,
            effectiveDay,
            operatorId: op(request).id,
            note: request.body.note,
            now,
          });
          const warnings = warningsOf((await previewConfig(tx, {})).config);
          await audit(request, tx, "config.change", "config_version", versionId, {
            params: request.body.params,
            effectiveDay,
            warnings: warnings.map((w) => w.code),
          });
          return { versionId, effectiveDay, warnings };
        },
        201,
      );
    },
  );
}
