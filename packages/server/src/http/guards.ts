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
    if (session?.type !== "member") fail("SESSION_EXPIRED");
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

/** A hook (run before validation) that admits operators with one of `roles` (any role when empty). */
export function requireOperator(ctx: AppContext, ...roles: OperatorRole[]) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerOf(request);
    if (!token) fail("UNAUTHENTICATED");
    const session = await findSession(ctx.db, token, ctx.clock.now());
    if (session?.type !== "operator") fail("SESSION_EXPIRED");
    const rows = await ctx.db.query<AuthOperator>(
      "select id, username, role from operators where id = $1::bigint and active",
      [session.id],
    );
    const operator = rows.rows[0];
    if (!operator) fail("SESSION_EXPIRED");
    request.bearer = token;
    request.operator = operator;
    if (roles.length > 0 && !roles.includes(operator.role)) {
      fail("FORBIDDEN", {
        detail: { zh: `需要角色 ${roles.join("/")}`, en: `needs role ${roles.join(" or ")}` },
      });
    }
  };
}
