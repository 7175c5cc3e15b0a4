import { Type } from "@fastify/type-provider-typebox";
import { ConsentsSchema, consentsView } from "../agreements/index.ts";
import { businessDay } from "../clock/index.ts";
import { fail } from "../errors/index.ts";
import { parseSignedAmount } from "../http/amounts.ts";
import { command } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { EX_MEMBER, EX_TEAM, EX_WALLETS, page } from "../http/examples.ts";
import { formatAmount, iso } from "../http/format.ts";
import { MAX_ADJUST_AMOUNT_MICRO } from "../http/limits.ts";
import { op, operatorAccess } from "../http/operator-access.ts";
import {
  causeProperties,
  createdResponses,
  Decimal,
  IdempotencyHeaders,
  IdParams,
  Instant,
  Nullable,
  Page,
  pageLimit,
  pageQuery,
  responses,
  Text,
  withExample,
} from "../http/schemas.ts";
import { memberHistory, requestLanguage } from "../ledger/index.ts";
import { WalletSchema, walletsView } from "../wallets/index.ts";
import { ADJUST_PLACES, adjustMember, checkAdjustable } from "./adjustments.ts";
import {
  EX_DIRECTORY_MEMBER,
  ListedMemberSchema,
  MemberFilterQuery,
  memberFilters,
  phoneFor,
  searchMembers,
} from "./directory.ts";
import { findMemberById, teamSummary } from "./repository.ts";
import { MemberSchema, memberView, TeamSchema, teamView } from "./routes.ts";
import { memberStanding, StandingSchema } from "./standing.ts";

const WalletsSchema = Type.Array(WalletSchema);

/** Members for operators: list, detail, history, team, adjustments. Mounted under /admin. */
export async function memberOperatorRoutes(app: App, ctx: AppContext): Promise<void> {
  const { anyone, money } = operatorAccess(ctx);

  // ---- members -----------------------------------------------------------

  app.get(
    "/members",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "会员列表 / members",
        operationId: "listMembers",
        description:
          "运营按手机号（前缀或完整号码）、邀请码、星级（none：无星级）与注册日期（营业日，含首尾）查找会员，新注册的在前，附推广人数与消费金额；管理员与财务看到完整手机号，其他角色看到脱敏号码。 / Operators find members by phone (a prefix or the whole number), invite code, star level (none: without one) and join date (business days, inclusive), newest first, with each one's direct referrals and spending; admin and finance read whole phone numbers, other roles masked ones.",
        querystring: pageQuery(MemberFilterQuery),
        response: responses(Page(ListedMemberSchema), {
          example: page([{ ...EX_DIRECTORY_MEMBER, referrals: 12, spent: "3980.00" }], "1024"),
        }),
      },
    },
    async (request) =>
      searchMembers(ctx.db, op(request), {
        filters: memberFilters(request.query),
        timeZone: ctx.timeZone,
        cursor: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
      }),
  );

  app.get(
    "/members/:id",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary:
          "会员详情：钱包、网体、星级与会员等级 / a member with wallets, network, star level and grade",
        operationId: "getMember",
        description:
          "运营查看一位会员的资料、各钱包余额与欠款、网体人数与业绩、星级与会员等级。 / Operators see one member's profile, balance and debt per wallet, their network and its performance, star level and grade.",
        params: IdParams,
        response: responses(
          Type.Object({
            member: MemberSchema,
            wallets: WalletsSchema,
            team: TeamSchema,
            standing: StandingSchema,
            consents: ConsentsSchema,
          }),
          {
            errors: ["MEMBER_NOT_FOUND"],
            example: {
              member: EX_MEMBER,
              wallets: EX_WALLETS,
              team: EX_TEAM,
              standing: {
                star: "一星",
                starSince: "2026-01-06",
                grade: "初级会员",
                teamPerformance: "86000",
                performanceDay: "2026-01-08",
                nextStar: { name: "二星", threshold: "200000", shortfall: "114000" },
              },
              consents: [
                { kind: "terms", version: 2, acceptedAt: "2026-01-05T02:13:07.000Z" },
                { kind: "privacy", version: 1, acceptedAt: "2026-01-05T02:13:07.000Z" },
              ],
            },
          },
        ),
      },
    },
    async (request) => {
      const member = await findMemberById(ctx.db, request.params.id);
      if (!member) fail("MEMBER_NOT_FOUND");
      const day = businessDay(ctx.clock.now(), ctx.timeZone);
      return {
        member: { ...memberView(member), phone: phoneFor(op(request), member.phone) },
        wallets: await walletsView(ctx.db, member.id),
        team: teamView(await teamSummary(ctx.db, member.id, day), day),
        standing: await memberStanding(ctx.db, member.id),
        consents: await consentsView(ctx.db, member.id),
      };
    },
  );

  app.get(
    "/members/:id/ledger",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "会员明细 / a member's history in one asset",
        operationId: "listMemberLedger",
        description:
          "运营查看一位会员某一资产的流水，新的在前。 / Operators read one member's ledger lines in one asset, newest first.",
        params: IdParams,
        querystring: pageQuery({
          asset: Type.Union(
            ["cny", "points", "equity", "stable", "quota", "exitQuota", "weight"].map((a) => Type.Literal(a)),
          ),
        }),
        response: responses(
          Page(
            Type.Object({
              id: Type.String(),
              transactionId: Type.String(),
              businessDay: Type.String(),
              kind: Type.String(),
              ref: Type.String(),
              memo: Nullable(Type.String()),
              account: Type.String(),
              amount: Type.String(),
              createdAt: Instant,
              ...causeProperties,
            }),
          ),
          {
            example: page([
              {
                id: "501233",
                transactionId: "88213",
                businessDay: "2026-01-08",
                kind: "release.daily",
                ref: "day:2026-01-08",
                memo: null,
                account: "m:1024:points",
                amount: "2.38",
                createdAt: "2026-01-08T16:00:05.000Z",
              },
            ]),
          },
        ),
      },
    },
    async (request) => {
      const asset = request.query.asset as "cny";
      const page = await memberHistory(
        ctx.db,
        request.params.id,
        asset,
        request.query.cursor ?? null,
        pageLimit(request.query.limit),
        requestLanguage(request.headers),
      );
      return {
        items: page.items.map((l) => ({
          ...l,
          amount: formatAmount(asset, l.amount),
          createdAt: iso(l.createdAt),
        })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.post(
    "/members/:id/adjustments",
    {
      preValidation: money,
      schema: {
        tags: ["admin"],
        summary: "手动调整余额/积分/恒定积分 / adjust cash, points or stable points",
        operationId: "adjustMember",
        description:
          "财务或管理员手动增减会员的余额、积分或恒定积分（不可调整增值积分），须写明原因，记入操作日志；不能调到负数。 / Finance or an admin adds to or takes from a member's cash, points or stable points (never equity) with a reason, audited; a balance may not go below zero.",
        headers: IdempotencyHeaders,
        params: IdParams,
        body: withExample(
          Type.Object({
            wallet: Type.String({ description: "cash, points or stable (never equity)" }),
            amount: Decimal("signed: positive adds, negative takes (cash to the fen, points to 6 decimals)"),
            reason: Text({ maxLength: 200 }),
          }),
          { wallet: "cash", amount: "50.00", reason: "1 月 5 日物流延误补偿" },
        ),
        response: createdResponses(
          Type.Object({ transactionId: Type.String(), wallet: Type.String(), balance: Type.String() }),
          {
            errors: [
              "ADJUST_ASSET",
              "INVALID_AMOUNT",
              "TOO_MANY_PLACES",
              "AMOUNT_NOT_POSITIVE",
              "MISSING_REASON",
              "MEMBER_NOT_FOUND",
              "ADJUST_BELOW_ZERO",
              "BALANCE_CONFLICT",
            ],
            example: { transactionId: "88240", wallet: "cash", balance: "1330.50" },
          },
        ),
      },
    },
    async (request, reply) => {
      const wallet = checkAdjustable(request.body.wallet);
      const amount = parseSignedAmount(
        request.body.amount,
        ADJUST_PLACES[wallet],
        "amount",
        MAX_ADJUST_AMOUNT_MICRO,
      );
      return command(
        ctx,
        request,
        reply,
        async (tx) => {
          const result = await adjustMember(tx, {
            memberId: request.params.id,
            wallet,
            amount,
            reason: request.body.reason,
            operator: op(request),
            requestId: request.id,
            now: ctx.clock.now(),
            timeZone: ctx.timeZone,
          });
          return {
            transactionId: result.transactionId,
            wallet,
            balance: formatAmount(wallet === "cash" ? "cny" : wallet, result.balance),
          };
        },
        201,
      );
    },
  );
}
