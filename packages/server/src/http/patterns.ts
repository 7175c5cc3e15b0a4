/**
 * The patterns of the request texts that have their own error code (see
 * http/schemas.ts for the schemas and errors/error-body.ts for the codes).
 * Every JSON number reaches the schemas as its decimal text, so these
 * patterns decide what a number may look like.
 */

/** A plain decimal: optional minus, no leading zeros, no "+", no spaces, no exponent, no bare ".". */
export const DECIMAL_PATTERN = "^-?(0|[1-9][0-9]*)(\\.[0-9]+)?$";

/** A positive whole number of at most `digits` digits: no sign, no leading zero, no exponent. */
export function countPattern(digits: number): string {
  return `^[1-9][0-9]{0,${digits - 1}}$`;
}

/** Tells a count pattern (any `countPattern(n)`) apart from other patterns. */
export const COUNT_PATTERN_RE = /^\^\[1-9\]\[0-9\]\{0,\d+\}\$$/;

/** Text without control characters (NUL, the C0 range and DEL). */
export const TEXT_PATTERN = "^[^\\u0000-\\u001f\\u007f]*$";

/** Text without control characters other than tab, line feed and carriage return. */
export const MULTILINE_TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$";

/** A calendar day's shape; the "date" format checks that the day exists. */
export const DAY_PATTERN = "^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$";
