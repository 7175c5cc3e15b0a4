/**
 * What a route tells its clients about itself: the errors it can answer with
 * and an example. `responses()`/`createdResponses()` (http/schemas.ts) build a
 * route's response schemas from `ok`, the route's own error codes and a success
 * example; `completeRouteDocs` (an onRoute hook in app.ts) adds the errors
 * every route of its kind can answer with (validation, sign-in, idempotency,
 * malformed body, internal error), so a route lists only its own.
 *
 * Each error status gets its own schema: the error body with `code` an enum of
 * exactly the codes answered with that status, and a description listing them
 * with their Chinese and English meaning (from the catalogue). test/openapi.test.ts
 * walks the generated document and fails when an operation lacks any of this.
 */

import { appendFileSync } from "node:fs";
import { type TSchema, Type } from "@fastify/type-provider-typebox";
import type { FastifyRequest, RouteOptions } from "fastify";
import { type AppErrorCode, CATALOGUE, ErrorBodySchema } from "../errors/index.ts";

/** What a route declares about its answers. */
export interface RouteDoc {
  /** Codes this route itself can answer with (the common ones are added for it). */
  readonly errors?: readonly AppErrorCode[];
  /** A realistic success body. */
  readonly example: unknown;
  /** What the success answer is (default "成功 / success"). */
  readonly description?: string;
}

/** The catalogue's statuses that errors are answered with. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 502 | 503;

/** The error body schema (its `code` narrowed per status in the document). */
export type ErrorBodyType = typeof ErrorBodySchema;

/** Response schemas keyed by status: the success schema and one error body per error status. */
export type ResponseSchemas<S extends 200 | 201, T extends TSchema> = Record<S, T> &
  Partial<Record<ErrorStatus, ErrorBodyType>>;

const STATUS_TEXT: Record<number, { zh: string; en: string }> = {
  400: { zh: "请求不合法", en: "bad request" },
  401: { zh: "未登录或身份校验失败", en: "not signed in, or the credentials do not match" },
  403: { zh: "无权执行", en: "not allowed" },
  404: { zh: "不存在", en: "not found" },
  409: { zh: "与当前状态冲突", en: "conflicts with the current state" },
  413: { zh: "请求内容过大", en: "request body too large" },
  415: { zh: "不支持的内容类型", en: "unsupported content type" },
  429: { zh: "请求过于频繁", en: "too many requests" },
  500: { zh: "服务器内部错误", en: "internal error" },
  502: { zh: "上游服务失败", en: "an upstream service failed" },
  503: { zh: "功能未启用", en: "not available" },
};

/** The codes, sorted and without repeats. */
function uniqueCodes(codes: Iterable<string>): AppErrorCode[] {
  return [...new Set(codes)].sort() as AppErrorCode[];
}

/**
 * The error body of one status, its `code` an enum of `codes`; described code
 * by code. The example shows the first of them in `prefer` (the route's own).
 */
export function errorBodyFor(
  status: number,
  codes: readonly AppErrorCode[],
  prefer: ReadonlySet<string> = new Set(),
): TSchema {
  const head = STATUS_TEXT[status] ?? { zh: "错误", en: "error" };
  const lines = codes.map((code) => `- \`${code}\`: ${CATALOGUE[code].zh} / ${CATALOGUE[code].en}`);
  const first = codes.find((c) => prefer.has(c)) ?? (codes[0] as AppErrorCode);
  const { code: _code, ...rest } = ErrorBodySchema.properties;
  return Type.Object(
    {
      code: Type.Unsafe<AppErrorCode>({
        type: "string",
        enum: [...codes],
        description: "stable error code / 稳定的错误码",
      }),
      ...rest,
    },
    {
      title: `Error${status}`,
      description: `${status} ${head.zh} / ${head.en}. 可能的错误码 / codes:\n${lines.join("\n")}`,
      examples: [
        {
          code: first,
          message: CATALOGUE[first].zh,
          messageEn: CATALOGUE[first].en,
          requestId: "3f1c2a9e-5b7d-4e21-9a0c-6d2b8e4f1a37",
        },
      ],
    },
  );
}

/** One error body schema per status for `codes` (each code's status from the catalogue); examples prefer `own`. */
export function errorResponses(
  codes: Iterable<string>,
  own: ReadonlySet<string> = new Set(),
): Partial<Record<ErrorStatus, TSchema>> {
  const byStatus = new Map<number, AppErrorCode[]>();
  for (const code of uniqueCodes(codes)) {
    const spec = CATALOGUE[code];
    if (!spec) throw new Error(`route docs: ${code} is not in the error catalogue`);
    byStatus.set(spec.status, [...(byStatus.get(spec.status) ?? []), code]);
  }
  const out: Partial<Record<ErrorStatus, TSchema>> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b))
    out[status as ErrorStatus] = errorBodyFor(status, list, own);
  return out;
}

/** The success schema with its example and description (the route's own schema object is not changed). */
function withExample<T extends TSchema>(ok: T, doc: RouteDoc | undefined): T {
  if (!doc) return ok;
  return {
    ...ok,
    description: doc.description ?? (ok as { description?: string }).description ?? "成功 / success",
    examples: [doc.example],
  };
}

/** Builds a route's response schemas: `ok` under `status` and its own errors per status. */
export function buildResponses<S extends 200 | 201, T extends TSchema>(
  status: S,
  ok: T,
  doc: RouteDoc | undefined,
): ResponseSchemas<S, T> {
  return {
    [status]: withExample(ok, doc),
    ...errorResponses(doc?.errors ?? []),
  } as ResponseSchemas<S, T>;
}

/** The codes listed in the error schemas of `response` (statuses 4xx and 5xx). */
function listedCodes(response: Record<string, unknown>): string[] {
  const codes: string[] = [];
  for (const [status, schema] of Object.entries(response)) {
    if (!/^[45]/.test(status)) continue;
    const code = (schema as { properties?: { code?: { enum?: string[] } } }).properties?.code;
    codes.push(...(code?.enum ?? []));
  }
  return codes;
}

/** The codes every route of this shape can answer with, whatever it does. */
export function commonCodes(route: Pick<RouteOptions, "method" | "url" | "schema">): AppErrorCode[] {
  const schema = (route.schema ?? {}) as {
    body?: unknown;
    querystring?: unknown;
    params?: unknown;
    headers?: { properties?: Record<string, unknown> };
    security?: unknown[];
  };
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const codes: AppErrorCode[] = ["INTERNAL_ERROR"];
  if (schema.body || schema.querystring || schema.params || schema.headers) codes.push("VALIDATION_FAILED");
  if (methods.some((m) => m !== "GET" && m !== "HEAD"))
    codes.push("BAD_REQUEST", "BODY_TOO_DEEP", "UNSUPPORTED_MEDIA_TYPE", "PAYLOAD_TOO_LARGE");
  if (schema.headers?.properties?.["idempotency-key"])
    codes.push("IDEMPOTENCY_KEY_INVALID", "IDEMPOTENCY_KEY_REUSED");
  const signedIn = !(Array.isArray(schema.security) && schema.security.length === 0);
  if (signedIn) {
    codes.push("UNAUTHENTICATED", "SESSION_EXPIRED");
    // An operator's role may not allow it, and a member's token is not an operator's.
    if (route.url.startsWith("/admin")) codes.push("FORBIDDEN");
  }
  return codes;
}

const completed = new WeakSet<object>();

/**
 * The onRoute hook: completes a documented route's error responses with the
 * common codes (the generic "4xx"/"5xx" bodies are replaced by one schema per
 * status). Routes hidden from the document are left alone.
 */
export function completeRouteDocs(route: RouteOptions): void {
  const schema = route.schema as { hide?: boolean; response?: Record<string, unknown> } | undefined;
  // A GET's automatic HEAD route shares its schema: complete it once.
  if (!schema?.response || schema.hide || completed.has(schema)) return;
  completed.add(schema);
  const response = schema.response;
  const own = listedCodes(response);
  const codes = [...own, ...commonCodes(route)];
  const next: Record<string, unknown> = {};
  for (const [status, body] of Object.entries(response)) if (/^2/.test(status)) next[status] = body;
  schema.response = { ...next, ...errorResponses(codes, new Set(own)) };
}

/**
 * Called for every error answer: a code the route's document does not list is
 * logged as a warning (the document would be wrong for clients). With
 * JIFEN_UNDOCUMENTED_ERRORS=<file> each one is also appended to that file, so a
 * test run can collect them (docs/server.md).
 */
export function noteUndocumentedError(request: FastifyRequest, status: number, code: string): void {
  const response = (request.routeOptions?.schema as { response?: Record<string, unknown> } | undefined)
    ?.response;
  if (!response) return;
  const listed = (response[String(status)] as { properties?: { code?: { enum?: string[] } } } | undefined)
    ?.properties?.code?.enum;
  if (listed?.includes(code)) return;
  const route = `${request.method} ${request.routeOptions.url}`;
  request.log.warn({ code, status, route }, "error code missing from the route's OpenAPI document");
  const file = process.env.JIFEN_UNDOCUMENTED_ERRORS;
  if (file) appendFileSync(file, `${route} ${status} ${code}\n`);
}
