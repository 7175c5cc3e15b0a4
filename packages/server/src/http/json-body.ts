/**
 * The JSON body parser of every route: the engine's `parseJsonLossless`
 * (lossless-json) instead of `JSON.parse`, so no number ever passes through a binary float. Every JSON
 * number arrives as its exact decimal text (`9007199254740993` →
 * "9007199254740993", `0.10000000000000001` → "0.10000000000000001"); the
 * route schemas then say which texts they accept (plain decimals for amounts,
 * plain whole numbers for counts). Like Fastify's own parser, a body with a
 * `__proto__` key or a `constructor.prototype` is refused.
 *
 * A body nested deeper than `MAX_BODY_DEPTH` is refused before it is parsed
 * (one loop over the text, no recursion), so the parser and every later walk
 * over a body (key checks, idempotency hashing, parameter patches) recurse at
 * most that deep: no stack overflow at any depth.
 */
import { parseJsonLossless as parseLossless } from "@jifen/engine";

/** Deepest nesting of objects and arrays a request body may have. */
export const MAX_BODY_DEPTH = 32;

/** A JSON text that is not valid JSON, too deep, or would poison a prototype; `zh`/`en` are whole sentences. */
export class JsonBodyError extends Error {
  readonly statusCode = 400;
  readonly code: "BAD_REQUEST" | "BODY_TOO_DEEP";
  readonly zh: string;
  readonly en: string;
  constructor(text: { zh: string; en: string }, code: "BAD_REQUEST" | "BODY_TOO_DEEP" = "BAD_REQUEST") {
    super(text.en);
    this.name = "JsonBodyError";
    this.code = code;
    this.zh = text.zh;
    this.en = text.en;
  }
}

/** The deepest nesting of `[` and `{` outside strings (iterative; stops counting past `limit`). */
export function nestingDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

function forbidden(key: string): JsonBodyError {
  return new JsonBodyError({
    zh: `请求体不能包含 ${key} 键。`,
    en: `The request body must not contain a ${key} key.`,
  });
}

function checkKeys(value: unknown): void {
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const item of value) checkKeys(item);
    return;
  }
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, "__proto__")) throw forbidden("__proto__");
  const ctor = Object.hasOwn(record, "constructor") ? record.constructor : undefined;
  if (ctor !== null && typeof ctor === "object" && Object.hasOwn(ctor, "prototype"))
    throw forbidden("constructor.prototype");
  for (const key of Object.keys(record)) checkKeys(record[key]);
}

/** The parser's complaint as whole sentences (its own English words are never shown). */
function notJson(error: unknown): JsonBodyError {
  const message = error instanceof Error ? error.message : "";
  const position = /position (\d+)/.exec(message)?.[1];
  return position === undefined
    ? new JsonBodyError({ zh: "请求体不是有效的 JSON。", en: "The request body is not valid JSON." })
    : new JsonBodyError({
        zh: `请求体不是有效的 JSON（第 ${position} 个字符附近）。`,
        en: `The request body is not valid JSON (near position ${position}).`,
      });
}

/** Parses JSON text with every number kept as its decimal text (a string). */
export function parseJsonLossless(text: string): unknown {
  if (nestingDepth(text, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
    throw new JsonBodyError(
      {
        zh: `请求体嵌套过深：对象和数组最多嵌套 ${MAX_BODY_DEPTH} 层。`,
        en: `The request body is nested too deeply: objects and arrays may be nested at most ${MAX_BODY_DEPTH} levels.`,
      },
      "BODY_TOO_DEEP",
    );
  }
  let value: unknown;
  try {
    value = parseLossless(text);
  } catch (error) {
    throw notJson(error);
  }
  checkKeys(value);
  return value;
}
