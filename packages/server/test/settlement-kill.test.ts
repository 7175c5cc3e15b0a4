/**
 * Crash safety with a real kill: the settlement runs in a child process that
 * SIGKILLs itself between write batches (JIFEN_SETTLE_CRASH_AT). Killed before
 * the close, nothing of the day is left; after it, the day stays closed and the
 * next run resumes it (a kill while batches are applied leaves some members
 * credited: the rerun adds nothing twice). The final balances equal an
 * uninterrupted run of the same events (and the replay). On PostgreSQL the
 * kills meet commands in flight (issue 17; the second test).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { mulberry32 } from "@jifen/engine";
import { ManualClock } from "../src/clock/index.ts";
import { openPglite } from "../src/db/index.ts";
import { seed } from "../src/seed.ts";
import { settleDue } from "../src/settlement/index.ts";
import { verifyLedger } from "../src/verify/index.ts";
import { CHEAP_PASSWORDS } from "./support/app.ts";
import { dbTargets, openTestPgliteAt, type TestDb } from "./support/db.ts";
import { type LiveEvent, type LiveNames, liveCommand, newLive } from "./support/live.ts";
import { nodeArgs } from "./support/node-entry.ts";
import {
  compareWithReplay,
  type DrivenScenario,
  driveScenario,
  SCENARIO_TZ,
  type ScenarioHost,
  serverMembers,
} from "./support/scenario.ts";
import { randomScenario } from "./support/scenario-gen.ts";

const child = join(import.meta.dirname, "support", "settle-child.ts");
const START = "2026-01-05T02:00:00.000Z";

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

async function ledgerCount(host: ScenarioHost): Promise<string> {
  const rows = await host.db.query<{ t: string; p: string; b: string; d: string }>(
    `select (select count(*) from ledger_transactions)::text as t, (select count(*) from ledger_postings)::text as p,
       (select coalesce(sum(abs(amount)), 0)::text from balances) as b, (select open_day::text from reward_clock) as d`,
  );
  return JSON.stringify(rows.rows[0]);
}

/** Waits until PostgreSQL has noticed the killed connection and ended its transaction (its locks are free). */
async function lockReleased(host: ScenarioHost): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const free = await host.db.query<{ ok: boolean }>(
      "select pg_try_advisory_lock(hashtext('jifen.settlement:' || current_schema())) as ok",
    );
    if (free.rows[0]?.ok) {
      await host.db.query("select pg_advisory_unlock(hashtext('jifen.settlement:' || current_schema()))");
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the killed settlement's transaction did not end");
}

// PGlite here; on PostgreSQL the test below kills at the same phases and more, with commands in flight.
for (const target of dbTargets().filter((t) => t.name === "pglite")) {
  describe(`settlement killed by SIGKILL on ${target.name}`, () => {
    test("a kill between batches leaves nothing; the rerun gives the uninterrupted balances", async () => {
      const scenario = randomScenario(11, { equity: true, days: 6 });
      const dir = mkdtempSync(join(tmpdir(), "jifen-kill-"));
      const dataDir = join(dir, "pglite");
      let testDb: TestDb | null = null;
      const host: ScenarioHost =
        target.name === "pglite"
          ? { db: await openTestPgliteAt(dataDir), clock: new ManualClock(START) }
          : await target.open().then((t) => {
              testDb = t;
              return { db: t.db, clock: new ManualClock(START) };
            });
      const referenceDb = await target.open();
      const reference: ScenarioHost = { db: referenceDb.db, clock: new ManualClock(START) };
      // Before the close nothing of the day is left; after it the day stays closed and is resumed
      // (a kill while batches are applied leaves some members credited: the rerun adds none twice).
      const kills = ["close:0", "postings:0", "balances:0", "apply:0", "orders:0", "transactions:0"];
      let day = 0;
      try {
        await prepare(host);
        await prepare(reference);
        const driven = await driveScenario(host, scenario, {
          beforeEndOfDay: async () => {
            const crashAt = kills[day++ % kills.length] as string;
            const before = await ledgerCount(host);
            if (target.name === "pglite") await host.db.close();
            const run = spawnSync(process.execPath, nodeArgs(child), {
              encoding: "utf8",
              env: {
                ...process.env,
                CHILD_TARGET: target.name,
                CHILD_DATA_DIR: dataDir,
                CHILD_URL: process.env.TEST_DATABASE_URL ?? "",
                CHILD_SCHEMA: (testDb as TestDb | null)?.schema ?? "",
                CHILD_NOW: host.clock.now().toISOString(),
                JIFEN_SETTLE_CRASH_AT: crashAt,
              },
            });
            assert.equal(
              run.signal,
              "SIGKILL",
              `the child was killed at ${crashAt}: ${run.stderr} ${run.stdout}`,
            );
            if (target.name === "pglite") host.db = await openPglite({ dataDir });
            else await lockReleased(host);
            if (crashAt.startsWith("close"))
              assert.equal(await ledgerCount(host), before, `nothing of the day after a kill at ${crashAt}`);
            else {
              const open = await host.db.query<{ d: string }>(
                "select business_day::text as d from settlement_open",
              );
              assert.equal(
                open.rows.length,
                1,
                `the day is closed and left to resume after a kill at ${crashAt}`,
              );
            }
          },
        });
        await compareWithReplay(host, scenario, driven);
        const uninterrupted = await driveScenario(reference, scenario);
        assert.deepEqual(
          await serverMembers(host, driven.members),
          await serverMembers(reference, uninterrupted.members),
          "the same balances as an uninterrupted run",
        );
      } finally {
        await host.db.close().catch(() => {});
        await referenceDb.cleanup().catch(() => {});
        if (testDb) await (testDb as TestDb).cleanup().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/**
 * Issue 17: the kill tests with live traffic (PostgreSQL: the parent pays while the child settles;
 * on PGlite one process owns the database, and a kill takes its commands with it). A kill at each
 * phase of the settlement meets commands in flight — in the close, a command waiting for the clock
 * (it lands in D once the close is gone); after it, commands of D + 1 committed while the day
 * settles — more commands run while the day is left closed, and during the rerun; the balances
 * equal an uninterrupted run of the same events in the same order (and the replay).
 */
const LIVE_KILLS = [
  "close:0",
  "open-next-day:0",
  "postings:0",
  "transactions:0",
  "balances:0",
  "orders:0",
  "computed:0",
  "apply-start:0",
  "apply:1",
  "apply-platform:0",
];

/** Splits a scenario's events into its days (each ending with its endOfDay) and what follows the last. */
function days(events: readonly LiveEvent[]): { days: LiveEvent[][]; rest: LiveEvent[] } {
  const out: LiveEvent[][] = [];
  let current: LiveEvent[] = [];
  for (const e of events) {
    if (e.type === "endOfDay") {
      out.push(current);
      current = [];
    } else current.push(e);
  }
  return { days: out, rest: current };
}

/** Runs the child settlement killed at `crashAt` (CHILD_LIVE); resolves with its signal and stderr. */
function spawnKilled(
  host: ScenarioHost,
  schema: string,
  crashAt: string,
): { exited: Promise<{ signal: string | null; stderr: string }>; alive: () => boolean } {
  let alive = true;
  const proc = spawn(process.execPath, nodeArgs(child), {
    env: {
      ...process.env,
      CHILD_TARGET: "postgres",
      CHILD_URL: process.env.TEST_DATABASE_URL ?? "",
      CHILD_SCHEMA: schema,
      CHILD_NOW: host.clock.now().toISOString(),
      CHILD_LIVE: "1",
      CHILD_APPLY_ROWS: "10",
      JIFEN_SETTLE_CRASH_AT: crashAt,
    },
  });
  let stderr = "";
  proc.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  proc.stdout.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<{ signal: string | null; stderr: string }>((resolve) =>
    proc.on("close", (_code, signal) => {
      alive = false;
      resolve({ signal, stderr });
    }),
  );
  return { exited, alive: () => alive };
}

for (const target of dbTargets().filter((t) => t.name === "postgres")) {
  describe(`settlement killed with commands in flight on ${target.name}`, () => {
    test("a kill at each phase while clients pay; the rerun gives the uninterrupted balances", async () => {
      const scenario = randomScenario(23, { equity: true, members: 10, days: LIVE_KILLS.length });
      const split = days(scenario.events);
      assert.equal(split.days.length, LIVE_KILLS.length);
      const testDb = await target.open();
      const referenceDb = await target.open();
      const host: ScenarioHost = { db: testDb.db, clock: new ManualClock(START) };
      const reference: ScenarioHost = { db: referenceDb.db, clock: new ManualClock(START) };
      try {
        await prepare(host);
        await prepare(reference);
        const rand = mulberry32(5);
        const counter = { order: 0, member: 0 };
        const names: LiveNames = { members: [], spenders: [], dayOne: [], dayTwo: [], joinedSpend: true };
        const replay: LiveEvent[] = [];
        let driven: DrivenScenario | undefined;
        for (const [index, crashAt] of LIVE_KILLS.entries()) {
          const own = split.days[index] as LiveEvent[];
          driven = await driveScenario(
            host,
            { ...(scenario.config ? { config: scenario.config } : {}), events: own },
            driven ? { from: driven } : {},
          );
          const run = driven;
          names.members = [...run.members.keys()];
          host.clock.advance(86_400_000);
          // Commands from the spawn (close kills: they wait for the close, then go on), or from the close.
          const closing = crashAt.startsWith("close") || crashAt.startsWith("open-next-day");
          const early = newLive("D + 1, before the close");
          const next = newLive("D+1");
          const killed = spawnKilled(host, testDb.schema as string, crashAt);
          const closed = async () => (await host.db.query("select 1 from settlement_open")).rows.length > 0;
          if (!closing) while (killed.alive() && !(await closed())) await sleep(5);
          // In the close: payments and sign-ups only, each of D + 1 (a payment after D's end is D + 1's,
          // made eligible when the close opens D + 1; the clock-shared commands would be D's).
          const live = closing ? early : next;
          const mode = { ...names, payOnly: closing };
          for (let i = 0; i < 300 && killed.alive(); i++) {
            await liveCommand(host, run, live, rand, mode, counter);
            if (closing) await sleep(20); // the child is starting: fewer commands of D meanwhile
          }
          const { signal, stderr } = await killed.exited;
          assert.equal(signal, "SIGKILL", `the child was killed at ${crashAt}: ${stderr}`);
          if (!/^(postings|transactions|balances|orders):/.test(crashAt))
            assert.match(stderr, /killed at .* after [1-9]\d* commands/, `commands in flight at ${crashAt}`);
          await lockReleased(host);
          assert.equal(await closed(), !closing, `the day is left closed after a kill at ${crashAt}`);
          // The shop goes on while the day is left as the kill left it, then during the rerun.
          for (let i = 0; i < 3; i++) await liveCommand(host, run, live, rand, mode, counter);
          const outcomes = await settleDue(host.db, {
            now: host.clock.now(),
            timeZone: SCENARIO_TZ,
            applyRows: 10,
            afterBatch: async (phase) => {
              if (phase === "apply-start" || phase === "apply")
                await liveCommand(host, run, next, rand, names, counter);
            },
          });
          assert.deepEqual(
            outcomes.map((o) => o.status),
            ["settled"],
            `the rerun after ${crashAt}`,
          );
          replay.push(...own, { type: "endOfDay" }, ...early.events, ...next.events);
          // Each day: the balances equal the replay so far.
          await compareWithReplay(
            host,
            { ...(scenario.config ? { config: scenario.config } : {}), events: replay },
            run,
          );
        }
        driven = await driveScenario(host, { events: split.rest }, { from: driven as DrivenScenario });
        replay.push(...split.rest);
        const events = { ...(scenario.config ? { config: scenario.config } : {}), events: replay };
        await compareWithReplay(host, events, driven);
        const uninterrupted = await driveScenario(reference, events);
        assert.deepEqual(
          await serverMembers(host, driven.members),
          await serverMembers(reference, uninterrupted.members),
          "the same balances as an uninterrupted run",
        );
        assert.equal((await verifyLedger(host.db)).ok, true, "verify after the kills");
      } finally {
        await testDb.cleanup().catch(() => {});
        await referenceDb.cleanup().catch(() => {});
      }
    });
  });
}
