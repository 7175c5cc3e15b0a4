/**
 * A dry run: the same work a command does, in one transaction that is always
 * rolled back, so that a preview (the fee of a sale, the payout of a
 * withdrawal) is exactly what the command would do at this moment — the
 * same rules, roundings and refusals — and nothing changes. No
 * Idempotency-Key is claimed: a dry run can be repeated freely.
 */
import type { Db, Tx } from "../db/index.ts";

/** Carries the dry run's answer out of the transaction it rolls back. */
class RolledBack<T> {
  constructor(readonly value: T) {}
}

/** Runs `work` in a transaction, rolls it back, and answers what `work` returned (or throws its refusal). */
export async function dryRun<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    await db.transaction(async (tx) => {
      throw new RolledBack(await work(tx));
    });
  } catch (outcome) {
    if (outcome instanceof RolledBack) return outcome.value as T;
    throw outcome;
  }
  throw new Error("dryRun: the transaction was not rolled back");
}
