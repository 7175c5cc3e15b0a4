/**
 * A cart's points split across its orders (docs/rules.md "Shop: a cart").
 * The rules' unit stays the order: a cart of several items is one order per
 * item, paid together; the points the member pays for the whole cart are
 * shared among the orders in proportion to their amounts, in whole fen, by
 * the largest remainder, and no order gets more than its own points cap
 * (its amount × `pointsPayRatio`, rounded down to the fen).
 */
import { refuse } from "./errors.ts";
import { FEN, floorFen, min, mulRateFloor } from "./money.ts";

/** One order of a cart: its amount and the most points it may be paid with (micro-units). */
export interface SplitItem {
  readonly amountMicro: bigint;
  readonly capMicro: bigint;
}

/** The most points an order of `amountMicro` may be paid with: amount × ratio, rounded down to the fen. */
export function pointsCapMicro(amountMicro: bigint, pointsPayRatioMicro: bigint): bigint {
  return floorFen(mulRateFloor(amountMicro, pointsPayRatioMicro));
}

/**
 * Splits `totalMicro` points (whole fen) across `items` in proportion to their
 * amounts: each order first gets ⌊total × amount ÷ Σamount⌋ in fen (never over
 * its cap), then the fen left over go one at a time to the orders with the
 * largest remainders — ties to the earlier item — skipping orders at their
 * cap, round after round, until none is left. The parts sum to the total and
 * each stays within its cap; the same input always gives the same parts.
 * Refuses a total over the sum of the caps (POINTS_OVER_RATIO), a negative
 * total, a total with a part of a fen, and an item whose amount is not positive.
 */
export function splitPoints(totalMicro: bigint, items: readonly SplitItem[]): bigint[] {
  if (totalMicro < 0n) refuse("AMOUNT_NEGATIVE", "points", "points");
  if (totalMicro % FEN !== 0n) refuse("TOO_MANY_PLACES", "points are paid in whole fen", "points");
  for (const item of items) {
    if (item.amountMicro <= 0n) refuse("AMOUNT_NOT_POSITIVE", "an item's amount", "items");
  }
  const caps = items.map((item) => (item.capMicro > 0n ? item.capMicro / FEN : 0n));
  const total = totalMicro / FEN;
  const capSum = caps.reduce((a, b) => a + b, 0n);
  if (total > capSum) refuse("POINTS_OVER_RATIO", `at most ${capSum * FEN} micro-units`, "points");
  const amountSum = items.reduce((a, item) => a + item.amountMicro, 0n);
  const shares = items.map((item, i) => min((total * item.amountMicro) / amountSum, caps[i] as bigint));
  const remainders = items.map((item) => (total * item.amountMicro) % amountSum);
  // Largest remainder first; the sort is stable, so equal remainders keep the items' order.
  const order = items
    .map((_, i) => i)
    .sort((a, b) => Number((remainders[b] as bigint) - (remainders[a] as bigint)));
  let left = total - shares.reduce((a, b) => a + b, 0n);
  // Terminates: the caps sum to at least the total, so while fen are left some order has room.
  while (left > 0n) {
    for (const i of order) {
      if (left === 0n) break;
      if ((shares[i] as bigint) < (caps[i] as bigint)) {
        shares[i] = (shares[i] as bigint) + 1n;
        left -= 1n;
      }
    }
  }
  return shares.map((share) => share * FEN);
}
