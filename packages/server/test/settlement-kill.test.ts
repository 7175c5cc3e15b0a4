/**
 * Crash safety with a real kill: the settlement runs in a child process that
 * SIGKILLs itself between write batches (JIFEN_SETTLE_CRASH_AT). Killed before
 * the close, nothing of the day is left; after it, the day stays closed and the
 * next run resumes it (a kill while batches are applied leaves some members
 * credited: the rerun adds nothing twice). The final balances equal an
 * uninterrupted run of the same events (and the replay).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ManualClock } from "../src/clock/index.ts";
import { openPglite } from "../src/db/index.ts";
import { seed } from "../src/seed.ts";
import { CHEAP_PASSWORDS } from "./support/app.ts";
import { dbTargets, openTestPgliteAt, type TestDb } from "./support/db.ts";
import { compareWithReplay, driveScenario, type ScenarioHost, serverMembers } from "./support/scenario.ts";
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

for (const target of dbTargets()) {
  describe(`settlement killed by SIGKILL on ${target.name}`, () => {
    test("a kill between batches leaves nothing; the rerun gives the uninterrupted balances", async () => {
      const scenario = randomScenario(11, { equity: true, days: 4 });
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
            const run = spawnSync(process.execPath, ["--import", "tsx", child], {
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
