/**
 * Errors are not swallowed: a settlement whose failure cannot be recorded in
 * settlement_runs still throws its own error, and the recording's failure is
 * logged with the original kept beside it; a staging transaction that fails on
 * its own while the day's transaction fails is logged beside the day's error.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { configFromInput } from "@jifen/engine";
import type { Db, Tx } from "../src/db/index.ts";
import { dayInput, inlineComputation } from "../src/settlement/compute.ts";
import { type DayColumns, settleDue, writeDay } from "../src/settlement/index.ts";
import { openTestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

/** `db`, except that writing a failed run into settlement_runs fails. */
function failingToRecord(db: Db): Db {
  return {
    driver: db.driver,
    connections: db.connections,
    transaction: (fn) => db.transaction(fn),
    close: () => db.close(),
    query: (async (sql: string, params?: unknown[]) => {
      if (/insert into settlement_runs/.test(sql) && /'failed'/.test(sql))
        throw new Error("disk full (injected)");
      return db.query(sql, params as never);
    }) as Db["query"],
  } as Db;
}

for (const target of dbTargets()) {
  describe(`settlement errors on ${target.name}`, () => {
    test("a failure that cannot be recorded is logged with the settlement's own error, which is thrown", async () => {
      const t = await openTestApp(target);
      try {
        t.clock.advance(86_400_000);
        const logged: { object: Record<string, unknown>; message: string }[] = [];
        await assert.rejects(
          settleDue(failingToRecord(t.db), {
            now: t.clock.now(),
            timeZone: "Asia/Shanghai",
            afterBatch: () => {
              throw new Error("injected settlement failure");
            },
            log: {
              error: (object, message) => logged.push({ object: object as Record<string, unknown>, message }),
            },
          }),
          /injected settlement failure/,
        );
        assert.equal(logged.length, 1, "the failure to record the failure is logged");
        const entry = logged[0] as { object: Record<string, unknown>; message: string };
        assert.match(entry.message, /could not be recorded/);
        assert.match(String((entry.object.err as Error).message), /disk full/);
        assert.match(String((entry.object.settlementError as Error).message), /injected settlement failure/);
      } finally {
        await t.cleanup();
      }
    });
  });
}

describe("the day's staging and the day's transaction both fail", () => {
  const columns: DayColumns = {
    day: "2026-01-05",
    memberIds: [],
    input: {
      memberCount: 0,
      parent: new Int32Array(0),
      ownPerformance: new BigInt64Array(0),
      orderMember: new Int32Array(0),
      orderRemaining: new BigInt64Array(0),
      orderBase: new BigInt64Array(0),
      quota: new BigInt64Array(0),
      weight: new BigInt64Array(0),
      cycleSales: 0n,
    },
    orderIds: new Float64Array(0),
    orderSeq: new Float64Array(0),
    pointsOwed: new BigInt64Array(0),
    cashOwed: new BigInt64Array(0),
    currentStar: [],
  };
  const { config } = configFromInput({});
  /** A day's transaction whose first statement fails. */
  const failingTx = {
    exec: async () => {
      throw new Error("day transaction failed (injected)");
    },
    query: async () => {
      throw new Error("day transaction failed (injected)");
    },
  } as unknown as Tx;

  const write = (stage: <T>(fn: (s: Tx) => Promise<T>) => Promise<T>) => {
    const logged: { object: Record<string, unknown>; message: string }[] = [];
    const done = inlineComputation(dayInput(columns, config.release, config.cycle)).then((computation) =>
      writeDay(failingTx, columns, computation, {
        now: new Date("2026-01-06T00:00:00Z"),
        stage,
        log: {
          error: (object, message) => logged.push({ object: object as Record<string, unknown>, message }),
        },
      }),
    );
    return { done, logged };
  };

  test("a stage error of its own is logged, and the day's error is thrown", async () => {
    const { done, logged } = write(() => Promise.reject(new Error("stage failed (injected)")));
    await assert.rejects(done, /day transaction failed/);
    assert.equal(logged.length, 1);
    const entry = logged[0] as { object: Record<string, unknown>; message: string };
    assert.match(entry.message, /staging failed too/);
    assert.match(String((entry.object.err as Error).message), /stage failed/);
    assert.match(String((entry.object.settlementError as Error).message), /day transaction failed/);
  });

  test("a stage that succeeded logs nothing; the day's error is thrown", async () => {
    const staged = { transactions: 0, postings: 0, orders: 0 };
    const { done, logged } = write(<T>() => Promise.resolve(staged as T));
    await assert.rejects(done, /day transaction failed/);
    assert.deepEqual(logged, []);
  });
});
