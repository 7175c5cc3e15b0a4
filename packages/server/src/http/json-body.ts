/**
 * The JSON body parser of every route: the engine's `parseJsonLossless`
 * (lossless-json) instead of `JSON.parse`, so no number ever passes through a binary float. Every JSON
 * number arrives as its exact decimal text (`9007199254740993` →
 * "9007199254740993", `0.10000000000000001` → "0.10000000000000001"); the
 * route schemas then say which texts they accept (plain decimals for amounts,
 * plain whole numbers for counts). Like Fastify's own parser, a body with a
 * `__proto__` key or a `constructor.prototype` is refused.
 */
import { parseJsonLossless as parseLossless } from "@jifen/engine";

/** A JSON text that is not valid JSON (or would poison a prototype). */
export class JsonBodyError extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = "JsonBodyError";
  }
}

function checkKeys(value: unknown): void {
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const item of value) checkKeys(item);
    return;
  }
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, "__proto__")) throw new JsonBodyError("body has a forbidden __proto__ key");
  const ctor = Object.hasOwn(record, "constructor") ? record.constructor : undefined;
  if (ctor !== null && typeof ctor === "object" && Object.hasOwn(ctor, "prototype"))
    throw new JsonBodyError("body has a forbidden constructor.prototype key");
  for (const key of Object.keys(record)) checkKeys(record[key]);
}

/** Parses JSON text with every number kept as its decimal text (a string). */
export function parseJsonLossless(text: string): unknown {
  let value: unknown;
  try {
    value = parseLossless(text);
  } catch (error) {
    throw new JsonBodyError(`body is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  checkKeys(value);
  return value;
}
