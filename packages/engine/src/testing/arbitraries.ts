/**
 * fast-check generators for property tests of the engine (a test helper, not
 * part of the engine's surface).
 *
 * `scenarioArb` produces replay scenarios (docs/rules.md "Replay"): a config override and a
 * list of events. The random choices are drawn first ("raw steps": which member,
 * which fraction of a balance, which plans…) and are then turned into concrete
 * events by running them through a shadow `Engine`, so that sells, conversions,
 * payments and points spent are sized from what the member really holds. A few
 * steps deliberately overshoot (selling more than held, refunding an unknown
 * order, an invalid `setConfig`…): those events are refused, and `accepted`
 * records which ones were. `acceptedOnly` drops them, giving a scenario that
 * `runScenario` replays to the end.
 *
 * `settlementCaseArb` produces inputs for `settleDay` directly: a random forest
 * (including deep chains) with member labels in random order, orders in FIFO
 * order, quotas, weights and the day's sales.
 */
import fc from "fast-check";
import { type ConfigInput, type CycleConfig, configFromInput, type ReleaseConfig } from "../config.ts";
import { Engine, PLANS } from "../engine.ts";
import { EngineError } from "../errors.ts";
import { FEN, formatDecimal, SCALE } from "../money.ts";
import { applyEvent } from "../replay.ts";
import type { SettlementInput } from "../settlement.ts";

// ---- run parameters ---------------------------------------------------------------

/**
 * fast-check parameters for a property: `numRuns` scaled by JIFEN_PROPERTY_SCALE
 * (default 1); FC_SEED and FC_PATH replay a reported failure. fast-check prints
 * the seed and path of every failure. JIFEN_PROPERTY_NO_SHRINK=1 skips shrinking.
 */
export function propertyParams(numRuns: number): {
  numRuns: number;
  seed?: number;
  path?: string;
  endOnFailure?: boolean;
} {
  const env: Record<string, string | undefined> =
    (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
  const scale = Number(env.JIFEN_PROPERTY_SCALE ?? "1");
  const params: { numRuns: number; seed?: number; path?: string; endOnFailure?: boolean } = {
    numRuns: Math.max(1, Math.round(numRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1))),
  };
  if (env.FC_SEED !== undefined && env.FC_SEED !== "") params.seed = Number(env.FC_SEED);
  if (env.FC_PATH !== undefined && env.FC_PATH !== "") params.path = env.FC_PATH;
  // The mutation run only needs to know that a property fails, not its smallest counterexample.
  if (env.JIFEN_PROPERTY_NO_SHRINK === "1") params.endOnFailure = true;
  return params;
}

// ---- configuration -------------------------------------------------------------------

const SMALL_STAR_LEVELS = [
  { name: "一星", minPerformance: "1000", rate: "0.1" },
  { name: "二星", minPerformance: "5000", rate: "0.2" },
  { name: "三星", minPerformance: "20000", rate: "0.3" },
];
const TWO_STAR_LEVELS = [
  { name: "S1", minPerformance: "2000", rate: "0.1" },
  { name: "S2", minPerformance: "8000", rate: "0.15" },
];
/** Two levels with the same rate: a higher level does not take over as V. */
const FLAT_STAR_LEVELS = [
  { name: "A", minPerformance: "1000", rate: "0.1" },
  { name: "B", minPerformance: "3000", rate: "0.1" },
  { name: "C", minPerformance: "9000", rate: "0.3" },
];
/** Rates that do not increase with the level (allowed by docs/rules.md §4; only thresholds must increase). */
const UNEVEN_STAR_LEVELS = [
  { name: "X1", minPerformance: "500", rate: "0.3" },
  { name: "X2", minPerformance: "5000", rate: "0.1" },
  { name: "X3", minPerformance: "20000", rate: "0.4" },
];
const SMALL_PACKAGES = [
  { name: "P1", minAmount: "100", multiple: "2" },
  { name: "P2", minAmount: "1000", multiple: "3" },
  { name: "P3", minAmount: "3000", multiple: "1" },
];
const SMALL_TIER_POOLS = [
  { name: "static", rate: "0.3", split: "weighted" },
  {
    name: "dynamic",
    split: "tiers",
    tiers: [
      { name: "V1", minWeight: "1", rate: "0.02" },
      { name: "V2", minWeight: "5", rate: "0.03" },
      { name: "V3", minWeight: "20", rate: "0.05" },
    ],
  },
];
/** Pools worth more than the day's sales: quotas cap the payouts. */
const GREEDY_POOLS = [
  { name: "all", rate: "0.9", split: "weighted" },
  { name: "top", split: "tiers", tiers: [{ name: "T0", minWeight: "0", rate: "0.5" }] },
];

/** Equity-plan overrides; every combination is valid (buyer + referrer share ≤ 1). */
export const equityPatchArb: fc.Arbitrary<ConfigInput> = fc.record(
  {
    referrerShare: fc.constantFrom("0", "0.1", "0.3"),
    buyerShare: fc.constantFrom("0.7", "0.5", "0.6"),
    contributionRate: fc.constantFrom("0.3", "0.1", "0.5"),
    sellFeeRate: fc.constantFrom("0.1", "0", "0.25"),
    redeemFeeRate: fc.constantFrom("0", "0.05"),
    exitQuotaMultiple: fc.constantFrom("3", "0", "2", "0.3", "0.25"),
    totalSupply: fc.constantFrom("100000000", "20000", "800"),
  },
  { requiredKeys: [] },
);

/** Cycle-plan overrides. */
export const cyclePatchArb: fc.Arbitrary<ConfigInput> = fc.record(
  {
    preset: fc.constantFrom("cycle", "energy"),
    quotaMultiple: fc.constantFrom("2", "1", "0", "0.5"),
    weightPerYuan: fc.constantFrom("0.001", "0.01"),
    referralWeightRatio: fc.constantFrom("0", "0.5", "1"),
    pools: fc.constantFrom<unknown[]>(SMALL_TIER_POOLS, GREEDY_POOLS, []),
  },
  { requiredKeys: [] },
);

/** Release-plan overrides, with star levels small enough for team differential and peer bonus to trigger. */
export const releasePatchArb: fc.Arbitrary<ConfigInput> = fc.record(
  {
    packages: fc.constantFrom<unknown[]>(SMALL_PACKAGES),
    dailyRate: fc.constantFrom("0.012", "0.05", "0.2", "0.5"),
    shareRates: fc.constantFrom<string[]>(["0.5", "0.3"], [], ["0.5"], ["0.2", "0.1", "0.05"], ["1", "1"]),
    starLevels: fc.constantFrom<unknown[]>(
      SMALL_STAR_LEVELS,
      SMALL_STAR_LEVELS,
      TWO_STAR_LEVELS,
      FLAT_STAR_LEVELS,
      UNEVEN_STAR_LEVELS,
      [],
    ),
    peerRate: fc.constantFrom("0.03", "0", "0.1"),
    pointsPayRatio: fc.constantFrom("1", "0.5", "0"),
  },
  { requiredKeys: [] },
);

/** A valid config override (docs/rules.md §4): any subset of sections and keys. */
export const configPatchArb: fc.Arbitrary<ConfigInput> = fc.record(
  {
    coolingOffDays: fc.constantFrom(0, 0, 1, 2),
    equity: equityPatchArb,
    cycle: cyclePatchArb,
    release: releasePatchArb,
  },
  { requiredKeys: [] },
);

/** Config patches that docs/rules.md §4 refuses, for `setConfig` events that must change nothing. */
export const invalidConfigPatchArb: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  { equity: { sellFeeRate: "1.5" } },
  { equity: { buyerShare: "0.8", referrerShare: "0.3" } },
  { cycle: { preset: "nope" } },
  { bogus: 1 },
  { coolingOffDays: -1 },
  {
    release: {
      starLevels: [
        { name: "A", minPerformance: "5000", rate: "0.1" },
        { name: "B", minPerformance: "1000", rate: "0.2" },
      ],
    },
  },
);

// ---- scenarios -----------------------------------------------------------------------

export type ScenarioEvent = { type: string } & Record<string, unknown>;

export interface Scenario {
  config: ConfigInput;
  events: ScenarioEvent[];
}

export interface GeneratedScenario extends Scenario {
  /** Per event: whether the shadow engine carried it out (false: refused with an EngineError). */
  accepted: boolean[];
  /** Set when the shadow engine threw something other than a refusal; the events stop at that event. */
  crash?: string;
}

/** A fraction of a balance in per-mille: 1…1000, often exactly 1000 (all), sometimes above (refused). */
const perMilleArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 1000 }) },
  { weight: 2, arbitrary: fc.constant(1000) },
  { weight: 1, arbitrary: fc.integer({ min: 1001, max: 2000 }) },
);

/** An order amount in fen: 0.01 … 60,000 yuan, with the package thresholds themselves. */
export const orderFenArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 100, max: 100_000 }) },
  { weight: 3, arbitrary: fc.integer({ min: 100_000, max: 1_000_000 }) },
  { weight: 3, arbitrary: fc.integer({ min: 1_000_000, max: 6_000_000 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(300_000, 900_000, 2_700_000, 5_100_000, 10_000, 100_000, 500_000, 2_000_000),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 99 }) },
);

type RawStep =
  | { t: "join"; referrer: "root" | "chain" | "unknown" | number; duplicate: boolean }
  | {
      t: "order";
      member: number;
      fen: number;
      plans: string[];
      points: number;
      id: "new" | "none" | "dup";
      numeric: boolean;
    }
  | { t: "refund"; order: number; unknown: boolean }
  | { t: "sell" | "redeem" | "toStable" | "fromStable"; member: number; frac: number }
  | { t: "pay"; member: number; to: number; frac: number }
  | {
      t: "adjust";
      member: number;
      asset: "cash" | "points" | "stable" | "equity";
      add: boolean;
      frac: number;
      fen: number;
      /** Micro-units added below the fen (refused for cash). */
      dust: number;
      reason: boolean;
    }
  | { t: "setConfig"; config: unknown }
  | { t: "endOfDay" }
  /** Every holder sells all its equity points (the supply reaches 0 unless the treasury holds some). */
  | { t: "sellOut" }
  /** A member's whole cash and points taken by adjustments: later refunds leave debts for releases and dividends to repay. */
  | { t: "drain"; member: number }
  /** An order's member drained, the order refunded (debts), the same order placed again (credits that repay them). */
  | { t: "clawback"; order: number };

export interface RawScenario {
  config: ConfigInput;
  steps: RawStep[];
}

const joinStepArb: fc.Arbitrary<RawStep> = fc.record({
  t: fc.constant("join" as const),
  referrer: fc.oneof(
    { weight: 6, arbitrary: fc.constant("root" as const) },
    { weight: 9, arbitrary: fc.constant("chain" as const) },
    { weight: 15, arbitrary: fc.nat() },
    { weight: 1, arbitrary: fc.constant("unknown" as const) },
  ),
  duplicate: fc.oneof(
    { weight: 40, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
});

const plansArb: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 30, arbitrary: fc.subarray([...PLANS] as string[], { minLength: 1 }) },
  { weight: 8, arbitrary: fc.constant<string[]>(["release"]) },
  { weight: 1, arbitrary: fc.constantFrom<string[]>([], ["equity", "lottery"], ["cycle", "cycle"]) },
);

const orderStepArb: fc.Arbitrary<RawStep> = fc.record({
  t: fc.constant("order" as const),
  member: fc.nat(),
  fen: orderFenArb,
  plans: plansArb,
  points: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: perMilleArb }),
  id: fc.oneof(
    { weight: 16, arbitrary: fc.constant("new" as const) },
    { weight: 3, arbitrary: fc.constant("none" as const) },
    { weight: 1, arbitrary: fc.constant("dup" as const) },
  ),
  numeric: fc.oneof(
    { weight: 6, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
});

const refundStepArb: fc.Arbitrary<RawStep> = fc.record({
  t: fc.constant("refund" as const),
  order: fc.nat(),
  unknown: fc.oneof(
    { weight: 12, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
});

const balanceStepArb: fc.Arbitrary<RawStep> = fc.record({
  t: fc.constantFrom("sell" as const, "redeem" as const, "toStable" as const, "fromStable" as const),
  member: fc.nat(),
  frac: perMilleArb,
});

const payStepArb: fc.Arbitrary<RawStep> = fc.record({
  t: fc.constant("pay" as const),
  member: fc.nat(),
  to: fc.nat(),
  frac: perMilleArb,
});

const adjustStepArb: fc.Arbitrary<RawStep> = fc.record({
  t: fc.constant("adjust" as const),
  member: fc.nat(),
  asset: fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom("cash" as const, "points" as const, "stable" as const) },
    { weight: 1, arbitrary: fc.constant("equity" as const) },
  ),
  add: fc.boolean(),
  frac: perMilleArb,
  fen: fc.integer({ min: 1, max: 2_000_000 }),
  dust: fc.oneof(
    { weight: 8, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 9_999 }) },
  ),
  reason: fc.oneof(
    { weight: 12, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
});

const setConfigStepArb: fc.Arbitrary<RawStep> = fc.record({
  t: fc.constant("setConfig" as const),
  config: fc.oneof({ weight: 6, arbitrary: configPatchArb }, { weight: 1, arbitrary: invalidConfigPatchArb }),
});

const stepArb: fc.Arbitrary<RawStep> = fc.oneof(
  { weight: 8, arbitrary: joinStepArb },
  { weight: 30, arbitrary: orderStepArb },
  { weight: 5, arbitrary: refundStepArb },
  { weight: 12, arbitrary: balanceStepArb },
  { weight: 3, arbitrary: payStepArb },
  { weight: 5, arbitrary: adjustStepArb },
  { weight: 3, arbitrary: setConfigStepArb },
  { weight: 14, arbitrary: fc.constant({ t: "endOfDay" as const }) },
  { weight: 1, arbitrary: fc.constant({ t: "sellOut" as const }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("drain" as const), member: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("clawback" as const), order: fc.nat() }) },
);

export interface ScenarioOptions {
  /** Most events after the first joins (default 60). */
  maxSteps?: number;
  /** Most joins at the start (default 8). */
  maxJoins?: number;
}

/** Raw random choices of a scenario; `materialize` turns them into events. */
export function rawScenarioArb(options: ScenarioOptions = {}): fc.Arbitrary<RawScenario> {
  const maxSteps = options.maxSteps ?? 60;
  const maxJoins = options.maxJoins ?? 8;
  return fc
    .record({
      config: configPatchArb,
      joins: fc.array(joinStepArb, { minLength: 1, maxLength: maxJoins, size: "max" }),
      steps: fc.array(stepArb, { maxLength: maxSteps, size: "max" }),
    })
    .map(({ config, joins, steps }) => ({ config, steps: [...joins, ...steps] }));
}

/** Random, valid-ish replay scenarios (see the module comment). */
export function scenarioArb(options: ScenarioOptions = {}): fc.Arbitrary<GeneratedScenario> {
  return rawScenarioArb(options).map(materialize);
}

/** The scenario without the events the engine refused: it replays to the end. */
export function acceptedOnly(scenario: GeneratedScenario): Scenario {
  return { config: scenario.config, events: scenario.events.filter((_, i) => scenario.accepted[i]) };
}

function part(held: bigint, perMille: number): bigint {
  return held > 0n ? (held * BigInt(perMille)) / 1000n : 0n;
}

function yuanText(micro: bigint): string {
  return formatDecimal(micro);
}

/** Runs raw steps through a shadow engine, sizing each event from the balances it sees. */
export function materialize(raw: RawScenario): GeneratedScenario {
  const config = raw.config;
  const events: ScenarioEvent[] = [];
  const accepted: boolean[] = [];
  const engine = new Engine(config);
  const orderIds: string[] = [];
  const ordersById = new Map<string, ScenarioEvent>();
  let nextOrder = 0;
  const newOrderId = () => `o${nextOrder++}`;
  for (const step of raw.steps) {
    const resolved =
      step.t === "clawback"
        ? clawbackEvents(engine, orderIds, ordersById, step.order, newOrderId)
        : resolveStep(engine, step, orderIds, newOrderId);
    for (const event of resolved === undefined ? [] : Array.isArray(resolved) ? resolved : [resolved]) {
      events.push(event);
      const crash = applyShadow(engine, event, accepted);
      if (crash !== undefined) return { config, events, accepted, crash };
      if (accepted.at(-1) && event.type === "order" && typeof event.id === "string") {
        if (!orderIds.includes(event.id)) orderIds.push(event.id);
        ordersById.set(event.id, event);
      }
    }
  }
  return { config, events, accepted };
}

/** Applies one event to the shadow engine, noting whether it was accepted; returns a crash's message. */
function applyShadow(engine: Engine, event: ScenarioEvent, accepted: boolean[]): string | undefined {
  try {
    applyEvent(engine, event);
    accepted.push(true);
    return undefined;
  } catch (error) {
    if (error instanceof EngineError) {
      accepted.push(false);
      return undefined;
    }
    accepted.push(true);
    return error instanceof Error ? error.message : String(error);
  }
}

/** An order step as an event: its member, amount, plans, id (new or a duplicate) and points. */
function orderEvent(
  engine: Engine,
  step: Extract<RawStep, { t: "order" }>,
  member: string,
  orderIds: readonly string[],
  newOrderId: () => string,
): ScenarioEvent {
  const amount = BigInt(step.fen) * FEN;
  const amountText = yuanText(amount);
  const event: ScenarioEvent = {
    type: "order",
    member,
    // A JSON number in the scenario (docs/rules.md "Replay" allows them); the engine reads its decimal text.
    amount: step.numeric ? (JSON.parse(amountText) as number) : amountText,
    plans: step.plans,
  };
  if (step.id === "new" || (step.id === "dup" && orderIds.length === 0)) event.id = newOrderId();
  else if (step.id === "dup") event.id = orderIds[0];
  if (step.points > 0) {
    const held = engine.balance(member, "points");
    const cap = (amount * engine.config.release.pointsPayRatio) / SCALE;
    const room = held < cap ? held : cap;
    const points = step.points > 1000 ? held + 1n : part(room, step.points);
    event.points = formatDecimal(points);
  }
  return event;
}

/** An adjustment step as an event: a credit, or a debit of part of what `member` holds. */
function adjustEvent(engine: Engine, step: Extract<RawStep, { t: "adjust" }>, member: string): ScenarioEvent {
  const unit = step.asset === "cash" ? FEN : 1n;
  let amount: bigint;
  if (step.add) amount = BigInt(step.fen) * FEN + BigInt(step.dust);
  else {
    const wallet = step.asset === "equity" ? "equity" : step.asset;
    const taken = (part(engine.balance(member, wallet), step.frac) / unit) * unit;
    amount = -(taken > 0n ? taken : unit) - BigInt(step.dust);
  }
  return {
    type: "adjust",
    member,
    asset: step.asset,
    amount: formatDecimal(amount),
    reason: step.reason ? "property test" : "",
  };
}

/** Every equity holder sells all it holds (sizes read now; a member an exit sold out first is refused). */
function sellOutEvents(engine: Engine): ScenarioEvent[] {
  return engine
    .memberIds()
    .filter((id) => engine.balance(id, "equity") > 0n)
    .map((id) => ({ type: "sell", member: id, points: formatDecimal(engine.balance(id, "equity")) }));
}

/** A clawback step's events: drain the order's member, refund the order, place it again under a new id. */
function clawbackEvents(
  engine: Engine,
  orderIds: readonly string[],
  ordersById: ReadonlyMap<string, ScenarioEvent>,
  k: number,
  newOrderId: () => string,
): ScenarioEvent[] | undefined {
  const id = orderIds[k % Math.max(1, orderIds.length)];
  const order = id === undefined ? undefined : ordersById.get(id);
  if (id === undefined || order === undefined) return undefined;
  const { points: _points, ...again } = order;
  return [
    ...drainEvents(engine, String(order.member)),
    { type: "refund", order: id },
    { ...again, id: newOrderId() },
  ];
}

/** A member's whole cash and points removed by adjustments. */
function drainEvents(engine: Engine, member: string): ScenarioEvent[] {
  return (["cash", "points"] as const)
    .filter((wallet) => engine.balance(member, wallet) > 0n)
    .map((wallet) => ({
      type: "adjust",
      member,
      asset: wallet,
      amount: formatDecimal(-engine.balance(member, wallet)),
      reason: "property test: drained",
    }));
}

function resolveStep(
  engine: Engine,
  step: RawStep,
  orderIds: readonly string[],
  newOrderId: () => string,
): ScenarioEvent | ScenarioEvent[] | undefined {
  const ids = engine.memberIds();
  const at = (k: number): string => ids[k % ids.length] as string;
  // Mostly a member who holds some of the wallet the step spends (one in five: anyone).
  const holder = (k: number, wallet: "cash" | "points" | "equity" | "stable"): string => {
    const holders = ids.filter((id) => engine.balance(id, wallet) > 0n);
    return holders.length > 0 && k % 5 !== 0 ? (holders[k % holders.length] as string) : at(k);
  };
  if (step.t === "endOfDay") return { type: "endOfDay" };
  if (step.t === "setConfig") return { type: "setConfig", config: step.config };
  if (step.t === "join") {
    const member = step.duplicate && ids.length > 0 ? (ids[0] as string) : `M${ids.length}`;
    const event: ScenarioEvent = { type: "join", member };
    if (step.referrer === "unknown") event.referrer = "nobody";
    else if (step.referrer === "chain" && ids.length > 0) event.referrer = ids[ids.length - 1];
    else if (typeof step.referrer === "number" && ids.length > 0) event.referrer = at(step.referrer);
    return event;
  }
  if (ids.length === 0) return undefined;
  switch (step.t) {
    case "clawback":
      return undefined;
    case "sellOut":
      return sellOutEvents(engine);
    case "drain":
      return drainEvents(engine, holder(step.member, "cash"));
    case "order":
      return orderEvent(engine, step, at(step.member), orderIds, newOrderId);
    case "refund": {
      if (step.unknown) return { type: "refund", order: `missing${step.order}` };
      if (orderIds.length === 0) return undefined;
      return { type: "refund", order: orderIds[step.order % orderIds.length] };
    }
    case "sell":
    case "toStable": {
      const member = holder(step.member, "equity");
      const points = part(engine.balance(member, "equity"), step.frac);
      return { type: step.t, member, points: formatDecimal(points > 0n ? points : 1n) };
    }
    case "redeem": {
      const member = holder(step.member, "equity");
      const { pool, supply } = engine.equity;
      // What the holding buys with the fee: at 1000 per mille the goods cost (nearly) all of it.
      const fee = SCALE + engine.config.equity.redeemFeeRate;
      const worth = supply > 0n ? (engine.balance(member, "equity") * pool * SCALE) / (supply * fee) : 0n;
      const amount = (part(worth, step.frac) / FEN) * FEN;
      return { type: "redeem", member, amount: yuanText(amount > 0n ? amount : FEN) };
    }
    case "fromStable": {
      const member = holder(step.member, "stable");
      const stable = part(engine.balance(member, "stable"), step.frac);
      return { type: "fromStable", member, stable: formatDecimal(stable > 0n ? stable : 1n) };
    }
    case "pay": {
      const member = holder(step.member, "stable");
      const stable = part(engine.balance(member, "stable"), step.frac);
      return { type: "pay", member, to: at(step.to), stable: formatDecimal(stable > 0n ? stable : 1n) };
    }
    case "adjust":
      return adjustEvent(
        engine,
        step,
        step.add || step.asset === "equity" ? at(step.member) : holder(step.member, step.asset),
      );
  }
}

// ---- settlement inputs -----------------------------------------------------------------

/**
 * A random forest of referrer links over `1…maxMembers` members, labelled in a
 * random order (a referrer need not have a lower index than its referrals).
 * Shapes: mixed (roots, chains and random branching) or a single chain of up to
 * `maxChain` members.
 */
export function forestArb(maxMembers: number, maxChain: number = maxMembers): fc.Arbitrary<Int32Array> {
  const choice = fc.oneof(
    { weight: 1, arbitrary: fc.constant(-1) },
    { weight: 3, arbitrary: fc.constant(-2) },
    { weight: 6, arbitrary: fc.nat() },
  );
  const mixed = fc.array(choice, { minLength: 1, maxLength: maxMembers, size: "max" });
  const chain = fc.integer({ min: 1, max: maxChain }).map((n) => new Array<number>(n).fill(-2));
  return fc.oneof({ weight: 4, arbitrary: mixed }, { weight: 1, arbitrary: chain }).chain((choices) => {
    const n = choices.length;
    const created = choices.map((c, i) => (i === 0 || c === -1 ? -1 : c === -2 ? i - 1 : c % i));
    const labels = Array.from({ length: n }, (_, i) => i);
    return fc.shuffledSubarray(labels, { minLength: n, maxLength: n }).map((perm) => {
      const parent = new Int32Array(n);
      created.forEach((p, i) => {
        parent[perm[i] as number] = p >= 0 ? (perm[p] as number) : -1;
      });
      return parent;
    });
  });
}

const RATE_CHOICES = ["0", "0.05", "0.1", "0.2", "0.26", "0.3", "0.5"];

/** Star levels with small, strictly increasing thresholds and any rates (also equal or falling). */
export const starLevelsArb: fc.Arbitrary<ConfigInput[]> = fc
  .array(
    fc.record({
      step: fc.integer({ min: 1, max: 15_000 }),
      rate: fc.constantFrom(...RATE_CHOICES),
    }),
    { maxLength: 5 },
  )
  .chain((levels) =>
    fc.boolean().map((sorted) => {
      const rates = levels.map((l) => l.rate);
      if (sorted) rates.sort((a, b) => Number(a) - Number(b));
      let threshold = 0;
      return levels.map((l, i) => {
        threshold += l.step;
        return { name: `L${i + 1}`, minPerformance: String(threshold), rate: rates[i] as string };
      });
    }),
  );

/** A release config with random star levels, share rates and peer rate. */
export const releaseConfigArb: fc.Arbitrary<ReleaseConfig> = fc
  .record({
    starLevels: fc.oneof(
      { weight: 4, arbitrary: starLevelsArb },
      { weight: 1, arbitrary: fc.constant(SMALL_STAR_LEVELS as ConfigInput[]) },
    ),
    shareRates: fc.array(fc.constantFrom("0", "0.1", "0.3", "0.5", "1"), { maxLength: 4 }),
    peerRate: fc.constantFrom("0.03", "0", "0.1", "1"),
  })
  .map((release) => configFromInput({ release }).config.release);

/** A cycle config from the presets and the small or greedy pools. */
export const cycleConfigArb: fc.Arbitrary<CycleConfig> = cyclePatchArb.map(
  (cycle) => configFromInput({ cycle }).config.cycle,
);

export interface SettlementCase {
  readonly input: SettlementInput;
  readonly release: ReleaseConfig;
  readonly cycle: CycleConfig;
}

const microArb = (maxYuan: number): fc.Arbitrary<bigint> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant(0n) },
    { weight: 4, arbitrary: fc.integer({ min: 1, max: maxYuan * 100 }).map((fen) => BigInt(fen) * FEN) },
    { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: BigInt(maxYuan) * SCALE }) },
  );

const orderArb = fc.oneof(
  {
    weight: 4,
    // A realistic package order: gift a × 2.5, base a × 1.2 %, any part of the gift left.
    arbitrary: fc
      .record({ member: fc.nat(), fen: fc.integer({ min: 300_000, max: 6_000_000 }), left: fc.nat(1000) })
      .map(({ member, fen, left }) => {
        const amount = BigInt(fen) * FEN;
        const gift = (amount * 5n) / 2n;
        const remaining = (gift * BigInt(left)) / 1000n;
        return { member, remaining: remaining > 0n ? remaining : 1n, base: (amount * 12n) / 1000n };
      }),
  },
  {
    weight: 1,
    // Small remainders and bases, remaining below the base, a zero base.
    arbitrary: fc.record({
      member: fc.nat(),
      remaining: fc.bigInt({ min: 1n, max: 300_000_000n }),
      base: fc.bigInt({ min: 0n, max: 200_000_000n }),
    }),
  },
);

/** A random day to settle: forest, own performance, release orders (FIFO), quotas, weights, sales. */
export function settlementCaseArb(maxMembers = 30, maxChain = 60): fc.Arbitrary<SettlementCase> {
  return forestArb(maxMembers, maxChain).chain((parent) => {
    const n = parent.length;
    const column = (arb: fc.Arbitrary<bigint>) =>
      fc.array(arb, { minLength: n, maxLength: n }).map((values) => BigInt64Array.from(values));
    return fc
      .record({
        own: column(microArb(20_000)),
        orders: fc.array(orderArb, { minLength: Math.ceil(n / 2), maxLength: 3 * n, size: "max" }),
        quota: column(microArb(5_000)),
        weight: column(microArb(300)),
        cycleSales: microArb(200_000),
        release: releaseConfigArb,
        cycle: cycleConfigArb,
      })
      .map(({ own, orders, quota, weight, cycleSales, release, cycle }) => ({
        input: {
          memberCount: n,
          parent,
          ownPerformance: own,
          orderMember: Int32Array.from(orders.map((o) => o.member % n)),
          orderRemaining: BigInt64Array.from(orders.map((o) => o.remaining)),
          orderBase: BigInt64Array.from(orders.map((o) => o.base)),
          quota,
          weight,
          cycleSales,
        },
        release,
        cycle,
      }));
  });
}
