import { Type } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { burnVerification, hashPassword, verifyPassword } from "../auth/passwords.ts";
import { createSession, hashToken, revokeAllSessions, revokeSession } from "../auth/sessions.ts";
import { loginSucceeded, reserveOperatorTry } from "../auth/throttle.ts";
import { fail } from "../errors/index.ts";
import { command, credentialCommand } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { EX_OPERATOR, EX_TOKEN, page } from "../http/examples.ts";
import { iso } from "../http/format.ts";
import { op, operatorAccess } from "../http/operator-access.ts";
import {
  createdResponses,
  IdempotencyHeaders,
  IdParams,
  Instant,
  Page,
  Password,
  pageLimit,
  pageQuery,
  responses,
  Text,
  withExample,
} from "../http/schemas.ts";
import { DEFAULT_ADMIN_PASSWORD } from "../settings.ts";
import {
  findOperatorByUsername,
  insertOperator,
  listOperators,
  lockActiveAdmins,
  lockOperator,
  type Operator,
  updateOperator,
} from "./repository.ts";

const Role = Type.Union([Type.Literal("admin"), Type.Literal("finance"), Type.Literal("support")]);

const OperatorSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String({ description: "admin, finance, support" }),
  active: Type.Boolean(),
  mustChangePassword: Type.Boolean({
    description: "signed in with the built-in demo password: only POST /admin/me/password and sign-out work",
  }),
  createdAt: Instant,
});

function operatorView(o: Operator) {
  return {
    id: o.id,
    username: o.username,
    displayName: o.displayName,
    role: o.role,
    active: o.active,
    mustChangePassword: o.mustChangePassword,
    createdAt: iso(o.createdAt),
  };
}

const Ok = Type.Object({ ok: Type.Boolean() });

/** Operators: sign-in, their own password, and operator management (admin). Mounted under /admin. */
export async function operatorRoutes(app: App, ctx: AppContext): Promise<void> {
  const { pendingChange, admin, audit } = operatorAccess(ctx);

  // ---- operators ---------------------------------------------------------

  app.post(
    "/auth/login",
    {
      schema: {
        tags: ["admin"],
        summary: "运营登录 / operator sign-in",
        operationId: "loginOperator",
        description:
          "运营人员用用户名和密码登录后台，返回运营资料与令牌；密码连续错误会被暂时限制。 / An operator signs in to the back office with username and password and gets a bearer token; repeated wrong passwords are throttled. The answer carries a session token: Idempotency-Key is ignored; throttled per account and source address.",
        security: [],
        body: withExample(
          Type.Object({
            username: Text({ minLength: 1, maxLength: 64 }),
            password: Type.String({ maxLength: 72 }),
          }),
          { username: "caiwu.li", password: "ying-chun-2026" },
        ),
        response: responses(
          Type.Object({
            operator: OperatorSchema,
            token: Type.String(),
            expiresAt: Instant,
            mustChangePassword: Type.Boolean({
              description: "true: change the password (POST /admin/me/password) before anything else",
            }),
          }),
          {
            errors: ["OPERATOR_LOGIN_FAILED", "OPERATOR_LOGIN_LOCKED", "OPERATOR_LOGIN_SLOWED"],
            example: {
              operator: EX_OPERATOR,
              token: EX_TOKEN,
              expiresAt: "2026-01-05T14:13:07.000Z",
              mustChangePassword: false,
            },
          },
        ),
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      // One try is reserved atomically before the password is checked.
      const reserved = await reserveOperatorTry(
        ctx.db,
        { subject: `operator:${username}`, ip: request.ip, now: ctx.clock.now() },
        ctx.operatorLoginLimits,
      );
      const found = await findOperatorByUsername(ctx.db, username);
      if (!found) await burnVerification(ctx.passwords);
      if (!found?.active || !(await verifyPassword(found.passwordHash, password))) {
        fail("OPERATOR_LOGIN_FAILED");
      }
      await loginSucceeded(ctx.db, reserved);
      request.operator = { id: found.id, username: found.username, role: found.role };
      return credentialCommand(ctx, request, reply, async (tx) => {
        const now = ctx.clock.now();
        // The built-in demo password is everybody's: whoever signs in with it must change it first.
        const current =
          password === DEFAULT_ADMIN_PASSWORD && !found.mustChangePassword
            ? await updateOperator(tx, found.id, { mustChangePassword: true })
            : found;
        const session = await createSession(
          tx,
          { type: "operator", id: found.id },
          ctx.sessionTtl.operatorMs,
          now,
        );
        await audit(request, tx, "operator.login", "operator", found.id);
        return {
          operator: operatorView(current),
          token: session.token,
          expiresAt: iso(session.expiresAt),
          mustChangePassword: current.mustChangePassword,
        };
      });
    },
  );

  app.post(
    "/me/password",
    {
      preValidation: pendingChange,
      schema: {
        tags: ["admin"],
        operationId: "changeOwnOperatorPassword",
        summary: "修改本人密码 / change my password",
        description:
          "运营人员用当前密码设置新密码，其他登录会话随即失效；首次用演示密码登录后须先改密码。 / An operator sets a new password with the current one; their other sessions end. Required first after signing in with the demo password. The body carries passwords: Idempotency-Key is ignored.",
        body: withExample(
          Type.Object({
            currentPassword: Type.String({ maxLength: 72 }),
            newPassword: Password,
          }),
          { currentPassword: "jifen-admin-123", newPassword: "dong-tian-2026" },
        ),
        response: responses(Ok, {
          errors: [
            "OPERATOR_PASSWORD_WRONG",
            "OPERATOR_PASSWORD_UNCHANGED",
            "WEAK_PASSWORD",
            "OPERATOR_LOGIN_LOCKED",
          ],
          example: { ok: true },
        }),
      },
    },
    async (request, reply) => {
      const me = op(request);
      const { currentPassword, newPassword } = request.body;
      // Guessing the current password with a stolen token is throttled like sign-in.
      const reserved = await reserveOperatorTry(
        ctx.db,
        { subject: `operator:${me.username}`, ip: request.ip, now: ctx.clock.now() },
        ctx.operatorLoginLimits,
      );
      const found = await findOperatorByUsername(ctx.db, me.username);
      if (!found || !(await verifyPassword(found.passwordHash, currentPassword))) {
        fail("OPERATOR_PASSWORD_WRONG", { field: "currentPassword" });
      }
      await loginSucceeded(ctx.db, reserved);
      if (newPassword === currentPassword || newPassword === DEFAULT_ADMIN_PASSWORD) {
        fail("OPERATOR_PASSWORD_UNCHANGED", { field: "newPassword" });
      }
      const passwordHash = await hashPassword(newPassword, ctx.passwords);
      return credentialCommand(ctx, request, reply, async (tx) => {
        const now = ctx.clock.now();
        await updateOperator(tx, me.id, { passwordHash, mustChangePassword: false });
        await tx.query(
          `update sessions set revoked_at = $3::timestamptz
           where subject_type = 'operator' and subject_id = $1::bigint and token_hash <> $2 and revoked_at is null`,
          [me.id, hashToken(request.bearer as string), now.toISOString()],
        );
        await audit(request, tx, "operator.password.change", "operator", me.id, { username: me.username });
        return { ok: true };
      });
    },
  );

  app.post(
    "/auth/logout",
    {
      preValidation: pendingChange,
      schema: {
        tags: ["admin"],
        summary: "运营退出 / sign out",
        operationId: "logoutOperator",
        description:
          "运营人员退出，当前令牌失效（写入操作日志）。 / The operator signs out; the current token stops working (audited).",
        headers: IdempotencyHeaders,
        response: responses(Ok, { example: { ok: true } }),
      },
    },
    async (request, reply) =>
      command(ctx, request, reply, async (tx) => {
        await revokeSession(tx, request.bearer as string, ctx.clock.now());
        await audit(request, tx, "operator.logout", "operator", op(request).id);
        return { ok: true };
      }),
  );

  app.get(
    "/operators",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "运营账号 / operators",
        operationId: "listOperators",
        description:
          "管理员按编号顺序分页查看运营账号及其角色。 / Admins list the operator accounts and their roles, in id order, a page at a time.",
        querystring: pageQuery({}),
        response: responses(Page(OperatorSchema), {
          example: page([
            { ...EX_OPERATOR, id: "1", username: "admin", displayName: "王店长", role: "admin" },
            EX_OPERATOR,
          ]),
        }),
      },
    },
    async (request) => {
      const found = await listOperators(ctx.db, {
        cursor: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
      });
      return { items: found.items.map(operatorView), nextCursor: found.nextCursor };
    },
  );

  app.post(
    "/operators",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "新增运营账号 / add an operator",
        operationId: "createOperator",
        description:
          "管理员新增运营账号（admin 全部权限，finance 资金审批，support 只读）。 / Admins add an operator account: admin (everything), finance (money decisions) or support (reads). The body carries a password: Idempotency-Key is ignored (a repeat is OPERATOR_TAKEN).",
        body: withExample(
          Type.Object({
            username: Type.String({ pattern: "^[A-Za-z0-9_.-]{2,32}$" }),
            displayName: Text({ minLength: 1, maxLength: 64 }),
            role: Role,
            password: Password,
          }),
          { username: "caiwu.li", displayName: "李会计", role: "finance", password: "ying-chun-2026" },
        ),
        response: createdResponses(OperatorSchema, {
          errors: ["WEAK_PASSWORD", "OPERATOR_TAKEN"],
          example: EX_OPERATOR,
        }),
      },
    },
    async (request, reply) => {
      const passwordHash = await hashPassword(request.body.password, ctx.passwords);
      return credentialCommand(
        ctx,
        request,
        reply,
        async (tx) => {
          const created = await insertOperator(tx, {
            ...request.body,
            passwordHash,
            mustChangePassword: request.body.password === DEFAULT_ADMIN_PASSWORD,
            now: ctx.clock.now(),
          });
          if (!created) fail("OPERATOR_TAKEN", { field: "username" });
          await audit(request, tx, "operator.create", "operator", created.id, {
            username: created.username,
            role: created.role,
          });
          return operatorView(created);
        },
        201,
      );
    },
  );

  /**
   * Changes an operator under the lock of every active admin (taken first, in id
   * order, so two changes cannot both remove "the other" last admin).
   */
  const changeOperator = (
    request: FastifyRequest,
    reply: Parameters<typeof command>[2],
    id: string,
    change: { active?: boolean; role?: Operator["role"] },
  ) =>
    command(ctx, request, reply, async (tx) => {
      const now = ctx.clock.now();
      const admins = await lockActiveAdmins(tx);
      // The actor may have been disabled or demoted by a change that committed meanwhile.
      if (!admins.includes(op(request).id)) fail("FORBIDDEN");
      const target = await lockOperator(tx, id);
      if (!target) fail("OPERATOR_NOT_FOUND");
      const staysAdmin = (change.active ?? target.active) && (change.role ?? target.role) === "admin";
      if (target.active && target.role === "admin" && !staysAdmin && admins.length <= 1) {
        fail("OPERATOR_LAST_ADMIN");
      }
      const updated = await updateOperator(tx, id, change);
      if (change.active === false) {
        await revokeAllSessions(tx, { type: "operator", id }, now);
      }
      const action =
        change.active === false
          ? "operator.disable"
          : change.active === true
            ? "operator.enable"
            : "operator.role";
      await audit(request, tx, action, "operator", id, {
        username: target.username,
        ...(change.role !== undefined ? { from: target.role, to: change.role } : {}),
      });
      return operatorView(updated);
    });

  app.post(
    "/operators/:id/disable",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        operationId: "disableOperator",
        summary: "停用运营账号 / disable an operator",
        description:
          "管理员停用运营账号：其登录会话立即失效、无法再登录；最后一位启用中的管理员不能停用。 / Admins disable an operator: their sessions end and they cannot sign in; the last active admin cannot be disabled.",
        headers: IdempotencyHeaders,
        params: IdParams,
        response: responses(OperatorSchema, {
          errors: ["OPERATOR_NOT_FOUND", "OPERATOR_LAST_ADMIN"],
          example: { ...EX_OPERATOR, active: false },
        }),
      },
    },
    async (request, reply) => changeOperator(request, reply, request.params.id, { active: false }),
  );

  app.post(
    "/operators/:id/enable",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        operationId: "enableOperator",
        summary: "启用运营账号 / enable an operator",
        description: "管理员重新启用已停用的运营账号。 / Admins let a disabled operator sign in again.",
        headers: IdempotencyHeaders,
        params: IdParams,
        response: responses(OperatorSchema, { errors: ["OPERATOR_NOT_FOUND"], example: EX_OPERATOR }),
      },
    },
    async (request, reply) => changeOperator(request, reply, request.params.id, { active: true }),
  );

  app.post(
    "/operators/:id/role",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        operationId: "setOperatorRole",
        summary: "修改运营角色 / change an operator's role",
        description:
          "管理员修改运营角色（admin、finance 或 support）；最后一位启用中的管理员保留 admin 角色。 / Admins change an operator's role (admin, finance or support); the last active admin keeps the admin role.",
        headers: IdempotencyHeaders,
        params: IdParams,
        body: withExample(Type.Object({ role: Role }), { role: "support" }),
        response: responses(OperatorSchema, {
          errors: ["OPERATOR_NOT_FOUND", "OPERATOR_LAST_ADMIN"],
          example: { ...EX_OPERATOR, role: "support" },
        }),
      },
    },
    async (request, reply) => changeOperator(request, reply, request.params.id, { role: request.body.role }),
  );
}
