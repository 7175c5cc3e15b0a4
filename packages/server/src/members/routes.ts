import { Type } from "@fastify/type-provider-typebox";
import { AgreementVersions, acceptedVersions, recordConsents } from "../agreements/index.ts";
import { burnVerification, hashPassword, verifyPassword } from "../auth/passwords.ts";
import { createSession, revokeAllSessions, revokeSession } from "../auth/sessions.ts";
import { loginSucceeded, reserveMemberTry } from "../auth/throttle.ts";
import { businessDay } from "../clock/index.ts";
import { fail } from "../errors/index.ts";
import { command, credentialCommand } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { EX_MEMBER, EX_NETWORK_MEMBER, EX_TEAM, EX_TOKEN, page } from "../http/examples.ts";
import { formatYuan, iso } from "../http/format.ts";
import { requireMember } from "../http/guards.ts";
import {
  createdResponses,
  IdempotencyHeaders,
  Instant,
  Nullable,
  Page,
  PageQuery,
  Password,
  Phone,
  pageLimit,
  responses,
  Text,
  withExample,
} from "../http/schemas.ts";
import { type CodeDeps, checkCode, maskPhone, maskPhonesIn, sendCode } from "../sms/index.ts";
import { PointsSummarySchema, pointsSummary } from "../wallets/index.ts";
import {
  directReferrals,
  findByInviteCode,
  findMemberById,
  findMemberByPhone,
  insertMember,
  lockPhone,
  type Member,
  setPasswordHash,
  teamSummary,
} from "./repository.ts";
import { memberStanding, StandingSchema } from "./standing.ts";

/** A member as the member sees themself. */
export const MemberSchema = Type.Object({
  id: Type.String(),
  phone: Type.String(),
  inviteCode: Type.String(),
  referrerId: Nullable(Type.String()),
  depth: Type.Integer({ description: "generations below the top of the referral tree" }),
  createdAt: Instant,
});

/** A member of someone's network, phone masked. */
const NetworkMemberSchema = Type.Object({
  id: Type.String(),
  phone: Type.String({ description: "masked: 138****5678" }),
  createdAt: Instant,
});

const SessionSchema = Type.Object({
  member: MemberSchema,
  token: Type.String({ description: "bearer token: Authorization: Bearer <token>" }),
  expiresAt: Instant,
});

const Code = Type.String({ pattern: "^[0-9]{6}$", description: "6-digit SMS code" });
const Ok = Type.Object({ ok: Type.Boolean() });

/** The member as the API shows it to themself. */
export function memberView(member: Member) {
  return {
    id: member.id,
    phone: member.phone,
    inviteCode: member.inviteCode,
    referrerId: member.referrerId,
    depth: member.depth,
    createdAt: iso(member.createdAt),
  };
}

/**
 * A sign-in by password: one try is reserved atomically before the password is
 * checked (at most 5 per window); a wrong password or an inactive member is
 * LOGIN_FAILED. Returns the member's id.
 */
async function checkPassword(ctx: AppContext, ip: string, phone: string, password: string): Promise<string> {
  const reserved = await reserveMemberTry(
    ctx.db,
    { subject: `member:${phone}`, ip, now: ctx.clock.now() },
    ctx.loginLimits,
  );
  const found = await findMemberByPhone(ctx.db, phone);
  if (!found) await burnVerification(ctx.passwords);
  if (found?.status !== "active" || !(await verifyPassword(found.passwordHash, password))) {
    fail("LOGIN_FAILED");
  }
  await loginSucceeded(ctx.db, reserved);
  return found.id;
}

type MemberGuard = ReturnType<typeof requireMember>;

/** Account routes: SMS codes, registration, login, password reset, profile and network. */
export async function memberRoutes(app: App, ctx: AppContext): Promise<void> {
  const codeDeps = { provider: ctx.sms, secret: ctx.secret, limits: ctx.smsLimits };
  const member = requireMember(ctx);

  smsCodeRoute(app, ctx, codeDeps);
  registerRoute(app, ctx, codeDeps);
  loginRoute(app, ctx, codeDeps);
  passwordAndLogoutRoutes(app, ctx, codeDeps, member);
  profileRoute(app, ctx, member);
  networkRoutes(app, ctx, member);
}

/** Sending an SMS code (registration, login, password reset). */
function smsCodeRoute(app: App, ctx: AppContext, codeDeps: CodeDeps): void {
  app.post(
    "/auth/sms-codes",
    {
      schema: {
        tags: ["auth"],
        summary: "发送短信验证码 / send an SMS code",
        operationId: "sendSmsCode",
        description:
          "发送 6 位短信验证码（注册、登录或重置密码用），5 分钟内有效；同一号码 60 秒内只能发送一次，每日有上限。注册时号码不能已注册，登录与重置时号码须已注册。 / Sends a 6-digit SMS code for registering, signing in or resetting the password, valid for 5 minutes; one a minute and a daily limit per number. For register the number must be new, for login and reset it must be registered.",
        security: [],
        headers: IdempotencyHeaders,
        body: withExample(
          Type.Object({
            phone: Phone,
            purpose: Type.Union([Type.Literal("register"), Type.Literal("login"), Type.Literal("reset")]),
          }),
          { phone: "13812345678", purpose: "register" },
        ),
        response: responses(Type.Object({ expiresAt: Instant, resendAfterSeconds: Type.Integer() }), {
          errors: [
            "INVALID_PHONE",
            "PHONE_TAKEN",
            "PHONE_NOT_REGISTERED",
            "SMS_TOO_FREQUENT",
            "SMS_DAILY_LIMIT",
            "SMS_IP_LIMIT",
            "SMS_SEND_FAILED",
          ],
          example: { expiresAt: "2026-01-05T02:18:07.000Z", resendAfterSeconds: 60 },
        }),
      },
    },
    async (request, reply) => {
      const { phone, purpose } = request.body;
      return command(ctx, request, reply, async (tx) => {
        // The send limits come first and a refusal counts against them (no free enumeration).
        const refusal = async () => {
          const existing = await findMemberByPhone(tx, phone);
          if (purpose === "register" && existing) return "PHONE_TAKEN" as const;
          if (purpose !== "register" && !existing) return "PHONE_NOT_REGISTERED" as const;
          return null;
        };
        const sent = await sendCode(tx, codeDeps, {
          phone,
          purpose,
          ip: request.ip,
          now: ctx.clock.now(),
          refusal,
        });
        request.log.info(
          {
            to: maskPhone(phone),
            purpose,
            provider: ctx.sms.name,
            ...(sent.content ? { content: maskPhonesIn(sent.content) } : {}),
          },
          "sms code sent",
        );
        return {
          expiresAt: iso(sent.expiresAt),
          resendAfterSeconds: Math.ceil(ctx.smsLimits.resendMs / 1000),
        };
      });
    },
  );
}

/** The register request: phone, SMS code, password, optional invite code and the agreement versions read. */
const RegisterBody = withExample(
  Type.Object({
    phone: Phone,
    code: Code,
    password: Password,
    inviteCode: Type.Optional(Text({ maxLength: 32, description: "推荐人的邀请码" })),
    agreements: Type.Optional(
      Type.Object(AgreementVersions.properties, {
        description:
          "会员阅读并同意的协议版本（GET /agreements/{kind}），须为现行版本；会员网站总会提交。 / The versions of the agreements the member read and accepted; they must be the ones in force. The member site always sends them.",
      }),
    ),
  }),
  {
    phone: "13812345678",
    code: "482913",
    password: "chun-tian-2026",
    inviteCode: "K7P2QX",
    agreements: { terms: "2", privacy: "1" },
  },
);

/** Registration with an SMS code, under a referrer's invite code. */
function registerRoute(app: App, ctx: AppContext, codeDeps: CodeDeps): void {
  app.post(
    "/auth/register",
    {
      schema: {
        tags: ["auth"],
        summary: "手机号注册 / register with a mobile number",
        operationId: "registerMember",
        description:
          "用手机号、短信验证码和密码注册会员，可填推荐人的邀请码；成功即登录，返回会员资料与令牌。 / Registers a member with a mobile number, the SMS code and a password, optionally under a referrer's invite code; signs them in and answers with the profile and a bearer token. The answer carries a session token: Idempotency-Key is ignored (never stored or replayed).",
        security: [],
        body: RegisterBody,
        response: createdResponses(SessionSchema, {
          errors: [
            "INVALID_PHONE",
            "WEAK_PASSWORD",
            "PHONE_TAKEN",
            "INVITE_CODE_UNKNOWN",
            "AGREEMENT_OUTDATED",
            "SMS_CODE_INVALID",
            "SMS_CODE_EXPIRED",
            "SMS_CODE_TOO_MANY_TRIES",
          ],
          example: { member: EX_MEMBER, token: EX_TOKEN, expiresAt: "2026-02-04T02:13:07.000Z" },
        }),
      },
    },
    async (request, reply) => {
      const { phone, code, password, inviteCode, agreements } = request.body;
      const passwordHash = await hashPassword(password, ctx.passwords);
      return credentialCommand(
        ctx,
        request,
        reply,
        async (tx) => {
          const now = ctx.clock.now();
          await lockPhone(tx, phone);
          let referrer: Member | null = null;
          if (inviteCode !== undefined && inviteCode.trim() !== "") {
            referrer = await findByInviteCode(tx, inviteCode);
            if (!referrer) fail("INVITE_CODE_UNKNOWN", { field: "inviteCode" });
          }
          const accepted = agreements
            ? await acceptedVersions(tx, { terms: agreements.terms, privacy: agreements.privacy })
            : null;
          // The code first: without one, a taken number answers like any other (no enumeration).
          await checkCode(tx, codeDeps, { phone, purpose: "register", code, now });
          if (await findMemberByPhone(tx, phone)) fail("PHONE_TAKEN", { field: "phone" });
          const created = await insertMember(tx, { phone, passwordHash, referrer, now });
          if (accepted) await recordConsents(tx, created.id, accepted, now);
          const session = await createSession(
            tx,
            { type: "member", id: created.id },
            ctx.sessionTtl.memberMs,
            now,
          );
          return { member: memberView(created), token: session.token, expiresAt: iso(session.expiresAt) };
        },
        201,
      );
    },
  );
}

/** Sign-in by password or SMS code. */
function loginRoute(app: App, ctx: AppContext, codeDeps: CodeDeps): void {
  app.post(
    "/auth/login",
    {
      schema: {
        tags: ["auth"],
        summary: "密码或验证码登录 / sign in with password or SMS code",
        operationId: "loginMember",
        description:
          "会员用手机号加密码，或手机号加登录验证码登录（二选一）；密码连续错误会被暂时锁定。 / A member signs in with phone and password, or phone and a login SMS code (one of the two); repeated wrong passwords lock the account for a while. The answer carries a session token: Idempotency-Key is ignored (never stored or replayed).",
        security: [],
        body: withExample(
          Type.Object({
            phone: Phone,
            password: Type.Optional(Type.String({ maxLength: 72 })),
            code: Type.Optional(Code),
          }),
          { phone: "13812345678", password: "chun-tian-2026" },
        ),
        response: responses(SessionSchema, {
          errors: [
            "INVALID_PHONE",
            "LOGIN_FAILED",
            "LOGIN_LOCKED",
            "PHONE_NOT_REGISTERED",
            "MEMBER_NOT_FOUND",
            "SMS_CODE_INVALID",
            "SMS_CODE_EXPIRED",
            "SMS_CODE_TOO_MANY_TRIES",
          ],
          example: { member: EX_MEMBER, token: EX_TOKEN, expiresAt: "2026-02-04T02:13:07.000Z" },
        }),
      },
    },
    async (request, reply) => {
      const { phone, password, code } = request.body;
      if ((password === undefined) === (code === undefined)) {
        fail("VALIDATION_FAILED", {
          field: "password",
          detail: { zh: "请提供密码或验证码其中之一", en: "give either password or code" },
        });
      }
      const passwordChecked =
        password !== undefined ? await checkPassword(ctx, request.ip, phone, password) : null;
      return credentialCommand(ctx, request, reply, async (tx) => {
        const now = ctx.clock.now();
        let memberId = passwordChecked;
        if (memberId === null) {
          // The code first: an unregistered number has no code, so it answers like a wrong code.
          await checkCode(tx, codeDeps, { phone, purpose: "login", code: code as string, now });
          const found = await findMemberByPhone(tx, phone);
          if (found?.status !== "active") fail("PHONE_NOT_REGISTERED", { field: "phone" });
          memberId = found.id;
        }
        const current = await findMemberById(tx, memberId);
        if (!current) fail("MEMBER_NOT_FOUND");
        const session = await createSession(
          tx,
          { type: "member", id: memberId },
          ctx.sessionTtl.memberMs,
          now,
        );
        return { member: memberView(current), token: session.token, expiresAt: iso(session.expiresAt) };
      });
    },
  );
}

/** Password reset by SMS code, and sign-out. */
function passwordAndLogoutRoutes(app: App, ctx: AppContext, codeDeps: CodeDeps, member: MemberGuard): void {
  app.post(
    "/auth/password-reset",
    {
      schema: {
        tags: ["auth"],
        summary: "验证码重置密码 / reset the password with an SMS code",
        operationId: "resetPassword",
        description:
          "用重置密码验证码设置新密码；成功后该会员所有登录令牌失效。 / Sets a new password with a reset SMS code; every session of the member is signed out. The body carries a password: Idempotency-Key is ignored (never stored or replayed).",
        security: [],
        body: withExample(Type.Object({ phone: Phone, code: Code, newPassword: Password }), {
          phone: "13812345678",
          code: "530618",
          newPassword: "xia-tian-2026",
        }),
        response: responses(Ok, {
          errors: [
            "INVALID_PHONE",
            "WEAK_PASSWORD",
            "PHONE_NOT_REGISTERED",
            "SMS_CODE_INVALID",
            "SMS_CODE_EXPIRED",
            "SMS_CODE_TOO_MANY_TRIES",
          ],
          example: { ok: true },
        }),
      },
    },
    async (request, reply) => {
      const { phone, code, newPassword } = request.body;
      const passwordHash = await hashPassword(newPassword, ctx.passwords);
      return credentialCommand(ctx, request, reply, async (tx) => {
        const now = ctx.clock.now();
        await checkCode(tx, codeDeps, { phone, purpose: "reset", code, now });
        const found = await findMemberByPhone(tx, phone);
        if (!found) fail("PHONE_NOT_REGISTERED", { field: "phone" });
        await setPasswordHash(tx, found.id, passwordHash);
        await revokeAllSessions(tx, { type: "member", id: found.id }, now);
        return { ok: true };
      });
    },
  );

  app.post(
    "/auth/logout",
    {
      preValidation: member,
      schema: {
        tags: ["auth"],
        summary: "退出登录 / sign out",
        operationId: "logoutMember",
        description:
          "使当前登录令牌失效。 / Ends the member's current session (the bearer token stops working).",
        headers: IdempotencyHeaders,
        response: responses(Ok, { example: { ok: true } }),
      },
    },
    async (request, reply) =>
      command(ctx, request, reply, async (tx) => {
        await revokeSession(tx, request.bearer as string, ctx.clock.now());
        return { ok: true };
      }),
  );
}

/** One's own profile. */
function profileRoute(app: App, ctx: AppContext, member: MemberGuard): void {
  app.get(
    "/me",
    {
      preValidation: member,
      schema: {
        tags: ["me"],
        summary: "我的资料、星级、会员等级与积分 / my profile, star level, grade and points",
        operationId: "getMe",
        description:
          "已登录会员查看自己的资料：手机号、邀请码、推荐人与层级，星级、会员等级、团队业绩与下一星级所差，以及积分（含待支付订单占用与可用）。 / The signed-in member's own profile: phone, invite code, referrer and depth; star level, grade, team performance and what the next star level needs; points held, reserved by pending orders and available.",
        response: responses(
          Type.Object({ ...MemberSchema.properties, standing: StandingSchema, points: PointsSummarySchema }),
          {
            errors: ["MEMBER_NOT_FOUND"],
            example: {
              ...EX_MEMBER,
              standing: {
                star: "一星",
                starSince: "2026-01-06",
                grade: "初级会员",
                teamPerformance: "86000",
                performanceDay: "2026-01-08",
                nextStar: { name: "二星", threshold: "200000", shortfall: "114000" },
              },
              points: { balance: "158.04", reserved: "90", available: "68.04" },
            },
          },
        ),
      },
    },
    async (request) => {
      const found = await findMemberById(ctx.db, request.member?.id as string);
      if (!found) fail("MEMBER_NOT_FOUND");
      return {
        ...memberView(found),
        standing: await memberStanding(ctx.db, found.id),
        points: await pointsSummary(ctx.db, found.id),
      };
    },
  );
}

/** One's referrals and team. */
function networkRoutes(app: App, ctx: AppContext, member: MemberGuard): void {
  app.get(
    "/me/referrals",
    {
      preValidation: member,
      schema: {
        tags: ["me"],
        summary: "我的直推 / my direct referrals (generation 1)",
        operationId: "listMyReferrals",
        description:
          "会员查看自己直接推荐的会员（第一代），新注册的在前，手机号打码。 / The members the signed-in member referred directly (generation 1), newest first, phones masked.",
        querystring: PageQuery,
        response: responses(Page(NetworkMemberSchema), { example: page([EX_NETWORK_MEMBER], "1031") }),
      },
    },
    async (request) => {
      const page = await directReferrals(ctx.db, request.member?.id as string, {
        cursor: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
      });
      return {
        items: page.items.map((m) => ({ id: m.id, phone: maskPhone(m.phone), createdAt: iso(m.createdAt) })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get(
    "/me/team",
    {
      preValidation: member,
      schema: {
        tags: ["me"],
        summary: "我的网体 / my downline and whole-network performance",
        operationId: "getMyTeam",
        description:
          "会员查看自己的网体：一代、二代人数，下级市场总人数，以及截至今日可计入的网体业绩（现金与积分支付部分）。 / The signed-in member's network: generation 1 and 2 counts, everyone below, and the network's performance counted up to today (paid in money and in points).",
        response: responses(TeamSchema, { example: EX_TEAM }),
      },
    },
    async (request) => {
      const day = businessDay(ctx.clock.now(), ctx.timeZone);
      return teamView(await teamSummary(ctx.db, request.member?.id as string, day), day);
    },
  );
}

/** The referral network summary as the API shows it. */
export const TeamSchema = Type.Object({
  businessDay: Type.String({ description: "performance counts orders eligible on or before this day" }),
  generation1: Type.Integer(),
  generation2: Type.Integer(),
  downlineSize: Type.Integer({ description: "下级市场人数 / everyone below, any depth" }),
  performance: Type.Object({
    total: Type.String({ description: "网体总业绩 (yuan)" }),
    cash: Type.String({ description: "paid in money" }),
    points: Type.String({ description: "paid in points" }),
  }),
});

/** A team summary as API text. */
export function teamView(team: Awaited<ReturnType<typeof teamSummary>>, day: string) {
  return {
    businessDay: day,
    generation1: team.generation1,
    generation2: team.generation2,
    downlineSize: team.downlineSize,
    performance: {
      total: formatYuan(team.performanceTotal),
      cash: formatYuan(team.performanceCash),
      points: formatYuan(team.performancePoints),
    },
  };
}
