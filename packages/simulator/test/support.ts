/** Test helpers: small plans, and the replay of a simulation's events stepped day by day. */
import {
  applyEvent,
  Engine,
  formatDecimal,
  mulRateFloor,
  PlatformAccount,
  parseDecimal,
} from "@jifen/engine";
import { parsePlan, type ReplayEvent, type SimulationPlan } from "../src/index.ts";

/** A small shop using every plan and every behaviour. */
export function smallPlan(overrides: Record<string, unknown> = {}): SimulationPlan {
  return parsePlan({
    days: "20",
    seed: "7",
    startMembers: "5",
    growth: { curve: "constant", perDay: "2.5" },
    referrer: "preferential",
    purchases: {
      ordersPerMemberPerMonth: "6",
      mix: [
        { plans: ["release"], share: "0.3", packages: { 初级会员: "0.8", 中级会员: "0.2" } },
        { plans: ["cycle"], share: "0.3", amounts: ["299", "599"] },
        { plans: ["equity"], share: "0.3", amounts: ["100", "250.5"] },
        { plans: [], share: "0.1", amounts: ["59"] },
      ],
      pointsPaidShare: "0.5",
    },
    behaviour: { equitySellShare: "0.2", cashWithdrawShare: "0.5" },
    params: {},
    ...overrides,
  });
}

/** Params that reach every rule in a small shop: a referrer share, low star thresholds. */
export const SMALL_PARAMS = {
  equity: { referrerShare: "0.1" },
  release: {
    starLevels: [
      { name: "一星", minPerformance: "500", rate: "0.1" },
      { name: "二星", minPerformance: "3000", rate: "0.2" },
    ],
  },
};

export interface ReplayDay {
  day: number;
  engine: Engine;
  /** Σ of contributions of the equity orders so far (sales × contribution rate, per order). */
  contributionsMicro: bigint;
  /** Σ paid out of the equity pool so far (from the ledger's postings). */
  poolPaidMicro: bigint;
}

/** Replays `events` on a fresh engine and calls `each` after every endOfDay. */
export function stepReplay(
  config: unknown,
  events: readonly ReplayEvent[],
  each: (d: ReplayDay) => void,
): Engine {
  const engine = new Engine(config);
  let contributions = 0n;
  let seen = 0;
  let paid = 0n;
  for (const event of events) {
    applyEvent(engine, event);
    if (event.type === "order" && (event.plans as string[]).includes("equity"))
      contributions += mulRateFloor(parseDecimal(event.amount, 2), engine.config.equity.contributionRate);
    if (event.type !== "endOfDay") continue;
    const txs = engine.book.transactions;
    for (; seen < txs.length; seen++)
      for (const p of txs[seen]?.postings ?? [])
        if (p.account === PlatformAccount.equityPool && p.amount < 0n) paid -= p.amount;
    each({ day: engine.daysSettled, engine, contributionsMicro: contributions, poolPaidMicro: paid });
  }
  return engine;
}

/** Σ over members of a wallet, by scanning every member (not the book's running total). */
export function scan(engine: Engine, wallet: Parameters<Engine["balance"]>[1]): string {
  let sum = 0n;
  for (const id of engine.memberIds()) sum += engine.balance(id, wallet);
  return formatDecimal(sum);
}
