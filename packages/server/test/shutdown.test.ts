/**
 * Shutdown does not swallow errors: every part is closed even when one before
 * it failed, each failure is logged with the part's name, and the answer says
 * whether everything closed (main.ts exits non-zero when not).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { closeAll } from "../src/ops/shutdown.ts";

test("a failure to close is logged, the next part still closes, and the answer is false", async () => {
  const closed: string[] = [];
  const logged: { object: Record<string, unknown>; message: string }[] = [];
  const ok = await closeAll(
    [
      {
        name: "HTTP server",
        close: async () => {
          throw new Error("socket stuck (injected)");
        },
      },
      { name: "database", close: async () => closed.push("database") },
    ],
    { error: (object, message) => logged.push({ object: object as Record<string, unknown>, message }) },
  );
  assert.equal(ok, false);
  assert.deepEqual(closed, ["database"]);
  assert.equal(logged.length, 1);
  const entry = logged[0] as { object: Record<string, unknown>; message: string };
  assert.match(entry.message, /closing the HTTP server failed/);
  assert.match(String((entry.object.err as Error).message), /socket stuck/);
});

test("when everything closes nothing is logged and the answer is true", async () => {
  const logged: unknown[] = [];
  const ok = await closeAll(
    [
      { name: "HTTP server", close: async () => undefined },
      { name: "database", close: async () => undefined },
    ],
    { error: (object) => logged.push(object) },
  );
  assert.equal(ok, true);
  assert.deepEqual(logged, []);
});
