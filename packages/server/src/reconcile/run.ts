/**
 * `jifen reconcile`: the statement of day D (a Beijing calendar day, as both
 * providers cut their statements) read from the bytes given or downloaded,
 * compared with our payments and refunds of D (and of the day either side, so
 * that one recorded across midnight still matches).
 */
import type { Queryable } from "../db/index.ts";
import { compareStatement, type Reconciliation } from "./compare.ts";
import { readStatement, type StatementProvider } from "./read.ts";
import { defaultSources, type OurLinesLoader, type StatementFetcher } from "./sources.ts";
import type { MoneyLine } from "./statement.ts";

/** Midnight of `date` in Beijing time, shifted by `days`, as a UTC instant. */
function beijingMidnight(date: string, days = 0): Date {
  const at = new Date(`${date}T00:00:00+08:00`);
  at.setUTCDate(at.getUTCDate() + days);
  return at;
}

export interface ReconcileInput {
  readonly provider: StatementProvider;
  /** The statement's day, yyyy-MM-dd. */
  readonly date: string;
  /** The statement file's bytes; downloaded when absent. */
  readonly statement?: Uint8Array;
}

/** Reconciles one provider's day. */
export async function reconcileDay(
  db: Queryable,
  input: ReconcileInput,
  sources: { ours: OurLinesLoader; fetch: StatementFetcher } = defaultSources,
): Promise<Reconciliation> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.date) || Number.isNaN(beijingMidnight(input.date).getTime()))
    throw new RangeError(`not a date: ${input.date}`);
  const bytes = input.statement ?? (await sources.fetch(db, input.provider, input.date));
  const there: MoneyLine[] = bytes === null ? [] : readStatement(input.provider, bytes);
  const here = await sources.ours(
    db,
    input.provider,
    beijingMidnight(input.date, -1),
    beijingMidnight(input.date, 2),
  );
  return compareStatement({ provider: input.provider, date: input.date, there, here }, (line) =>
    line.at.startsWith(input.date),
  );
}
