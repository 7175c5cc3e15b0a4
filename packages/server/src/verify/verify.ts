/**
 * `jifen verify`: recomputes the ledger's derived figures and compares them
 * with what the server stored (docs/server.md, "Verify"). Everything runs in
 * one REPEATABLE READ transaction (one snapshot, safe beside a running
 * PostgreSQL server); it writes nothing.
 */
import { type Db, isSqlError, type Tx } from "../db/index.ts";
import { pendingDeltas } from "../settlement/index.ts";
import {
  checkBalances,
  checkEquity,
  checkOrphans,
  checkTransactions,
  type LedgerEquity,
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

/** Runs every check on `db` in one REPEATABLE READ snapshot and returns their outcomes. */
export async function verifyLedger(db: Db, options: VerifyOptions = {}): Promise<VerifyResult> {
  const once = () =>
    db.transaction(async (tx) => {
      await tx.query("set transaction isolation level repeatable read");
      return verifyInTransaction(tx, options);
    });
  try {
    return await once();
  } catch (error) {
    // A settlement's deltas' table dropped (its day finished) after this snapshot saw the day
    // pending: a new snapshot no longer sees it pending.
    if (isSqlError(error, "42P01")) return once();
    throw error;
  }
}

/** Runs every check inside the open transaction `tx` (a restore checks what it loaded before it commits). */
export async function verifyInTransaction(tx: Tx, options: VerifyOptions = {}): Promise<VerifyResult> {
  const limit = options.limit ?? 10;
  const started = Date.now();
  // Big hash aggregates in memory rather than in batches on disk; no JIT compiling (seconds, for nothing).
  await tx.query("set local work_mem = '256MB'");
  await tx.query("set local jit = off");
  const timed = async (run: () => Promise<VerifyCheck>): Promise<TimedCheck> => {
    const at = Date.now();
    const check = await run();
    return { ...check, ms: Date.now() - at };
  };
  // The snapshot's first read: a day between its compute and its last batch (its deltas pending).
  const pending = await pendingDeltas(tx);
  let ledgerEquity: LedgerEquity | undefined;
  const balances = await timed(async () => {
    const { check, equity } = await checkBalances(tx, limit, pending);
    ledgerEquity = equity;
    return check;
  });
  const checks = [
    balances,
    await timed(() => checkTransactions(tx, limit)),
    await timed(() => checkOrphans(tx, limit)),
    // The ledger's side of the equity figures was summed in the balances' pass.
    await timed(() => checkEquity(tx, ledgerEquity as LedgerEquity, pending)),
    await timed(() => checkSettlements(tx, limit)),
  ];
  return {
    ok: checks.every((c) => c.differing === 0),
    checks,
    durationMs: Date.now() - started,
  };
}
