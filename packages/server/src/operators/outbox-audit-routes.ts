import { Type } from "@fastify/type-provider-typebox";
import { listAudit } from "../audit/index.ts";
import { command } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { page } from "../http/examples.ts";
import { iso } from "../http/format.ts";
import { op, operatorAccess } from "../http/operator-access.ts";
import { Day, Id, Instant, Nullable, Page, pageLimit, pageQuery, responses, Text } from "../http/schemas.ts";
import { maskPhone, maskPhonesIn } from "../sms/index.ts";

/** The SMS outbox and the audit log, read by operators. Mounted under /admin. */
export async function outboxAuditRoutes(app: App, ctx: AppContext): Promise<void> {
  const { anyone, audit } = operatorAccess(ctx);

  // ---- SMS outbox, audit log ---------------------------------------------

  app.get(
    "/sms-outbox",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "短信发件箱（console 模式含验证码）/ SMS outbox",
        operationId: "listSmsOutbox",
        description:
          "运营查看短信发件记录（console 模式下含验证码原文），每次读取记入操作日志。 / Operators read the SMS outbox (with the codes themselves under the console provider); every read is audited. Phones are masked (138****5678); filter by the full number. Only the admin role reads verification codes, and only in messages of the console provider; others see them masked.",
        querystring: pageQuery({ phone: Type.Optional(Type.String({ pattern: "^1[3-9][0-9]{9}$" })) }),
        response: responses(
          Page(
            Type.Object({
              id: Type.String(),
              provider: Type.String(),
              phone: Type.String(),
              template: Type.String(),
              content: Type.String(),
              status: Type.String(),
              error: Nullable(Type.String()),
              createdAt: Instant,
            }),
          ),
          {
            example: page([
              {
                id: "311",
                provider: "console",
                phone: "138****5678",
                template: "register",
                content: "【积分商城】您的注册验证码为 482913，5 分钟内有效。",
                status: "sent",
                error: null,
                createdAt: "2026-01-05T02:12:31.000Z",
              },
            ]),
          },
        ),
      },
    },
    async (request, reply) =>
      command(ctx, request, reply, async (tx) => {
        const { cursor, phone } = request.query;
        const limit = pageLimit(request.query.limit);
        const rows = await tx.query<{
          id: string;
          provider: string;
          phone: string;
          template: string;
          content: string;
          status: string;
          error: string | null;
          created_at: Date;
        }>(
          `select id, provider, phone, template, content, status, error, created_at from sms_outbox
           where ($1::bigint is null or id < $1::bigint) and ($2::text is null or phone = $2)
           order by id desc limit $3`,
          [cursor ?? null, phone ?? null, limit + 1],
        );
        // Reading the outbox discloses codes (console provider): it is audited.
        await audit(request, tx, "sms.outbox.read", "phone", phone ? maskPhone(phone) : undefined);
        // Live codes are for the admin role only, and only from the console (development) provider.
        const showCodes = op(request).role === "admin";
        const items = rows.rows.slice(0, limit).map(({ created_at, ...r }) => ({
          ...r,
          phone: maskPhone(r.phone),
          content: maskPhonesIn(
            showCodes && r.provider === "console" ? r.content : r.content.replace(/\d{6}/g, "******"),
          ),
          createdAt: iso(created_at),
        }));
        const last = items[items.length - 1];
        return { items, nextCursor: rows.rows.length > limit && last ? last.id : null };
      }),
  );

  app.get(
    "/audit-log",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "操作日志 / operator audit log",
        operationId: "listAuditLog",
        description:
          "运营按操作人、动作与日期（营业日，含首尾）查看操作日志，新的在前。 / Operators read the audit log, newest first, by operator, action and day (business days, both ends included).",
        querystring: pageQuery({
          operatorId: Type.Optional(Id),
          action: Type.Optional(Text({ maxLength: 64 })),
          from: Type.Optional(Day("on or after this business day")),
          to: Type.Optional(Day("on or before this business day")),
        }),
        response: responses(
          Page(
            Type.Object({
              id: Type.String(),
              operatorId: Type.String(),
              operatorName: Type.String(),
              action: Type.String(),
              targetType: Nullable(Type.String()),
              targetId: Nullable(Type.String()),
              detail: Type.Unknown(),
              requestId: Nullable(Type.String()),
              createdAt: Instant,
            }),
          ),
          {
            example: page([
              {
                id: "905",
                operatorId: "2",
                operatorName: "caiwu.li",
                action: "withdrawal.approve",
                targetType: "withdrawal",
                targetId: "57",
                detail: { memberId: "1024", amount: "500.00" },
                requestId: "3f1c2a9e-5b7d-4e21-9a0c-6d2b8e4f1a37",
                createdAt: "2026-01-08T09:30:00.000Z",
              },
            ]),
          },
        ),
      },
    },
    async (request) => {
      const page = await listAudit(ctx.db, {
        cursor: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
        ...(request.query.operatorId ? { operatorId: request.query.operatorId } : {}),
        ...(request.query.action ? { action: request.query.action } : {}),
        ...(request.query.from ? { from: request.query.from } : {}),
        ...(request.query.to ? { to: request.query.to } : {}),
        timeZone: ctx.timeZone,
      });
      return {
        items: page.items.map((r) => ({ ...r, createdAt: iso(r.createdAt) })),
        nextCursor: page.nextCursor,
      };
    },
  );
}
