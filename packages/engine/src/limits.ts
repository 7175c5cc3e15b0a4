/**
 * Documented limits of every amount (docs/rules.md "Limits"). The settlement
 * keeps per-member sums in 64-bit columns (BigInt64Array, at most
 * 2^63 − 1 µ ≈ 9.2 × 10¹² yuan); the limits keep any single input far below
 * that, and `checkInt64` stops a sum that still outgrows a column with a clear
 * error instead of letting it wrap. The server's HTTP layer enforces the same
 * constants.
 */
import { invariant } from "./errors.ts";
import { SCALE } from "./money.ts";

/** The largest value a BigInt64Array column holds: 2^63 − 1 micro-units. */
export const INT64_MAX = 2n ** 63n - 1n;
/** The smallest value a BigInt64Array column holds: −2^63 micro-units. */
export const INT64_MIN = -(2n ** 63n);

/** The largest order: 100,000,000 yuan (10¹⁴ µ). */
export const MAX_ORDER_AMOUNT_MICRO = 100_000_000n * SCALE;
/** The largest operator adjustment, either way: 100,000,000 (yuan, points or stable points). */
export const MAX_ADJUST_AMOUNT_MICRO = 100_000_000n * SCALE;
/**
 * The largest amount of one member command: a sell, redeem, conversion or
 * stable payment, a withdrawal, the points paid on an order: 100,000,000 (yuan
 * or points). The server's HTTP layer refuses more; the replay takes what the
 * member holds.
 */
export const MAX_COMMAND_AMOUNT_MICRO = 100_000_000n * SCALE;
/** The largest package minimum amount (release.packages[].minAmount): the largest order. */
export const MAX_PACKAGE_AMOUNT_MICRO = MAX_ORDER_AMOUNT_MICRO;
/** The largest star-level minimum team performance (release.starLevels[].minPerformance): 10¹² yuan. */
export const MAX_STAR_PERFORMANCE_MICRO = 1_000_000_000_000n * SCALE;
/** The largest tier minimum weight (cycle.pools[].tiers[].minWeight): 10¹² weight. */
export const MAX_TIER_WEIGHT_MICRO = 1_000_000_000_000n * SCALE;
/**
 * The largest multiple or per-yuan rate (release.packages[].multiple, cycle.quotaMultiple,
 * cycle.weightPerYuan, equity.exitQuotaMultiple): 50, so that one largest order's gift, quota,
 * weight or exit quota (≤ 5 × 10¹⁵ µ) stays below 2^53 (a database driver that reads integers as
 * JS numbers keeps it exact) and far inside a 64-bit column.
 */
export const MAX_MULTIPLE_MICRO = 50n * SCALE;

/**
 * Checks that `value` fits a BigInt64Array column before it is stored there
 * (storing silently wraps: 2^63 becomes −2^63). `what` names the column.
 */
export function checkInt64(value: bigint, what: string): bigint {
  if (value > INT64_MAX || value < INT64_MIN) {
    invariant(false, `${what} ${value} µ is outside the 64-bit range of the settlement's columns`);
  }
  return value;
}
