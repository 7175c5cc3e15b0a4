/**
 * Equity plan arithmetic (docs/rules.md §1): pure functions over the pool P, the
 * circulating supply S, the points issued I and the price remembered while S = 0.
 * All quantities are micro-units; the price is always the exact ratio P / S.
 */
import type { EquityConfig } from "./config.ts";
import { invariant } from "./errors.ts";
import { ceilDiv, FEN, floorDiv, min, mulRateFloor, SCALE } from "./money.ts";

export interface EquityState {
  /** The pool P, CNY micro-units. */
  readonly pool: bigint;
  /** The circulating supply S (members and treasury), micro-points. */
  readonly supply: bigint;
  /** Points issued so far I, micro-points. */
  readonly issued: bigint;
  /** The price while S = 0, as the ratio priceNum / priceDen (P/S just before S last reached 0). */
  readonly priceNum: bigint;
  readonly priceDen: bigint;
}

/** The state before any order: pool 0, supply 0, price = the initial price. */
export function initialEquityState(config: EquityConfig): EquityState {
  return { pool: 0n, supply: 0n, issued: 0n, priceNum: config.initialPrice, priceDen: SCALE };
}

/**
 * The state under a new parameter set: while no point was ever issued the
 * price is the (possibly changed) initial price; afterwards the initial price
 * no longer matters.
 */
export function withInitialPrice(state: EquityState, config: EquityConfig): EquityState {
  // S ≤ I: nothing issued means nothing in circulation either.
  return state.issued === 0n ? { ...state, priceNum: config.initialPrice, priceDen: SCALE } : state;
}

/** The current price as an exact ratio [numerator, denominator] of micro-units. */
export function priceRatio(state: EquityState): [bigint, bigint] {
  return state.supply > 0n ? [state.pool, state.supply] : [state.priceNum, state.priceDen];
}

/**
 * Moves to a new pool and supply, remembering the price just before the supply
 * reaches 0 so that the next points issued are priced from it.
 */
export function withPoolAndSupply(state: EquityState, pool: bigint, supply: bigint): EquityState {
  invariant(pool >= 0n && supply >= 0n, "pool and supply stay non-negative");
  if (supply === 0n && state.supply > 0n) {
    return { ...state, pool, supply, priceNum: state.pool, priceDen: state.supply };
  }
  return { ...state, pool, supply };
}

export interface Grant {
  /** Contribution c entering the pool, CNY micro-units. */
  readonly contribution: bigint;
  /** Points to the buyer and to the referrer (0 without one). */
  readonly buyerPoints: bigint;
  readonly referrerPoints: bigint;
  /** Exit quota added to the buyer, CNY micro-units. */
  readonly exitQuota: bigint;
}

/**
 * The grant of a reward-eligible order of `amount` (docs/rules.md §1.1): c = amount × rate,
 * points worth c × share at the price before the contribution, cut at the cap.
 * Supply and pool changes are applied by `applyGrant`.
 */
export function computeGrant(
  state: EquityState,
  config: EquityConfig,
  amount: bigint,
  hasReferrer: boolean,
): Grant {
  const contribution = mulRateFloor(amount, config.contributionRate);
  const [pn, pd] = priceRatio(state);
  // n = c × share / p = c × share × pd / pn, rounded down to 6 places (one rounding).
  const pointsAt = (share: bigint): bigint =>
    pn === 0n ? 0n : floorDiv(contribution * share * pd, pn * SCALE);
  let room = config.totalSupply - state.issued;
  if (room < 0n) room = 0n;
  const buyerPoints = min(pointsAt(config.buyerShare), room);
  const referrerPoints = hasReferrer ? min(pointsAt(config.referrerShare), room - buyerPoints) : 0n;
  return {
    contribution,
    buyerPoints,
    referrerPoints,
    exitQuota: mulRateFloor(amount, config.exitQuotaMultiple),
  };
}

/** The state after a grant: P += c; S and I += points issued (`burnedAtOnce` of them repay debts). */
export function applyGrant(state: EquityState, grant: Grant, burnedAtOnce: bigint): EquityState {
  const issuedNow = grant.buyerPoints + grant.referrerPoints;
  const next = withPoolAndSupply(
    state,
    state.pool + grant.contribution,
    state.supply + issuedNow - burnedAtOnce,
  );
  return { ...next, issued: state.issued + issuedNow };
}

/**
 * What the pool pays back to the operator when a refund burns `points` taken
 * back from members (docs/rules.md §0 Refunds): their value at the price just
 * before the refund, P × points / S, rounded down to 6 places. Rounding down
 * leaves dust in the pool, so the price after is never below the price before.
 */
export function refundBuyback(state: EquityState, points: bigint): bigint {
  if (points === 0n) return 0n;
  // points > 0 here, so points ≤ S also means S > 0.
  invariant(points <= state.supply, "points taken back are in circulation");
  // points ≤ S, so the value is at most P.
  return floorDiv(points * state.pool, state.supply);
}

/** Cash, rounded down to the fen, for selling `points` at the current price with `feeRate` (docs/rules.md §1.2). */
export function sellProceeds(state: EquityState, points: bigint, feeRate: bigint): bigint {
  invariant(state.supply > 0n && points <= state.supply, "a sale needs points in circulation");
  // g × (1 − fee) = points × P / S × (1 − fee), then down to the fen.
  const net = floorDiv(points * state.pool * (SCALE - feeRate), state.supply * SCALE * FEN) * FEN;
  invariant(net <= state.pool, "a sale never pays more than the pool");
  return net;
}

/** Points, rounded up to 6 places, that goods of `amount` yuan cost (docs/rules.md §1.3). */
export function redeemCost(state: EquityState, amount: bigint, feeRate: bigint): bigint {
  invariant(state.supply > 0n && state.pool > 0n, "redeeming needs a price");
  return ceilDiv(amount * (SCALE + feeRate) * state.supply, SCALE * state.pool);
}

/** Stable points, rounded down, worth `points` equity points at the current price (docs/rules.md §1.4). */
export function stableValue(state: EquityState, points: bigint): bigint {
  const [pn, pd] = priceRatio(state);
  return floorDiv(points * pn, pd);
}

/** Equity points, rounded down, that `stable` stable points buy at the current price (docs/rules.md §1.4). */
export function equityForStable(state: EquityState, stable: bigint): bigint {
  const [pn, pd] = priceRatio(state);
  return pn === 0n ? 0n : floorDiv(stable * pd, pn);
}

/** Whether holdings of `held` points meet an exit quota: held × p ≥ quota > 0 (docs/rules.md §1.5). */
export function meetsExitQuota(state: EquityState, held: bigint, quota: bigint): boolean {
  // With quota > 0, holdings of 0 or less never meet it (the price is not negative).
  if (quota <= 0n) return false;
  const [pn, pd] = priceRatio(state);
  return held * pn >= quota * pd;
}
