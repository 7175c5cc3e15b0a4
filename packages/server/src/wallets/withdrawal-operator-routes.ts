import { Type } from "@fastify/type-provider-typebox";
import type { Queryable } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { command } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { EX_WITHDRAWAL, page } from "../http/examples.ts";
import { op, operatorAccess } from "../http/operator-access.ts";
import {
  Id,
  IdempotencyHeaders,
  IdParams,
  Nullable,
  Page,
  pageLimit,
  pageQuery,
  responses,
  Text,
  withExample,
} from "../http/schemas.ts";
import { findMemberAccount, type ProviderName } from "../payments/index.ts";
import { maskPhone } from "../sms/index.ts";
import { sendPayout } from "./payouts.ts";
import { WithdrawalSchema, withdrawalView } from "./routes.ts";
import { decideWithdrawal, findWithdrawal, listWithdrawals } from "./withdrawals.ts";

/** Where an approved withdrawal is paid: the member's account at the payout provider (refused when missing). */
async function payoutTarget(q: Queryable, provider: ProviderName, withdrawalId: string) {
  const rows = await q.query<{ member_id: string }>(
    "select member_id from withdrawals where id = $1::bigint",
    [withdrawalId],
  );
  const memberId = rows.rows[0]?.member_id;
  if (memberId === undefined) fail("WITHDRAWAL_NOT_FOUND");
  const account = await findMemberAccount(q, String(memberId), provider);
  if (!account) {
    fail("PAYMENT_ACCOUNT_MISSING", {
      detail: {
        zh: "会员尚未绑定收款账户（如微信 openid）",
        en: "the member has not linked an account to be paid to",
      },
    });
  }
  return { provider, account: account.account };
}

/** A withdrawal in the operators' queue: with the member's phone, masked. */
const QueuedWithdrawalSchema = Type.Object({
  ...WithdrawalSchema.properties,
  memberPhone: Nullable(Type.String({ description: "会员手机号（打码）/ the member's phone, masked" })),
});

/** Masked phones of members, by id (looked up once for a page). */
async function maskedPhones(q: Queryable, memberIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (memberIds.length === 0) return out;
  const rows = await q.query<{ id: string; phone: string }>(
    "select id, phone from members where id = any($1::bigint[])",
    [[...new Set(memberIds)]],
  );
  for (const r of rows.rows) out.set(String(r.id), maskPhone(r.phone));
  return out;
}

type Access = ReturnType<typeof operatorAccess>;

/**
 * POST /withdrawals/:id/payout/refresh: an operator asks the provider at once
 * about a payout not yet final (approved or paying) instead of waiting for the
 * follower — the transfer is queried first and sent only if the provider never
 * saw it, under the same number, so pressing it twice never pays twice.
 */
function payoutRefreshRoute(app: App, ctx: AppContext, money: Access["money"], audit: Access["audit"]): void {
  app.post(
    "/withdrawals/:id/payout/refresh",
    {
      preValidation: money,
      schema: {
        tags: ["admin"],
        summary: "查询/重发提现打款 / query or resend a withdrawal's payout",
        operationId: "refreshWithdrawalPayout",
        description:
          "对已批准、尚未到账的提现（打款中或待发送），立即向支付平台查询转账单；平台从未收到时以同一商户单号重新发送，不会重复打款。平台的最终结果（成功或失败退回余额）即时入账。 / For an approved withdrawal whose payout is not final, asks the provider now; a transfer the provider never received is sent again under the same number (never paid twice). A final answer (paid, or failed with the cash returned) is booked at once.",
        params: IdParams,
        body: withExample(Type.Object({}), {}),
        response: responses(WithdrawalSchema, {
          errors: ["WITHDRAWAL_NOT_FOUND", "WITHDRAWAL_PAYOUT_NOT_OPEN"],
          example: { ...EX_WITHDRAWAL, status: "paying", decidedAt: "2026-01-08T09:30:00.000Z" },
        }),
      },
    },
    async (request) => {
      const found = await findWithdrawal(ctx.db, request.params.id);
      if (!found) fail("WITHDRAWAL_NOT_FOUND");
      if (found.payout === null || (found.status !== "approved" && found.status !== "paying"))
        fail("WITHDRAWAL_PAYOUT_NOT_OPEN");
      const services = {
        db: ctx.db,
        registry: ctx.payments,
        now: () => ctx.clock.now(),
        timeZone: ctx.timeZone,
        log: request.log,
      };
      const after = await sendPayout(services, found);
      await ctx.db.transaction((tx) =>
        audit(request, tx, "withdrawal.payout.refresh", "withdrawal", found.id, {
          before: found.status,
          after: after.status,
        }),
      );
      return withdrawalView(after);
    },
  );
}

/** Withdrawals for operators: the queue and the decision. Mounted under /admin. */
export async function withdrawalOperatorRoutes(app: App, ctx: AppContext): Promise<void> {
  const { anyone, money, audit } = operatorAccess(ctx);
  payoutRefreshRoute(app, ctx, money, audit);

  // ---- withdrawals -------------------------------------------------------

  app.get(
    "/withdrawals",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "提现申请 / withdrawals",
        operationId: "listWithdrawals",
        description:
          "运营按状态与会员查看提现申请，新的在前。 / Operators list withdrawals, newest first, by status and member.",
        querystring: pageQuery({
          status: Type.Optional(
            Type.Union(
              ["pending", "approved", "rejected", "paying", "paid", "failed"].map((s) => Type.Literal(s)),
            ),
          ),
          memberId: Type.Optional(Id),
        }),
        response: responses(Page(QueuedWithdrawalSchema), {
          example: page([{ ...EX_WITHDRAWAL, memberPhone: "138****5678" }]),
        }),
      },
    },
    async (request) => {
      const page = await listWithdrawals(ctx.db, {
        cursor: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
        ...(request.query.status ? { status: request.query.status as "pending" } : {}),
        ...(request.query.memberId ? { memberId: request.query.memberId } : {}),
      });
      const phones = await maskedPhones(
        ctx.db,
        page.items.map((w) => w.memberId),
      );
      const items = page.items.map((w) => ({
        ...withdrawalView(w),
        memberPhone: phones.get(w.memberId) ?? null,
      }));
      return { items, nextCursor: page.nextCursor };
    },
  );

  for (const approve of [true, false]) {
    app.post(
      `/withdrawals/:id/${approve ? "approve" : "reject"}`,
      {
        preValidation: money,
        schema: {
          tags: ["admin"],
          summary: approve ? "批准提现 / approve a withdrawal" : "驳回提现（退回余额）/ reject a withdrawal",
          operationId: approve ? "approveWithdrawal" : "rejectWithdrawal",
          description: approve
            ? "财务或管理员批准待审核的提现，款项按实付金额打给会员。 / Finance or an admin approves a pending withdrawal; the payout is sent to the member."
            : "财务或管理员驳回待审核的提现，金额（含手续费）退回会员余额。 / Finance or an admin rejects a pending withdrawal; the amount, fee included, goes back to the member's cash.",
          headers: IdempotencyHeaders,
          params: IdParams,
          body: withExample(Type.Object({ reason: Type.Optional(Text({ maxLength: 200 })) }), {
            reason: approve ? "已核对银行卡信息" : "银行卡户名与实名不一致",
          }),
          response: responses(WithdrawalSchema, {
            errors: [
              "WITHDRAWAL_NOT_FOUND",
              "WITHDRAWAL_NOT_PENDING",
              "PAYMENT_ACCOUNT_MISSING",
              "BALANCE_CONFLICT",
            ],
            example: {
              ...EX_WITHDRAWAL,
              status: approve ? "approved" : "rejected",
              decidedAt: "2026-01-08T09:30:00.000Z",
              reason: approve ? "已核对银行卡信息" : "银行卡户名与实名不一致",
            },
          }),
        },
      },
      async (request, reply) => {
        const provider = approve ? await ctx.payments.payoutProvider(ctx.db) : null;
        const view = await command(ctx, request, reply, async (tx) => {
          const payout = provider ? await payoutTarget(tx, provider.name, request.params.id) : null;
          const decided = await decideWithdrawal(tx, {
            id: request.params.id,
            approve,
            operatorId: op(request).id,
            reason: request.body.reason ?? null,
            now: ctx.clock.now(),
            timeZone: ctx.timeZone,
            payout,
          });
          await audit(
            request,
            tx,
            approve ? "withdrawal.approve" : "withdrawal.reject",
            "withdrawal",
            decided.id,
            {
              memberId: decided.memberId,
              amount: withdrawalView(decided).amount,
            },
          );
          return withdrawalView(decided);
        });
        // The transfer number is committed; now the provider is asked (queried first, sent once).
        if (view.status !== "approved" || provider === null) return view;
        const services = {
          db: ctx.db,
          registry: ctx.payments,
          now: () => ctx.clock.now(),
          timeZone: ctx.timeZone,
          log: request.log,
        };
        const found = await findWithdrawal(ctx.db, view.id);
        return found ? withdrawalView(await sendPayout(services, found)) : view;
      },
    );
  }
}
