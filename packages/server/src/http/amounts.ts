import { DecimalError, parseDecimal } from "@jifen/engine";
import { fail } from "../errors/index.ts";
import { checkLimit } from "./limits.ts";
import { DECIMAL_PATTERN } from "./patterns.ts";

const DECIMAL_RE = new RegExp(DECIMAL_PATTERN);

/**
 * Reads request text as micro-units. Only plain decimals (DECIMAL_PATTERN):
 * the engine's parseDecimal also reads "+1" and " 1" (files written by hand),
 * the API does not. `max` is the field's limit (http/limits.ts).
 */
function parse(text: string, places: number, field: string, max: bigint): bigint {
  if (!DECIMAL_RE.test(text)) {
    fail("INVALID_AMOUNT", { field, detail: { zh: `字段 ${field}`, en: `field ${field}` } });
  }
  let amount: bigint;
  try {
    amount = parseDecimal(text, places);
  } catch (error) {
    if (!(error instanceof DecimalError)) throw error;
    if (error.reason === "places") {
      fail("TOO_MANY_PLACES", {
        field,
        detail: { zh: `${field} 最多 ${places} 位小数`, en: `${field} has at most ${places} decimals` },
      });
    }
    if (error.reason === "range") checkLimit(max + 1n, max, field);
    fail("INVALID_AMOUNT", { field, detail: { zh: `${field}：${text}`, en: `${field}: ${text}` } });
  }
  return checkLimit(amount, max, field);
}

/** Reads a positive amount of yuan (at most 2 decimals, at most `max`) from request text into micro-units. */
export function parseYuan(text: string, field: string, max: bigint): bigint {
  const amount = parse(text, 2, field, max);
  if (amount <= 0n) fail("AMOUNT_NOT_POSITIVE", { field });
  return amount;
}

/** Reads a signed, non-zero amount with at most `places` decimals (an adjustment) and size at most `max`. */
export function parseSignedAmount(text: string, places: number, field: string, max: bigint): bigint {
  const amount = parse(text, places, field, max);
  if (amount === 0n) fail("AMOUNT_NOT_POSITIVE", { field, detail: { zh: "不能为 0", en: "must not be 0" } });
  return amount;
}

/** Reads an amount ≥ 0 with at most `places` decimals (an order's optional points), at most `max`. */
export function parseNonNegative(text: string, places: number, field: string, max: bigint): bigint {
  const amount = parse(text, places, field, max);
  if (amount < 0n) fail("AMOUNT_NEGATIVE", { field });
  return amount;
}
