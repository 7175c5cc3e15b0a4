/**
 * A separate process that runs the daily settlement on a test database, for
 * the crash tests: JIFEN_SETTLE_CRASH_AT makes it SIGKILL itself between write
 * batches. Prints the outcomes' statuses as JSON when it survives.
 *
 * CHILD_LIVE=1 (PostgreSQL, the parent paying meanwhile): at the crash point
 * the child first waits — in the close, until a command waits for the clock
 * it holds; after the close, until two commands of the next day have
 * committed since the settlement began — so the kill meets commands in
 * flight; it says which on stderr (`killed at <phase> after <n> …`). Hooks
 * the settlement does not await (the staging's COPY batches) kill at once.
 */
import { type Db, openPg, openPglite } from "../../src/db/index.ts";
import { type BatchHook, crashHookFromEnv, settleDue } from "../../src/settlement/index.ts";
import { commandsWaiting } from "./live.ts";

const env = process.env;
const db: Db =
  env.CHILD_TARGET === "pglite"
    ? await openPglite({ dataDir: env.CHILD_DATA_DIR as string })
    : await openPg({ connectionString: env.CHILD_URL as string, schema: env.CHILD_SCHEMA as string });
const hook = env.CHILD_LIVE === "1" ? await liveCrashHook(db) : crashHookFromEnv();
const outcomes = await settleDue(db, {
  now: new Date(env.CHILD_NOW as string),
  timeZone: "Asia/Shanghai",
  ...(env.CHILD_APPLY_ROWS ? { applyRows: Number(env.CHILD_APPLY_ROWS) } : {}),
  ...(hook ? { afterBatch: hook } : {}),
});
process.stdout.write(JSON.stringify(outcomes.map((o) => o.status)));
await db.close();

/** The crash hook of CHILD_LIVE: waits for commands in flight, then SIGKILLs the process. */
async function liveCrashHook(q: Db): Promise<BatchHook> {
  const [phase, at = "0"] = (env.JIFEN_SETTLE_CRASH_AT as string).split(":");
  const day = (await q.query<{ d: string }>("select open_day::text as d from reward_clock")).rows[0]?.d;
  const nextDays = async () =>
    Number(
      (
        await q.query<{ n: string }>(
          "select count(*)::text as n from ledger_transactions where business_day > $1::date",
          [day],
        )
      ).rows[0]?.n,
    );
  const startCount = await nextDays();
  const closing = phase === "close" || phase === "open-next-day";
  const kill = (what: string) => {
    process.stderr.write(`killed at ${phase}:${at} after ${what}\n`);
    process.kill(process.pid, "SIGKILL");
  };
  return (current, batch) => {
    if (current !== phase || batch < Number(at)) return;
    if (
      current === "postings" ||
      current === "transactions" ||
      current === "balances" ||
      current === "orders"
    )
      return kill("nothing (a batch the settlement does not wait for)");
    return (async () => {
      for (let i = 0; i < 1000; i++) {
        if (closing) {
          const waiting = await commandsWaiting(q);
          if (waiting.length > 0) return kill(`${waiting.length} commands waiting for the close`);
        } else {
          const n = (await nextDays()) - startCount;
          if (n >= 2) return kill(`${n} commands of the next day committed`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      kill("no command in flight");
    })();
  };
}
