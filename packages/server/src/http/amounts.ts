import { DecimalError, parseDecimal } from "@jifen/engine";
import { fail } from "../errors/index.ts";

function parse(text: string, places: number, field: string): bigint {
  try {
    return parseDecimal(text, places);
  } catch (error) {
    if (!(error instanceof DecimalError)) throw error;
    if (error.reason === "places") {
      fail("TOO_MANY_PLACES", {
        field,
        detail: { zh: `${field} 最多 ${places} 位小数`, en: `${field} has at most ${places} decimals` },
      });
    }
    fail("INVALID_AMOUNT", { field, detail: { zh: `${field}：${text}`, en: `${field}: ${text}` } });
  }
}

/** Reads a positive amount of yuan (at most 2 decimals) from request text into micro-units. */
export function parseYuan(text: string, field: string): bigint {
  const amount = parse(text, 2, field);
  if (amount <= 0n) fail("AMOUNT_NOT_POSITIVE", { field });
  return amount;
}

/** Reads a signed, non-zero amount with at most `places` decimals (an adjustment). */
export function parseSignedAmount(text: string, places: number, field: string): bigint {
  const amount = parse(text, places, field);
  if (amount === 0n) fail("AMOUNT_NOT_POSITIVE", { field, detail: { zh: "不能为 0", en: "must not be 0" } });
  return amount;
}

/** Reads an amount ≥ 0 with at most `places` decimals (an order's optional points). */
export function parseNonNegative(text: string, places: number, field: string): bigint {
  const amount = parse(text, places, field);
  if (amount < 0n) fail("AMOUNT_NEGATIVE", { field });
  return amount;
}
