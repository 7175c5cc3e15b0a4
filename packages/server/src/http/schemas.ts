import { type TProperties, type TSchema, Type } from "@fastify/type-provider-typebox";
import { SCALE } from "@jifen/engine";
import { fail } from "../errors/index.ts";
import { checkLimit } from "./limits.ts";
import {
  countPattern,
  DAY_PATTERN,
  DECIMAL_PATTERN,
  MULTILINE_TEXT_PATTERN,
  TEXT_PATTERN,
} from "./patterns.ts";
import { buildResponses, type RouteDoc } from "./route-docs.ts";

/**
 * A decimal amount as text ("12.5"); a JSON number is accepted and read as its
 * exact decimal text. Only plain decimals: "+1", " 1", "1\n", "00001", "1.",
 * ".5" and "1e3" are INVALID_AMOUNT.
 */
export const Decimal = (description: string) =>
  Type.String({ description, maxLength: 40, pattern: DECIMAL_PATTERN });

/**
 * A positive whole number up to `max` (a quantity, a page size) as a JSON
 * integer or its text; "0x10", "1e3", "5.", "+1", " 1", "Infinity" and `true`
 * are INVALID_INTEGER. Read it with `count`.
 */
export const Count = (max: number, options: { description?: string; default?: number } = {}) =>
  Type.String({
    pattern: countPattern(String(max).length),
    description: `${options.description ?? "a whole number"} (1 to ${max})`,
    ...(options.default !== undefined ? { default: String(options.default) } : {}),
  });

/** The number of a `Count` field, refused with AMOUNT_TOO_LARGE past `max`. */
export function count(text: string, max: number, field: string): number {
  if (!new RegExp(countPattern(String(max).length)).test(text)) {
    fail("INVALID_INTEGER", { field, detail: { zh: `${field}：${text}`, en: `${field}: ${text}` } });
  }
  const value = Number(text);
  checkLimit(BigInt(value) * SCALE, BigInt(max) * SCALE, field);
  return value;
}

/**
 * Free text (a name, a reason, a note, a code): no control characters, so no
 * NUL reaches PostgreSQL (INVALID_TEXT). `multiline` allows tab and line breaks.
 */
export const Text = (options: {
  minLength?: number;
  maxLength: number;
  description?: string;
  default?: string;
  multiline?: boolean;
}) => {
  const { multiline, ...rest } = options;
  return Type.String({ ...rest, pattern: multiline ? MULTILINE_TEXT_PATTERN : TEXT_PATTERN });
};

/** A calendar day YYYY-MM-DD that exists (2020-02-30 is INVALID_DATE). */
export const Day = (description = "business day YYYY-MM-DD") =>
  Type.String({ pattern: DAY_PATTERN, format: "date", description });

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

/** The largest page. */
export const MAX_PAGE = 100;

const pageProperties = {
  cursor: Type.Optional(Id),
  limit: Count(MAX_PAGE, { description: "page size", default: 20 }),
};

/** The page size of a `PageQuery` as a number. */
export const pageLimit = (text: string) => count(text, MAX_PAGE, "limit");

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

/**
 * Response schemas of a route: `ok` for 200 with `doc.example`, and one error
 * body per status for the route's own `doc.errors` (the errors every route of
 * its kind can answer with are added by the onRoute hook, http/route-docs.ts).
 */
export function responses<T extends TSchema>(ok: T, doc?: RouteDoc) {
  return buildResponses(200, ok, doc);
}

/** Response schemas of a route that creates something: `ok` for 201. */
export function createdResponses<T extends TSchema>(ok: T, doc?: RouteDoc) {
  return buildResponses(201, ok, doc);
}

/** `schema` with a request example (a body, query or params example shown in the document). */
export function withExample<T extends TSchema>(schema: T, example: unknown): T {
  return { ...schema, examples: [example] };
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
