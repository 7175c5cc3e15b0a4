/**
 * One simulation run: a shop driven forward day by day through the engine's
 * own commands (`join`, `order`, `sell`, `adjust`, `endOfDay`, whose
 * settlement is the engine's `settleDay`). The simulator only decides who
 * joins, who buys what and who sells or withdraws, from seeded streams; every
 * reward is the engine's.
 */
import {
  Engine,
  EngineError,
  type EngineOptions,
  FEN,
  floorFen,
  formatDecimal,
  invariant,
  min,
  mulRateFloor,
  type Plan,
  type ReplayOutput,
  renderState,
  SCALE,
} from "@jifen/engine";
import { BigColumn, IntColumn, MemberSet } from "./columns.ts";
import { refusePlan } from "./errors.ts";
import {
  type Cumulative,
  type DayFlows,
  type DayRow,
  dayRow,
  emptyCumulative,
  equityValue,
} from "./metrics.ts";
import type { MixEntry, SimulationPlan } from "./plan.ts";
import { Random, streamSeed } from "./random.ts";

/** A replay event (/work/shared/spec/replay.md) as the simulator emits it. */
export type ReplayEvent = Record<string, unknown>;

/** The member whose payouts were largest, against what they bought. */
export interface LargestMember {
  member: string;
  payouts: string;
  purchases: string;
  payoutsToPurchases: string;
}

export interface RunResult {
  rows: DayRow[];
  largest: LargestMember | null;
  events: ReplayEvent[] | null;
  /** With `events`: the final state as `jifen replay` renders it (every day's settlement included). */
  final: ReplayOutput | null;
}

export interface RunOptions extends EngineOptions {
  /** Collect the generated events in the replay format. */
  readonly events?: boolean;
  /** Benchmarks: a clock, and where the time spent in the engine's `endOfDay` is added up. */
  readonly measure?: { readonly now: () => number; endOfDayMs: number };
  /** Refuse (PLAN_TOO_LARGE) once members summed over the days pass this (a server's bound). */
  readonly maxMemberDays?: number;
  /** Called after each settled day (progress). */
  readonly onDay?: (day: number, days: number) => void;
}

interface Choice {
  readonly plans: Plan[];
  readonly cumulativeMicro: number;
  readonly amounts: readonly bigint[];
  readonly weights: readonly number[] | null;
  /** Whether an order of these plans makes its buyer a holder (equity or cycle), and its referrer (equity). */
  readonly holds: boolean;
  readonly equity: boolean;
}

const memberId = (index: number): string => `m${index + 1}`;

/** Micro-units × SCALE per fen: (cash × share) / PER_FEN is cash × share in whole fen, rounded down. */
const PER_FEN = SCALE * FEN;

/** Carries the fraction of an expected count from day to day: adds `micro` and returns the whole part. */
function carry(acc: { micro: bigint }, micro: bigint): number {
  acc.micro += micro;
  const whole = acc.micro / SCALE;
  acc.micro -= whole * SCALE;
  return Number(whole);
}

/** Resolves the mix against a parameter set: package names become their minimum amounts. */
function resolveMix(mix: readonly MixEntry[], engine: Engine): Choice[] {
  let cumulative = 0n;
  return mix.map((entry, i) => {
    cumulative += entry.shareMicro;
    const byPackage = entry.choices.some((c) => c.package !== null);
    const amounts = entry.choices.map((c, j) => {
      if (c.amountMicro !== null) return c.amountMicro;
      const found = engine.config.release.packages.find((p) => p.name === c.package);
      if (!found) refusePlan("PLAN_UNKNOWN_PACKAGE", `purchases.mix[${i}].packages.${c.package}[${j}]`);
      return found.minAmount;
    });
    let w = 0n;
    const weights = byPackage
      ? entry.choices.map((c) => {
          w += c.shareMicro;
          return Number(w);
        })
      : null;
    const equity = entry.plans.includes("equity");
    const holds = equity || entry.plans.includes("cycle");
    return { plans: [...entry.plans], cumulativeMicro: Number(cumulative), amounts, weights, holds, equity };
  });
}

export class SimulationRun {
  private readonly engine: Engine;
  private readonly mix: Choice[];
  private readonly joins: Random;
  private readonly buys: Random;
  private readonly acts: Random;
  private readonly growthAcc = { micro: 0n };
  private readonly orderAcc = { micro: 0n };
  private readonly sellAcc = { micro: 0n };
  /** Preferential attachment: each member once, plus once per referral. */
  private readonly attachment = new IntColumn();
  /** Each member's referrer index, −1 for none. */
  private readonly referrers = new IntColumn();
  /** Members who may hold equity points or cash (bought in the equity or cycle plan, or referred an equity buyer). */
  private readonly holders = new MemberSet();
  private readonly purchases = new BigColumn();
  private readonly released = new BigColumn();
  private readonly withdrawn = new BigColumn();
  private readonly cum: Cumulative = emptyCumulative();
  private readonly events: ReplayEvent[] | null;
  private members = 0;
  /** Member ids by index, made once (the engine keeps the same strings, looked up without hashing again). */
  private readonly ids: string[] = [];
  private memberDays = 0;
  private flows!: DayFlows;

  constructor(
    private readonly plan: SimulationPlan,
    params: unknown,
    seed: number,
    private readonly options: RunOptions = {},
  ) {
    // Members never leave: the start members over every day is already a lower bound.
    const max = options.maxMemberDays;
    if (max !== undefined && plan.startMembers * plan.days > max)
      refusePlan("PLAN_TOO_LARGE", "days", `startMembers × days > ${max} / 起始会员 × 天数超过 ${max}`);
    this.engine = newEngine(params, options, options.events === true, (index, released) =>
      this.released.add(index, released),
    );
    this.mix = resolveMix(plan.mix, this.engine);
    this.joins = new Random(streamSeed(seed, 1));
    this.buys = new Random(streamSeed(seed, 2));
    this.acts = new Random(streamSeed(seed, 3));
    this.events = options.events ? [] : null;
  }

  /** Runs every day of the plan. */
  run(): RunResult {
    const rows: DayRow[] = [];
    for (let day = 1; day <= this.plan.days; day++) {
      rows.push(this.runDay(day));
      this.options.onDay?.(day, this.plan.days);
    }
    const final = this.events ? renderState(this.engine) : null;
    return { rows, largest: this.largestMember(), events: this.events, final };
  }

  private runDay(day: number): DayRow {
    const before = this.members;
    this.flows = {
      members: 0,
      newMembers: 0,
      orders: 0,
      salesMicro: 0n,
      cashInMicro: 0n,
      withdrawnMicro: 0n,
      equitySoldMicro: 0n,
    };
    if (day === 1) for (let i = 0; i < this.plan.startMembers; i++) this.join(false);
    const newcomers = this.growth(day);
    for (let i = 0; i < newcomers; i++) this.join(true);
    this.flows.members = this.members;
    this.memberDays += this.members;
    const max = this.options.maxMemberDays;
    if (max !== undefined && this.memberDays > max)
      refusePlan(
        "PLAN_TOO_LARGE",
        "days",
        `more than ${max} member-days by day ${day} / 截至第 ${day} 天超过 ${max} 会员·天`,
      );
    this.flows.newMembers = this.members - before;
    const stop = this.plan.purchasesStopDay;
    const orders =
      stop !== null && day >= stop
        ? 0
        : carry(this.orderAcc, (BigInt(this.members) * this.plan.ordersPerMemberPerMonthMicro) / 30n);
    for (let i = 0; i < orders; i++) this.order();
    this.sells();
    this.withdrawals();
    const measure = this.options.measure;
    const started = measure?.now() ?? 0;
    const settlement = this.engine.endOfDay();
    if (measure) measure.endOfDayMs += measure.now() - started;
    this.emit({ type: "endOfDay" });
    return dayRow(this.engine, settlement, this.flows, this.cum);
  }

  /** New members today (the carried expectation of the growth curve; none from the stop day on). */
  private growth(day: number): number {
    const g = this.plan.growth;
    if (g.stopDay !== null && day >= g.stopDay) return 0;
    const m = BigInt(this.members);
    if (g.curve === "constant") return carry(this.growthAcc, g.perDayMicro);
    if (g.curve === "exponential") return carry(this.growthAcc, m * g.rateMicro);
    const ceiling = BigInt(g.ceiling);
    return m >= ceiling ? 0 : carry(this.growthAcc, (m * g.rateMicro * (ceiling - m)) / ceiling);
  }

  private join(referred: boolean): void {
    const index = this.members;
    let referrer: number | undefined;
    if (referred && index > 0) {
      referrer =
        this.plan.referrer === "uniform"
          ? this.joins.below(index)
          : this.attachment.at(this.joins.below(this.attachment.length));
      this.attachment.push(referrer);
    }
    this.attachment.push(index);
    this.referrers.push(referrer ?? -1);
    const id = memberId(index);
    this.ids.push(id);
    const referrerId = referrer === undefined ? undefined : (this.ids[referrer] as string);
    this.engine.join(id, referrerId);
    this.members++;
    if (this.events)
      this.emit(
        referrerId === undefined
          ? { type: "join", member: id }
          : { type: "join", member: id, referrer: referrerId },
      );
  }

  private order(): void {
    const index = this.buys.below(this.members);
    const draw = this.buys.ppm();
    const choice =
      this.mix.find((c) => draw < c.cumulativeMicro) ?? (this.mix[this.mix.length - 1] as Choice);
    const amount = pick(choice, this.buys);
    const id = this.ids[index] as string;
    const points = this.pointsFor(index, amount);
    this.engine.order({ member: id, amount, plans: choice.plans, points: points > 0n ? points : undefined });
    if (this.events) {
      const event: ReplayEvent = {
        type: "order",
        member: id,
        amount: formatDecimal(amount),
        plans: choice.plans,
      };
      if (points > 0n) event.points = formatDecimal(points);
      this.emit(event);
    }
    this.flows.orders++;
    this.flows.salesMicro += amount;
    this.flows.cashInMicro += amount - points;
    this.purchases.add(index, amount);
    if (choice.holds) this.holders.add(index);
    if (choice.equity) {
      const referrer = this.referrers.at(index);
      if (referrer >= 0) this.holders.add(referrer);
    }
  }

  /** The part of an order paid with released points: the plan's share, within what the member holds and the ratio. */
  private pointsFor(index: number, amount: bigint): bigint {
    if (this.plan.pointsPaidShareMicro === 0n) return 0n;
    // Nothing held: nothing paid with points (what follows would give min(want, 0) = 0).
    const held = this.engine.balanceAt(index, "points");
    if (held === 0n) return 0n;
    const want = min(
      mulRateFloor(amount, this.plan.pointsPaidShareMicro),
      mulRateFloor(amount, this.engine.config.release.pointsPayRatio),
    );
    return floorFen(min(want, held));
  }

  /** A share of the holders sell all their equity points (a refused sale is skipped: nothing changed). */
  private sells(): void {
    const count = carry(this.sellAcc, BigInt(this.holders.size) * this.plan.equitySellShareMicro);
    for (let i = 0; i < count; i++) {
      const index = this.holders.list.at(this.acts.below(this.holders.size));
      const id = this.ids[index] as string;
      const held = this.engine.balanceAt(index, "equity");
      if (held <= 0n) continue;
      try {
        this.engine.sell(id, held);
      } catch (error) {
        if (error instanceof EngineError) continue;
        throw error;
      }
      if (this.events) this.emit({ type: "sell", member: id, points: formatDecimal(held) });
      this.flows.equitySoldMicro += held;
    }
  }

  /**
   * Each holder withdraws the plan's share of their cash (to the fen), as
   * adjustments out: one engine batch a day (`adjustEachAt`: the same as one
   * `adjust` per holder, each cash balance read, checked and batched in one
   * pass), one replay event per holder. The batch goes through the holders in
   * index order (the engine's columns in memory order; the result does not
   * depend on the order), the events in the order the holders were first added.
   */
  private withdrawals(): void {
    const share = this.plan.cashWithdrawShareMicro;
    if (share === 0n) return;
    invariant(share > 0n, "a plan's share is not negative");
    let total = 0n;
    const events = this.events ? new Map<number, bigint>() : null;
    // The simulator's members are the engine's, joined in the same order: index i is memberIds()[i].
    this.engine.adjustEachAt(
      "cash",
      this.holders.ascending(),
      (index, cash) => {
        if (cash <= 0n) return 0n;
        // floorFen(mulRateFloor(cash, share)) for cash > 0 and share ≥ 0 (a plan's share): whole fen, in one division.
        const fens = (cash * share) / PER_FEN;
        if (fens === 0n) return 0n;
        const amount = fens * FEN;
        total += amount;
        this.withdrawn.add(index, amount);
        events?.set(index, -amount);
        return -amount;
      },
      "withdrawal",
    );
    this.flows.withdrawnMicro += total;
    if (events)
      for (let k = 0; k < this.holders.size; k++) {
        const index = this.holders.list.at(k);
        const amount = events.get(index);
        if (amount === undefined) continue;
        this.emit({
          type: "adjust",
          member: this.ids[index] as string,
          asset: "cash",
          amount: formatDecimal(amount),
          reason: "withdrawal",
        });
      }
  }

  private emit(event: ReplayEvent): void {
    this.events?.push(event);
  }

  /** The member with the largest payouts: released points, cash received, equity and stable points held at the last price. */
  private largestMember(): LargestMember | null {
    let best: { index: number; payouts: bigint } | null = null;
    for (let i = 0; i < this.members; i++) {
      const payouts =
        this.released.at(i) +
        this.engine.balanceAt(i, "cash") +
        this.withdrawn.at(i) +
        equityValue(this.engine, this.engine.balanceAt(i, "equity")) +
        this.engine.balanceAt(i, "stable");
      if (best === null || payouts > best.payouts) best = { index: i, payouts };
    }
    if (best === null) return null;
    const purchases = this.purchases.at(best.index);
    return {
      member: memberId(best.index),
      payouts: formatDecimal(best.payouts),
      purchases: formatDecimal(purchases),
      payoutsToPurchases: purchases === 0n ? "" : formatFixedRatio(best.payouts, purchases),
    };
  }
}

function formatFixedRatio(a: bigint, b: bigint): string {
  const r = (a * 10_000n) / b;
  return `${r / 10_000n}.${String(r % 10_000n).padStart(4, "0")}`;
}

function pick(choice: Choice, random: Random): bigint {
  if (choice.weights === null) return choice.amounts[random.below(choice.amounts.length)] as bigint;
  const draw = random.ppm();
  const at = choice.weights.findIndex((w) => draw < w);
  return choice.amounts[at < 0 ? choice.amounts.length - 1 : at] as bigint;
}

/**
 * The run's engine: it keeps neither transactions nor past settlements, unless the final state is rendered;
 * each member's released points of a settled day are told to `released`.
 */
function newEngine(
  params: unknown,
  options: EngineOptions,
  render: boolean,
  released: NonNullable<EngineOptions["onSettledMember"]>,
): Engine {
  try {
    return new Engine(params, {
      keepTransactions: options.keepTransactions ?? false,
      keepSettlements: options.keepSettlements ?? render,
      onSettledMember: released,
      ...(options.settleDay ? { settleDay: options.settleDay } : {}),
    });
  } catch (error) {
    if (error instanceof EngineError) refusePlan("PLAN_PARAMS_INVALID", "params", error.message);
    throw error;
  }
}
