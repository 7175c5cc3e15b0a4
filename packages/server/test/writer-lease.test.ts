/**
 * The equity writer's lease (issue 14, writer/lease.ts) between two holders
 * in one test process on one PostgreSQL schema: one holds it at a time; a
 * holder that stopped renewing loses it once it ran out and its next batch is
 * refused by the fence (nothing written); a takeover waits for the batch in
 * flight; a holder paused inside a batch loses that transaction (idle
 * timeout) and its batch is refused; a holder whose heartbeat session is gone
 * (the process died) is replaced within a tick, long before the lease runs
 * out. The multi-process behaviour (forwarding, SIGKILL) is in
 * writer-lease-processes.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Db, Tx } from "../src/db/index.ts";
import { AppError } from "../src/errors/index.ts";
import { WriterLease } from "../src/writer/index.ts";
import { dbTargets } from "./support/db.ts";

const quiet = process.env.LEASE_DEBUG
  ? {
      error: console.error,
      warn: (o: object, m: string) => console.error(Date.now() % 100000, m, JSON.stringify(o)),
    }
  : { error() {}, warn() {} };

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

async function marks(db: Db): Promise<string[]> {
  const rows = await db.query<{ who: string }>("select who from lease_marks order by id");
  return rows.rows.map((r) => r.who);
}

/** A batch of `lease`'s writer: one row, written through the fence. */
function batch(
  lease: WriterLease,
  db: Db,
  who: string,
  during?: (tx: Tx) => Promise<unknown>,
): Promise<void> {
  return lease.fenced(db).transaction(async (tx) => {
    await during?.(tx);
    await tx.query("insert into lease_marks (who) values ($1)", [who]);
  });
}

function notLeader(error: unknown): boolean {
  return error instanceof AppError && error.code === "WRITER_NOT_LEADER";
}

for (const target of dbTargets()) {
  if (target.name === "pglite") {
    test("PGlite: one process holds the database, so no lease is made", async () => {
      const testDb = await target.open();
      try {
        const lease = new WriterLease(testDb.db);
        await assert.rejects(lease.start("http://127.0.0.1:1"), /for PostgreSQL/);
      } finally {
        await testDb.cleanup();
      }
    });
    continue;
  }
  describe(`writer lease on ${target.name}`, () => {
    test("one holder at a time; a holder that stopped renewing is replaced and its batch refused", async () => {
      const testDb = await target.open();
      const { db } = testDb;
      await db.exec("create table lease_marks (id serial primary key, who text not null)");
      // A renews every hour (it is "paused"), its lease runs out after 300 ms.
      const a = new WriterLease(db, { ttlMs: 300, tickMs: 3_600_000, forwardWaitMs: 1000 });
      const b = new WriterLease(db, { ttlMs: 5000, tickMs: 20, forwardWaitMs: 1000 });
      try {
        await a.start("http://a", quiet);
        await b.start("http://b", quiet);
        assert.equal(a.isLeader(), true);
        assert.equal(b.isLeader(), false, "b waits while a's lease runs");
        assert.equal(b.current().address, "http://a");
        await batch(a, db, "a1");
        await assert.rejects(batch(b, db, "b0"), notLeader, "b is not the writer: refused");

        await until("b's takeover", () => b.isLeader());
        assert.equal(a.isLeader(), true, "a has not noticed yet");
        await assert.rejects(batch(a, db, "a2"), notLeader, "a's batch after the takeover: refused");
        assert.equal(a.isLeader(), false, "and a knows now");
        await batch(b, db, "b1");
        assert.deepEqual(await marks(db), ["a1", "b1"]);
        const row = await db.query<{ epoch: string; address: string }>(
          "select epoch::text as epoch, address from writer_lease where name = 'equity'",
        );
        assert.deepEqual(row.rows[0], { epoch: "2", address: "http://b" });
      } finally {
        await a.stop();
        await b.stop();
        await testDb.cleanup();
      }
    });

    test("a takeover waits for the batch in flight; the batch after it is refused", async () => {
      const testDb = await target.open();
      const { db } = testDb;
      await db.exec("create table lease_marks (id serial primary key, who text not null)");
      const a = new WriterLease(db, { ttlMs: 200, tickMs: 3_600_000, forwardWaitMs: 1000 });
      const b = new WriterLease(db, { ttlMs: 5000, tickMs: 20, forwardWaitMs: 1000 });
      try {
        await a.start("http://a", quiet);
        await b.start("http://b", quiet);
        // a's batch stays open past the lease's end, busy in the database (not idle in its transaction).
        const inFlight = batch(a, db, "a1", (tx) => tx.query("select pg_sleep(1.2)"));
        await new Promise((resolve) => setTimeout(resolve, 800));
        assert.equal(b.isLeader(), false, "b's takeover waits for a's batch");
        await inFlight;
        await until("b's takeover", () => b.isLeader());
        await assert.rejects(batch(a, db, "a2"), notLeader);
        assert.deepEqual(
          await marks(db),
          ["a1"],
          "a's batch in flight committed before the takeover, a2 not",
        );
      } finally {
        await a.stop();
        await b.stop();
        await testDb.cleanup();
      }
    });

    test("a holder paused inside a batch loses that transaction; the batch is refused, nothing written", async () => {
      const testDb = await target.open();
      const { db } = testDb;
      await db.exec("create table lease_marks (id serial primary key, who text not null)");
      const a = new WriterLease(db, { ttlMs: 1000, tickMs: 3_600_000, forwardWaitMs: 1000 });
      const b = new WriterLease(db, { ttlMs: 5000, tickMs: 20, forwardWaitMs: 1000 });
      try {
        await a.start("http://a", quiet);
        await b.start("http://b", quiet);
        // Idle in its transaction for 2.5 × the lease (a stalled process): the database ends it.
        const paused = batch(a, db, "a1", () => new Promise((resolve) => setTimeout(resolve, 2500)));
        paused.catch(() => {}); // awaited below
        const waited = await until("b's takeover", () => b.isLeader());
        assert.ok(waited >= 900, `b took over after ${waited} ms, not before a's transaction ended`);
        await assert.rejects(paused, notLeader, "the paused batch is refused");
        assert.deepEqual(await marks(db), []);
        await batch(b, db, "b1");
        assert.deepEqual(await marks(db), ["b1"]);
      } finally {
        await a.stop();
        await b.stop();
        await testDb.cleanup();
      }
    });

    test("a holder whose process died is replaced within a tick, not when its lease runs out", async () => {
      const testDb = await target.open();
      const { db } = testDb;
      await db.exec("create table lease_marks (id serial primary key, who text not null)");
      // a ticks no more after its start (as a dead process does not).
      const a = new WriterLease(db, { ttlMs: 60_000, tickMs: 3_600_000, forwardWaitMs: 1000 });
      const b = new WriterLease(db, { ttlMs: 60_000, tickMs: 50, forwardWaitMs: 1000 });
      try {
        await a.start("http://a", quiet);
        await b.start("http://b", quiet);
        assert.equal(a.isLeader(), true);
        // a's heartbeat session ends as it does when its process is killed (the socket closes).
        const killed = await db.query<{ ok: boolean }>(
          "select pg_terminate_backend(holder_pid) as ok from writer_lease where name = 'equity'",
        );
        assert.deepEqual(killed.rows, [{ ok: true }]);
        const took = await until("b's takeover", () => b.isLeader(), 5000);
        assert.ok(took < 2000, `takeover after ${took} ms (the lease runs 60 s)`);
        await batch(b, db, "b1");
        await assert.rejects(batch(a, db, "a1"), notLeader);
        assert.deepEqual(await marks(db), ["b1"]);
      } finally {
        await a.stop();
        await b.stop();
        await testDb.cleanup();
      }
    });

    test("a holder that stops gives the lease up at once", async () => {
      const testDb = await target.open();
      const { db } = testDb;
      const a = new WriterLease(db, { ttlMs: 60_000, tickMs: 50, forwardWaitMs: 1000 });
      const b = new WriterLease(db, { ttlMs: 60_000, tickMs: 50, forwardWaitMs: 1000 });
      try {
        await a.start("http://a", quiet);
        await b.start("http://b", quiet);
        await a.stop();
        const took = await until("b's takeover", () => b.isLeader(), 5000);
        assert.ok(took < 2000, `takeover after ${took} ms`);
      } finally {
        await a.stop();
        await b.stop();
        await testDb.cleanup();
      }
    });
  });
}
