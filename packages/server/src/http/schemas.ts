import { type TProperties, type TSchema, Type } from "@fastify/type-provider-typebox";
import { ErrorBodySchema } from "../errors/index.ts";

/** A decimal amount as text ("12.5"); JSON numbers are accepted and read as their decimal text. */
export const Decimal = (description: string) => Type.String({ description, maxLength: 40 });

/** A database id as text. */
export const Id = Type.String({ pattern: "^[1-9][0-9]{0,17}$", description: "id" });

/** `/:id` path parameters. */
export const IdParams = Type.Object({ id: Id });

/** A mainland mobile number. */
export const Phone = Type.String({
  pattern: "^1[3-9][0-9]{9}$",
  description: "中国大陆手机号 / mainland mobile",
});

/** A password as typed by a person. */
export const Password = Type.String({ minLength: 8, maxLength: 72 });

const pageProperties = {
  cursor: Type.Optional(Id),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
};

/** Cursor pagination: newest first; pass the previous page's `nextCursor`. */
export const PageQuery = Type.Object(pageProperties);

/** Cursor pagination plus filters. */
export const pageQuery = <P extends TProperties>(filters: P) =>
  Type.Object({ ...pageProperties, ...filters });

/** A page of items with the cursor of the next page (null at the end). */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

/** An instant as ISO 8601 text. */
export const Instant = Type.String({ format: "date-time" });

/** A nullable schema. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Response schemas of a route: `ok` for 200 and the error body for 4xx and 5xx. */
export function responses<T extends TSchema>(ok: T) {
  return { 200: ok, "4xx": ErrorBodySchema, "5xx": ErrorBodySchema };
}

/** Response schemas of a route that creates something: `ok` for 201. */
export function createdResponses<T extends TSchema>(ok: T) {
  return { 201: ok, "4xx": ErrorBodySchema, "5xx": ErrorBodySchema };
}

/** The Idempotency-Key header every mutating route accepts. */
export const IdempotencyHeaders = Type.Object({
  "idempotency-key": Type.Optional(
    Type.String({ description: "repeat a request safely: the same key and body return the first answer" }),
  ),
});

/** Why a history line moved (docs/server.md, "History"). */
export const CauseSchema = Type.Object({
  kind: Type.String({ description: "the transaction's kind, e.g. release.daily, equity.grant" }),
  rule: Nullable(
    Type.String({
      description: "release.static, release.share, release.team or release.peer (daily release)",
    }),
  ),
  orderId: Nullable(Type.String({ description: "the order it comes from" })),
  rate: Nullable(Type.String({ description: "the rule's rate as a decimal (0.012 = 1.2%)" })),
  generation: Nullable(Type.Integer({ description: "share release: 1 = direct referrals" })),
  starLevel: Nullable(Type.String({ description: "team and peer release: the member's star level" })),
  day: Type.String({ description: "business day" }),
  counterpart: Nullable(Type.String({ description: "the other member, phone masked (138****5678)" })),
  reason: Nullable(Type.String({ description: "the operator's reason (adjustment, rejected withdrawal)" })),
});

/** A history line's cause and its sentence in the request's language (Accept-Language; zh-CN default). */
export const causeProperties = {
  cause: CauseSchema,
  description: Type.String({
    description: "the cause in the request's language (Accept-Language: en for English)",
  }),
};
