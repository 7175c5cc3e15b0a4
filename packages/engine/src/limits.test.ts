/**
 * Limits of every amount and the 64-bit columns of the settlement (issue 8): an order of
 * 5,000,000,000,000 yuan wrapped the settlement's BigInt64Array columns (the referrer lost 七星,
 * the buyer's dividend became 0). Input past a limit is refused with a code; a sum that still
 * outgrows a column throws instead of wrapping.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { configFromInput } from "./config.ts";
import { Engine } from "./engine.ts";
import { EngineError } from "./errors.ts";
import {
  checkInt64,
  INT64_MAX,
  INT64_MIN,
  MAX_ADJUST_AMOUNT_MICRO,
  MAX_COMMAND_AMOUNT_MICRO,
  MAX_MULTIPLE_MICRO,
  MAX_ORDER_AMOUNT_MICRO,
  MAX_PACKAGE_AMOUNT_MICRO,
  MAX_STAR_PERFORMANCE_MICRO,
  MAX_TIER_WEIGHT_MICRO,
} from "./limits.ts";
import { parseDecimal, SCALE } from "./money.ts";
import { ReplayError, runScenario } from "./replay.ts";
import { settleDay, teamPerformance, topDownOrder } from "./settlement.ts";

const d = (text: string) => parseDecimal(text);

test("the limits: 100,000,000 yuan an order and an adjustment; parameters far inside 64 bits", () => {
  assert.equal(MAX_ORDER_AMOUNT_MICRO, 100_000_000n * SCALE);
  assert.equal(MAX_ADJUST_AMOUNT_MICRO, 100_000_000n * SCALE);
  assert.equal(MAX_PACKAGE_AMOUNT_MICRO, MAX_ORDER_AMOUNT_MICRO);
  // One largest order times the largest multiple is exact as a JS number and fits a column 1,800 times.
  assert.ok(MAX_ORDER_AMOUNT_MICRO * (MAX_MULTIPLE_MICRO / SCALE) <= BigInt(Number.MAX_SAFE_INTEGER));
  assert.ok(MAX_ORDER_AMOUNT_MICRO * (MAX_MULTIPLE_MICRO / SCALE) * 1_800n < INT64_MAX);
  assert.ok(MAX_STAR_PERFORMANCE_MICRO < INT64_MAX && MAX_TIER_WEIGHT_MICRO < INT64_MAX);
});

test('each limit has the value docs/rules.md "Limits" states, and the columns\' range is 64 bits', () => {
  assert.equal(MAX_COMMAND_AMOUNT_MICRO, 100_000_000_000_000n);
  assert.equal(MAX_STAR_PERFORMANCE_MICRO, 1_000_000_000_000_000_000n);
  assert.equal(MAX_TIER_WEIGHT_MICRO, 1_000_000_000_000_000_000n);
  assert.equal(MAX_MULTIPLE_MICRO, 50_000_000n);
  assert.equal(INT64_MAX, 9_223_372_036_854_775_807n);
  assert.equal(INT64_MIN, -9_223_372_036_854_775_808n);
  assert.equal(checkInt64(INT64_MIN, "x"), INT64_MIN);
  assert.equal(checkInt64(0n, "x"), 0n);
  assert.throws(
    () => checkInt64(INT64_MIN - 1n, "an order's base"),
    (e: unknown) =>
      e instanceof Error &&
      e.message ===
        `invariant violated: an order's base ${INT64_MIN - 1n} µ is outside the 64-bit range of the settlement's columns`,
  );
});

const scenario = (amount: string) => ({
  events: [
    { type: "join", member: "A" },
    { type: "join", member: "B", referrer: "A" },
    { type: "order", member: "B", amount, plans: ["equity", "cycle", "release"] },
    { type: "endOfDay" },
  ],
});

test("the issue's 5,000,000,000,000-yuan order is refused by the replay with AMOUNT_TOO_LARGE", () => {
  assert.throws(
    () => runScenario(scenario("5000000000000")),
    (e: unknown) =>
      e instanceof ReplayError && e.eventIndex === 2 && /The amount exceeds its limit/.test(e.reason),
  );
  const engine = new Engine();
  engine.join("A");
  assert.throws(
    () => engine.order({ member: "A", amount: MAX_ORDER_AMOUNT_MICRO + 10_000n, plans: [] }),
    (e: unknown) => e instanceof EngineError && e.code === "AMOUNT_TOO_LARGE" && e.field === "amount",
  );
  for (const amount of [MAX_ADJUST_AMOUNT_MICRO + 1n, -(MAX_ADJUST_AMOUNT_MICRO + 1n)])
    assert.throws(
      () => engine.adjust("A", "points", amount, "too much"),
      (e: unknown) => e instanceof EngineError && e.code === "AMOUNT_TOO_LARGE",
    );
  assert.equal(engine.book.transactions.length, 0, "nothing changed");
});

test("an order at the limit settles right: the referrer reaches 七星, the buyer's dividend is paid", () => {
  const { output } = runScenario(scenario("100000000"));
  assert.equal(output.members.A?.star, "七星");
  const day = output.settlements[0]?.members.B;
  // D = 10⁸: static 30% (B is the only weighted member) + V3 6% (weight 100,000 ≥ 201) = 36,000,000.
  assert.equal(day?.dividend, "36000000");
  // The gift 4 × 10⁸ releases 1.2% of the amount a day.
  assert.equal(day?.static, "1200000");
  assert.equal(output.members.B?.gift, "398800000");
  assert.equal(output.members.B?.quota, "164000000");
});

test("a parameter past its limit is refused naming the key", () => {
  const refused: [unknown, string][] = [
    [
      { release: { packages: [{ name: "x", minAmount: "100000000.01", multiple: "1" }] } },
      "release.packages[0].minAmount",
    ],
    [
      { release: { packages: [{ name: "x", minAmount: "1", multiple: "50.000001" }] } },
      "release.packages[0].multiple",
    ],
    [
      { release: { starLevels: [{ name: "x", minPerformance: "1000000000000.01", rate: "0.1" }] } },
      "release.starLevels[0].minPerformance",
    ],
    [
      {
        cycle: {
          pools: [
            { name: "p", split: "tiers", tiers: [{ name: "V", minWeight: "1000000000001", rate: "0.1" }] },
          ],
        },
      },
      "cycle.pools[0].tiers[0].minWeight",
    ],
    [{ cycle: { quotaMultiple: "51" } }, "cycle.quotaMultiple"],
    [{ cycle: { weightPerYuan: "51" } }, "cycle.weightPerYuan"],
    [{ equity: { exitQuotaMultiple: "51" } }, "equity.exitQuotaMultiple"],
  ];
  for (const [patch, key] of refused)
    assert.throws(
      () => configFromInput(patch),
      (e: unknown) =>
        e instanceof EngineError && e.code === "INVALID_CONFIG" && e.field === key && /at most/.test(e.en),
      key,
    );
  // At the limits they are accepted.
  configFromInput({
    release: { packages: [{ name: "x", minAmount: "100000000", multiple: "50" }] },
    cycle: { quotaMultiple: "50" },
  });
});

test("writing past 64 bits into a settlement column throws instead of wrapping", () => {
  assert.equal(checkInt64(INT64_MAX, "x"), INT64_MAX);
  assert.throws(() => checkInt64(INT64_MAX + 1n, "team performance"), /team performance .* 64-bit range/);
  // Two referrals of 2^62 µ each: their referrer's team performance would be 2^63 and wrap to −2^63.
  const parent = Int32Array.from([-1, 0, 0]);
  const own = BigInt64Array.from([0n, 2n ** 62n, 2n ** 62n]);
  assert.throws(() => teamPerformance(parent, own, topDownOrder(parent)), /team performance .* 64-bit range/);
  const wrapped = new BigInt64Array(1);
  wrapped[0] = 2n ** 63n;
  assert.equal(wrapped[0], -(2n ** 63n), "what a BigInt64Array does unchecked");
  const { config } = configFromInput({});
  assert.throws(
    () =>
      settleDay(
        {
          memberCount: 3,
          parent,
          ownPerformance: own,
          orderMember: new Int32Array(0),
          orderRemaining: new BigInt64Array(0),
          orderBase: new BigInt64Array(0),
          quota: new BigInt64Array(3),
          weight: new BigInt64Array(3),
          cycleSales: 0n,
        },
        config.release,
        config.cycle,
      ),
    /64-bit range/,
  );
  // The in-memory engine checks what it stores too: a member's own performance past 2^63 − 1.
  const engine = new Engine();
  engine.join("A");
  for (let i = 0; i < 92_300; i++) engine.order({ member: "A", amount: d("100000000"), plans: [] });
  assert.throws(() => engine.endOfDay(), /own performance .* 64-bit range/);
});
