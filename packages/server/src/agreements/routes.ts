/**
 * The member terms and the privacy policy over HTTP: anyone reads the version
 * in force (GET /agreements/{kind}, the member site shows it before and at
 * registration); admins see both with how many members accepted them and
 * publish a new version (GET /admin/agreements, POST /admin/agreements/{kind}).
 */
import { Type } from "@fastify/type-provider-typebox";
import type { Queryable } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { command } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { iso } from "../http/format.ts";
import { requireMember } from "../http/guards.ts";
import { op, operatorAccess } from "../http/operator-access.ts";
import {
  Count,
  IdempotencyHeaders,
  Instant,
  Nullable,
  responses,
  Text,
  withExample,
} from "../http/schemas.ts";
import { acceptedVersions } from "./consent.ts";
import {
  AGREEMENT_KINDS,
  type Agreement,
  type AgreementKind,
  consentCount,
  currentAgreement,
  memberConsents,
  pendingAgreements,
  publishAgreement,
  recordConsents,
} from "./store.ts";

/** Longest title and text an operator may publish (characters). */
const AGREEMENT_TITLE_MAX = 40;
const AGREEMENT_BODY_MAX = 20_000;

/** Which agreement: terms 会员服务协议, privacy 隐私政策. */
const KindSchema = Type.Union(
  AGREEMENT_KINDS.map((k) => Type.Literal(k)),
  { description: "terms 会员服务协议; privacy 隐私政策" },
);

const KindParams = Type.Object({ kind: KindSchema });

const AgreementSchema = Type.Object({
  kind: KindSchema,
  version: Type.Integer({ description: "1 = the built-in text; each publication adds one" }),
  title: Type.String(),
  body: Type.String({ description: "plain text; each line a paragraph" }),
  publishedAt: Nullable(Instant),
});

/** The versions a member accepted, as the console's member detail shows them. */
export const ConsentsSchema = Type.Array(
  Type.Object({ kind: KindSchema, version: Type.Integer(), acceptedAt: Instant }),
  { description: "the agreement versions the member accepted (empty: not recorded)" },
);

/** A member's accepted versions as API text (oldest first). */
export async function consentsView(q: Queryable, memberId: string) {
  return (await memberConsents(q, memberId)).map((c) => ({ ...c, acceptedAt: iso(c.acceptedAt) }));
}

const EX_AGREEMENT = {
  kind: "terms",
  version: 2,
  title: "会员服务协议",
  body: "欢迎使用本商城会员服务……",
  publishedAt: "2026-01-05T02:00:00.000Z",
};

function agreementView(a: Agreement) {
  return {
    kind: a.kind,
    version: a.version,
    title: a.title,
    body: a.body,
    publishedAt: a.publishedAt ? iso(a.publishedAt) : null,
  };
}

/** GET /agreements/{kind} for anyone; GET and POST /me/agreements for a signed-in member. */
export async function agreementRoutes(app: App, ctx: AppContext): Promise<void> {
  memberAgreementRoutes(app, ctx);
  app.get(
    "/agreements/:kind",
    {
      schema: {
        tags: ["member"],
        summary: "会员服务协议 / 隐私政策 / the member terms or the privacy policy",
        operationId: "getAgreement",
        description:
          "现行版本的全文；注册时提交所阅读的版本号。 / The text in force; registering sends back the version read.",
        security: [],
        params: KindParams,
        response: responses(AgreementSchema, { example: EX_AGREEMENT }),
      },
    },
    async (request) => agreementView(await currentAgreement(ctx.db, request.params.kind)),
  );
}

/** The versions of both agreements a member read, as the register and accept requests carry them. */
export const AgreementVersions = Type.Object({
  terms: Count(1_000_000, { description: "《会员服务协议》version read" }),
  privacy: Count(1_000_000, { description: "《隐私政策》version read" }),
});

/**
 * A member asked to accept a newer version (or, registered without the member
 * site, any version): GET /me/agreements lists what is pending, POST records
 * the acceptance of the versions read (the ones in force, or AGREEMENT_OUTDATED).
 */
function memberAgreementRoutes(app: App, ctx: AppContext): void {
  const member = requireMember(ctx);
  app.get(
    "/me/agreements",
    {
      preValidation: member,
      schema: {
        tags: ["me"],
        summary: "待同意的协议 / agreements waiting for my acceptance",
        operationId: "listMyPendingAgreements",
        description:
          "现行版本中会员尚未同意的协议（发布了新版本，或注册时未记录）；会员网站据此请会员阅读并同意。 / The agreements in force the member has not accepted (a newer version, or none recorded at registration); the member site asks the member to read and accept them.",
        response: responses(Type.Object({ pending: Type.Array(AgreementSchema) }), {
          example: { pending: [EX_AGREEMENT] },
        }),
      },
    },
    async (request) => ({
      pending: (await pendingAgreements(ctx.db, request.member?.id as string)).map(agreementView),
    }),
  );
  app.post(
    "/me/agreements",
    {
      preValidation: member,
      schema: {
        tags: ["me"],
        summary: "同意协议 / accept the agreements",
        operationId: "acceptAgreements",
        description:
          "会员同意所阅读的协议版本（须为现行版本），记录在案。 / The member accepts the versions read (they must be the ones in force); the acceptance is recorded.",
        headers: IdempotencyHeaders,
        body: withExample(AgreementVersions, { terms: "2", privacy: "1" }),
        response: responses(Type.Object({ pending: Type.Array(AgreementSchema) }), {
          errors: ["AGREEMENT_OUTDATED"],
          example: { pending: [] },
        }),
      },
    },
    async (request, reply) =>
      command(ctx, request, reply, async (tx) => {
        const memberId = request.member?.id as string;
        const versions = await acceptedVersions(tx, request.body);
        await recordConsents(tx, memberId, versions, ctx.clock.now());
        return { pending: (await pendingAgreements(tx, memberId)).map(agreementView) };
      }),
  );
}

/** GET /admin/agreements and POST /admin/agreements/{kind}. */
export async function agreementOperatorRoutes(app: App, ctx: AppContext): Promise<void> {
  const { admin, audit } = operatorAccess(ctx);
  app.get(
    "/agreements",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "协议设置 / the agreements in force",
        operationId: "listAgreements",
        description:
          "两份协议的现行版本，以及同意该版本注册的会员数。 / Both agreements in force, with how many members registered accepting that version.",
        response: responses(
          Type.Object({
            items: Type.Array(
              Type.Intersect([
                AgreementSchema,
                Type.Object({ consents: Type.Integer({ description: "members who accepted this version" }) }),
              ]),
            ),
          }),
          { example: { items: [{ ...EX_AGREEMENT, consents: 118 }] } },
        ),
      },
    },
    async () => {
      const items = [];
      for (const kind of AGREEMENT_KINDS) {
        const agreement = await currentAgreement(ctx.db, kind);
        items.push({
          ...agreementView(agreement),
          consents: await consentCount(ctx.db, kind, agreement.version),
        });
      }
      return { items };
    },
  );
  app.post(
    "/agreements/:kind",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "发布新版协议 / publish a new version of an agreement",
        operationId: "publishAgreement",
        description:
          "管理员发布新版本（旧版本保留，不可修改）；之后注册的会员须同意新版本；记入操作日志。 / Admins publish a new version (earlier ones are kept, never changed); members registering afterwards must accept it; written to the audit log.",
        headers: IdempotencyHeaders,
        params: KindParams,
        body: withExample(
          Type.Object({
            title: Text({ minLength: 1, maxLength: AGREEMENT_TITLE_MAX }),
            body: Text({ minLength: 1, maxLength: AGREEMENT_BODY_MAX, multiline: true }),
          }),
          { title: "会员服务协议", body: "欢迎使用本商城会员服务……" },
        ),
        response: responses(AgreementSchema, { errors: ["AGREEMENT_EMPTY"], example: EX_AGREEMENT }),
      },
    },
    async (request, reply) => {
      const title = request.body.title.trim();
      const body = request.body.body.trim();
      if (title === "" || body === "") fail("AGREEMENT_EMPTY", { field: title === "" ? "title" : "body" });
      const kind: AgreementKind = request.params.kind;
      return command(ctx, request, reply, async (tx) => {
        const now = ctx.clock.now();
        const published = await publishAgreement(tx, { kind, title, body, operatorId: op(request).id, now });
        await audit(request, tx, "agreement.publish", "agreement", kind, {
          version: published.version,
          title,
        });
        return agreementView(published);
      });
    },
  );
}
