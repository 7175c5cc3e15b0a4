/** The equity plan's arithmetic (docs/rules.md §1) function by function, edges included. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { configFromInput } from "./config.ts";
import {
  applyGrant,
  computeGrant,
  type EquityState,
  equityForStable,
  initialEquityState,
  meetsExitQuota,
  priceRatio,
  redeemCost,
  refundBuyback,
  sellProceeds,
  stableValue,
  withInitialPrice,
  withPoolAndSupply,
} from "./equity.ts";
import { parseDecimal } from "./money.ts";

const d = (text: string) => parseDecimal(text);
const equityConfig = (patch: Record<string, string> = {}) => configFromInput({ equity: patch }).config.equity;
const state = (pool: string, supply: string, issued = supply): EquityState => ({
  pool: d(pool),
  supply: d(supply),
  issued: d(issued),
  priceNum: d("1"),
  priceDen: d("1"),
});
const invariantFails = (fn: () => unknown, message: string) =>
  assert.throws(fn, { message: `invariant violated: ${message}` });

test("the initial state prices at the initial price; a new initial price counts only before any issue", () => {
  const initial = initialEquityState(equityConfig({ initialPrice: "2" }));
  assert.deepEqual(initial, { pool: 0n, supply: 0n, issued: 0n, priceNum: d("2"), priceDen: d("1") });
  assert.deepEqual(priceRatio(initial), [d("2"), d("1")]);
  const repriced = withInitialPrice(initial, equityConfig({ initialPrice: "3" }));
  assert.deepEqual(priceRatio(repriced), [d("3"), d("1")]);
  // Points were issued and all sold: S = 0 but the remembered price stays.
  const soldOut: EquityState = {
    pool: d("9"),
    supply: 0n,
    issued: d("21"),
    priceNum: d("30"),
    priceDen: d("21"),
  };
  assert.equal(withInitialPrice(soldOut, equityConfig({ initialPrice: "3" })), soldOut);
  const live = state("30", "21");
  assert.equal(withInitialPrice(live, equityConfig({ initialPrice: "3" })), live);
  assert.deepEqual(priceRatio(live), [d("30"), d("21")]);
});

test("withPoolAndSupply remembers P/S just before S reaches 0, and refuses negatives", () => {
  const s = state("30", "21");
  assert.deepEqual(withPoolAndSupply(s, d("3"), 0n), {
    ...s,
    pool: d("3"),
    supply: 0n,
    priceNum: d("30"),
    priceDen: d("21"),
  });
  assert.deepEqual(withPoolAndSupply(s, d("31"), d("22")), { ...s, pool: d("31"), supply: d("22") });
  invariantFails(() => withPoolAndSupply(s, -1n, 0n), "pool and supply stay non-negative");
  invariantFails(() => withPoolAndSupply(s, 0n, -1n), "pool and supply stay non-negative");
  assert.deepEqual(withPoolAndSupply(s, 0n, 0n).pool, 0n, "zero is allowed");
});

test("computeGrant: contribution, points at the price before it, the cap cut buyer first, exit quota", () => {
  const config = equityConfig({ referrerShare: "0.2", totalSupply: "100" });
  const s = state("30", "21"); // price 30 / 21
  const grant = computeGrant(s, config, d("100"), true);
  assert.equal(grant.contribution, d("30"));
  assert.equal(grant.buyerPoints, d("14.7")); // 30 × 0.7 × 21 / 30
  assert.equal(grant.referrerPoints, d("4.2"));
  assert.equal(grant.exitQuota, d("300"));
  assert.equal(computeGrant(s, config, d("100"), false).referrerPoints, 0n);
  // Room 100 − 90 = 10: the buyer takes 10, the referrer nothing.
  const nearCap = computeGrant(state("30", "21", "90"), config, d("100"), true);
  assert.deepEqual([nearCap.buyerPoints, nearCap.referrerPoints], [d("10"), 0n]);
  // Room 100 − 84 = 16: the buyer's 14.7 first, the referrer the 1.3 left.
  const partial = computeGrant(state("30", "21", "84"), config, d("100"), true);
  assert.deepEqual([partial.buyerPoints, partial.referrerPoints], [d("14.7"), d("1.3")]);
  // More issued than the cap (the cap was lowered): nothing is issued, the contribution still counts.
  const over = computeGrant(state("30", "21", "150"), config, d("100"), true);
  assert.deepEqual([over.contribution, over.buyerPoints, over.referrerPoints], [d("30"), 0n, 0n]);
  // Rounded down to 6 places in one step: 0.3 × 0.7 / 3 = 0.07 per yuan.
  const thirds = computeGrant(state("3", "1"), equityConfig(), d("0.01"), false);
  assert.equal(thirds.buyerPoints, d("0.0007"));
  const odd = computeGrant(state("7", "3"), equityConfig(), d("0.01"), false); // 0.0021 × 3 / 7
  assert.equal(odd.buyerPoints, 900n);
});

test("computeGrant at a zero price issues nothing", () => {
  const zero: EquityState = { pool: 0n, supply: d("5"), issued: d("5"), priceNum: 0n, priceDen: 1n };
  const grant = computeGrant(zero, equityConfig({ referrerShare: "0.3" }), d("100"), true);
  assert.deepEqual([grant.buyerPoints, grant.referrerPoints], [0n, 0n]);
  assert.equal(equityForStable(zero, d("10")), 0n);
});

test("applyGrant: P += c, S += issued − burned at once, I += issued", () => {
  const s = state("30", "21");
  const grant = {
    contribution: d("30"),
    buyerPoints: d("14.7"),
    referrerPoints: d("4.2"),
    exitQuota: d("300"),
  };
  const next = applyGrant(s, grant, d("2"));
  assert.deepEqual([next.pool, next.supply, next.issued], [d("60"), d("37.9"), d("39.9")]);
});

test("refundBuyback: P × n / S rounded down; nothing for nothing; only points in circulation", () => {
  assert.equal(refundBuyback(state("60", "35.7"), d("21")), d("35.294117"));
  assert.equal(refundBuyback(state("0", "0"), 0n), 0n);
  assert.equal(refundBuyback(state("60", "35.7"), d("35.7")), d("60"));
  invariantFails(() => refundBuyback(state("0", "0"), 1n), "points taken back are in circulation");
  invariantFails(
    () => refundBuyback(state("60", "35.7"), d("35.700001")),
    "points taken back are in circulation",
  );
});

test("sellProceeds: n × P / S × (1 − fee) down to the fen; only points in circulation", () => {
  assert.equal(sellProceeds(state("30", "21"), d("1"), d("0.1")), d("1.28")); // 1.2857… × 0.9 = 1.2857
  assert.equal(sellProceeds(state("30", "21"), d("21"), 0n), d("30"));
  assert.equal(sellProceeds(state("30", "21"), d("0.006"), 0n), 0n, "worth less than a fen: nothing");
  invariantFails(() => sellProceeds(state("0", "0"), 0n, 0n), "a sale needs points in circulation");
  invariantFails(
    () => sellProceeds(state("30", "21"), d("21.000001"), 0n),
    "a sale needs points in circulation",
  );
  invariantFails(
    () => sellProceeds(state("30", "21"), d("21"), -d("0.5")),
    "a sale never pays more than the pool",
  );
});

test("redeemCost: a × (1 + fee) / p rounded up; needs a price", () => {
  assert.equal(redeemCost(state("30", "21"), d("30"), 0n), d("21"));
  assert.equal(redeemCost(state("30", "21"), d("10"), d("0.05")), d("7.35"));
  assert.equal(redeemCost(state("30", "21"), d("0.01"), 0n), 7000n);
  assert.equal(redeemCost(state("30", "20"), d("0.01"), 0n), 6667n, "6666.67 rounds up");
  invariantFails(() => redeemCost(state("0", "0"), d("1"), 0n), "redeeming needs a price");
  invariantFails(() => redeemCost(state("0", "5"), d("1"), 0n), "redeeming needs a price");
});

test("stable points: n × p and s / p, both rounded down, at the remembered price when S = 0", () => {
  assert.equal(stableValue(state("30", "21"), d("7")), d("10"));
  assert.equal(stableValue(state("10", "3"), d("1")), d("3.333333"));
  assert.equal(equityForStable(state("10", "3"), d("10")), d("3"));
  assert.equal(equityForStable(state("30", "21"), d("1")), d("0.7"));
  assert.equal(equityForStable(state("30", "21"), 1n), 0n, "0.7 micro-points round down");
  const soldOut: EquityState = {
    pool: 0n,
    supply: 0n,
    issued: d("21"),
    priceNum: d("30"),
    priceDen: d("21"),
  };
  assert.equal(stableValue(soldOut, d("7")), d("10"));
  assert.equal(equityForStable(soldOut, d("10")), d("7"));
});

test("meetsExitQuota: held × p ≥ quota > 0, held > 0", () => {
  const s = state("30", "21");
  assert.equal(meetsExitQuota(s, d("21"), d("30")), true, "exactly worth the quota");
  assert.equal(meetsExitQuota(s, d("21"), d("30.000001")), false);
  assert.equal(meetsExitQuota(s, d("21"), 0n), false);
  assert.equal(meetsExitQuota(s, 0n, d("1")), false);
  assert.equal(meetsExitQuota(s, -1n, -1n), false);
  assert.equal(meetsExitQuota(s, d("1"), -1n), false);
});
