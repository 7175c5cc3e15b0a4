import { Type } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { listAudit, writeAudit } from "../audit/index.ts";
import { burnVerification, hashPassword, verifyPassword } from "../auth/passwords.ts";
import { createSession, revokeSession } from "../auth/sessions.ts";
import { checkLoginAllowed, recordLoginFailure } from "../auth/throttle.ts";
import { addDays, businessDay } from "../clock/index.ts";
import {
  addConfigVersion,
  configForDay,
  isEmptyPatch,
  listConfigVersions,
  previewConfig,
} from "../config/index.ts";
import { configRisks, RETURN_WINDOW_DAYS } from "../config/risks.ts";
import { fail } from "../errors/index.ts";
import { parseSignedAmount, parseYuan } from "../http/amounts.ts";
import { command } from "../http/command.ts";
import type { App, AppContext, AuthOperator } from "../http/context.ts";
import { formatAmount, iso } from "../http/format.ts";
import { requireOperator } from "../http/guards.ts";
import {
  createdResponses,
  Decimal,
  Id,
  IdempotencyHeaders,
  IdParams,
  Instant,
  Nullable,
  Page,
  Password,
  pageQuery,
  responses,
} from "../http/schemas.ts";
import { memberHistory } from "../ledger/index.ts";
import {
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
import { ADJUST_PLACES, adjustMember, checkAdjustable } from "./adjustments.ts";
import { figuresRoutes } from "./figures-routes.ts";
import { findOperatorByUsername, insertOperator, listOperators, type Operator } from "./operators.ts";

const Role = Type.Union([Type.Literal("admin"), Type.Literal("finance"), Type.Literal("support")]);

const OperatorSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String({ description: "admin, finance, support" }),
  active: Type.Boolean(),
  createdAt: Instant,
});

function operatorView(o: Operator) {
  return {
    id: o.id,
    username: o.username,
    displayName: o.displayName,
    role: o.role,
    active: o.active,
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
        security: [],
        headers: IdempotencyHeaders,
        body: Type.Object({
          username: Type.String({ minLength: 1, maxLength: 64 }),
          password: Type.String({ maxLength: 72 }),
        }),
        response: responses(
          Type.Object({ operator: OperatorSchema, token: Type.String(), expiresAt: Instant }),
        ),
      },
    },
    async (request, reply) => {
      const subject = `operator:${request.body.username}`;
      await checkLoginAllowed(ctx.db, subject, ctx.loginLimits, ctx.clock.now());
      const found = await findOperatorByUsername(ctx.db, request.body.username);
      if (!found) await burnVerification(ctx.passwords);
      if (!found?.active || !(await verifyPassword(found.passwordHash, request.body.password))) {
        await recordLoginFailure(ctx.db, subject, request.ip, ctx.clock.now());
        fail("OPERATOR_LOGIN_FAILED");
      }
      request.operator = { id: found.id, username: found.username, role: found.role };
      return command(ctx, request, reply, async (tx) => {
        const now = ctx.clock.now();
        const session = await createSession(
          tx,
          { type: "operator", id: found.id },
          ctx.sessionTtl.operatorMs,
          now,
        );
        await audit(request, tx, "operator.login", "operator", found.id);
        return { operator: operatorView(found), token: session.token, expiresAt: iso(session.expiresAt) };
      });
    },
  );

  app.post(
    "/auth/logout",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "运营退出 / sign out",
        headers: IdempotencyHeaders,
        response: responses(Ok),
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
        response: responses(Type.Object({ items: Type.Array(OperatorSchema) })),
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
        headers: IdempotencyHeaders,
        body: Type.Object({
          username: Type.String({ pattern: "^[A-Za-z0-9_.-]{2,32}$" }),
          displayName: Type.String({ minLength: 1, maxLength: 64 }),
          role: Role,
          password: Password,
        }),
        response: createdResponses(OperatorSchema),
      },
    },
    async (request, reply) => {
      const passwordHash = await hashPassword(request.body.password, ctx.passwords);
      return command(
        ctx,
        request,
        reply,
        async (tx) => {
          const created = await insertOperator(tx, { ...request.body, passwordHash, now: ctx.clock.now() });
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

  // ---- members -----------------------------------------------------------

  app.get(
    "/members",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "会员列表 / members",
        querystring: pageQuery({
          phone: Type.Optional(Type.String({ pattern: "^[0-9]{1,11}$", description: "phone prefix" })),
        }),
        response: responses(Page(MemberSchema)),
      },
    },
    async (request) => {
      const page = await listMembers(ctx.db, {
        cursor: request.query.cursor ?? null,
        limit: request.query.limit,
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
        params: IdParams,
        response: responses(
          Type.Object({
            member: MemberSchema,
            wallets: WalletsSchema,
            team: TeamSchema,
            standing: StandingSchema,
          }),
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
            }),
          ),
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
        request.query.limit,
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
        headers: IdempotencyHeaders,
        params: IdParams,
        body: Type.Object({
          wallet: Type.String({ description: "cash, points or stable (never equity)" }),
          amount: Decimal("signed: positive adds, negative takes (cash to the fen, points to 6 decimals)"),
          reason: Type.String({ maxLength: 200 }),
        }),
        response: createdResponses(
          Type.Object({ transactionId: Type.String(), wallet: Type.String(), balance: Type.String() }),
        ),
      },
    },
    async (request, reply) => {
      const wallet = checkAdjustable(request.body.wallet);
      const amount = parseSignedAmount(request.body.amount, ADJUST_PLACES[wallet], "amount");
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
        querystring: pageQuery({
          memberId: Type.Optional(Id),
          status: Type.Optional(
            Type.Union(["pending", "paid", "refunded", "cancelled"].map((s) => Type.Literal(s))),
          ),
        }),
        response: responses(Page(OrderSchema)),
      },
    },
    async (request) => {
      const page = await listOrders(ctx.db, {
        cursor: request.query.cursor ?? null,
        limit: request.query.limit,
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
        params: IdParams,
        response: responses(OrderSchema),
      },
    },
    async (request) => {
      const order = await findOrder(ctx.db, request.params.id);
      if (!order) fail("ORDER_NOT_FOUND");
      return orderView(order);
    },
  );

  const orderAction = (path: string, summary: string, action: "pay" | "cancel") =>
    app.post(
      `/orders/:id/${path}`,
      {
        preValidation: money,
        schema: {
          tags: ["admin"],
          summary,
          headers: IdempotencyHeaders,
          params: IdParams,
          response: responses(OrderSchema),
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
  orderAction("confirm-payment", "确认收款（人工支付）/ confirm a manual payment", "pay");
  orderAction("cancel", "取消待支付订单 / cancel an order awaiting payment", "cancel");

  app.post(
    "/orders/:id/refund",
    {
      preValidation: money,
      schema: {
        tags: ["admin"],
        summary: "退款（须填写原因）/ refund a paid order (a reason is required)",
        headers: IdempotencyHeaders,
        params: IdParams,
        body: Type.Object({
          reason: Type.String({
            maxLength: 200,
            description: "退款原因 / why (required, not blank); stored on the order and in the audit log",
          }),
        }),
        response: responses(OrderSchema),
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
        querystring: pageQuery({
          status: Type.Optional(Type.Union(["pending", "approved", "rejected"].map((s) => Type.Literal(s)))),
          memberId: Type.Optional(Id),
        }),
        response: responses(Page(WithdrawalSchema)),
      },
    },
    async (request) => {
      const page = await listWithdrawals(ctx.db, {
        cursor: request.query.cursor ?? null,
        limit: request.query.limit,
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
          headers: IdempotencyHeaders,
          params: IdParams,
          body: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 200 })) }),
          response: responses(WithdrawalSchema),
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
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.String({ maxLength: 2000, default: "" }),
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
    price: parseYuan(body.price, "price"),
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
        response: responses(Type.Object({ items: Type.Array(ProductSchema) })),
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
        headers: IdempotencyHeaders,
        body: ProductBody,
        response: createdResponses(ProductSchema),
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
        headers: IdempotencyHeaders,
        params: IdParams,
        body: ProductBody,
        response: responses(ProductSchema),
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
        headers: IdempotencyHeaders,
        params: IdParams,
        response: responses(ProductSchema),
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
        ),
      },
    },
    async (request, reply) =>
      command(ctx, request, reply, async (tx) => {
        const { cursor, limit, phone } = request.query;
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
        const items = rows.rows.slice(0, limit).map((r) => ({ ...r, createdAt: iso(r.created_at) }));
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
        querystring: pageQuery({
          operatorId: Type.Optional(Id),
          action: Type.Optional(Type.String({ maxLength: 64 })),
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
        ),
      },
    },
    async (request) => {
      const page = await listAudit(ctx.db, {
        cursor: request.query.cursor ?? null,
        limit: request.query.limit,
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
    { description: "风险提示 / risks of this parameter set (models.md §5); saving is still allowed" },
  );
  const ConfigChangeBody = Type.Object({
    params: Type.Record(Type.String(), Type.Unknown(), {
      description:
        'keys to change (at least one), e.g. { release: { pointsPayRatio: "0.5" }, withdrawal: { feeRate: "0.006" } }',
    }),
    note: Type.String({ maxLength: 200, default: "" }),
  });
  const warningsOf = (config: Parameters<typeof configRisks>[0]) =>
    configRisks(config, { returnWindowDays: RETURN_WINDOW_DAYS });
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
          "Validates a change like POST /admin/config and returns the set it would put in force from the next business day, with its risk warnings; nothing is saved.",
        body: ConfigChangeBody,
        response: responses(
          Type.Object({ effectiveDay: Type.String(), config: Type.Unknown(), warnings: ConfigWarnings }),
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
        headers: IdempotencyHeaders,
        body: ConfigChangeBody,
        response: createdResponses(
          Type.Object({ versionId: Type.String(), effectiveDay: Type.String(), warnings: ConfigWarnings }),
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
