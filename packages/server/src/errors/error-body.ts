import { type Static, Type } from "@fastify/type-provider-typebox";
import { EngineError, ERRORS, withDetail } from "@jifen/engine";
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
  params?: {
    missingProperty?: string;
    additionalProperty?: string;
    allowedValues?: unknown[];
    allowedValue?: unknown;
    limit?: number | string;
    type?: string;
    pattern?: string;
    format?: string;
    multipleOf?: number;
  };
  /** The schema holding the failed keyword (Ajv's `verbose` option). */
  parentSchema?: { description?: string; pattern?: string; format?: string };
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

/** Whole sentences for the codes of a failing value's own kind (the value itself is never echoed). */
const OWN_SENTENCES: Record<
  NonNullable<ReturnType<typeof codeOfSchema>>,
  (field: string) => { zh: string; en: string }
> = {
  INVALID_AMOUNT: (f) => ({
    zh: `字段 ${f} 须为普通十进制数（如 12.5；不带正号、空格、指数或多余的前导零）。`,
    en: `The field "${f}" must be a plain decimal number (such as 12.5: no plus sign, spaces, exponent or extra leading zeros).`,
  }),
  INVALID_INTEGER: (f) => ({
    zh: `字段 ${f} 须为正整数，只能由数字组成（不带符号、小数点、指数或空格）。`,
    en: `The field "${f}" must be a positive whole number in plain digits (no sign, point, exponent or spaces).`,
  }),
  INVALID_TEXT: (f) => ({
    zh: `字段 ${f} 不能包含控制字符（如 NUL）。`,
    en: `The field "${f}" must not contain control characters (such as NUL).`,
  }),
  INVALID_DATE: (f) => ({
    zh: `字段 ${f} 须为存在的日期，格式 YYYY-MM-DD（如 2026-01-05）。`,
    en: `The field "${f}" must be a calendar date written YYYY-MM-DD (such as 2026-01-05).`,
  }),
};

/** Keywords whose failure a field's own code describes (a wrong type, pattern or format). */
const SHAPE_KEYWORDS = new Set(["type", "pattern", "format"]);

const FIELD_CODES: Record<string, "INVALID_PHONE" | "WEAK_PASSWORD"> = {
  phone: "INVALID_PHONE",
  password: "WEAK_PASSWORD",
  newPassword: "WEAK_PASSWORD",
};

/** Words for what a field holds, per JSON type. */
const TYPE_WORDS: Record<string, { zh: string; en: string }> = {
  integer: { zh: "整数", en: "a whole number" },
  number: { zh: "数字", en: "a number" },
  string: { zh: "文本（字符串）", en: "text (a string)" },
  boolean: { zh: "布尔值 true 或 false", en: "true or false" },
  object: { zh: "对象", en: "an object" },
  array: { zh: "数组", en: "an array" },
  null: { zh: "null", en: "null" },
};

/** The expected format of the API's patterns, in words (checked first; then the schema's description). */
const PATTERN_WORDS: Record<string, { zh: string; en: string }> = {
  "^1[3-9][0-9]{9}$": {
    zh: "中国大陆手机号（11 位数字，以 1 开头）",
    en: "a mainland China mobile number (11 digits starting with 1)",
  },
  "^[1-9][0-9]{0,17}$": {
    zh: "正整数编号（1 到 18 位数字，不以 0 开头）",
    en: "a positive whole-number id (1 to 18 digits, no leading 0)",
  },
  "^[0-9]{6}$": { zh: "6 位数字", en: "6 digits" },
  "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": {
    zh: "日期 YYYY-MM-DD（如 2026-01-05）",
    en: "a date as YYYY-MM-DD (e.g. 2026-01-05)",
  },
  "^[0-9]{1,11}$": { zh: "1 到 11 位数字", en: "1 to 11 digits" },
  "^(0|[1-9][0-9]{0,8})$": {
    zh: "库存数量，即 0 到 999,999,999 的整数（JSON 整数或其文本；null 表示不限）",
    en: "units on hand, a whole number from 0 to 999,999,999 (a JSON integer or its text; null means unlimited)",
  },
  "^[A-Za-z0-9_.-]{2,32}$": {
    zh: "2 到 32 位字母、数字或 _ . -",
    en: "2 to 32 letters, digits or _ . -",
  },
};

const FORMAT_WORDS: Record<string, { zh: string; en: string }> = {
  "date-time": {
    zh: "ISO 8601 时间（如 2026-01-05T10:00:00+08:00）",
    en: "an ISO 8601 time (e.g. 2026-01-05T10:00:00+08:00)",
  },
  date: { zh: "日期 YYYY-MM-DD", en: "a date as YYYY-MM-DD" },
};

/** A schema description "中文 / English" split in two; one language serves both. */
function describedAs(description: string | undefined): { zh: string; en: string } | undefined {
  if (!description) return undefined;
  const [zh, en] = description.split(" / ");
  return en === undefined ? { zh: description, en: description } : { zh: zh as string, en };
}

/** "item" or "items" after a count. */
function items(count: unknown): string {
  return Number(count) === 1 ? "item" : "items";
}

/** A value as it is written in a message. */
function shown(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function listZh(values: readonly unknown[]): string {
  return values.map(shown).join("、");
}

function listEn(values: readonly unknown[]): string {
  const words = values.map(shown);
  return words.length <= 1
    ? words.join("")
    : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

const CONTEXT_WORDS: Record<string, { zh: string; en: string }> = {
  body: { zh: "请求体", en: "The request body" },
  querystring: { zh: "查询参数", en: "The query string" },
  params: { zh: "路径参数", en: "The path parameters" },
  headers: { zh: "请求头", en: "The request headers" },
};

type Sentence = { field: string; zh: string; en: string };

/** A union (anyOf) of constants or types: every branch failed; names all that were allowed. */
function unionSentence(
  errors: readonly AjvError[],
  first: AjvError,
  say: (zh: string, en: string) => Sentence,
): Sentence | undefined {
  const branches = errors.filter((e) => e.instancePath === first.instancePath);
  if (branches.some((e) => e.keyword === "anyOf")) {
    const allowed = branches.flatMap((e) =>
      e.keyword === "const"
        ? [e.params?.allowedValue]
        : e.keyword === "enum"
          ? (e.params?.allowedValues ?? [])
          : [],
    );
    if (allowed.length > 0 && allowed.length === branches.filter((e) => e.keyword !== "anyOf").length) {
      return say(`只能取以下值之一：${listZh(allowed)}`, `must be one of ${listEn(allowed)}`);
    }
    const types = branches.flatMap((e) => (e.keyword === "type" ? String(e.params?.type).split(",") : []));
    if (types.length > 0 && types.length === branches.filter((e) => e.keyword !== "anyOf").length) {
      const words = types.map((t) => TYPE_WORDS[t] ?? { zh: t, en: t });
      return say(`应为${words.map((w) => w.zh).join("或")}`, `must be ${listEn(words.map((w) => w.en))}`);
    }
  }
  return undefined;
}

/**
 * The first of Ajv's `errors` as whole sentences in Chinese and English that
 * name the field and say what is expected. The one place where validation
 * errors become words (tests: test/validation-messages.test.ts).
 */
export function validationSentences(
  errors: readonly AjvError[],
  context: string | undefined,
): { field: string; zh: string; en: string } {
  const first = errors[0] as AjvError;
  const path = (first.instancePath ?? "").replace(/^\//, "").replace(/\//g, ".");
  const named = first.params?.missingProperty ?? first.params?.additionalProperty;
  const field = [path, named].filter(Boolean).join(".") || context || "body";
  const whole = !path && !named ? CONTEXT_WORDS[field] : undefined;
  const subject = whole ?? { zh: `字段 ${field}`, en: `The field "${field}"` };
  const params = first.params ?? {};
  const gap = /[\x21-\x7e]$/.test(subject.zh) ? " " : "";
  const say = (zh: string, en: string) => ({
    field,
    zh: `${subject.zh}${gap}${zh}。`,
    en: `${subject.en} ${en}.`,
  });

  const union = unionSentence(errors, first, say);
  if (union) return union;

  switch (first.keyword) {
    case "required":
      return { field, zh: `字段 ${field} 必填。`, en: `The field "${field}" is required.` };
    case "additionalProperties":
      return { field, zh: `不允许字段 ${field}。`, en: `The field "${field}" is not allowed here.` };
    case "type": {
      const words = String(params.type)
        .split(",")
        .map((t) => TYPE_WORDS[t] ?? { zh: t, en: t });
      return say(`应为${words.map((w) => w.zh).join("或")}`, `must be ${listEn(words.map((w) => w.en))}`);
    }
    case "pattern": {
      const pattern = params.pattern ?? first.parentSchema?.pattern ?? "";
      const words = PATTERN_WORDS[pattern] ??
        describedAs(first.parentSchema?.description) ?? { zh: `符合 ${pattern}`, en: `matching ${pattern}` };
      return say(`格式不正确，应为${words.zh}`, `is not in the expected format: ${words.en}`);
    }
    case "format": {
      const format = params.format ?? "";
      const words = FORMAT_WORDS[format] ?? { zh: format, en: format };
      return say(`格式不正确，应为${words.zh}`, `is not in the expected format: ${words.en}`);
    }
    case "enum":
      return say(
        `只能取以下值之一：${listZh(params.allowedValues ?? [])}`,
        `must be one of ${listEn(params.allowedValues ?? [])}`,
      );
    case "const":
      return say(`只能为 ${shown(params.allowedValue)}`, `must be ${shown(params.allowedValue)}`);
    case "minimum":
      return say(`不能小于 ${params.limit}`, `must be at least ${params.limit}`);
    case "exclusiveMinimum":
      return say(`必须大于 ${params.limit}`, `must be greater than ${params.limit}`);
    case "maximum":
      return say(`不能大于 ${params.limit}`, `must be at most ${params.limit}`);
    case "exclusiveMaximum":
      return say(`必须小于 ${params.limit}`, `must be less than ${params.limit}`);
    case "multipleOf":
      return say(`应为 ${params.multipleOf} 的整数倍`, `must be a multiple of ${params.multipleOf}`);
    case "minLength":
      return params.limit === 1
        ? say("不能为空", "must not be empty")
        : say(`至少 ${params.limit} 个字符`, `must have at least ${params.limit} characters`);
    case "maxLength":
      return say(`最多 ${params.limit} 个字符`, `must have at most ${params.limit} characters`);
    case "minItems":
      return say(`至少 ${params.limit} 项`, `must have at least ${params.limit} ${items(params.limit)}`);
    case "maxItems":
      return say(`最多 ${params.limit} 项`, `must have at most ${params.limit} ${items(params.limit)}`);
    case "uniqueItems":
      return say("不能有重复项", "must not repeat an item");
    default:
      return say("不合法", "is not valid");
  }
}

function validationError(errors: readonly AjvError[], context: string | undefined): AppError {
  const { field, zh, en } = validationSentences(errors, context);
  const first = errors[0] as AjvError;
  const special = FIELD_CODES[field];
  if (special && first.keyword !== "required") return new AppError(special, { field });
  const keyword = first.keyword ?? "";
  const own = SHAPE_KEYWORDS.has(keyword) ? codeOfSchema(first.parentSchema) : undefined;
  // The value itself is not echoed: it may hold control characters.
  if (own)
    return new AppError(own, { field }, { status: CATALOGUE[own].status, ...OWN_SENTENCES[own](field) });
  return new AppError("VALIDATION_FAILED", { field }, { status: CATALOGUE.VALIDATION_FAILED.status, zh, en });
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
    return validationError(e.validation, e.validationContext);
  }
  if (e?.code === "23514" && e.constraint === "balances_sign") return new AppError("BALANCE_CONFLICT");
  if (e?.code === "23505" && e.constraint === "orders_provider_external_id_key")
    return new AppError("EXTERNAL_ORDER_DUPLICATE", { field: "externalId" });
  if (e?.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return new AppError("UNSUPPORTED_MEDIA_TYPE");
  if (e?.code === "FST_ERR_CTP_BODY_TOO_LARGE") return new AppError("PAYLOAD_TOO_LARGE");
  if (typeof e?.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) return badRequest(e);
  return new AppError("INTERNAL_ERROR");
}

/** Fastify's complaints about a request, as whole sentences (its English words are not shown in Chinese). */
const FASTIFY_SENTENCES: Record<string, { zh: string; en: string }> = {
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    zh: "请求体为空，但内容类型声明为 JSON。",
    en: "The request body is empty although its content type says JSON.",
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    zh: "请求头 Content-Length 与请求体长度不符。",
    en: "The Content-Length header does not match the length of the request body.",
  },
};

/** A 4xx from the JSON parser (its own sentences) or Fastify; other errors' words may be internal and stay in the log. */
function badRequest(e: FastifyLikeError & { zh?: unknown; en?: unknown }): AppError {
  if (e.name === "JsonBodyError" && typeof e.zh === "string" && typeof e.en === "string") {
    const code = e.code === "BODY_TOO_DEEP" ? "BODY_TOO_DEEP" : "BAD_REQUEST";
    return new AppError(code, {}, { status: CATALOGUE[code].status, zh: e.zh, en: e.en });
  }
  const known = typeof e.code === "string" ? FASTIFY_SENTENCES[e.code] : undefined;
  const text = known ?? { zh: "请求格式不正确。", en: "The request is malformed." };
  return new AppError("BAD_REQUEST", {}, { status: CATALOGUE.BAD_REQUEST.status, ...text });
}

function fromEngine(error: EngineError): AppError {
  // The engine's own code and words (its detail names the problem); the Chinese
  // uses the Chinese detail where the engine has one (parameters) and ends as a sentence.
  const own = error.detailZh !== error.detail;
  return new AppError(error.code, error.field ? { field: error.field } : {}, {
    status: engineStatus(error.code),
    zh: own ? withDetail(ERRORS[error.code].zh, error.detailZh, "zh") : error.zh,
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
