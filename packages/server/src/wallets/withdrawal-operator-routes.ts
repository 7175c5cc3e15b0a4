import { Type } from "@fastify/type-provider-typebox";
import { command } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { EX_WITHDRAWAL, page } from "../http/examples.ts";
import { op, operatorAccess } from "../http/operator-access.ts";
import {
  Id,
  IdempotencyHeaders,
  IdParams,
  Page,
  pageLimit,
  pageQuery,
  responses,
  Text,
  withExample,
} from "../http/schemas.ts";
import { WithdrawalSchema, withdrawalView } from "./routes.ts";
import { decideWithdrawal, listWithdrawals } from "./withdrawals.ts";

/** Withdrawals for operators: the queue and the decision. Mounted under /admin. */
export async function withdrawalOperatorRoutes(app: App, ctx: AppContext): Promise<void> {
  const { anyone, money, audit } = operatorAccess(ctx);

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
          status: Type.Optional(Type.Union(["pending", "approved", "rejected"].map((s) => Type.Literal(s)))),
          memberId: Type.Optional(Id),
        }),
        response: responses(Page(WithdrawalSchema), { example: page([EX_WITHDRAWAL]) }),
      },
    },
    async (request) => {
      const page = await listWithdrawals(ctx.db, {
        cursor: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
        ...(request.query.status ? { status: request.query.status as "pending" } : {}),
        ...(request.query.memberId ? { memberId: request.query.memberId } : {}),
      });
      return { items: page.items.map(withdrawalView), nextCursor: page.nextCursor };
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
            errors: ["WITHDRAWAL_NOT_FOUND", "WITHDRAWAL_NOT_PENDING", "BALANCE_CONFLICT"],
            example: {
              ...EX_WITHDRAWAL,
              status: approve ? "approved" : "rejected",
              decidedAt: "2026-01-08T09:30:00.000Z",
              reason: approve ? "已核对银行卡信息" : "银行卡户名与实名不一致",
            },
          }),
        },
      },
      async (request, reply) =>
        command(ctx, request, reply, async (tx) => {
          const decided = await decideWithdrawal(tx, {
            id: request.params.id,
            approve,
            operatorId: op(request).id,
            reason: request.body.reason ?? null,
            now: ctx.clock.now(),
            timeZone: ctx.timeZone,
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
        }),
    );
  }
}
