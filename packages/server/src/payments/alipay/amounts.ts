/**
 * Alipay amounts are yuan texts with at most two decimals ("88.88", "0.1",
 * "100"); they are read exactly into micro-units (1 yuan = 1,000,000) and
 * written with exactly two decimals, never through a binary float.
 */
import { formatFixed, parseDecimal } from "@jifen/engine";

const YUAN_TEXT = /^(0|[1-9]\d{0,12})(\.\d{1,2})?$/;

/** Micro-units of an Alipay yuan text, or null when it is not one (sign, exponent, 3 decimals…). */
export function yuanTextToMicro(text: unknown): bigint | null {
  if (typeof text !== "string" || !YUAN_TEXT.test(text)) return null;
  return parseDecimal(text, 2);
}

/** The yuan text Alipay expects for `micro` (two decimals); throws for a part of a fen. */
export function microToYuanText(micro: bigint): string {
  if (micro < 0n || micro % 10_000n !== 0n) throw new RangeError(`not a whole number of fen: ${micro}`);
  return formatFixed(micro, 2);
}
