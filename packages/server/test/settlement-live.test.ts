/**
 * Issue 17: a day settles while clients pay, refund, sell, withdraw and sign
 * up. The live loop runs commands one at a time (their commit order is the
 * replay's) from the day's close on: a budget of them, then more only while a
 * stop of the settlement waits for its own (so how fast the machine is decides
 * nothing, only how many commands there are); the settlement stops at its
 * hooks — PostgreSQL: inside the day's transaction after its last write; both:
 * before and after each apply batch — and goes on only once a few more
 * commands have ended. So those commands committed while the day was settling,
 * between its close and its last batch, and on PostgreSQL, while the day's
 * transaction held everything it wrote; a command waiting for a lock there is
 * reported at once (pg_locks), not after a time limit. Afterwards every
 * member's wallets, debts and stars equal the replay of the same events in
 * their committed order (the day's settlement at its close, then the commands
 * that committed); members no command touched read either their balances
 * before the day's rewards or after them, never a mix; a refund of an order
 * the day is settling is refused (SETTLEMENT_RUNNING) and goes through after.
 * PGlite has one connection: there the commands run between the settlement's
 * transactions. Latencies are printed, not asserted (performance is
 * `bench:settle --live`'s).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatDecimal, mulberry32, parseDecimal } from "@jifen/engine";
import { ManualClock } from "../src/clock/index.ts";
import { adjustMember } from "../src/members/index.ts";
import { REWARD_HOOKS } from "../src/rewards/index.ts";
import { seed } from "../src/seed.ts";
import { settleDue } from "../src/settlement/index.ts";
import { lockOrder, markRefunded } from "../src/shop/index.ts";
import { type VerifyResult, verifyLedger } from "../src/verify/index.ts";
import { CHEAP_PASSWORDS } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import { commandsWaiting, type Live, liveCommand, newLive } from "./support/live.ts";
import {
  compareWithReplay,
  driveScenario,
  SCENARIO_TZ,
  type ScenarioHost,
  type ServerScenario,
} from "./support/scenario.ts";
import { SMALL_CONFIG } from "./support/scenario-gen.ts";

const START = "2026-01-05T02:00:00.000Z";
type Event = ServerScenario["events"][number];

/** An order of the base days: its buyer, its day (1 or 2) and whether it has the release plan. */
interface BaseOrder {
  readonly id: string;
  readonly member: string;
  readonly day: 1 | 2;
  readonly release: boolean;
}

/** Day 1: `members` join, most buy; day 1 settles; day 2: more orders. The live part settles day 2. */
function baseScenario(members: number, seedNo: number): { events: Event[]; orders: BaseOrder[] } {
  const rand = mulberry32(seedNo);
  const events: Event[] = [];
  const plans = [["release"], ["cycle"], ["release", "cycle"], ["equity"], ["equity", "cycle", "release"]];
  const amounts = ["100", "250.5", "1000", "1500", "3000", "88.8"];
  for (let i = 0; i < members; i++) {
    const referrer =
      i === 0 || rand() < 0.05 ? undefined : `M${Math.max(0, i - 1 - Math.floor(rand() * 20))}`;
    events.push({ type: "join", member: `M${i}`, ...(referrer ? { referrer } : {}) });
  }
  const orders: BaseOrder[] = [];
  let n = 0;
  const buy = (share: number, day: 1 | 2) => {
    for (let i = 0; i < members; i++) {
      if (rand() >= share) continue;
      const id = `o${++n}`;
      const chosen = plans[Math.floor(rand() * plans.length)] as string[];
      events.push({
        type: "order",
        member: `M${i}`,
        amount: amounts[Math.floor(rand() * amounts.length)] as string,
        plans: chosen,
        id,
      });
      orders.push({ id, member: `M${i}`, day, release: chosen.includes("release") });
    }
  };
  buy(0.9, 1);
  events.push({ type: "endOfDay" });
  buy(0.4, 2);
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

/** The settlement's progress, as its hooks report it: where a command's commit falls. */
type Phase = "before" | "compute" | "computed" | "apply-start" | `apply ${number}` | "after";

/** The checks of a verify that found differences, with their samples. */
function differing(result: VerifyResult): string[] {
  return result.checks.filter((c) => c.differing > 0).map((c) => `${c.name}: ${JSON.stringify(c.samples)}`);
}

/** Refunds an order as the shop does; the refusal's code, or null when it went through. */
async function refundCode(host: ScenarioHost, orderId: string): Promise<string | null> {
  const deps = { hooks: REWARD_HOOKS, now: host.clock.now(), timeZone: SCENARIO_TZ };
  try {
    await host.db.transaction(async (tx) =>
      markRefunded(tx, await lockOrder(tx, orderId), deps, "refund while the day settles"),
    );
    return null;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string") throw error;
    return code;
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

for (const target of dbTargets()) {
  // A few thousand members with LIVE_MEMBERS=3000 (each event of the base days is a transaction of
  // its own: minutes); the default keeps the test at seconds.
  const members = Number(process.env.LIVE_MEMBERS ?? 30);
  /** Commands the settlement lets commit at each of its stops. */
  const PER_STOP = 3;
  /** The loop's budget: past it, commands run only while a stop waits for its PER_STOP. */
  const COMMANDS = 36;
  /** Commands past which the loop gives up (a stop that never gets its commands): a bug, not a slow machine. */
  const CAP = 1000;
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
        const watched = Array.from({ length: 5 }, (_, i) => `M${members - 1 - i}`);
        // An order of day 1 the day settles (its gift is being released): refunded during the settlement
        // and after it. The loop refunds others of day 1, of members it touches.
        const heldBack = base.orders.find((o) => o.day === 1 && o.release && watched.includes(o.member));
        assert.ok(heldBack, "a watched member bought a release order on day 1");
        const names = {
          members: Array.from({ length: members - watched.length }, (_, i) => `M${i}`),
          dayOne: base.orders.filter((o) => o.day === 1 && !watched.includes(o.member)).map((o) => o.id),
          dayTwo: [] as string[],
        };
        const before = new Map<string, string>();
        for (const m of watched) before.set(m, await balancesOf(host, driven.members.get(m) as string));

        // A few commands of the day itself first (they belong to the day the settlement closes).
        const rand = mulberry32(99);
        const counter = { order: 0, member: 0 };
        const warm = newLive<Phase>("before");
        for (let i = 0; i < 8; i++) await liveCommand(host, driven, warm, rand, names, counter);
        names.dayTwo.length = 0;

        host.clock.advance(86_400_000);
        const live: Live<Phase> = newLive<Phase>("before");
        const reads = new Map<string, Set<string>>(watched.map((m) => [m, new Set<string>()]));
        let closed = () => {};
        const dayClosed = new Promise<void>((resolve) => {
          closed = resolve;
        });
        // The loop: commands one at a time (their commit order is the replay's), from the day's close
        // on (what comes before belongs to the day itself). COMMANDS of them; past that, more only while
        // a stop waits for its commands (on a loaded machine the budget may be spent before the last
        // stop), until the settlement has ended. `loopDone`: the settlement failed, or the cap was hit.
        let loopDone = false;
        let settled = false;
        let stopWaiting = false;
        const pause = () => new Promise((resolve) => setTimeout(resolve, 2));
        const loop = (async () => {
          await dayClosed;
          for (let i = 0; !loopDone; i++) {
            while (i >= COMMANDS && !stopWaiting && !settled && !loopDone) await pause();
            if (loopDone || (i >= COMMANDS && settled)) break;
            if (i >= CAP) {
              loopDone = true;
              break;
            }
            await liveCommand(host, driven, live, rand, names, counter);
            // PGlite answers without I/O: yield so that the settlement's callbacks run too.
            await new Promise((resolve) => setImmediate(resolve));
          }
        })();
        /**
         * A stop of the settlement: it goes on once PER_STOP more commands have ended. Inside its
         * transaction (PostgreSQL) a command needing its locks would never end: `probe` fails the
         * settlement as soon as a command waits for a lock instead.
         */
        const stop = async (phase: Phase, probe: boolean) => {
          live.phase = phase;
          const until = live.commands.length + PER_STOP;
          stopWaiting = true;
          while (live.commands.length < until) {
            if (loopDone)
              throw new Error(
                `the live loop ended (its cap of ${CAP} commands) before the stop ${phase} saw its ${PER_STOP} commands`,
              );
            if (probe) {
              const waiting = await commandsWaiting(host.db);
              if (waiting.length > 0) throw new Error(`a command waits for the settlement: ${waiting}`);
            }
            await pause();
          }
          stopWaiting = false;
          for (const m of watched) reads.get(m)?.add(await balancesOf(host, driven.members.get(m) as string));
          // jifen verify beside the commands, inside the day's transaction (PostgreSQL) and between
          // its compute and its last batch: the pending day's balances read with their deltas.
          verified.push([phase, differing(await verifyLedger(host.db))]);
        };
        const pg = target.name === "postgres";
        const verified: [Phase, string[]][] = [];
        const applied: number[] = [];
        let refusedDuring: string | null = null;
        const started = performance.now();
        const settling = settleDue(host.db, {
          now: host.clock.now(),
          timeZone: SCENARIO_TZ,
          applyRows: 30,
          afterBatch: async (phase, batch) => {
            if (phase === "close" || phase === "open-next-day") return;
            if (live.phase === "before") {
              live.phase = "compute";
              closed();
            }
            // PGlite has one connection: inside the day's transaction no command can run.
            if (phase === "computed" && pg) await stop("computed", true);
            else if (phase === "apply-start") {
              refusedDuring = await refundCode(host, driven.orders.get(heldBack.id) as string);
              await stop("apply-start", false);
            } else if (phase === "apply") {
              applied.push(batch);
              await stop(`apply ${batch}`, false);
            }
          },
        });
        // A failed settlement stops the loop (its error is the test's, not the loop's on a closed pool).
        const outcomes = await settling.catch(async (error) => {
          loopDone = true;
          closed();
          await loop.catch(() => {});
          throw error;
        });
        const settleMs = performance.now() - started;
        live.phase = "after";
        settled = true;
        await loop;
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
        // verify: clean at every stop while the day was pending, and after it.
        verified.push(["after", differing(await verifyLedger(host.db))]);
        assert.deepEqual(
          verified.filter(([, diff]) => diff.length > 0),
          [],
          "jifen verify while the day is pending and after it",
        );
        assert.ok(verified.length >= 3, "verify ran while the day was pending");
        // A refund of an order the day is settling waits for the settlement; afterwards it goes through.
        assert.equal(refusedDuring, "SETTLEMENT_RUNNING", `refund of ${heldBack.id} while the day settles`);
        assert.equal(await refundCode(host, driven.orders.get(heldBack.id) as string), null);
        live.events.push({ type: "refund", order: heldBack.id });

        // The replay: the day's settlement at its close, then the commands in their committed order.
        const replay: ServerScenario = {
          config: SMALL_CONFIG,
          events: [...base.events, ...warm.events, { type: "endOfDay" }, ...live.events],
        };
        await compareWithReplay(host, replay, driven);

        // No command waited for the settlement: at each of its stops (PostgreSQL: inside the day's
        // transaction, after its last write; both: before and between the apply batches) the
        // settlement went on only once commands had ended — each stop's commands ended while it
        // was in progress, between its close and its last batch.
        const byPhase = new Map<Phase, { ended: number; committed: number }>();
        for (const c of live.commands) {
          const n = byPhase.get(c.phase) ?? { ended: 0, committed: 0 };
          byPhase.set(c.phase, { ended: n.ended + 1, committed: n.committed + (c.committed ? 1 : 0) });
        }
        const stops = [...(pg ? ["computed"] : []), "apply-start", ...applied.map((b) => `apply ${b}`)];
        const during = live.commands.filter((c) => c.phase !== "after");
        const ms = (list: typeof live.commands) => list.map((c) => c.ms).sort((a, b) => a - b);
        const [inside, outside] = [
          ms(during),
          ms([...warm.commands, ...live.commands.filter((c) => c.phase === "after")]),
        ];
        console.log(
          `${target.name}, ${members} members: settlement ${Math.round(settleMs)} ms, ${applied.length} apply batches; ` +
            `commands ended per phase ${JSON.stringify(Object.fromEntries(byPhase))}; ` +
            `during it p50 ${quantile(inside, 0.5).toFixed(1)} ms, max ${(inside.at(-1) ?? 0).toFixed(1)} ms; ` +
            `outside it p50 ${quantile(outside, 0.5).toFixed(1)} ms, max ${(outside.at(-1) ?? 0).toFixed(1)} ms; ` +
            `${live.events.length} committed, refused ${JSON.stringify(Object.fromEntries(live.refused))}`,
        );
        assert.ok(applied.length >= 2, `the deltas were applied in several batches (${applied.length})`);
        for (const stop of stops)
          assert.ok(
            (byPhase.get(stop as Phase)?.ended ?? 0) >= PER_STOP,
            `${PER_STOP} commands ended at the settlement's stop ${stop}: ${JSON.stringify(Object.fromEntries(byPhase))}`,
          );
        assert.ok(
          during.filter((c) => c.committed).length >= stops.length,
          "commands committed while the day settled",
        );
        assert.ok(
          live.events.some((e) => e.type === "order"),
          "payments went through",
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
