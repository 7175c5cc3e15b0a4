import { Type } from "@fastify/type-provider-typebox";
import { configForDay } from "../config/index.ts";
import { fail } from "../errors/index.ts";
import { parseSignedAmount } from "../http/amounts.ts";
import type { App, AppContext } from "../http/context.ts";
import { formatAmount } from "../http/format.ts";
import { MAX_ADJUST_AMOUNT_MICRO } from "../http/limits.ts";
import { op, operatorAccess } from "../http/operator-access.ts";
import {
  Decimal,
  IdParams,
  Instant,
  Nullable,
  Page,
  PageQuery,
  pageLimit,
  responses,
  Text,
  withExample,
} from "../http/schemas.ts";
import { openDay } from "../rewards/index.ts";
import { previewAdjustment } from "./adjust-preview.ts";
import { ADJUST_PLACES, checkAdjustable } from "./adjustments.ts";
import { memberAuditPage, referralPage, TreeMemberSchema } from "./directory.ts";
import { findMemberById } from "./repository.ts";

const EX_TREE_MEMBER = {
  id: "1031",
  phone: "139****5678",
  phoneMasked: true,
  inviteCode: "M3QW8RTZ",
  referrerId: "1024",
  depth: 3,
  status: "active",
  star: null,
  createdAt: "2026-01-06T08:40:11.000Z",
  hasReferrals: true,
};

type Access = ReturnType<typeof operatorAccess>;

/**
 * The members page's other reads (issue 10): the star level names to filter
 * by, one level of the referral tree, a member's audit entries, and the dry
 * run of an adjustment. Mounted under /admin.
 */
export async function memberDirectoryRoutes(app: App, ctx: AppContext): Promise<void> {
  const { anyone, money } = operatorAccess(ctx);

  listStarLevelsRoute(app, ctx, anyone);
  listMemberReferralsRoute(app, ctx, anyone);
  listMemberAuditLogRoute(app, ctx, anyone);
  previewMemberAdjustmentRoute(app, ctx, money);
}

/** GET /members/star-levels: 星级列表 / the star levels of the parameters in force. */
function listStarLevelsRoute(app: App, ctx: AppContext, anyone: Access["anyone"]): void {
  app.get(
    "/members/star-levels",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "星级列表 / the star levels of the parameters in force",
        operationId: "listStarLevels",
        description:
          "运营按星级筛选会员时可选的星级名称（当前营业日的参数，由低到高）。 / The star level names operators filter members by (the open day's parameters, lowest first).",
        response: responses(Type.Object({ names: Type.Array(Type.String()) }), {
          example: { names: ["一星", "二星", "三星"] },
        }),
      },
    },
    async () => {
      const { config } = await configForDay(ctx.db, await openDay(ctx.db));
      return { names: config.release.starLevels.map((s) => s.name) };
    },
  );
}

/** GET /members/:id/referrals: 直推会员（推荐树的一层）/ a member's direct referrals: one level of the referral tree. */
function listMemberReferralsRoute(app: App, ctx: AppContext, anyone: Access["anyone"]): void {
  app.get(
    "/members/:id/referrals",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "直推会员（推荐树的一层）/ a member's direct referrals: one level of the referral tree",
        operationId: "listMemberReferrals",
        description:
          "运营逐层查看推荐树：某会员的直推会员，新的在前，分页（加载更多），每人标明下面是否还有人；第一页带总人数。手机号按角色脱敏。 / Operators browse the referral tree one level at a time: a member's direct referrals, newest first, paginated (load more), each saying whether it has referrals of its own; the first page carries the total. Phones masked by role.",
        params: IdParams,
        querystring: PageQuery,
        response: responses(
          Type.Object({
            ...Page(TreeMemberSchema).properties,
            total: Nullable(Type.Integer({ description: "how many direct referrals (first page only)" })),
          }),
          {
            errors: ["MEMBER_NOT_FOUND"],
            example: { items: [EX_TREE_MEMBER], nextCursor: "1031", total: 52 },
          },
        ),
      },
    },
    async (request) => {
      if (!(await findMemberById(ctx.db, request.params.id))) fail("MEMBER_NOT_FOUND");
      return referralPage(ctx.db, op(request), {
        memberId: request.params.id,
        cursor: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
      });
    },
  );
}

/** GET /members/:id/audit-log: 会员的操作记录 / the audit entries about a member. */
function listMemberAuditLogRoute(app: App, ctx: AppContext, anyone: Access["anyone"]): void {
  app.get(
    "/members/:id/audit-log",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "会员的操作记录 / the audit entries about a member",
        operationId: "listMemberAuditLog",
        description:
          "运营查看针对某会员的操作日志（如手动调整），含操作员名字，新的在前。 / Operators read the audit entries about one member (adjustments and the like), with the operator's name, newest first.",
        params: IdParams,
        querystring: PageQuery,
        response: responses(
          Page(
            Type.Object({
              id: Type.String(),
              operatorName: Type.String(),
              action: Type.String(),
              detail: Type.Unknown(),
              requestId: Nullable(Type.String()),
              createdAt: Instant,
            }),
          ),
          {
            example: {
              items: [
                {
                  id: "906",
                  operatorName: "caiwu.li",
                  action: "member.adjust",
                  detail: { wallet: "points", amount: "100", reason: "活动补发", transactionId: "88240" },
                  requestId: "3f1c2a9e-5b7d-4e21-9a0c-6d2b8e4f1a37",
                  createdAt: "2026-01-08T09:30:00.000Z",
                },
              ],
              nextCursor: null,
            },
          },
        ),
      },
    },
    async (request) =>
      memberAuditPage(ctx.db, {
        memberId: request.params.id,
        cursor: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
      }),
  );
}

/** POST /members/:id/adjustments/preview: 预览手动调整：调整后余额 / preview an adjustment: the balance after. */
function previewMemberAdjustmentRoute(app: App, ctx: AppContext, money: Access["money"]): void {
  app.post(
    "/members/:id/adjustments/preview",
    {
      preValidation: money,
      schema: {
        tags: ["admin"],
        summary: "预览手动调整：调整后余额 / preview an adjustment: the balance after",
        operationId: "previewMemberAdjustment",
        description:
          "与手动调整相同的检查与计算（先还欠款），但不写入任何东西：返回调整前后的余额与欠款，供确认。 / The same checks and arithmetic as an adjustment (debt repaid first) without writing anything: the balance and debt before and after, for the confirmation.",
        params: IdParams,
        body: withExample(
          Type.Object({
            wallet: Type.String({ description: "cash, points or stable (never equity)" }),
            amount: Decimal("signed: positive adds, negative takes (cash to the fen, points to 6 decimals)"),
            reason: Text({ maxLength: 200 }),
          }),
          { wallet: "points", amount: "100", reason: "活动补发" },
        ),
        response: responses(
          Type.Object({
            wallet: Type.String(),
            amount: Type.String(),
            balanceBefore: Type.String(),
            balanceAfter: Type.String(),
            debtBefore: Type.String(),
            debtAfter: Type.String(),
          }),
          {
            errors: [
              "ADJUST_ASSET",
              "INVALID_AMOUNT",
              "TOO_MANY_PLACES",
              "AMOUNT_NOT_POSITIVE",
              "AMOUNT_TOO_LARGE",
              "MISSING_REASON",
              "MEMBER_NOT_FOUND",
              "ADJUST_BELOW_ZERO",
            ],
            example: {
              wallet: "points",
              amount: "100",
              balanceBefore: "20.5",
              balanceAfter: "120.5",
              debtBefore: "0",
              debtAfter: "0",
            },
          },
        ),
      },
    },
    async (request) => {
      const wallet = checkAdjustable(request.body.wallet);
      const amount = parseSignedAmount(
        request.body.amount,
        ADJUST_PLACES[wallet],
        "amount",
        MAX_ADJUST_AMOUNT_MICRO,
      );
      return previewAdjustment(ctx.db, {
        memberId: request.params.id,
        wallet,
        amount,
        amountText: formatAmount(wallet === "cash" ? "cny" : wallet, amount),
        reason: request.body.reason,
        operator: op(request),
        requestId: request.id,
        now: ctx.clock.now(),
        timeZone: ctx.timeZone,
      });
    },
  );
}
