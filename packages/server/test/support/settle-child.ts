/**
 * A separate process that runs the daily settlement on a test database, for
 * the crash tests: JIFEN_SETTLE_CRASH_AT makes it SIGKILL itself between write
 * batches. Prints the outcomes' statuses as JSON when it survives.
 */
import { type Db, openPg, openPglite } from "../../src/db/index.ts";
import { crashHookFromEnv, settleDue } from "../../src/settlement/index.ts";

const env = process.env;
const db: Db =
  env.CHILD_TARGET === "pglite"
    ? await openPglite({ dataDir: env.CHILD_DATA_DIR as string })
    : await openPg({ connectionString: env.CHILD_URL as string, schema: env.CHILD_SCHEMA as string });
const hook = crashHookFromEnv();
const outcomes = await settleDue(db, {
  now: new Date(env.CHILD_NOW as string),
  timeZone: "Asia/Shanghai",
  ...(hook ? { afterBatch: hook } : {}),
});
process.stdout.write(JSON.stringify(outcomes.map((o) => o.status)));
await db.close();
