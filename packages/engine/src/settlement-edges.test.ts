/**
 * Edges of the daily settlement (settlement.ts) that random scenarios rarely reach:
 * - the 64-bit columns: each sum that could outgrow its column stops with an error naming
 *   it and the value, and a sum of exactly 2^63 − 1 µ is stored (the limits, limits.ts,
 *   keep real input far below; the checks are the last guard against a silent wrap:
 *   2^63 stored in a BigInt64Array reads −2^63);
 * - a referral forest that is not one; more star levels than the bit mask covers;
 * - figures exactly at a star level's or a tier's minimum.
 * settlement.property.test.ts checks whole days against a reference.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { configFromInput, type ReleaseConfig } from "./config.ts";
import { INT64_MAX } from "./limits.ts";
import { SCALE } from "./money.ts";
import {
  cycleDividends,
  type SettlementInput,
  settleDay,
  shareEntitlements,
  shareGenerations,
  splitShare,
  starLevels,
  teamEntitlements,
  teamPerformance,
  topDownOrder,
} from "./settlement.ts";

const HALF = 2n ** 62n; // HALF + HALF = 2^63 = INT64_MAX + 1
const { release: defaultRelease, cycle } = configFromInput().config;

/** Asserts `run` throws the 64-bit error for `what` holding `value`. */
function overflows(run: () => unknown, what: string, value: bigint): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.equal(
      e.message,
      `invariant violated: ${what} ${value} µ is outside the 64-bit range of the settlement's columns`,
    );
    return true;
  });
}

const tree = (...parents: number[]) => Int32Array.from(parents);
const column = (...values: bigint[]) => BigInt64Array.from(values);

test("team performance: a downline summing to 2^63 − 1 is stored, one more stops naming it", () => {
  const parent = tree(-1, 0, 0);
  const order = topDownOrder(parent);
  assert.deepEqual(Array.from(teamPerformance(parent, column(0n, HALF, HALF - 1n), order)), [
    INT64_MAX,
    0n,
    0n,
  ]);
  overflows(() => teamPerformance(parent, column(0n, HALF, HALF), order), "team performance", 2n ** 63n);
});

/** A settlement input of members with the given parents and release orders [member, remaining, base]. */
function input(parent: Int32Array, orders: [number, bigint, bigint][]): SettlementInput {
  const n = parent.length;
  return {
    memberCount: n,
    parent,
    ownPerformance: new BigInt64Array(n),
    orderMember: Int32Array.from(orders.map((o) => o[0])),
    orderRemaining: BigInt64Array.from(orders.map((o) => o[1])),
    orderBase: BigInt64Array.from(orders.map((o) => o[2])),
    quota: new BigInt64Array(n),
    weight: new BigInt64Array(n),
    cycleSales: 0n,
  };
}

test("a member's static release and gift left: each may reach 2^63 − 1, one more stops naming the one past it", () => {
  const noShare: ReleaseConfig = { ...defaultRelease, shareRates: [], starLevels: [] };
  // Gift left: two orders releasing nothing (base 0) whose gifts sum past the column.
  const atGift = settleDay(
    input(tree(-1), [
      [0, HALF, 0n],
      [0, HALF - 1n, 0n],
    ]),
    noShare,
    cycle,
  );
  assert.equal(atGift.orderRemaining[1], HALF - 1n);
  overflows(
    () =>
      settleDay(
        input(tree(-1), [
          [0, HALF, 0n],
          [0, HALF, 0n],
        ]),
        noShare,
        cycle,
      ),
    "a member's static release or gift",
    2n ** 63n,
  );
  // Static release: two orders each releasing all they hold.
  const atStatic = settleDay(
    input(tree(-1), [
      [0, HALF, HALF],
      [0, HALF - 1n, HALF],
    ]),
    noShare,
    cycle,
  );
  assert.equal(atStatic.static[0], INT64_MAX);
  overflows(
    () =>
      settleDay(
        input(tree(-1), [
          [0, HALF, HALF],
          [0, HALF, HALF],
        ]),
        noShare,
        cycle,
      ),
    "a member's static release or gift",
    2n ** 63n,
  );
});

test("a generation's static releases: two referrals' releases may reach 2^63 − 1, not more", () => {
  const parent = tree(-1, 0, 0);
  const order = topDownOrder(parent);
  const at = shareGenerations(parent, column(0n, HALF, HALF - 1n), order, 1);
  assert.equal(at.sums[0], INT64_MAX);
  assert.equal(at.sources[0], -2);
  overflows(
    () => shareGenerations(parent, column(0n, HALF, HALF), order, 1),
    "a generation's static releases",
    2n ** 63n,
  );
});

test("a share entitlement past 2^63 − 1 (two generations at rate 1) stops naming it", () => {
  const parent = tree(-1, 0, 1);
  const order = topDownOrder(parent);
  const rates = [SCALE, SCALE];
  // A's generations: B's INT64_MAX − 1 and C's 1 → exactly INT64_MAX.
  assert.equal(shareEntitlements(parent, column(0n, INT64_MAX - 1n, 1n), order, rates)[0], INT64_MAX);
  overflows(
    () => shareEntitlements(parent, column(0n, INT64_MAX, 1n), order, rates),
    "a share entitlement",
    INT64_MAX + 1n,
  );
});

test("the static releases arriving from a downline: each state's sum may reach 2^63 − 1, not more", () => {
  const release: ReleaseConfig = {
    ...defaultRelease,
    starLevels: [{ name: "s", minPerformance: 1n, rate: 0n }],
    peerRate: 0n,
  };
  const none = (n: number) => new Int8Array(n).fill(-1);
  // Two referrals' own releases arrive at their referrer together.
  const two = tree(-1, 0, 0, 1);
  const order2 = topDownOrder(two);
  teamEntitlements(two, column(0n, HALF, HALF - 1n, 0n), order2, none(4), release);
  overflows(
    () => teamEntitlements(two, column(0n, HALF, HALF, 0n), order2, none(4), release),
    "the static releases arriving from a downline",
    2n ** 63n,
  );
  // Releases passed on from further down: A ← B ← D and A ← C ← E, D's and E's arrive at A.
  const deep = tree(-1, 0, 0, 1, 2);
  const order3 = topDownOrder(deep);
  teamEntitlements(deep, column(0n, 0n, 0n, HALF, HALF - 1n), order3, none(5), release);
  overflows(
    () => teamEntitlements(deep, column(0n, 0n, 0n, HALF, HALF), order3, none(5), release),
    "the static releases arriving from a downline",
    2n ** 63n,
  );
});

test("the settlement refuses a referral forest that is not one: a cycle, an unknown referrer, a parent column of the wrong length", () => {
  const notTree = {
    message: "invariant violated: referrer links form a tree (no cycles, every referrer known)",
  };
  assert.throws(() => topDownOrder(tree(1, 0)), notTree);
  assert.throws(() => topDownOrder(tree(-1, 2, 1)), notTree);
  assert.throws(() => topDownOrder(tree(-1, 0, 5)), notTree);
  assert.deepEqual(Array.from(topDownOrder(tree(2, -1, 1, 0))), [1, 2, 0, 3]);
  const wrong = { ...input(tree(-1, 0), []), memberCount: 3 };
  assert.throws(() => settleDay(wrong, defaultRelease, cycle), {
    message: "invariant violated: one parent per member",
  });
});

test("more than 15 star levels: a level-16 peer above a level-16 member is paid (the bit mask covers 15 levels only)", () => {
  // 17 levels, rates 1% … 17%; A ← B ← C, A and B at level 16 (the 17th), C releases 100.
  const starLevels = Array.from({ length: 17 }, (_, i) => ({
    name: `L${i}`,
    minPerformance: BigInt(i + 1),
    rate: BigInt(i + 1) * 10_000n,
  }));
  const release: ReleaseConfig = { ...defaultRelease, starLevels, peerRate: 30_000n };
  const parent = tree(-1, 0, 1);
  const star = Int8Array.from([16, 16, -1]);
  const { team, peer } = teamEntitlements(
    parent,
    column(0n, 0n, 100n * SCALE),
    topDownOrder(parent),
    star,
    release,
  );
  // B: 17% of 100; A: B's peer, 3% of 100.
  assert.deepEqual(Array.from(team), [0n, 17n * SCALE, 0n]);
  assert.deepEqual(Array.from(peer), [3n * SCALE, 0n, 0n]);
});

test("a star level is reached at exactly its minimum team performance", () => {
  const levels = starLevels(
    column(49_999_999_999n, 50_000n * SCALE, 200_000n * SCALE - 1n, 200_000n * SCALE, 0n),
    defaultRelease,
  );
  assert.deepEqual(Array.from(levels), [-1, 0, 0, 1, -1]);
  // Every level up to the last one.
  const top = starLevels(column(30_000_000n * SCALE, INT64_MAX), defaultRelease);
  assert.deepEqual(Array.from(top), [6, 6]);
});

test("a tier is reached at exactly its minimum weight; members without quota take no part", () => {
  const pool = {
    name: "t",
    split: "tiers" as const,
    tiers: [
      { name: "V1", minWeight: 10n * SCALE, rate: 100_000n },
      { name: "V2", minWeight: 20n * SCALE, rate: 100_000n },
    ],
  };
  const n = 5;
  const result = cycleDividends(
    {
      ...input(new Int32Array(n).fill(-1), []),
      // Quota: the last member has none (its weight would put it in V2).
      quota: column(1000n * SCALE, 1000n * SCALE, 1000n * SCALE, 1000n * SCALE, 0n),
      weight: column(10n * SCALE - 1n, 10n * SCALE, 20n * SCALE - 1n, 20n * SCALE, 50n * SCALE),
      cycleSales: 1000n * SCALE,
    },
    { ...cycle, pools: [pool] },
  );
  // Each tier is 10% of 1,000 = 100: V1 split between members 1 and 2, V2 all to member 3.
  assert.deepEqual(Array.from(result.dividend), [0n, 50n * SCALE, 50n * SCALE, 100n * SCALE, 0n]);
  assert.deepEqual(
    result.pools.map((p) => [p.name, p.tier, p.amount, p.members]),
    [
      ["t", "V1", 100n * SCALE, 2],
      ["t", "V2", 100n * SCALE, 1],
    ],
  );
});

test("a static release's order is the one that released something; an order releasing 0 does not count", () => {
  const noShare: ReleaseConfig = { ...defaultRelease, shareRates: [], starLevels: [] };
  // Member 0: an order with a base of 0, then one releasing 5; member 1: two releasing; member 2: none.
  const result = settleDay(
    input(tree(-1, -1, -1), [
      [0, 10n, 0n],
      [0, 10n, 5n],
      [1, 10n, 1n],
      [1, 10n, 1n],
    ]),
    noShare,
    cycle,
  );
  assert.deepEqual(Array.from(result.staticOrder), [1, -2, -1]);
  assert.deepEqual(Array.from(result.static), [5n, 2n, 0n]);
});

test("splitShare: each generation its rounded-down part, the rounding left to the first that earned, a capped share from the first", () => {
  const half = 500_000n;
  // 1 µ at 50% in each of two generations: parts 0 and 0, the 1 µ of rounding to generation 1.
  assert.deepEqual(Array.from(splitShare(column(1n), column(1n, 1n), [half, half])), [1n, 0n]);
  // Generation 1 earns nothing at rate 0: the rounding goes to generation 2, the first that earned.
  assert.deepEqual(Array.from(splitShare(column(1n), column(5n, 1n, 1n), [0n, half, half])), [0n, 1n, 0n]);
  // A share capped below the entitlement is taken from the first generations.
  assert.deepEqual(Array.from(splitShare(column(3n), column(4n, 4n), [SCALE, SCALE])), [3n, 0n]);
  assert.deepEqual(Array.from(splitShare(column(6n), column(4n, 4n), [SCALE, SCALE])), [4n, 2n]);
  // Two members, member-major; nothing paid, nothing split.
  assert.deepEqual(Array.from(splitShare(column(0n, 8n), column(9n, 9n, 4n, 4n), [SCALE, SCALE])), [
    0n,
    0n,
    4n,
    4n,
  ]);
});
