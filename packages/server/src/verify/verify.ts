/**
 * `jifen verify`: recomputes the ledger's derived figures and compares them
 * with what the server stored (docs/server.md, "Verify"). Everything runs in
 * one REPEATABLE READ transaction (one snapshot, safe beside a running
 * PostgreSQL server); it writes nothing but a temporary table dropped at commit.
 */
import type { Db } from "../db/index.ts";
import {
  checkBalances,
  checkEquity,
  checkOrphans,
  checkTransactions,
  sumPostings,
  type VerifyCheck,
} from "./checks.ts";
import { checkSettlements } from "./settlements.ts";

/** A check's outcome and how long it took (milliseconds). */
export type TimedCheck = VerifyCheck & { readonly ms: number };

/** What `verifyLedger` found. */
export interface VerifyResult {
  /** True when every check agrees. */
  readonly ok: boolean;
  readonly checks: readonly TimedCheck[];
  readonly durationMs: number;
}

/** Options of `verifyLedger`. */
export interface VerifyOptions {
  /** How many differences each check lists (default 10; the counts are always complete). */
  readonly limit?: number;
}

/** Runs every check on `db` and returns their outcomes. */
export async function verifyLedger(db: Db, options: VerifyOptions = {}): Promise<VerifyResult> {
  const limit = options.limit ?? 10;
  const started = Date.now();
  const checks = await db.transaction(async (tx) => {
    await tx.query("set transaction isolation level repeatable read");
    // Big hash aggregates in memory rather than in batches on disk; no JIT compiling (seconds, for nothing).
    await tx.query("set local work_mem = '256MB'");
    await tx.query("set local jit = off");
    const sumsStarted = Date.now();
    await sumPostings(tx);
    const sumsMs = Date.now() - sumsStarted;
    const timed = async (run: () => Promise<VerifyCheck>, extraMs = 0): Promise<TimedCheck> => {
      const at = Date.now();
      const check = await run();
      return { ...check, ms: Date.now() - at + extraMs };
    };
    return [
      // The balances check reads the sums per account made first (equity reads them too).
      await timed(() => checkBalances(tx, limit), sumsMs),
      await timed(() => checkTransactions(tx, limit)),
      await timed(() => checkOrphans(tx, limit)),
      await timed(() => checkEquity(tx)),
      await timed(() => checkSettlements(tx, limit)),
    ];
  });
  return {
    ok: checks.every((c) => c.differing === 0),
    checks,
    durationMs: Date.now() - started,
  };
}
