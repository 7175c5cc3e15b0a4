/**
 * The compliance report (docs/compliance.md) under /admin: of the parameter set
 * in force today, and of a draft change before it is saved. The report is the
 * engine's `complianceReport`; this file only reads the parameters and shapes JSON.
 */
import { Type } from "@fastify/type-provider-typebox";
import { type Config, complianceReport, complianceReportJson, configFromInput } from "@jifen/engine";
import { addDays, businessDay } from "../clock/index.ts";
import { fail } from "../errors/index.ts";
import type { App, AppContext } from "../http/context.ts";
import { operatorAccess } from "../http/operator-access.ts";
import { Nullable, responses, Text, withExample } from "../http/schemas.ts";
import { configForDay, isEmptyPatch, previewConfig } from "./versions.ts";

const Sentences = Type.Object({ zh: Type.String(), en: Type.String() });

const RuleSchema = Type.Object({
  code: Type.String({
    description:
      "equity.buyer, equity.referrer, cycle.dividend, cycle.referrer, release.static, release.share, release.team or release.peer",
  }),
  plan: Type.String({ description: "equity, cycle or release" }),
  nameZh: Type.String({ description: "奖励名称" }),
  nameEn: Type.String({ description: "the reward's name in English" }),
  applies: Type.Boolean({
    description: "false when the parameters turn the rule off (a zero rate, a plan off)",
  }),
  generations: Nullable(
    Type.Integer({
      minimum: 0,
      description:
        "代数 / referral generations above the buyer it reaches; null: unbounded (the whole upline)",
    }),
  ),
  onOthersPurchases: Type.Boolean({ description: "团队计酬 / paid on other members' purchases" }),
  onRecruiting: Type.Boolean({ description: "拉人头 / earned only through members one referred" }),
  entryPurchase: Type.Boolean({
    description: "入门费 / paid on others' purchases only to members who bought first",
  }),
  entryMinAmount: Nullable(
    Type.String({ description: "the smallest own purchase that qualifies (yuan); null: any amount or none" }),
  ),
  setting: Type.String({ description: "the parameters that decide it, with their values" }),
});

const ReportFields = {
  rules: Type.Array(RuleSchema),
  deepestGenerations: Nullable(
    Type.Integer({ minimum: 0, description: "the deepest any rule reaches; null: unbounded" }),
  ),
  teamPay: Type.Boolean({ description: "some rule pays the upline on the downline's purchases (团队计酬)" }),
  recruiting: Type.Boolean({ description: "some rule is earned through referrals (拉人头)" }),
  entryPurchase: Type.Boolean({ description: "some rule needs an own purchase first (入门费)" }),
  largestReturnMultiple: Type.String({
    description: "the largest multiple of a purchase a plan promises back (gift, quota, exit quota)",
  }),
  notes: Type.Array(Type.Object({ code: Type.String(), zh: Type.String(), en: Type.String() }), {
    description: "说明 / plain-language notes naming the PRC rules concerned",
  }),
  disclaimer: Sentences,
};

const InForceSchema = Type.Object({
  businessDay: Type.String(),
  versionId: Nullable(Type.String({ description: "the parameter version in force (null: defaults)" })),
  ...ReportFields,
});

const PreviewSchema = Type.Object({
  effectiveDay: Type.String({ description: "the business day the draft would take effect if saved now" }),
  ...ReportFields,
});

const DraftBody = Type.Object({
  params: Type.Record(Type.String(), Type.Unknown(), {
    description:
      'the draft: keys to change (at least one), as for POST /admin/config, e.g. { release: { shareRates: ["0.5"] } }',
  }),
  note: Type.Optional(Text({ maxLength: 200 })),
});

const EX_REPORT = complianceReportJson(complianceReport(configFromInput({}).config));

function reportOf(config: Config) {
  return complianceReportJson(complianceReport(config));
}

/** GET /admin/compliance and POST /admin/compliance/preview (admins). */
export async function complianceRoutes(app: App, ctx: AppContext): Promise<void> {
  const { admin } = operatorAccess(ctx);

  app.get(
    "/compliance",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "合规报告 / compliance report of the parameters in force",
        operationId: "getComplianceReport",
        description:
          "管理员查看今日生效参数的合规报告：每项奖励向上到达几代推荐关系、是否按他人消费计酬（团队计酬）、是否以发展下线为前提（拉人头）、是否须先消费（入门费），以及相关法规说明。仅供运营方自行法律审查参考，不构成法律意见。 / Admins see the compliance report of the parameters in force today: per reward rule the referral generations it reaches, whether it is paid on others' purchases, on recruiting, or needs a purchase first, with notes naming the PRC rules. Information for the operator's own legal review, not legal advice.",
        response: responses(InForceSchema, {
          example: { businessDay: "2026-01-08", versionId: "3", ...EX_REPORT },
        }),
      },
    },
    async () => {
      const day = businessDay(ctx.clock.now(), ctx.timeZone);
      const effective = await configForDay(ctx.db, day);
      return { businessDay: day, versionId: effective.versionId, ...reportOf(effective.config) };
    },
  );

  app.post(
    "/compliance/preview",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "预览参数草稿的合规报告（不保存）/ compliance report of a draft parameter change",
        operationId: "previewComplianceReport",
        description:
          "管理员在保存前查看参数草稿的合规报告：草稿像 POST /admin/config/preview 一样校验（不合法的键会被点名拒绝），报告针对保存后自下一营业日起生效的完整参数；不保存任何内容。 / Admins see the compliance report of a draft before saving it: the draft is validated like POST /admin/config/preview (a bad key is refused by name) and the report is of the whole set it would put in force from the next business day; nothing is saved.",
        body: withExample(DraftBody, { params: { release: { shareRates: ["0.5"] } } }),
        response: responses(PreviewSchema, {
          errors: ["INVALID_CONFIG", "CONFIG_CHANGE_EMPTY"],
          example: { effectiveDay: "2026-01-09", ...EX_REPORT },
        }),
      },
    },
    async (request) => {
      if (isEmptyPatch(request.body.params)) fail("CONFIG_CHANGE_EMPTY", { field: "params" });
      const effectiveDay = addDays(businessDay(ctx.clock.now(), ctx.timeZone), 1);
      const preview = await previewConfig(ctx.db, request.body.params);
      return { effectiveDay, ...reportOf(preview.config) };
    },
  );
}
