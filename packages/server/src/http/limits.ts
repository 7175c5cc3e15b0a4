/**
 * The largest amount the server accepts, per kind of input: the engine's
 * limits (docs/rules.md "Limits") and the server's own for what only it sees, so that no amount, and no sum the
 * settlement forms from them, comes near the 64-bit columns (±9.2 × 10¹²
 * yuan in micro-units) or the 2⁵³ micro-units one COPY row may carry
 * (≈ 9 × 10⁹ yuan). The table with the error codes is in docs/server.md.
 */
import {
  formatDecimal,
  MAX_ADJUST_AMOUNT_MICRO,
  MAX_COMMAND_AMOUNT_MICRO,
  MAX_ORDER_AMOUNT_MICRO,
  SCALE,
} from "@jifen/engine";
import { AppError, CATALOGUE } from "../errors/index.ts";

/** The engine's limits (one name each): one order, one operator adjustment, one member command. */
export { MAX_ADJUST_AMOUNT_MICRO, MAX_COMMAND_AMOUNT_MICRO, MAX_ORDER_AMOUNT_MICRO };
/** A product's price: the most one order may cost. */
export const MAX_PRICE_MICRO = MAX_ORDER_AMOUNT_MICRO;
/** Units of a product in one order. */
export const MAX_QUANTITY = 9999;
/** Any one balance (a member's wallet or a platform account): 1,000,000,000,000 units. */
export const MAX_BALANCE_MICRO = 1_000_000_000_000n * SCALE;

/** Refuses `micro` (an absolute value is compared) past `max` with AMOUNT_TOO_LARGE naming `field`. */
export function checkLimit(micro: bigint, max: bigint, field: string): bigint {
  const size = micro < 0n ? -micro : micro;
  if (size > max) {
    const limit = formatDecimal(max);
    throw new AppError(
      "AMOUNT_TOO_LARGE",
      { field },
      {
        status: CATALOGUE.AMOUNT_TOO_LARGE.status,
        zh: `字段 ${field} 超出上限：最多为 ${limit}。`,
        en: `The field "${field}" is above its limit: it is at most ${limit}.`,
      },
    );
  }
  return micro;
}
