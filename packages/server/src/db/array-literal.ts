/**
 * A one-dimensional array parameter as PostgreSQL's array literal text, built
 * once with `join` (issue 14: the writer's write sends ~17,000 array elements
 * per batch of 200 paid orders, and the pg driver's own conversion escaped
 * each one with two regular-expression replacements). The text is what the
 * drivers would send: every element quoted, `\` and `"` escaped, null as NULL;
 * a `$n::type[]` cast reads it as the array. Anything other than strings,
 * numbers, bigints, booleans and nulls (a Date, a nested array, bytes) is left
 * to the driver: the array is returned as it is.
 */
export function arrayLiteral(values: readonly unknown[]): string | readonly unknown[] {
  const parts: string[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = "NULL";
    else if (typeof v === "string")
      parts[i] = NEEDS_ESCAPE.test(v) ? `"${v.replace(ESCAPED, "\\$&")}"` : `"${v}"`;
    else if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") parts[i] = `"${v}"`;
    else return values;
  }
  return `{${parts.join(",")}}`;
}

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

/** The parameters with each array parameter as its literal (`arrayLiteral`); the others as they are. */
export function withArrayLiterals(params: readonly unknown[]): unknown[] {
  return params.map((p) => (Array.isArray(p) ? arrayLiteral(p) : p));
}
