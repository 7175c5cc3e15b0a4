/**
 * Seeded random scenarios for the settlement's equivalence tests: a referral
 * tree with a few deep branches, orders in every plan (amounts around the
 * package thresholds, some paid partly with released points), refunds on the
 * day of eligibility and later, a config change, several business days. A
 * shadow engine sizes the points spent and drops events the engine refuses,
 * so every scenario replays to the end.
 */
import { applyEvent, Engine, formatDecimal, mulberry32 } from "@jifen/engine";
import type { ServerScenario } from "./scenario.ts";

/** Small thresholds so that packages, stars, tiers and caps all trigger in a few days. */
export const SMALL_CONFIG = {
  release: {
    packages: [
      { name: "P1", minAmount: "100", multiple: "2" },
      { name: "P2", minAmount: "1000", multiple: "3" },
      { name: "P3", minAmount: "3000", multiple: "1.5" },
    ],
    dailyRate: "0.05",
    shareRates: ["0.5", "0.3"],
    starLevels: [
      { name: "一星", minPerformance: "1000", rate: "0.1" },
      { name: "二星", minPerformance: "5000", rate: "0.2" },
      { name: "三星", minPerformance: "20000", rate: "0.3" },
    ],
    peerRate: "0.1",
    pointsPayRatio: "0.5",
  },
  cycle: {
    quotaMultiple: "1",
    weightPerYuan: "0.01",
    referralWeightRatio: "0.5",
    pools: [
      { name: "static", rate: "0.3", split: "weighted" },
      {
        name: "dynamic",
        split: "tiers",
        tiers: [
          { name: "V1", minWeight: "1", rate: "0.02" },
          { name: "V2", minWeight: "10", rate: "0.05" },
          { name: "V3", minWeight: "50", rate: "0.08" },
        ],
      },
    ],
  },
};

const AMOUNTS = ["50", "100", "250.5", "999.99", "1000", "1500", "3000", "4200", "88.8", "12000"];
const PLAN_SETS: string[][] = [
  ["release"],
  ["release"],
  ["cycle"],
  ["release", "cycle"],
  ["equity"],
  ["equity", "cycle", "release"],
  ["cycle", "equity"],
];

/** A small shop (verify and backup tests): orders in every plan and in none, two settled days, equity trades, a refund after eligibility. */
export const SETTLED_SHOP: ServerScenario = {
  config: { release: SMALL_CONFIG.release, cycle: SMALL_CONFIG.cycle },
  events: [
    { type: "join", member: "A" },
    { type: "join", member: "B", referrer: "A" },
    { type: "join", member: "C", referrer: "B" },
    { type: "order", member: "A", amount: "1000", plans: ["equity"], id: "a1" },
    { type: "order", member: "B", amount: "3000", plans: ["equity", "cycle"], id: "b1" },
    { type: "order", member: "C", amount: "1200", plans: ["release", "cycle"], id: "c1" },
    { type: "order", member: "A", amount: "500", plans: ["cycle"], id: "a2" },
    { type: "order", member: "C", amount: "80", plans: [], id: "c2" },
    { type: "endOfDay" },
    { type: "sell", member: "B", points: "10" },
    { type: "toStable", member: "A", points: "20" },
    { type: "fromStable", member: "A", stable: "5" },
    { type: "pay", member: "A", to: "C", stable: "3" },
    { type: "redeem", member: "B", amount: "15" },
    { type: "order", member: "B", amount: "2000", plans: ["cycle", "release"], id: "b2" },
    { type: "refund", order: "a1" },
    { type: "endOfDay" },
  ],
};

/** A random scenario for `seed`: `members` members over `days` business days. */
export function randomScenario(
  seed: number,
  options: {
    members?: number;
    days?: number;
    equity?: boolean;
    /** Cooling-off days (orders then wait, and some are refunded before they become eligible). */
    coolingOffDays?: number;
    /** Members holding equity points sometimes sell part of them. */
    sells?: boolean;
    /** Some orders are of ordinary goods (no plan). */
    ordinaryGoods?: boolean;
    /** Members also redeem, convert equity ↔ stable points and pay each other in stable points. */
    equityCommands?: boolean;
  } = {},
): ServerScenario {
  const rand = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const memberCount = options.members ?? 14;
  const days = options.days ?? 6;
  const config =
    options.coolingOffDays === undefined
      ? SMALL_CONFIG
      : { ...SMALL_CONFIG, coolingOffDays: options.coolingOffDays };
  const engine = new Engine(config);
  const events: ServerScenario["events"][number][] = [];
  const tryEvent = (event: { type: string } & Record<string, unknown>) => {
    try {
      applyEvent(engine, event);
      events.push(event);
      return true;
    } catch {
      return false;
    }
  };
  const names: string[] = [];
  const orders: string[] = [];
  let orderSeq = 0;
  const join = () => {
    const name = `M${names.length}`;
    // Mostly under a recent member (deep branches), sometimes under anyone, a few roots.
    const referrer =
      names.length === 0 || rand() < 0.08
        ? undefined
        : rand() < 0.5
          ? names[Math.max(0, names.length - 1 - Math.floor(rand() * 3))]
          : pick(names);
    tryEvent({ type: "join", member: name, ...(referrer ? { referrer } : {}) });
    names.push(name);
  };
  for (let i = 0; i < Math.ceil(memberCount / 2); i++) join();
  for (let day = 0; day < days; day++) {
    if (day === Math.floor(days / 2)) {
      tryEvent({
        type: "setConfig",
        config: { release: { dailyRate: "0.1" }, cycle: { quotaMultiple: "2" } },
      });
    }
    if (names.length < memberCount) for (let i = 0; i < 2 && names.length < memberCount; i++) join();
    const orderCount = 2 + Math.floor(rand() * 5);
    for (let k = 0; k < orderCount; k++) {
      const member = pick(names);
      const amount = pick(AMOUNTS);
      let plans = pick(PLAN_SETS);
      if (!options.equity) plans = plans.filter((p) => p !== "equity");
      if (options.ordinaryGoods && rand() < 0.15) plans = [];
      // An empty list stays: an order of ordinary goods (models.md §0 "Orders").
      const id = `o${++orderSeq}`;
      const held = engine.balance(member, "points");
      let points: string | undefined;
      if (held > 0n && rand() < 0.4) {
        const cap = (BigInt(Math.round(Number(amount) * 100)) * 10_000n * 5n) / 10n; // ≤ half the amount
        const want = (held * BigInt(1 + Math.floor(rand() * 1000))) / 1000n;
        const spend = want < cap ? want : cap;
        if (spend > 0n) points = formatDecimal(spend);
      }
      if (tryEvent({ type: "order", member, amount, plans, id, ...(points ? { points } : {}) }))
        orders.push(id);
    }
    // Refunds: one of today's orders (on its eligibility day) or an older one.
    if (orders.length > 0 && rand() < 0.7) {
      const id = rand() < 0.5 ? (orders[orders.length - 1] as string) : pick(orders);
      if (tryEvent({ type: "refund", order: id })) orders.splice(orders.indexOf(id), 1);
    }
    // Sells: a holder of equity points sells part (or all) of them.
    if (options.sells && rand() < 0.6) {
      const holders = names.filter((n) => engine.balance(n, "equity") > 0n);
      if (holders.length > 0) {
        const member = pick(holders);
        const held = engine.balance(member, "equity");
        const points = rand() < 0.2 ? held : (held * BigInt(1 + Math.floor(rand() * 999))) / 1000n;
        if (points > 0n) tryEvent({ type: "sell", member, points: formatDecimal(points) });
      }
    }
    if (options.equityCommands) equityCommands(engine, names, rand, tryEvent);
    tryEvent({ type: "endOfDay" });
  }
  return { config, events };
}

/**
 * A day's member equity commands: a holder redeems goods or converts some
 * equity points into stable points, a stable holder converts some back or
 * pays another member. Sizes are drawn from what the shadow engine holds;
 * refused events (treasury short, price moved) are dropped like any other.
 */
function equityCommands(
  engine: Engine,
  names: readonly string[],
  rand: () => number,
  tryEvent: (event: { type: string } & Record<string, unknown>) => boolean,
): void {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const part = (held: bigint) => (held * BigInt(1 + Math.floor(rand() * 999))) / 1000n;
  const holders = names.filter((n) => engine.balance(n, "equity") > 0n);
  if (holders.length > 0 && rand() < 0.5) {
    const member = pick(holders);
    const held = engine.balance(member, "equity");
    const amount = pick(["1", "9.99", "30", "120.5"]);
    tryEvent({ type: "redeem", member, amount });
    const points = part(engine.balance(member, "equity"));
    if (points > 0n)
      tryEvent({ type: "toStable", member, points: formatDecimal(points < held ? points : held) });
  }
  const stableHolders = names.filter((n) => engine.balance(n, "stable") > 0n);
  if (stableHolders.length > 0 && rand() < 0.6) {
    const member = pick(stableHolders);
    const stable = part(engine.balance(member, "stable"));
    if (stable > 0n) tryEvent({ type: "fromStable", member, stable: formatDecimal(stable) });
    const to = pick(names);
    const rest = part(engine.balance(member, "stable"));
    if (to !== member && rest > 0n) tryEvent({ type: "pay", member, to, stable: formatDecimal(rest) });
  }
}
