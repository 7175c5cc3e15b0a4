import { type TProperties, type TSchema, Type } from "@fastify/type-provider-typebox";
import { buildResponses, type RouteDoc } from "./route-docs.ts";

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
