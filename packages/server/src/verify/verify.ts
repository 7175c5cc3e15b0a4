/**
 * `jifen verify`: recomputes the ledger's derived figures and compares them
 * with what the server stored (docs/server.md, "Verify"). Everything runs in
 * one REPEATABLE READ transaction (one snapshot, safe beside a running
 * PostgreSQL server); it writes nothing but a temporary table dropped at commit.
 */
import type { Db } from "../db/index.ts";
import { checkBalances, checkEquity, checkTransactions, sumPostings, type VerifyCheck } from "./checks.ts";
import { checkSettlements } from "./settlements.ts";

/** What `verifyLedger` found. */
export interface VerifyResult {
  /** True when every check agrees. */
  readonly ok: boolean;
  readonly checks: readonly VerifyCheck[];
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
    await sumPostings(tx);
    return [
      await checkBalances(tx, limit),
      await checkTransactions(tx, limit),
      await checkEquity(tx),
      await checkSettlements(tx, limit),
    ];
  });
  return {
    ok: checks.every((c) => c.differing === 0),
    checks,
    durationMs: Date.now() - started,
  };
}
