/**
 * The one JSON reader for input that carries amounts (scenario files, parameter
 * sets, HTTP bodies): `JSON.parse` turns every number into a binary float, so
 * 0.10000000000000001 becomes 0.1 and 9007199254740993 becomes …992 before any
 * decimal check can see them. This reader keeps each JSON number as its exact
 * decimal text (a string), so the decimal parsers (`parseDecimal`) see what was
 * written and refuse too many places or a value out of range.
 *
 * Built on lossless-json (docs/decisions.md). A key given twice in one object
 * is refused (JSON.parse silently kept the last); `__proto__` is an ordinary key.
 */
import { parse } from "lossless-json";

/** Thrown for text that is not JSON; the message names the position. */
export class JsonSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonSyntaxError";
  }
}

const numberAsText = (text: string): string => text;

/**
 * Parses JSON text like `JSON.parse`, except that every number is returned as
 * its exact decimal text: the JSON number `12.50` is the string `"12.50"`,
 * `9007199254740993` is `"9007199254740993"`, `1e3` is `"1e3"`. Throws a
 * `JsonSyntaxError` for invalid JSON or a duplicated key.
 */
export function parseJsonLossless(text: string): unknown {
  try {
    return parse(text, null, numberAsText);
  } catch (error) {
    throw new JsonSyntaxError(error instanceof Error ? error.message : String(error));
  }
}
