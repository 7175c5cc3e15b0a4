import { Type } from "@fastify/type-provider-typebox";
import { configRisks, DEFAULT_RETURN_WINDOW_DAYS } from "@jifen/engine";
import type { FastifyRequest } from "fastify";
import { listAudit, writeAudit } from "../audit/index.ts";
import { burnVerification, hashPassword, verifyPassword } from "../auth/passwords.ts";
import { createSession, hashToken, revokeAllSessions, revokeSession } from "../auth/sessions.ts";
import { loginSucceeded, reserveOperatorTry } from "../auth/throttle.ts";
import { addDays, businessDay } from "../clock/index.ts";
import {
  addConfigVersion,
  configForDay,
  isEmptyPatch,
  listConfigVersions,
  previewConfig,
} from "../config/index.ts";
import { fail } from "../errors/index.ts";
import { parseSignedAmount, parseYuan } from "../http/amounts.ts";
import { command, credentialCommand } from "../http/command.ts";
import type { App, AppContext, AuthOperator } from "../http/context.ts";
import {
  EX_MEMBER,
  EX_OPERATOR,
  EX_ORDER,
  EX_PENDING_ORDER,
  EX_PRODUCT,
  EX_TEAM,
  EX_TOKEN,
  EX_WALLETS,
  EX_WITHDRAWAL,
  page,
} from "../http/examples.ts";
import { formatAmount, iso } from "../http/format.ts";
import { requireOperator, requireOperatorPendingChange } from "../http/guards.ts";
import { MAX_ADJUSTMENT_MICRO, MAX_PRICE_MICRO } from "../http/limits.ts";
import type { RouteDoc } from "../http/route-docs.ts";
import {
  causeProperties,
  createdResponses,
  Decimal,
  Id,
  IdempotencyHeaders,
  IdParams,
  Instant,
  Nullable,
  Page,
  Password,
  pageLimit,
  pageQuery,
  responses,
  Text,
  withExample,
} from "../http/schemas.ts";
import { memberHistory, requestLanguage } from "../ledger/index.ts";
import {
  ADJUST_PLACES,
  adjustMember,
  checkAdjustable,
  findMemberById,
  listMembers,
  MemberSchema,
  memberStanding,
  memberView,
  StandingSchema,
  TeamSchema,
  teamSummary,
  teamView,
} from "../members/index.ts";
import {
  findOperatorByUsername,
  insertOperator,
  listOperators,
  lockActiveAdmins,
  lockOperator,
  type Operator,
  updateOperator,
} from "../operators/index.ts";
import { figuresRoutes } from "../reports/index.ts";
import { DEFAULT_ADMIN_PASSWORD } from "../settings.ts";
import {
  checkPlans,
  checkRefundReason,
  findOrder,
  findProduct,
  insertProduct,
  listOrders,
  listProducts,
  lockOrder,
  markCancelled,
  markPaid,
  markRefunded,
  OrderSchema,
  orderView,
  ProductSchema,
  productView,
  updateProduct,
} from "../shop/index.ts";
import { maskPhone } from "../sms/index.ts";
import {
  decideWithdrawal,
  listWithdrawals,
  WalletSchema,
  WithdrawalSchema,
  walletsView,
  withdrawalView,
} from "../wallets/index.ts";

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

const WalletsSchema = Type.Array(WalletSchema);

const Ok = Type.Object({ ok: Type.Boolean() });

function op(request: FastifyRequest): AuthOperator {
  return request.operator as AuthOperator;
}

/** The back office API under /admin: operators, members, orders, money, products, config, audit, figures. */
export async function adminRoutes(app: App, ctx: AppContext): Promise<void> {
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
        description: "管理员查看全部运营账号及其角色。 / Admins list every operator account and its role.",
        response: responses(Type.Object({ items: Type.Array(OperatorSchema) }), {
          example: {
            items: [
              { ...EX_OPERATOR, id: "1", username: "admin", displayName: "王店长", role: "admin" },
              EX_OPERATOR,
            ],
          },
        }),
      },
    },
    async () => ({ items: (await listOperators(ctx.db)).map(operatorView) }),
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
          "运营按手机号前缀查找会员，新注册的在前。 / Operators list members, newest first, optionally by phone prefix.",
        querystring: pageQuery({
          phone: Type.Optional(Type.String({ pattern: "^[0-9]{1,11}$", description: "phone prefix" })),
        }),
        response: responses(Page(MemberSchema), { example: page([EX_MEMBER], "1024") }),
      },
    },
    async (request) => {
      const page = await listMembers(ctx.db, {
        cursor: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
        ...(request.query.phone ? { phonePrefix: request.query.phone } : {}),
      });
      return { items: page.items.map(memberView), nextCursor: page.nextCursor };
    },
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
        member: memberView(member),
        wallets: await walletsView(ctx.db, member.id),
        team: teamView(await teamSummary(ctx.db, member.id, day), day),
        standing: await memberStanding(ctx.db, member.id),
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
        MAX_ADJUSTMENT_MICRO,
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

  // ---- orders ------------------------------------------------------------

  app.get(
    "/orders",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "订单列表 / orders",
        operationId: "listOrders",
        description:
          "运营按会员与状态查看订单，新的在前。 / Operators list orders, newest first, by member and status.",
        querystring: pageQuery({
          memberId: Type.Optional(Id),
          status: Type.Optional(
            Type.Union(["pending", "paid", "refunded", "cancelled"].map((s) => Type.Literal(s))),
          ),
        }),
        response: responses(Page(OrderSchema), { example: page([EX_ORDER]) }),
      },
    },
    async (request) => {
      const page = await listOrders(ctx.db, {
        cursor: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
        ...(request.query.memberId ? { memberId: request.query.memberId } : {}),
        ...(request.query.status ? { status: request.query.status as "paid" } : {}),
      });
      return { items: page.items.map(orderView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/orders/:id",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "订单详情 / one order",
        operationId: "getOrder",
        description: "运营查看一笔订单。 / Operators read one order.",
        params: IdParams,
        response: responses(OrderSchema, { errors: ["ORDER_NOT_FOUND"], example: EX_ORDER }),
      },
    },
    async (request) => {
      const order = await findOrder(ctx.db, request.params.id);
      if (!order) fail("ORDER_NOT_FOUND");
      return orderView(order);
    },
  );

  const orderAction = (
    path: string,
    summary: string,
    action: "pay" | "cancel",
    doc: { operationId: string; description: string; errors: RouteDoc["errors"]; example: unknown },
  ) =>
    app.post(
      `/orders/:id/${path}`,
      {
        preValidation: money,
        schema: {
          tags: ["admin"],
          summary,
          operationId: doc.operationId,
          description: doc.description,
          headers: IdempotencyHeaders,
          params: IdParams,
          response: responses(OrderSchema, {
            errors: ["ORDER_NOT_FOUND", "BALANCE_CONFLICT", ...(doc.errors ?? [])],
            example: doc.example,
          }),
        },
      },
      async (request, reply) =>
        command(ctx, request, reply, async (tx) => {
          const order = await lockOrder(tx, request.params.id);
          const deps = { hooks: ctx.hooks, now: ctx.clock.now(), timeZone: ctx.timeZone };
          if (action === "pay" && order.provider !== "manual") {
            fail("ORDER_NOT_PENDING", {
              detail: { zh: "该订单由商城回调确认", en: "this order is paid through the webhook" },
            });
          }
          const next =
            action === "pay" ? await markPaid(tx, order, deps) : await markCancelled(tx, order, deps.now);
          await audit(request, tx, `order.${action}`, "order", order.id, { amount: orderView(order).amount });
          return orderView(next);
        }),
    );
  orderAction("confirm-payment", "确认收款（人工支付）/ confirm a manual payment", "pay", {
    operationId: "confirmOrderPayment",
    description:
      "财务或管理员确认人工支付订单已收款，订单变为已支付并按规则发放奖励。 / Finance or an admin confirms that a manual order was paid; the order is paid and its rewards follow the rules.",
    errors: ["ORDER_NOT_PENDING", "INSUFFICIENT_POINTS"],
    example: EX_ORDER,
  });
  orderAction("cancel", "取消待支付订单 / cancel an order awaiting payment", "cancel", {
    operationId: "cancelOrder",
    description:
      "财务或管理员取消待支付的订单，抵扣的积分退回。 / Finance or an admin cancels an order awaiting payment; points set aside for it are freed.",
    errors: ["ORDER_NOT_PENDING"],
    example: { ...EX_PENDING_ORDER, status: "cancelled" },
  });

  app.post(
    "/orders/:id/refund",
    {
      preValidation: money,
      schema: {
        tags: ["admin"],
        summary: "退款（须填写原因）/ refund a paid order (a reason is required)",
        operationId: "refundOrder",
        description:
          "财务或管理员为已支付订单退款并填写原因，撤回该订单带来的奖励（会员不足以抵扣的部分记为欠款）；原因记在订单与操作日志中。 / Finance or an admin refunds a paid order with a reason; the rewards it brought are taken back (what a member cannot cover becomes debt); the reason is kept on the order and in the audit log.",
        headers: IdempotencyHeaders,
        params: IdParams,
        body: withExample(
          Type.Object({
            reason: Text({
              maxLength: 200,
              description: "退款原因 / why (required, not blank); stored on the order and in the audit log",
            }),
          }),
          { reason: "买家七天无理由退货" },
        ),
        response: responses(OrderSchema, {
          errors: [
            "ORDER_NOT_FOUND",
            "ORDER_NOT_PAID",
            "ORDER_REFUNDED",
            "REFUND_REASON_REQUIRED",
            "BALANCE_CONFLICT",
          ],
          example: {
            ...EX_ORDER,
            status: "refunded",
            refundedAt: "2026-01-09T03:00:12.000Z",
            refundReason: "买家七天无理由退货",
          },
        }),
      },
    },
    async (request, reply) => {
      const reason = checkRefundReason(request.body.reason);
      return command(ctx, request, reply, async (tx) => {
        const order = await lockOrder(tx, request.params.id);
        const deps = { hooks: ctx.hooks, now: ctx.clock.now(), timeZone: ctx.timeZone };
        const next = await markRefunded(tx, order, deps, reason);
        await audit(request, tx, "order.refund", "order", order.id, {
          amount: orderView(order).amount,
          reason,
        });
        return orderView(next);
      });
    },
  );

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

  // ---- products ----------------------------------------------------------

  const ProductBody = Type.Object({
    name: Text({ minLength: 1, maxLength: 100 }),
    description: Text({ maxLength: 2000, default: "", multiline: true }),
    price: Decimal("yuan, at most 2 decimals"),
    plans: Type.Array(Type.String(), { maxItems: 3, description: "equity, cycle, release" }),
    membershipPackage: Type.Boolean({ default: false }),
    active: Type.Boolean({ default: true }),
  });
  const productInput = (body: {
    name: string;
    description: string;
    price: string;
    plans: string[];
    membershipPackage: boolean;
    active: boolean;
  }) => ({
    name: body.name,
    description: body.description,
    price: parseYuan(body.price, "price", MAX_PRICE_MICRO),
    plans: checkPlans(body.plans),
    membershipPackage: body.membershipPackage,
    active: body.active,
  });

  app.get(
    "/products",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "全部商品 / all products",
        operationId: "listAllProducts",
        description:
          "运营查看全部商品，包括已下架的。 / Operators list every product, those off sale included.",
        response: responses(Type.Object({ items: Type.Array(ProductSchema) }), {
          example: {
            items: [
              EX_PRODUCT,
              {
                ...EX_PRODUCT,
                id: "4",
                name: "会员礼包",
                price: "999.00",
                membershipPackage: true,
                active: false,
              },
            ],
          },
        }),
      },
    },
    async () => ({ items: (await listProducts(ctx.db, false)).map(productView) }),
  );

  app.post(
    "/products",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "新增商品 / add a product",
        operationId: "createProduct",
        description:
          "管理员新增商品，设定价格与参与的奖励计划（equity、cycle、release）。 / Admins add a product with its price and the reward plans it takes part in (equity, cycle, release).",
        headers: IdempotencyHeaders,
        body: withExample(ProductBody, {
          name: "五常大米礼盒 5kg",
          description: "当季新米，真空包装。",
          price: "99.00",
          plans: ["equity", "release"],
          membershipPackage: false,
          active: true,
        }),
        response: createdResponses(ProductSchema, {
          errors: [
            "INVALID_AMOUNT",
            "TOO_MANY_PLACES",
            "AMOUNT_NOT_POSITIVE",
            "AMOUNT_TOO_LARGE",
            "UNKNOWN_PLAN",
          ],
          example: EX_PRODUCT,
        }),
      },
    },
    async (request, reply) => {
      const input = productInput(request.body);
      return command(
        ctx,
        request,
        reply,
        async (tx) => {
          const product = await insertProduct(tx, input, ctx.clock.now());
          await audit(request, tx, "product.create", "product", product.id, {
            name: product.name,
            price: productView(product).price,
          });
          return productView(product);
        },
        201,
      );
    },
  );

  app.put(
    "/products/:id",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "修改商品 / change a product",
        operationId: "updateProduct",
        description:
          "管理员修改商品的名称、说明、价格、计划与上下架状态；已下的订单不受影响。 / Admins change a product's name, description, price, plans and whether it is on sale; orders already placed keep theirs.",
        headers: IdempotencyHeaders,
        params: IdParams,
        body: withExample(ProductBody, {
          name: "五常大米礼盒 5kg",
          description: "当季新米，真空包装，顺丰包邮。",
          price: "109.00",
          plans: ["equity", "release"],
          membershipPackage: false,
          active: true,
        }),
        response: responses(ProductSchema, {
          errors: [
            "PRODUCT_NOT_FOUND",
            "INVALID_AMOUNT",
            "TOO_MANY_PLACES",
            "AMOUNT_NOT_POSITIVE",
            "AMOUNT_TOO_LARGE",
            "UNKNOWN_PLAN",
          ],
          example: { ...EX_PRODUCT, description: "当季新米，真空包装，顺丰包邮。", price: "109.00" },
        }),
      },
    },
    async (request, reply) => {
      const input = productInput(request.body);
      return command(ctx, request, reply, async (tx) => {
        const product = await updateProduct(tx, request.params.id, input, ctx.clock.now());
        await audit(request, tx, "product.update", "product", product.id, {
          name: product.name,
          price: productView(product).price,
          active: product.active,
        });
        return productView(product);
      });
    },
  );

  app.delete(
    "/products/:id",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "下架商品 / take a product off sale",
        operationId: "deactivateProduct",
        description:
          "管理员下架商品（不删除，已下的订单不受影响）。 / Admins take a product off sale (it is kept; orders already placed are unaffected).",
        headers: IdempotencyHeaders,
        params: IdParams,
        response: responses(ProductSchema, {
          errors: ["PRODUCT_NOT_FOUND"],
          example: { ...EX_PRODUCT, active: false },
        }),
      },
    },
    async (request, reply) =>
      command(ctx, request, reply, async (tx) => {
        const product = await findProduct(tx, request.params.id);
        if (!product) fail("PRODUCT_NOT_FOUND");
        const updated = await updateProduct(tx, product.id, { ...product, active: false }, ctx.clock.now());
        await audit(request, tx, "product.deactivate", "product", product.id);
        return productView(updated);
      }),
  );

  // ---- SMS outbox, audit log, config -------------------------------------

  app.get(
    "/sms-outbox",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "短信发件箱（console 模式含验证码）/ SMS outbox",
        operationId: "listSmsOutbox",
        description:
          "运营查看短信发件记录（console 模式下含验证码原文），每次读取记入操作日志。 / Operators read the SMS outbox (with the codes themselves under the console provider); every read is audited. Only the admin role reads verification codes, and only in messages of the console provider; others see them masked.",
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
                phone: "13812345678",
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
          content: showCodes && r.provider === "console" ? r.content : r.content.replace(/\d{6}/g, "******"),
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
          "运营按操作人与动作查看操作日志，新的在前。 / Operators read the audit log, newest first, by operator and action.",
        querystring: pageQuery({
          operatorId: Type.Optional(Id),
          action: Type.Optional(Text({ maxLength: 64 })),
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
      });
      return {
        items: page.items.map((r) => ({ ...r, createdAt: iso(r.createdAt) })),
        nextCursor: page.nextCursor,
      };
    },
  );

  const ConfigWarnings = Type.Array(
    Type.Object({
      code: Type.String({ description: "e.g. COOLING_OFF_SHORTER_THAN_RETURN_WINDOW" }),
      key: Type.String({ description: "the parameter concerned" }),
      zh: Type.String(),
      en: Type.String(),
    }),
    { description: "风险提示 / risks of this parameter set (docs/rules.md §5); saving is still allowed" },
  );
  const ConfigChangeBody = Type.Object({
    params: Type.Record(Type.String(), Type.Unknown(), {
      description:
        'keys to change (at least one), e.g. { release: { pointsPayRatio: "0.5" }, withdrawal: { feeRate: "0.006" } }',
    }),
    note: Text({ maxLength: 200, default: "" }),
  });
  const warningsOf = (config: Parameters<typeof configRisks>[0]) =>
    configRisks(config, { returnWindowDays: DEFAULT_RETURN_WINDOW_DAYS });
  /** The change's patch, refused when it changes no parameter. */
  const patchOf = (params: Record<string, unknown>) => {
    if (isEmptyPatch(params)) fail("CONFIG_CHANGE_EMPTY", { field: "params" });
    return params;
  };

  app.get(
    "/config",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "当前参数与版本 / parameters in force today and their versions",
        operationId: "getConfig",
        description:
          "运营查看今日生效的参数及全部参数版本（每个版本从其生效日起适用）。 / Operators see the parameters in force today and every parameter version (each applies from its effective day).",
        response: responses(
          Type.Object({
            businessDay: Type.String(),
            versionId: Nullable(Type.String()),
            config: Type.Unknown(),
            warnings: ConfigWarnings,
            next: Type.Object(
              {
                businessDay: Type.String(),
                versionId: Nullable(Type.String()),
                config: Type.Unknown(),
                warnings: ConfigWarnings,
              },
              {
                description:
                  "明日生效的参数 / the set in force from the next business day (changes saved today)",
              },
            ),
            versions: Type.Array(
              Type.Object({
                id: Type.String(),
                params: Type.Unknown(),
                effectiveDay: Type.String(),
                operatorId: Nullable(Type.String()),
                note: Type.String(),
                createdAt: Instant,
              }),
            ),
          }),
          {
            example: {
              businessDay: "2026-01-08",
              versionId: "3",
              config: {
                release: { pointsPayRatio: "0.5" },
                withdrawal: { feeRate: "0.006", minimum: "100" },
              },
              versions: [
                {
                  id: "3",
                  params: { withdrawal: { feeRate: "0.006" } },
                  effectiveDay: "2026-01-07",
                  operatorId: "1",
                  note: "提现手续费调整为 0.6%",
                  createdAt: "2026-01-06T10:00:00.000Z",
                },
              ],
            },
          },
        ),
      },
    },
    async () => {
      const day = businessDay(ctx.clock.now(), ctx.timeZone);
      const effective = await configForDay(ctx.db, day);
      const tomorrow = addDays(day, 1);
      const next = await configForDay(ctx.db, tomorrow);
      const versions = await listConfigVersions(ctx.db);
      return {
        businessDay: day,
        versionId: effective.versionId,
        config: effective.input,
        warnings: warningsOf(effective.config),
        next: {
          businessDay: tomorrow,
          versionId: next.versionId,
          config: next.input,
          warnings: warningsOf(next.config),
        },
        versions: versions.map((v) => ({
          id: v.id,
          params: v.params,
          effectiveDay: v.effective_day,
          operatorId: v.operator_id,
          note: v.note,
          createdAt: iso(v.created_at),
        })),
      };
    },
  );

  app.post(
    "/config/preview",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        operationId: "previewConfigChange",
        summary: "预览参数修改（不保存）/ preview a parameter change without saving it",
        description:
          "管理员预览参数修改：像保存一样校验，返回自下一营业日起将生效的完整参数与风险提示，但不保存。 / Admins preview a change: it is validated like POST /admin/config and answers the set it would put in force from the next business day, with its risk warnings; nothing is saved.",
        body: withExample(ConfigChangeBody, { params: { coolingOffDays: 7 }, note: "冷静期改为 7 天" }),
        response: responses(
          Type.Object({ effectiveDay: Type.String(), config: Type.Unknown(), warnings: ConfigWarnings }),
          {
            errors: ["INVALID_CONFIG", "CONFIG_CHANGE_EMPTY"],
            example: { effectiveDay: "2026-01-09", config: { coolingOffDays: "7" }, warnings: [] },
          },
        ),
      },
    },
    async (request) => {
      const patch = patchOf(request.body.params);
      const effectiveDay = addDays(businessDay(ctx.clock.now(), ctx.timeZone), 1);
      const preview = await previewConfig(ctx.db, patch);
      return { effectiveDay, config: preview.input, warnings: warningsOf(preview.config) };
    },
  );

  app.post(
    "/config",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "修改参数（次日生效）/ change parameters from the next business day",
        operationId: "changeConfig",
        description:
          "管理员修改参数，新版本从下一个营业日起生效；只需给出要改的键，记入操作日志。 / Admins change parameters; the new version applies from the next business day. Give only the keys to change; audited.",
        headers: IdempotencyHeaders,
        body: withExample(ConfigChangeBody, {
          params: { withdrawal: { feeRate: "0.006" } },
          note: "提现手续费调整为 0.6%",
        }),
        response: createdResponses(
          Type.Object({ versionId: Type.String(), effectiveDay: Type.String(), warnings: ConfigWarnings }),
          {
            errors: ["INVALID_CONFIG", "CONFIG_CHANGE_EMPTY"],
            example: { versionId: "4", effectiveDay: "2026-01-09", warnings: [] },
          },
        ),
      },
    },
    async (request, reply) => {
      const patch = patchOf(request.body.params);
      return command(
        ctx,
        request,
        reply,
        async (tx) => {
          const now = ctx.clock.now();
          const effectiveDay = addDays(businessDay(now, ctx.timeZone), 1);
          const versionId = await addConfigVersion(tx, {
            patch,
            effectiveDay,
            operatorId: op(request).id,
            note: request.body.note,
            now,
          });
          const warnings = warningsOf((await previewConfig(tx, {})).config);
          await audit(request, tx, "config.change", "config_version", versionId, {
            params: request.body.params,
            effectiveDay,
            warnings: warnings.map((w) => w.code),
          });
          return { versionId, effectiveDay, warnings };
        },
        201,
      );
    },
  );

  await figuresRoutes(app, ctx);
}
