import type { FastifyRequest } from "fastify";
import { writeAudit } from "../audit/index.ts";
import type { AppContext, AuthOperator } from "./context.ts";
import { requireOperator, requireOperatorPendingChange } from "./guards.ts";

/** The operator of a request that passed an operator guard. */
export function op(request: FastifyRequest): AuthOperator {
  return request.operator as AuthOperator;
}

/**
 * The guards and the audit writer the operator (/admin) route plugins share:
 * `anyone` signed in, `pendingChange` (also with the demo password still to
 * change), `admin` only, `money` (admin or finance), and `audit`, which writes
 * one audit-log row in the command's transaction.
 */
export function operatorAccess(ctx: AppContext) {
  const anyone = requireOperator(ctx);
  const pendingChange = requireOperatorPendingChange(ctx);
  const admin = requireOperator(ctx, "admin");
  const money = requireOperator(ctx, "admin", "finance");
  const audit = (
    request: FastifyRequest,
    tx: Parameters<typeof writeAudit>[0],
    action: string,
    targetType?: string,
    targetId?: string,
    detail?: Record<string, unknown>,
  ) =>
    writeAudit(tx, {
      operator: op(request),
      action,
      ...(targetType ? { targetType } : {}),
      ...(targetId ? { targetId } : {}),
      ...(detail ? { detail } : {}),
      requestId: request.id,
      now: ctx.clock.now(),
    });
  return { anyone, pendingChange, admin, money, audit };
}
