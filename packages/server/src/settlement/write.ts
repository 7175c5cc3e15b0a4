/**
 * Writes a settled day in bulk inside the day's transaction: the engine's
 * ledger transactions (`settlementTransactions`) and their postings by COPY
 * into the day's own bare ledger tables, indexed once and attached as the
 * ledger's partitions for the day (migration 0005); the balances by one
 * set-based UPDATE (+ INSERT for first rows) of the net delta per (account,
 * asset); the release-plan orders' progress as the next day's partition of
 * `release_progress`; and the stars that changed. Rows stream in member id
 * order, which is also the order of the balances' and ledger's member keys.
 */
import { type Asset, parseDecimal } from "@jifen/engine";
import { addDays } from "../clock/index.ts";
import type { CopySource, Tx } from "../db/index.ts";
import { appendTransaction } from "../ledger/index.ts";
import type { DayComputation } from "./compute.ts";
import { readCopyRows } from "./copy-text.ts";
import { CAUSE_COLUMNS } from "./day-rows.ts";
import type { DayColumns, ProgressFn } from "./load.ts";

export { assertResultRange, countTransactions, microText } from "./day-rows.ts";

/** Days of per-order release progress kept (the partitions of `release_progress`). */
export const RELEASE_PROGRESS_DAYS_KEPT = 7;

/**
 * Called after each batch handed to the database (tests inject crashes here);
 * awaited between the transactions of the close, compute and apply phases.
 */
export type BatchHook = (phase: string, batch: number) => void | Promise<void>;

/** Rows written for a day. */
export interface RowsWritten {
  readonly transactions: number;
  readonly postings: number;
  readonly balances: number;
  /** Open release-plan orders carried into the next day (`release_progress`). */
  readonly orders: number;
  readonly stars: number;
}

/** Reserves `n` ledger transaction ids from the table's identity sequence. */
async function reserveTransactionIds(tx: Tx, n: number): Promise<Float64Array> {
  const ids = new Float64Array(n);
  if (n === 0) return ids;
  let k = 0;
  await readCopyRows(
    tx.copyTo(
      `select nextval(pg_get_serial_sequence('ledger_transactions', 'id')) from generate_series(1, ${n})`,
    ),
    (c) => {
      ids[k++] = Number(c[0]);
    },
  );
  if (k !== n) throw new Error(`settlement: reserved ${k} of ${n} transaction ids`);
  return ids;
}

/** Where the settlement reports what it cannot put in `settlement_runs` or throw. */
export interface SettleLog {
  error(object: object, message: string): void;
}

export const STDERR_LOG: SettleLog = {
  error: (object, message) => console.error(message, object),
};

/** The stage stopping because the day's transaction failed (that failure is the one thrown). */
class StageStopped extends Error {
  constructor() {
    super("settlement: the day's transaction failed; stage stopped");
    this.name = "StageStopped";
  }
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** A promise's outcome, as a promise that never rejects. */
function outcomeOf<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/**
 * The day's transaction failed with `error` (which is thrown): a stage that
 * failed on its own as well — not merely stopped by that failure, nor with that
 * same error — is logged, so neither error is lost.
 */
export function reportStageFailure(
  outcome: Outcome<unknown>,
  error: unknown,
  log: SettleLog = STDERR_LOG,
): void {
  if (outcome.ok || outcome.error === error || outcome.error instanceof StageStopped) return;
  log.error(
    { err: outcome.error, settlementError: error },
    "settlement: the day's staging failed too, after the day's transaction failed",
  );
}

/**
 * Runs `fn` in the transaction that fills the day's new tables: on PostgreSQL a
 * second connection's own transaction, committed before the day's transaction
 * attaches the tables (so the database works on both at once); on PGlite the
 * day's transaction itself.
 */
export type StageRunner = <T>(fn: (stage: Tx) => Promise<T>) => Promise<T>;

/** What the staging transaction wrote. */
interface Staged {
  readonly transactions: number;
  readonly postings: number;
}

/** How `writeDay` runs: its clock, the staging runner, progress, test hooks, timing and log. */
export interface WriteDayOptions {
  now: Date;
  stage?: StageRunner;
  progress?: ProgressFn;
  afterBatch?: BatchHook;
  /** Marks the end of a phase of the day's transaction. */
  lap?: (phase: string) => void;
  /** Records the duration of a phase of the parallel stage. */
  record?: (phase: string, ms: number) => void;
  /** Where a stage error is reported when the day's transaction failed first (stderr by default). */
  log?: SettleLog;
}

/**
 * Writes the day's ledger, balance deltas, orders and stars (issue 17: no live
 * row is locked), streaming the rows `computation` produces (in a worker
 * thread: compute.ts). The ledger rows go into new bare tables (filled,
 * indexed and committed by `stage`), while this transaction stores the net
 * balance deltas in the day's own table (`settlement_deltas_d<day>`, applied
 * later in small batches by `applyDeltaBatch`), the next day's release
 * progress into its partition (attached when the day closed) and the stars;
 * then it attaches the ledger tables as partitions. Until the attach commits
 * they are no part of the ledger: a crash leaves them unattached and the next
 * run drops them (`jifen_bare_partition`).
 */
export async function writeDay(
  tx: Tx,
  columns: DayColumns,
  computation: DayComputation,
  options: WriteDayOptions,
): Promise<RowsWritten> {
  const lap = options.lap ?? (() => {});
  const { day } = columns;
  const batchNo = Number(day.replaceAll("-", ""));
  const next = addDays(day, 1);
  const total = await computation.prepareWrite();
  const ids = await reserveTransactionIds(tx, total);

  const parallel = options.stage !== undefined;
  const stage: StageRunner = options.stage ?? ((fn) => fn(tx));
  const abort = { aborted: false };
  let stageMark = performance.now();
  const stageLap = (phase: string) => {
    const at = performance.now();
    options.record?.(`stage:${phase}`, at - stageMark);
    stageMark = at;
  };
  const staging = stage((s) =>
    stageDay(s, computation, {
      ...options,
      lap: parallel ? stageLap : lap,
      ids,
      total,
      batchNo,
      day,
      abort,
    }),
  );
  // Held as an outcome (never an unhandled rejection) and awaited below; a stage
  // error is thrown there, or logged when this transaction failed first.
  const stageOutcome = outcomeOf(staging);
  let written: Omit<RowsWritten, "transactions" | "postings">;
  try {
    if (!parallel) unwrap(await stageOutcome);
    written = await writeDayRows(tx, day, computation, { ...options, lap, next });
  } catch (error) {
    // Stop the stage and let it end (its tables are leftovers) before this transaction rolls back.
    abort.aborted = true;
    reportStageFailure(await stageOutcome, error, options.log);
    throw error;
  }

  // 4. The day's tables become the ledger's partitions.
  const staged = unwrap(await stageOutcome);
  lap("write:stage-wait");
  await tx.query("select jifen_ledger_day_attach($1::integer)", [batchNo]);
  lap("write:attach");
  return { ...staged, ...written };
}

/** 2. The balance deltas' table, 3. the next day's release progress, 4. the stars (the day's transaction). */
async function writeDayRows(
  tx: Tx,
  day: string,
  computation: DayComputation,
  options: WriteDayOptions & { lap: (phase: string) => void; next: string },
): Promise<Omit<RowsWritten, "transactions" | "postings">> {
  const { lap } = options;
  const deltas = computation.stream("deltas");
  const balanceRows = await storeBalanceDeltas(tx, day, deltas.chunks, options.afterBatch);
  if (balanceRows !== deltas.rows())
    throw new Error(`settlement: stored ${balanceRows} of ${deltas.rows()} balance deltas`);
  options.progress?.("write:balances", balanceRows, balanceRows);
  lap("write:balance-deltas");
  const orders = await writeReleaseProgress(tx, computation, options);
  lap("write:orders");
  const stars = await writeStars(tx, computation, day);
  lap("write:stars");
  return { balances: balanceRows, orders, stars };
}

/** How the day's tables are staged (see `stageDay`). */
interface StageOptions {
  now: Date;
  progress?: ProgressFn;
  afterBatch?: BatchHook;
  lap?: (phase: string) => void;
  ids: Float64Array;
  total: number;
  batchNo: number;
  day: string;
  abort: { readonly aborted: boolean };
}

/** Called between COPY batches: stops when the day's transaction failed, then runs the test hook. */
type BatchCheck = (phase: string) => (index: number) => void;

/**
 * Fills the day's bare tables: 1. the engine's transactions in one pass, the postings
 * streaming into their COPY (the producer's work overlaps the database's on the larger
 * table) while the transaction rows' text is collected, then the transactions' COPY (the
 * tables are bare and unattached until both are full, so the order is free) and their
 * indexes. Account names are `m:<digits>:…` or platform names: no escaping.
 */
async function stageDay(s: Tx, computation: DayComputation, options: StageOptions): Promise<Staged> {
  const lap = options.lap ?? (() => {});
  const batch: BatchCheck = (phase) => (index) => {
    if (options.abort.aborted) throw new StageStopped();
    options.afterBatch?.(phase, index);
  };
  // Index builds of millions of rows in one in-memory sort each, by this backend alone: the
  // day's transaction works meanwhile, and parallel build workers only compete with it.
  await s.exec("set local maintenance_work_mem = '512MB'; set local max_parallel_maintenance_workers = 0");
  await s.query("select jifen_ledger_day_create($1::integer)", [options.batchNo]);
  const postings = await stagePostings(s, computation, options, batch);
  lap("write:postings");
  const transactions = await stageTransactions(s, computation, options, batch);
  lap("write:transactions+indexes");
  return { transactions, postings };
}

/** 1a. The postings' COPY, streamed as the engine's transactions are generated. */
async function stagePostings(
  s: Tx,
  computation: DayComputation,
  options: StageOptions,
  batch: BatchCheck,
): Promise<number> {
  const { ids, total, batchNo } = options;
  const stream = computation.stream("postings", { ids, createdAt: options.now.toISOString() }, (k) =>
    options.progress?.("write:postings", k, total),
  );
  const postings = await s.copyFrom(
    `ledger_postings_d${batchNo} (transaction_id, account, asset, amount, member_id, ${CAUSE_COLUMNS})`,
    stream.chunks,
    batch("postings"),
  );
  options.progress?.("write:postings", total, total);
  if (postings !== stream.rows())
    throw new Error(`settlement: wrote ${postings} of ${stream.rows()} postings`);
  return postings;
}

/** 1b. The transactions' COPY (the tables are bare and unattached until both are full) and the day's indexes. */
async function stageTransactions(
  s: Tx,
  computation: DayComputation,
  options: StageOptions,
  batch: BatchCheck,
): Promise<number> {
  const { total, batchNo } = options;
  let c = 0;
  const stream = computation.stream("transactions", undefined, () =>
    options.progress?.("write:transactions", ++c, 0),
  );
  const transactions = await s.copyFrom(
    `ledger_transactions_d${batchNo} (id, business_day, kind, ref, memo, created_at)`,
    stream.chunks,
    batch("transactions"),
  );
  options.progress?.("write:transactions", stream.rows(), stream.rows());
  if (transactions !== total) throw new Error(`settlement: wrote ${transactions} of ${total} transactions`);
  // Every posting names a transaction of this day's table: both streams come from the same
  // deterministic generator, numbered by the same `ids` (the counts are checked above).
  await s.query("select jifen_ledger_day_index($1::integer)", [batchNo]);

  return transactions;
}

/**
 * 3. The next day's release progress: the orders with gift left, into D + 1's
 * partition (created and attached empty when D closed: live commands of D + 1
 * add the orders made eligible that day meanwhile).
 */
async function writeReleaseProgress(
  tx: Tx,
  computation: DayComputation,
  options: { next: string; progress?: ProgressFn; afterBatch?: BatchHook },
): Promise<number> {
  const stream = computation.stream("progress");
  const orders = await tx.copyFrom(
    `${releaseTable(options.next)} (order_id, member_id, seq, base, remaining)`,
    stream.chunks,
    (index) => options.afterBatch?.("orders", index),
  );
  if (orders !== stream.rows()) throw new Error(`settlement: wrote ${orders} of ${stream.rows()} orders`);
  options.progress?.("write:orders", orders, orders);
  return orders;
}

/** The name of day `day`'s partition of `release_progress`. */
export function releaseTable(day: string): string {
  return `release_progress_d${day.replaceAll("-", "")}`;
}

/** The name of day `day`'s table of balance deltas. */
export function deltaTable(day: string): string {
  return `settlement_deltas_d${day.replaceAll("-", "")}`;
}

/**
 * Stores the net balance deltas (COPY text) in the day's own table, indexed by
 * member, for the batches that apply them (`applyDeltaBatch`).
 */
async function storeBalanceDeltas(
  tx: Tx,
  day: string,
  deltaChunks: CopySource,
  afterBatch: BatchHook | undefined,
): Promise<number> {
  const table = deltaTable(day);
  await createDeltaTable(tx, day);
  const rows = await tx.copyFrom(`${table} (account, asset, member_id, amount)`, deltaChunks, (index) =>
    afterBatch?.("balances", index),
  );
  await indexDeltaTable(tx, day);
  return rows;
}

/** Creates day `day`'s empty table of balance deltas (dropping a leftover); a restore creates it too. */
export async function createDeltaTable(tx: Pick<Tx, "exec">, day: string): Promise<void> {
  const table = deltaTable(day);
  await tx.exec(
    `drop table if exists ${table};
     create table ${table} (account text not null, asset text not null, member_id bigint,
       amount numeric(30, 6) not null);`,
  );
}

/** Indexes day `day`'s deltas by member, the order the batches take them in. */
export async function indexDeltaTable(tx: Pick<Tx, "exec">, day: string): Promise<void> {
  await tx.exec(`create index on ${deltaTable(day)} (member_id, account, asset)`);
}

/** A member range of the deltas: ids in (`after`, `through`] holding `rows` delta rows, or the platform's rows (null). */
export type DeltaRange = { readonly after: string; readonly through: string; readonly rows: number } | null;

/**
 * Applies one batch of day `day`'s deltas to the balances and marks the rows
 * with the day: a row already marked (an earlier run applied it) is skipped,
 * so a rerun after a crash never adds a delta twice. A member's rows are all
 * in one batch, so a reader sees the member's balances before or after the
 * day, never a mix. Returns the rows changed.
 */
export async function applyDeltaBatch(tx: Tx, day: string, range: DeltaRange): Promise<number> {
  const table = deltaTable(day);
  const where =
    range === null ? "d.member_id is null" : "d.member_id > $2::bigint and d.member_id <= $3::bigint";
  const params = range === null ? [day] : [day, range.after, range.through];
  const unmarked = "(b.settled_day is null or b.settled_day < $1::date)";
  // The rows in key order (as every command locks them); the debts a later credit repaid meanwhile.
  const over = await tx.query<{ account: string; asset: Asset; excess: string }>(
    `with locked as (
       select b.account, b.asset, b.amount + d.amount as after from balances b
       join ${table} d on b.account = d.account and b.asset = d.asset
       where ${where} and ${unmarked} order by b.account, b.asset for update of b)
     select account, asset, after::text as excess from locked where account like '%:debt:%' and after > 0`,
    params,
  );
  await redirectRepaidDebts(tx, day, over.rows);
  // The deltas added to every row not marked (including one a live command created in between), then
  // first rows (a member's first points, say), marked — only when some delta found no row to update.
  const updated = await tx.query(
    `update balances b set amount = b.amount + d.amount, settled_day = $1::date from ${table} d
     where ${where} and b.account = d.account and b.asset = d.asset and ${unmarked}`,
    params,
  );
  const inserted =
    range !== null && updated.rowCount === range.rows
      ? { rowCount: 0 }
      : await tx.query(
          `insert into balances (account, asset, member_id, amount, settled_day)
           select d.account, d.asset, d.member_id, d.amount, $1::date from ${table} d
           where ${where} and not exists (select 1 from balances b where b.account = d.account and b.asset = d.asset)
           order by d.account, d.asset on conflict (account, asset) do nothing`,
          params,
        );
  return updated.rowCount + inserted.rowCount;
}

/**
 * D repays debts as they were at its close. When a credit of D + 1 already
 * repaid some of the same debt (it reached the member before this batch), the
 * part of D's repayment the debt no longer needs goes to the wallet instead: a
 * correcting entry of D + 1 (`settlement.debt-repaid`, debt → wallet) before the
 * batch, so the debt ends at 0, never above (docs/rules.md "While a day settles").
 */
async function redirectRepaidDebts(
  tx: Tx,
  day: string,
  over: readonly { account: string; asset: Asset; excess: string }[],
): Promise<void> {
  for (const row of over) {
    const excess = parseDecimal(row.excess);
    await appendTransaction(
      tx,
      {
        businessDay: addDays(day, 1),
        kind: "settlement.debt-repaid",
        ref: `day:${day}`,
        postings: [
          { account: row.account, asset: row.asset, amount: -excess },
          { account: row.account.replace(":debt:", ":"), asset: row.asset, amount: excess },
        ],
      },
      new Date(),
    );
  }
}

/** The member id closing the next batch of about `rows` delta rows after member `after`, or null at the end. */
export async function nextDeltaRange(
  q: Pick<Tx, "query">,
  day: string,
  after: string,
  rows: number,
): Promise<DeltaRange | "done"> {
  const found = await q.query<{ through: string | null }>(
    `select max(member_id)::text as through from (select member_id from ${deltaTable(day)}
       where member_id > $1::bigint order by member_id limit $2) s`,
    [after, rows],
  );
  const through = found.rows[0]?.through ?? null;
  if (through === null) return "done";
  // The batch ends with a whole member: its rows beyond the limit are counted too.
  const counted = await q.query<{ n: string }>(
    `select count(*)::text as n from ${deltaTable(day)} where member_id > $1::bigint and member_id <= $2::bigint`,
    [after, through],
  );
  return { after, through, rows: Number(counted.rows[0]?.n ?? 0) };
}

/** Upserts the stars that changed and deletes those that fell to none; returns the rows touched. */
async function writeStars(tx: Tx, computation: DayComputation, day: string): Promise<number> {
  const stream = computation.stream("stars");
  const chunks: string[] = [];
  for await (const chunk of stream.chunks) chunks.push(chunk);
  if (stream.rows() === 0) return 0;
  await tx.exec(
    `create temp table if not exists settle_star (member_id bigint not null, star text) on commit drop;
     truncate settle_star;`,
  );
  const count = await tx.copyFrom("settle_star (member_id, star)", chunks);
  await tx.query(
    `insert into member_stars (member_id, star, business_day)
     select member_id, star, $1::date from settle_star where star is not null
     on conflict (member_id) do update set star = excluded.star, business_day = excluded.business_day`,
    [day],
  );
  await tx.query(
    "delete from member_stars m using settle_star s where s.member_id = m.member_id and s.star is null",
  );
  return count;
}
