import { type Static, Type } from "@fastify/type-provider-typebox";
import { EngineError } from "@jifen/engine";
import {
  COUNT_PATTERN_RE,
  DAY_PATTERN,
  DECIMAL_PATTERN,
  MULTILINE_TEXT_PATTERN,
  TEXT_PATTERN,
} from "../http/patterns.ts";
import { AppError } from "./app-error.ts";
import { CATALOGUE, engineStatus } from "./catalogue.ts";

/** The body of every error answer. */
export const ErrorBodySchema = Type.Object(
  {
    code: Type.String({ description: "stable error code, e.g. SMS_CODE_INVALID" }),
    message: Type.String({ description: "中文说明" }),
    messageEn: Type.String({ description: "English message" }),
    field: Type.Optional(Type.String({ description: "the request field at fault" })),
    requestId: Type.String(),
  },
  { $id: "ErrorBody", title: "ErrorBody" },
);

export type ErrorBody = Static<typeof ErrorBodySchema>;

interface AjvError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: { missingProperty?: string; additionalProperty?: string };
  /** The schema of the failing value (the validators run Ajv with `verbose`). */
  parentSchema?: { pattern?: string; format?: string };
}

/** The code of a failing value by its schema: amounts, counts, free text and days have their own. */
function codeOfSchema(
  schema: AjvError["parentSchema"],
): "INVALID_AMOUNT" | "INVALID_INTEGER" | "INVALID_TEXT" | "INVALID_DATE" | undefined {
  const pattern = schema?.pattern;
  if (pattern === DECIMAL_PATTERN) return "INVALID_AMOUNT";
  if (pattern !== undefined && COUNT_PATTERN_RE.test(pattern)) return "INVALID_INTEGER";
  if (pattern === TEXT_PATTERN || pattern === MULTILINE_TEXT_PATTERN) return "INVALID_TEXT";
  if (pattern === DAY_PATTERN || schema?.format === "date") return "INVALID_DATE";
  return undefined;
}

/** Keywords whose failure a field's own code describes (a wrong type, pattern or format). */
const SHAPE_KEYWORDS = new Set(["type", "pattern", "format"]);

const KEYWORD_ZH: Record<string, string> = {
  required: "必填",
  pattern: "格式不正确",
  format: "格式不正确",
  minLength: "太短",
  maxLength: "太长",
  minimum: "太小",
  maximum: "太大",
  exclusiveMinimum: "太小",
  type: "类型不正确",
  enum: "不是允许的取值",
  const: "不是允许的取值",
  anyOf: "不合法",
  additionalProperties: "不是允许的字段",
};

const FIELD_CODES: Record<string, "INVALID_PHONE" | "WEAK_PASSWORD"> = {
  phone: "INVALID_PHONE",
  password: "WEAK_PASSWORD",
  newPassword: "WEAK_PASSWORD",
};

function validationError(first: AjvError, context: string | undefined): AppError {
  const path = (first.instancePath ?? "").replace(/^\//, "").replace(/\//g, ".");
  const missing = first.params?.missingProperty ?? first.params?.additionalProperty;
  const field = [path, missing].filter(Boolean).join(".") || context || "body";
  const special = FIELD_CODES[field];
  if (special && first.keyword !== "required") return new AppError(special, { field });
  const keyword = first.keyword ?? "";
  const own = SHAPE_KEYWORDS.has(keyword) ? codeOfSchema(first.parentSchema) : undefined;
  if (own) {
    // The value itself is not echoed: it may hold control characters.
    return new AppError(own, { field, detail: { zh: `字段 ${field}`, en: `field ${field}` } });
  }
  return new AppError("VALIDATION_FAILED", {
    field,
    detail: {
      zh: `${field} ${KEYWORD_ZH[keyword] ?? "不合法"}`,
      en: `${field} ${first.message ?? "is invalid"}`,
    },
  });
}

interface FastifyLikeError extends Error {
  code?: string;
  statusCode?: number;
  validation?: AjvError[];
  validationContext?: string;
  constraint?: string;
}

/** Turns anything thrown while serving a request into an `AppError` (unknown errors: INTERNAL_ERROR). */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof EngineError) return fromEngine(error);
  const e = error as FastifyLikeError;
  if (e && Array.isArray(e.validation) && e.validation.length > 0) {
    return validationError(e.validation[0] as AjvError, e.validationContext);
  }
  if (e?.code === "23514" && e.constraint === "balances_sign") return new AppError("BALANCE_CONFLICT");
  if (e?.code === "23505" && e.constraint === "orders_provider_external_id_key")
    return new AppError("EXTERNAL_ORDER_DUPLICATE", { field: "externalId" });
  if (e?.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return new AppError("UNSUPPORTED_MEDIA_TYPE");
  if (e?.code === "FST_ERR_CTP_BODY_TOO_LARGE") return new AppError("PAYLOAD_TOO_LARGE");
  if (typeof e?.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    // Only Fastify's and the JSON parser's own words about the request are
    // shown; any other error's message may be internal and stays in the log.
    const ours = e.name === "JsonBodyError" || (typeof e.code === "string" && e.code.startsWith("FST_"));
    return new AppError("BAD_REQUEST", ours ? { detail: { zh: e.message, en: e.message } } : {});
  }
  return new AppError("INTERNAL_ERROR");
}

function fromEngine(error: EngineError): AppError {
  // The engine's own code and words (its detail names the problem).
  return new AppError(error.code, error.field ? { field: error.field } : {}, {
    status: engineStatus(error.code),
    zh: error.zh,
    en: error.en,
  });
}

/** The HTTP status and body for an error raised while serving request `requestId`. */
export function toErrorBody(error: unknown, requestId: string): { status: number; body: ErrorBody } {
  const app = toAppError(error);
  const body: ErrorBody = { code: app.code, message: app.zh, messageEn: app.en, requestId };
  if (app.field !== undefined) body.field = app.field;
  return { status: app.status || CATALOGUE.INTERNAL_ERROR.status, body };
}
