import type { FastifyRequest } from "fastify";
import { findSession } from "../auth/sessions.ts";
import { fail } from "../errors/index.ts";
import type { AppContext, AuthOperator, OperatorRole } from "./context.ts";

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

/** A hook (run before validation) that admits signed-in members only and sets `request.member`. */
export function requireMember(ctx: AppContext) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerOf(request);
    if (!token) fail("UNAUTHENTICATED");
    const session = await findSession(ctx.db, token, ctx.clock.now());
    if (!session) fail("SESSION_EXPIRED");
    // A live operator session is authenticated, just not a member: forbidden, not expired.
    if (session.type !== "member") fail("FORBIDDEN", { detail: ROUTE_OF_MEMBERS });
    const rows = await ctx.db.query<{ id: string; phone: string }>(
      "select id, phone from members where id = $1::bigint and status = 'active'",
      [session.id],
    );
    const member = rows.rows[0];
    if (!member) fail("SESSION_EXPIRED");
    request.bearer = token;
    request.member = member;
  };
}

const ROUTE_OF_MEMBERS = { zh: "此接口仅供会员使用", en: "this route is for members" };
const ROUTE_OF_OPERATORS = { zh: "此接口仅供运营人员使用", en: "this route is for operators" };

/** A hook (run before validation) that admits operators with one of `roles` (any role when empty). */
export function requireOperator(ctx: AppContext, ...roles: OperatorRole[]) {
  return operatorGuard(ctx, false, roles);
}

/**
 * Like `requireOperator` (any role), but also admits an operator who must still
 * change the initial password: for changing it and signing out.
 */
export function requireOperatorPendingChange(ctx: AppContext) {
  return operatorGuard(ctx, true, []);
}

function operatorGuard(ctx: AppContext, pendingChangeAllowed: boolean, roles: OperatorRole[]) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerOf(request);
    if (!token) fail("UNAUTHENTICATED");
    const session = await findSession(ctx.db, token, ctx.clock.now());
    if (!session) fail("SESSION_EXPIRED");
    // A live member session is authenticated, just not an operator: forbidden, not expired.
    if (session.type !== "operator") fail("FORBIDDEN", { detail: ROUTE_OF_OPERATORS });
    const rows = await ctx.db.query<AuthOperator & { must_change_password: boolean }>(
      "select id, username, role, must_change_password from operators where id = $1::bigint and active",
      [session.id],
    );
    const row = rows.rows[0];
    if (!row) fail("SESSION_EXPIRED");
    const operator: AuthOperator = { id: row.id, username: row.username, role: row.role };
    request.bearer = token;
    request.operator = operator;
    if (row.must_change_password && !pendingChangeAllowed) fail("OPERATOR_PASSWORD_CHANGE_REQUIRED");
    if (roles.length > 0 && !roles.includes(operator.role)) {
      fail("FORBIDDEN", {
        detail: { zh: `需要角色 ${roles.join("/")}`, en: `needs role ${roles.join(" or ")}` },
      });
    }
  };
}
