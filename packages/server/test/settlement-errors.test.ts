/**
 * Errors are not swallowed: a settlement whose failure cannot be recorded in
 * settlement_runs still throws its own error, and the recording's failure is
 * logged with the original kept beside it.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Db } from "../src/db/index.ts";
import { settleDue } from "../src/settlement/index.ts";
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
