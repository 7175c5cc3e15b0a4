import { Readable } from "node:stream";
import { Type } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { addDays, businessDay, dayStart } from "../clock/index.ts";
import { fail } from "../errors/index.ts";
import type { App, AppContext } from "../http/context.ts";
import { op, operatorAccess } from "../http/operator-access.ts";
import { Day, Id, IdParams, responses } from "../http/schemas.ts";
import { requestLanguage } from "../ledger/index.ts";
import { findMemberById, MemberFilterQuery, memberFilters } from "../members/index.ts";
import { csvChunks } from "./csv.ts";
import { historyExport, memberExport, orderExport } from "./queries.ts";

const CSV_EXAMPLE =
  "\ufeff会员ID,手机号,邀请码,推荐人ID,层级,状态,星级,注册时间\r\n1024,13812345678,K7P2QX9M,1001,2,正常,一星,2026-01-05 10:13:07\r\n";

/**
 * The answers of an export: 200 is CSV text (UTF-8 with BOM), every error the
 * usual JSON error body.
 */
const csvResponse = (description: string, example = CSV_EXAMPLE, errors: ["MEMBER_NOT_FOUND"] | [] = []) => {
  const { 200: _json, ...errorBodies } = responses(Type.String(), { example: "", errors });
  return {
    200: {
      description: `${description} (text/csv; charset=utf-8, UTF-8 with BOM)`,
      content: { "text/csv": { schema: Type.String({ description }), example } },
    },
    ...errorBodies,
  };
};

/** Sends the CSV stream as a download named `filename`. */
function sendCsv(reply: FastifyReply, filename: string, chunks: AsyncIterable<string>) {
  const ascii = filename.replace(/[^\x20-\x7e]/g, "_");
  return reply
    .type("text/csv; charset=utf-8")
    .header(
      "content-disposition",
      `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
    )
    .send(Readable.from(chunks));
}

const ASSETS = ["cny", "points", "equity", "stable", "quota", "exitQuota", "weight"] as const;

type Access = ReturnType<typeof operatorAccess>;

/**
 * CSV exports for the admin and finance roles (their phones are whole; see
 * members/directory.ts): members, orders, a member's history in one asset.
 * Streamed a keyset page at a time (exports/csv.ts). Mounted under /admin.
 */
export async function exportRoutes(app: App, ctx: AppContext): Promise<void> {
  const { money, audit } = operatorAccess(ctx);
  const stamp = () => businessDay(ctx.clock.now(), ctx.timeZone);
  // An export of personal data is audited (who, what, with which filters) before a byte is sent.
  const record: ExportRecorder = (request, action, targetId) =>
    ctx.db.transaction((tx) =>
      audit(request, tx, action, targetId ? "member" : undefined, targetId, {
        query: request.query as Record<string, unknown>,
      }),
    );

  exportMembersRoute(app, ctx, money, stamp, record);
  exportOrdersRoute(app, ctx, money, stamp, record);
  exportMemberLedgerRoute(app, ctx, money, stamp, record);
}

/** Writes the audit entry of one export. */
type ExportRecorder = (request: FastifyRequest, action: string, targetId?: string) => Promise<void>;

/** GET /exports/members.csv: 导出会员 CSV / export members as CSV. */
function exportMembersRoute(
  app: App,
  ctx: AppContext,
  money: Access["money"],
  stamp: () => string,
  record: ExportRecorder,
): void {
  app.get(
    "/exports/members.csv",
    {
      preValidation: money,
      schema: {
        tags: ["admin"],
        summary: "导出会员 CSV / export members as CSV",
        operationId: "exportMembers",
        description:
          "按会员列表的同一组筛选条件导出 CSV（UTF-8 带 BOM，Excel 可直接打开中文），逐页从数据库读出、边读边发，百万行也不占满内存。仅管理员与财务。 / Exports the members matching the members list's filters as CSV (UTF-8 with BOM, so Excel opens the Chinese text), read from the database a page at a time and streamed. Admin and finance only.",
        querystring: Type.Object(MemberFilterQuery),
        response: csvResponse("members, newest first"),
      },
    },
    async (request, reply) => {
      await record(request, "export.members");
      const csv = memberExport(ctx.db, op(request), {
        filters: memberFilters(request.query),
        timeZone: ctx.timeZone,
      });
      return sendCsv(reply, `会员-${stamp()}.csv`, csvChunks(csv.header, csv.pages, csv.fields));
    },
  );
}

/** GET /exports/orders.csv: 导出订单 CSV / export orders as CSV. */
function exportOrdersRoute(
  app: App,
  ctx: AppContext,
  money: Access["money"],
  stamp: () => string,
  record: ExportRecorder,
): void {
  app.get(
    "/exports/orders.csv",
    {
      preValidation: money,
      schema: {
        tags: ["admin"],
        summary: "导出订单 CSV / export orders as CSV",
        operationId: "exportOrders",
        description:
          "按状态、会员与下单日期（营业日，含首尾）导出订单 CSV（UTF-8 带 BOM），逐页读出、边读边发。仅管理员与财务。 / Exports orders by status, member and order date (business days, inclusive) as CSV (UTF-8 with BOM), read a page at a time and streamed. Admin and finance only.",
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union(["pending", "paid", "refunded", "cancelled"].map((s) => Type.Literal(s))),
          ),
          memberId: Type.Optional(Id),
          from: Type.Optional(Day("下单日期起（含）/ placed on or after this business day")),
          to: Type.Optional(Day("下单日期止（含）/ placed on or before this business day")),
        }),
        response: csvResponse(
          "orders, newest first",
          "\ufeff订单号,会员ID,手机号,商品ID,商品,数量,参与计划,订单金额,现金支付,积分抵扣,状态,支付方式,外部单号,下单时间,支付营业日,奖励生效日,退款时间,退款原因\r\n",
        ),
      },
    },
    async (request, reply) => {
      const { status, memberId, from, to } = request.query;
      await record(request, "export.orders");
      const csv = orderExport(ctx.db, op(request), {
        filters: {
          ...(status ? { status } : {}),
          ...(memberId ? { memberId } : {}),
          ...(from ? { from: dayStart(from, ctx.timeZone) } : {}),
          ...(to ? { before: dayStart(addDays(to, 1), ctx.timeZone) } : {}),
        },
        timeZone: ctx.timeZone,
      });
      return sendCsv(reply, `订单-${stamp()}.csv`, csvChunks(csv.header, csv.pages, csv.fields));
    },
  );
}

/** GET /members/:id/ledger.csv: 导出会员明细 CSV / export a member's history as CSV. */
function exportMemberLedgerRoute(
  app: App,
  ctx: AppContext,
  money: Access["money"],
  stamp: () => string,
  record: ExportRecorder,
): void {
  app.get(
    "/members/:id/ledger.csv",
    {
      preValidation: money,
      schema: {
        tags: ["admin"],
        summary: "导出会员明细 CSV / export a member's history as CSV",
        operationId: "exportMemberLedger",
        description:
          "导出一位会员某一资产的全部流水 CSV（UTF-8 带 BOM），每行写明原因（哪笔订单、哪条规则、哪一天），按请求语言。仅管理员与财务。 / Exports one member's whole history in one asset as CSV (UTF-8 with BOM), each line with its cause (which order, which rule, which day) in the request's language. Admin and finance only.",
        params: IdParams,
        querystring: Type.Object({ asset: Type.Union(ASSETS.map((a) => Type.Literal(a))) }),
        response: csvResponse(
          "history lines, newest first",
          "\ufeff流水号,交易号,营业日,时间,类型,说明,金额,关联订单,账户\r\n",
          ["MEMBER_NOT_FOUND"],
        ),
      },
    },
    async (request, reply) => {
      const member = await findMemberById(ctx.db, request.params.id);
      if (!member) fail("MEMBER_NOT_FOUND");
      const asset = request.query.asset as "cny";
      await record(request, "export.memberLedger", member.id);
      const csv = historyExport(ctx.db, {
        memberId: member.id,
        asset,
        language: requestLanguage(request.headers),
        timeZone: ctx.timeZone,
      });
      return sendCsv(
        reply,
        `会员${member.id}-${asset}-明细-${stamp()}.csv`,
        csvChunks(csv.header, csv.pages, csv.fields),
      );
    },
  );
}
