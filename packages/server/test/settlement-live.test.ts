/**
 * Issue 17: a day settles while clients pay, refund, sell, withdraw and sign
 * up in a loop. Afterwards every member's wallets, debts and stars equal the
 * replay of the same events in their committed order (the day's settlement at
 * its close, then the live commands that succeeded); members no command
 * touched read either their balances before the day's rewards or after them,
 * never a mix; refunds of orders the day is settling are refused
 * (SETTLEMENT_RUNNING) and change nothing; and on PostgreSQL no command waited
 * for the settlement: the slowest is far below the settlement's duration (a
 * ratio in the same run). PGlite has one connection, so there the commands
 * run between the settlement's transactions: the same exactness, no latency claim.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatDecimal, mulberry32, parseDecimal } from "@jifen/engine";
import { ManualClock } from "../src/clock/index.ts";
import { adjustMember } from "../src/members/index.ts";
import { seed } from "../src/seed.ts";
import { type SettleOutcome, settleDue } from "../src/settlement/index.ts";
import { requestWithdrawal } from "../src/wallets/withdrawals.ts";
import { CHEAP_PASSWORDS } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import {
  compareWithReplay,
  type DrivenScenario,
  driveScenario,
  SCENARIO_TZ,
  type ScenarioHost,
  type ServerScenario,
} from "./support/scenario.ts";
import { SMALL_CONFIG } from "./support/scenario-gen.ts";

const START = "2026-01-05T02:00:00.000Z";
type Event = ServerScenario["events"][number];

/** Day 1: `members` join, most buy; day 1 settles; day 2: more orders. The live part settles day 2. */
function baseScenario(members: number, seedNo: number): { events: Event[]; orders: string[] } {
  const rand = mulberry32(seedNo);
  const events: Event[] = [];
  const plans = [["release"], ["cycle"], ["release", "cycle"], ["equity"], ["equity", "cycle", "release"]];
  const amounts = ["100", "250.5", "1000", "1500", "3000", "88.8"];
  for (let i = 0; i < members; i++) {
    const referrer =
      i === 0 || rand() < 0.05 ? undefined : `M${Math.max(0, i - 1 - Math.floor(rand() * 20))}`;
    events.push({ type: "join", member: `M${i}`, ...(referrer ? { referrer } : {}) });
  }
  const orders: string[] = [];
  let n = 0;
  const buy = (share: number) => {
    for (let i = 0; i < members; i++) {
      if (rand() >= share) continue;
      const id = `o${++n}`;
      events.push({
        type: "order",
        member: `M${i}`,
        amount: amounts[Math.floor(rand() * amounts.length)] as string,
        plans: plans[Math.floor(rand() * plans.length)] as string[],
        id,
      });
      orders.push(id);
    }
  };
  buy(0.9);
  events.push({ type: "endOfDay" });
  buy(0.4);
  return { events, orders };
}

async function prepare(host: ScenarioHost): Promise<void> {
  await seed(host.db, {
    adminUsername: "admin",
    adminPassword: "admin-password-1",
    passwords: CHEAP_PASSWORDS,
    products: false,
    now: host.clock.now(),
  });
  await host.db.query(
    "insert into reward_clock (id, open_day) values (1, '2026-01-05') on conflict (id) do nothing",
  );
}

/** A member's non-zero balances as one string (what a balance read shows). */
async function balancesOf(host: ScenarioHost, memberId: string): Promise<string> {
  const rows = await host.db.query<{ account: string; asset: string; amount: string }>(
    "select account, asset, amount::text from balances where member_id = $1::bigint and amount <> 0 order by 1, 2",
    [memberId],
  );
  return JSON.stringify(rows.rows);
}

/** The live loop's state: events that succeeded (in commit order), refusals, latencies. */
interface Live {
  readonly events: Event[];
  readonly refused: Map<string, number>;
  readonly latencies: { ms: number; during: boolean }[];
  settling: boolean;
}

/** One live command, chosen at random; records the event when it commits. */
async function liveCommand(
  host: ScenarioHost,
  driven: DrivenScenario,
  live: Live,
  rand: () => number,
  names: { members: string[]; dayOne: string[]; dayTwo: string[] },
  counter: { order: number; member: number },
): Promise<void> {
  const r = rand();
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)] as T;
  let event: Event;
  let withdrawal: { member: string; amount: bigint } | null = null;
  if (r < 0.45) {
    const id = `live${++counter.order}`;
    event = {
      type: "order",
      member: pick(names.members),
      amount: pick(["100", "300", "1000", "2000"]),
      plans: pick([["release"], ["cycle"], ["equity"], ["equity", "cycle", "release"]]),
      id,
    };
    names.dayTwo.push(id);
  } else if (r < 0.55) event = { type: "refund", order: pick(names.dayOne) };
  else if (r < 0.65 && names.dayTwo.length > 0)
    event = { type: "refund", order: names.dayTwo.shift() as string };
  else if (r < 0.8) event = { type: "sell", member: pick(names.members), points: "1" };
  else if (r < 0.92) {
    const member = pick(names.members);
    withdrawal = { member, amount: 10_000_000n + BigInt(Math.floor(rand() * 5)) * 1_000_000n };
    event = { type: "adjust", member, asset: "cash", amount: formatDecimal(-withdrawal.amount) };
  } else {
    const member = `L${++counter.member}`;
    event = { type: "join", member, referrer: pick(names.members) };
  }
  const started = performance.now();
  const during = live.settling;
  try {
    if (withdrawal) {
      const memberId = driven.members.get(withdrawal.member) as string;
      const amount = withdrawal.amount;
      await host.db.transaction((tx) =>
        requestWithdrawal(tx, { memberId, amount, now: host.clock.now(), timeZone: SCENARIO_TZ }),
      );
    } else {
      const next = await driveScenario(host, { events: [event] }, { from: driven });
      for (const [k, v] of next.members) driven.members.set(k, v);
      for (const [k, v] of next.orders) driven.orders.set(k, v);
    }
    live.events.push(event);
    if (event.type === "refund") names.dayOne = names.dayOne.filter((o) => o !== event.order);
  } catch (error) {
    // A refusal (the server's or the engine's coded error) changes nothing; anything else fails the test.
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string" || !/^[A-Z_]+$/.test(code)) throw error;
    live.refused.set(code, (live.refused.get(code) ?? 0) + 1);
  }
  live.latencies.push({ ms: performance.now() - started, during: during && live.settling });
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

for (const target of dbTargets()) {
  // A few thousand members with LIVE_MEMBERS=3000 (each event is a transaction of its own: the
  // base days take minutes on a loaded machine); the default keeps the suite's time reasonable.
  const members = Number(process.env.LIVE_MEMBERS ?? (target.name === "postgres" ? 600 : 120));
  describe(`a day settles under live traffic on ${target.name}`, () => {
    test("balances equal the replay in committed order; reads never mixed; no command waited", async () => {
      const testDb = await target.open();
      const host: ScenarioHost = { db: testDb.db, clock: new ManualClock(START) };
      try {
        await prepare(host);
        const base = baseScenario(members, 17);
        const scenario: ServerScenario = { config: SMALL_CONFIG, events: base.events };
        const driven = await driveScenario(host, scenario);
        // Members no command touches: their balance reads during the settlement.
        const watched = Array.from({ length: 10 }, (_, i) => `M${members - 1 - i}`);
        const names = {
          members: Array.from({ length: members - watched.length }, (_, i) => `M${i}`),
          dayOne: base.orders.slice(0, 200),
          dayTwo: [] as string[],
        };
        const before = new Map<string, string>();
        for (const m of watched) before.set(m, await balancesOf(host, driven.members.get(m) as string));

        // A few commands of the day itself first (warm paths; their latencies are "outside").
        const rand = mulberry32(99);
        const counter = { order: 0, member: 0 };
        const warm: Live = { events: [], refused: new Map(), latencies: [], settling: false };
        for (let i = 0; i < 8; i++) await liveCommand(host, driven, warm, rand, names, counter);
        names.dayTwo.length = 0;

        host.clock.advance(86_400_000);
        const live: Live = { events: [], refused: new Map(), latencies: [], settling: true };
        const reads = new Map<string, Set<string>>(watched.map((m) => [m, new Set<string>()]));
        const settleStart = performance.now();
        let settleMs = 0;
        // Pauses inside the day's transaction (after its last write) and between apply batches stretch
        // the settlement so that many commands meet it: a command blocked by it would wait them out.
        const pause = (phase: string) =>
          phase === "computed" || phase === "apply"
            ? new Promise<void>((resolve) => setTimeout(resolve, phase === "computed" ? 4000 : 400))
            : undefined;
        const settlement = settleDue(host.db, {
          now: host.clock.now(),
          timeZone: SCENARIO_TZ,
          afterBatch: pause,
          applyRows: 400,
        }).then((outcomes: SettleOutcome[]) => {
          settleMs = performance.now() - settleStart;
          live.settling = false;
          return outcomes;
        });
        // Commands start once the day has closed (those before belong to the day itself).
        while (live.settling && (await host.db.query("select 1 from settlement_open")).rows.length === 0)
          await new Promise((resolve) => setTimeout(resolve, 5));
        while (live.settling || live.latencies.length < 20) {
          await liveCommand(host, driven, live, rand, names, counter);
          const m = watched[live.latencies.length % watched.length] as string;
          if (live.settling) reads.get(m)?.add(await balancesOf(host, driven.members.get(m) as string));
        }
        const outcomes = await settlement;
        assert.deepEqual(
          outcomes.map((o) => o.status),
          ["settled"],
        );

        // Reads: before or after the day's rewards, never a mix.
        for (const m of watched) {
          const after = await balancesOf(host, driven.members.get(m) as string);
          for (const seen of reads.get(m) ?? [])
            assert.ok(seen === before.get(m) || seen === after, `${m} read a mix: ${seen}`);
        }
        // The replay: the day's settlement at its close, then the commands in their committed order.
        const replay: ServerScenario = {
          config: SMALL_CONFIG,
          events: [...base.events, ...warm.events, { type: "endOfDay" }, ...live.events],
        };
        await compareWithReplay(host, replay, driven);

        const during = live.latencies.filter((l) => l.during).map((l) => l.ms);
        const slowest = Math.max(...during);
        const sorted = [...during].sort((a, b) => a - b);
        const outside = [...warm.latencies, ...live.latencies.filter((l) => !l.during)].map((l) => l.ms);
        console.log(
          `${target.name}: outside it max ${Math.max(...outside).toFixed(1)} ms; settlement ${Math.round(settleMs)} ms; ${during.length} commands during it ` +
            `${JSON.stringify(during.map((ms) => Math.round(ms)))} ` +
            `(p50 ${quantile(sorted, 0.5).toFixed(1)} ms, max ${slowest.toFixed(1)} ms); ` +
            `${live.events.length} committed, refused ${JSON.stringify(Object.fromEntries(live.refused))}`,
        );
        assert.ok(during.length >= 5, `commands ran during the settlement (${during.length})`);
        assert.ok(
          live.events.some((e) => e.type === "order"),
          "payments went through",
        );
        if (target.name === "postgres")
          assert.ok(
            slowest * 4 < settleMs,
            `no command waited for the settlement: slowest ${slowest.toFixed(0)} ms, settlement ${Math.round(settleMs)} ms`,
          );
      } finally {
        await testDb.cleanup();
      }
    });
  });
}

/** A points debt from a refund after the gift was spent; A's releases repay it (the settlement test's example). */
const DEBT_EVENTS: Event[] = [
  { type: "join", member: "A" },
  { type: "join", member: "B", referrer: "A" },
  { type: "order", member: "A", amount: "1000", plans: ["release", "cycle"], id: "r1" },
  { type: "order", member: "B", amount: "3000", plans: ["cycle"], id: "b1" },
  { type: "order", member: "A", amount: "3000", plans: ["release"], id: "r2" },
  { type: "endOfDay" },
  { type: "endOfDay" },
  { type: "order", member: "A", amount: "1600", plans: ["equity"], id: "spend", points: "1600" },
  { type: "adjust", member: "A", asset: "cash", amount: "-10", reason: "drain" },
  { type: "refund", order: "r1" },
  { type: "endOfDay" },
  { type: "endOfDay" },
];
const DEBT_CONFIG = {
  release: { ...SMALL_CONFIG.release, pointsPayRatio: "1", dailyRate: "0.2" },
  cycle: SMALL_CONFIG.cycle,
};

for (const target of dbTargets()) {
  describe(`a credit of the next day repays a debt the day repays, on ${target.name}`, () => {
    test("the day's repayment the debt no longer needs goes to the wallet; balances equal the replay", async () => {
      const testDb = await target.open();
      const host: ScenarioHost = { db: testDb.db, clock: new ManualClock(START) };
      try {
        await prepare(host);
        let endOfDay = 0;
        let credit = "";
        const driven = await driveScenario(
          host,
          { config: DEBT_CONFIG, events: DEBT_EVENTS },
          {
            beforeEndOfDay: async () => {
              endOfDay++;
            },
            settle: {
              // After the third day is computed, before its batches: an operator credits A's points,
              // which repays A's points debt first (as D + 1's command).
              afterBatch: async (phase) => {
                if (phase !== "apply-start" || endOfDay !== 3) return;
                const a = (await host.db.query<{ id: string }>("select min(id)::text as id from members"))
                  .rows[0]?.id as string;
                const debt = await host.db.query<{ amount: string }>(
                  "select amount::text from balances where account = $1 and asset = 'points'",
                  [`m:${a}:debt:points`],
                );
                const owed = -parseDecimal(debt.rows[0]?.amount ?? "0");
                assert.ok(owed > 0n, "A owes points at the close");
                credit = formatDecimal(owed); // the whole debt: all of the day's repayment is no longer needed
                const operator = (
                  await host.db.query<{ id: string }>("select min(id)::text as id from operators")
                ).rows[0]?.id as string;
                await host.db.transaction((tx) =>
                  adjustMember(tx, {
                    memberId: a,
                    wallet: "points",
                    amount: parseDecimal(credit),
                    reason: "credit while the day settles",
                    operator: { id: operator, username: "admin", role: "admin" },
                    requestId: "live-debt",
                    now: host.clock.now(),
                    timeZone: SCENARIO_TZ,
                  }),
                );
              },
            },
          },
        );
        const fixes = await host.db.query(
          "select 1 from ledger_transactions where kind = 'settlement.debt-repaid'",
        );
        assert.equal(fixes.rows.length, 1, "one correcting entry");
        const events = [...DEBT_EVENTS];
        events.splice(11, 0, {
          type: "adjust",
          member: "A",
          asset: "points",
          amount: credit,
          reason: "credit",
        });
        await compareWithReplay(host, { config: DEBT_CONFIG, events }, driven);
      } finally {
        await testDb.cleanup();
      }
    });
  });
}
