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
import {
  type Asset,
  accountMember,
  FEN,
  type Posting,
  type PostingCause,
  parseDecimal,
  type ReleaseConfig,
  type SettlementResult,
  settlementTransactions,
  type Transaction,
} from "@jifen/engine";
import { addDays } from "../clock/index.ts";
import type { CopySource, Tx } from "../db/index.ts";
import { appendTransaction } from "../ledger/index.ts";
import { COPY_NULL, CopyChunker, escapeCopy, readCopyRows } from "./copy-text.ts";
import type { DayColumns, ProgressFn } from "./load.ts";

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

/** How many ledger transactions a day's result yields (without building them). */
export function countTransactions(result: SettlementResult): number {
  let n = (result.totals.pooled > 0n ? 1 : 0) + (result.totals.returned > 0n ? 1 : 0);
  const members = result.static.length;
  for (let i = 0; i < members; i++) {
    const released =
      (result.static[i] as bigint) +
      (result.share[i] as bigint) +
      (result.team[i] as bigint) +
      (result.peer[i] as bigint);
    if (released > 0n) n++;
    if ((result.dividend[i] as bigint) > 0n) n++;
  }
  return n;
}

/**
 * Every amount a day's result credits is ≥ 0 (a 64-bit sum that wrapped shows
 * as a negative number): throws before anything is written otherwise, and the
 * settlement rolls back. The inputs are checked when loaded (load.ts).
 */
export function assertResultRange(result: SettlementResult, memberIds: readonly string[]): void {
  const columns = [
    ["static release", result.static],
    ["share acceleration", result.share],
    ["team acceleration", result.team],
    ["peer acceleration", result.peer],
    ["dividend", result.dividend],
    ["quota", result.quota],
    ["team performance", result.teamPerformance],
  ] as const;
  for (const [name, values] of columns) {
    for (let i = 0; i < values.length; i++) {
      if ((values[i] as bigint) < 0n)
        throw new Error(
          `settlement: member ${memberIds[i]}'s ${name} is negative (${values[i]}): out of range`,
        );
    }
  }
  for (const [name, values] of [
    ["remaining gift", result.orderRemaining],
    ["release", result.orderReleased],
  ] as const) {
    for (let o = 0; o < values.length; o++) {
      if ((values[o] as bigint) < 0n)
        throw new Error(`settlement: an order's ${name} is negative (${values[o]}): out of range`);
    }
  }
}

/** Micro-units as decimal text with 6 places ("12.500000", "-0.000001"): what numeric(30,6) reads. */
export function microText(micro: bigint): string {
  const negative = micro < 0n;
  const digits = (negative ? -micro : micro).toString().padStart(7, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -6)}.${digits.slice(-6)}`;
}

/** The member id inside a member account name (`m:<id>:…`), or null. */
const memberOf = accountMember;

/**
 * Net balance change per (account, asset), produced while the postings stream
 * by: member accounts are grouped per member (each member's transactions are
 * contiguous, in index order — asserted), platform accounts summed apart.
 */
class DeltaCollector {
  private readonly out = new CopyChunker();
  private member: string | null = null;
  private cursor = 0;
  private readonly memberRows: { account: string; asset: Asset; amount: bigint }[] = [];
  private readonly platform = new Map<string, { account: string; asset: Asset; amount: bigint }>();
  constructor(private readonly memberIds: readonly string[]) {}

  add(account: string, asset: Asset, amount: bigint, member: string | null): void {
    if (member === null) {
      const key = `${account}\u0000${asset}`;
      const row = this.platform.get(key);
      if (row) row.amount += amount;
      else this.platform.set(key, { account, asset, amount });
      return;
    }
    if (member !== this.member) {
      this.flushMember();
      // Members appear in index order, each once: advance the cursor to it.
      while (this.cursor < this.memberIds.length && this.memberIds[this.cursor] !== member) this.cursor++;
      if (this.cursor >= this.memberIds.length)
        throw new Error(`settlement: postings of member ${member} are not contiguous in member order`);
      this.cursor++;
      this.member = member;
    }
    for (const row of this.memberRows) {
      if (row.account === account && row.asset === asset) {
        row.amount += amount;
        return;
      }
    }
    this.memberRows.push({ account, asset, amount });
  }

  private flushMember(): void {
    for (const row of this.memberRows) {
      if (row.amount !== 0n)
        this.out.push(`${row.account}\t${row.asset}\t${this.member}\t${microText(row.amount)}`);
    }
    this.memberRows.length = 0;
  }

  /** The chunks of COPY text completed so far (members whose rows are complete). */
  drain(): string[] {
    return this.out.drain();
  }

  /** Every delta row as COPY text chunks (platform rows last). */
  finish(): string[] {
    this.flushMember();
    for (const row of this.platform.values()) {
      if (row.amount !== 0n)
        this.out.push(`${row.account}\t${row.asset}\t${COPY_NULL}\t${microText(row.amount)}`);
    }
    return this.out.finish();
  }

  get rows(): number {
    return this.out.rows;
  }
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

/** Checks a transaction sums to zero per asset and moves whole fen on member cash (as appendTransaction does). */
function assertTransaction(t: Transaction): void {
  const postings = t.postings;
  let balanced = true;
  for (let i = 0; i < postings.length && balanced; i++) {
    const asset = (postings[i] as Posting).asset;
    let sum = 0n;
    for (const p of postings) if (p.asset === asset) sum += p.amount;
    balanced = sum === 0n;
  }
  if (!balanced) throw new Error(`settlement: ${t.kind} does not balance`);
  for (const p of postings) {
    if (p.asset === "cny" && p.amount % FEN !== 0n && p.account.startsWith("m:"))
      throw new Error(`settlement: ${p.account} moves part of a fen (${p.amount})`);
  }
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
 * row is locked). The ledger rows go into new bare tables (filled, indexed and
 * committed by `stage`), while this transaction stores the net balance deltas
 * in the day's own table (`settlement_deltas_d<day>`, applied later in small
 * batches by `applyDeltaBatch`), the next day's release progress into its
 * partition (attached when the day closed) and the stars; then it attaches
 * the ledger tables as partitions. Until the attach commits they are no part
 * of the ledger: a crash leaves them unattached and the next run drops them
 * (`jifen_bare_partition`).
 */
export async function writeDay(
  tx: Tx,
  columns: DayColumns,
  result: SettlementResult,
  release: ReleaseConfig,
  options: WriteDayOptions,
): Promise<RowsWritten> {
  const lap = options.lap ?? (() => {});
  assertResultRange(result, columns.memberIds);
  const { day } = columns;
  const batchNo = Number(day.replaceAll("-", ""));
  const next = addDays(day, 1);
  const total = countTransactions(result);
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
    stageDay(s, columns, result, release, {
      ...options,
      lap: parallel ? stageLap : lap,
      ids,
      total,
      batchNo,
      next,
      abort,
    }),
  );
  // Held as an outcome (never an unhandled rejection) and awaited below; a stage
  // error is thrown there, or logged when this transaction failed first.
  const stageOutcome = outcomeOf(staging);
  let written: Omit<RowsWritten, "transactions" | "postings">;
  try {
    if (!parallel) unwrap(await stageOutcome);
    written = await writeDayRows(tx, columns, result, release, { ...options, lap, next });
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
  columns: DayColumns,
  result: SettlementResult,
  release: ReleaseConfig,
  options: WriteDayOptions & { lap: (phase: string) => void; next: string },
): Promise<Omit<RowsWritten, "transactions" | "postings">> {
  const { lap } = options;
  const balanceRows = await storeBalanceDeltas(
    tx,
    columns.day,
    deltaRows(result, ledgerInput(columns, release), columns.memberIds),
    options.afterBatch,
  );
  options.progress?.("write:balances", balanceRows, balanceRows);
  lap("write:balance-deltas");
  const orders = await writeReleaseProgress(tx, columns, result, options);
  lap("write:orders");
  const stars = await writeStars(
    tx,
    columns,
    result,
    release.starLevels.map((s) => s.name),
    columns.day,
  );
  lap("write:stars");
  return { balances: balanceRows, orders, stars };
}

/**
 * Fills the day's bare tables: 1. the engine's transactions in one pass, the postings
 * streaming into their COPY (the engine's work overlaps the database's on the larger table)
 * while the transaction rows' text is collected, then the transactions' COPY (the tables are
 * bare and unattached until both are full, so the order is free) and their indexes; 2. the
 * next day's release progress, the orders with gift left. Account names are `m:<digits>:…`
 * or platform names: no escaping.
 */
/** How the day's tables are staged (see `stageDay`). */
interface StageOptions {
  now: Date;
  progress?: ProgressFn;
  afterBatch?: BatchHook;
  lap?: (phase: string) => void;
  ids: Float64Array;
  total: number;
  batchNo: number;
  next: string;
  abort: { readonly aborted: boolean };
}

/** Called between COPY batches: stops when the day's transaction failed, then runs the test hook. */
type BatchCheck = (phase: string) => (index: number) => void;

async function stageDay(
  s: Tx,
  columns: DayColumns,
  result: SettlementResult,
  release: ReleaseConfig,
  options: StageOptions,
): Promise<Staged> {
  const lap = options.lap ?? (() => {});
  const batch: BatchCheck = (phase) => (index) => {
    if (options.abort.aborted) throw new StageStopped();
    options.afterBatch?.(phase, index);
  };
  // Index builds of millions of rows in one in-memory sort each, by this backend alone: the
  // day's transaction works meanwhile, and parallel build workers only compete with it.
  await s.exec("set local maintenance_work_mem = '512MB'; set local max_parallel_maintenance_workers = 0");
  await s.query("select jifen_ledger_day_create($1::integer)", [options.batchNo]);
  const { postings, transactionText } = await stagePostings(s, columns, result, release, options, batch);
  lap("write:postings");
  const transactions = await stageTransactions(s, transactionText, options, batch);
  lap("write:transactions+indexes");
  return { transactions, postings };
}

/**
 * 1a. The engine's transactions in one pass: the postings stream into their COPY while the
 * transaction rows' text is collected (for `stageTransactions`).
 */
async function stagePostings(
  s: Tx,
  columns: DayColumns,
  result: SettlementResult,
  release: ReleaseConfig,
  options: StageOptions,
  batch: BatchCheck,
): Promise<{ postings: number; transactionText: CopyChunker }> {
  const { day } = columns;
  const { ids, total, batchNo } = options;
  const createdAt = options.now.toISOString();
  const ref = escapeCopy(`day:${day}`);
  let k = 0;
  let postingTotal = 0;
  const transactionText = new CopyChunker();
  function* postingRows(): Generator<string> {
    const rows = new CopyChunker();
    for (const t of settlementTransactions(0, result, ledgerInput(columns, release))) {
      assertTransaction(t);
      const id = ids[k++];
      transactionText.push(`${id}\t${day}\t${t.kind}\t${ref}\t${COPY_NULL}\t${createdAt}`);
      for (const p of t.postings) {
        if (p.amount === 0n) continue;
        const member = memberOf(p.account);
        rows.push(
          `${id}\t${p.account}\t${p.asset}\t${microText(p.amount)}\t${member ?? COPY_NULL}\t${
            p.cause === undefined ? NO_CAUSE : causeText(p.cause)
          }`,
        );
        postingTotal++;
      }
      for (const chunk of rows.drain()) {
        options.progress?.("write:postings", k, total);
        yield chunk;
      }
    }
    yield* rows.finish();
    options.progress?.("write:postings", total, total);
  }
  const postings = await s.copyFrom(
    `ledger_postings_d${batchNo} (transaction_id, account, asset, amount, member_id, ${CAUSE_COLUMNS})`,
    postingRows(),
    batch("postings"),
  );
  if (k !== total) throw new Error(`settlement: generated ${k} of ${total} transactions`);
  if (postings !== postingTotal) throw new Error(`settlement: wrote ${postings} of ${postingTotal} postings`);

  return { postings, transactionText };
}

/** 1b. The transactions' COPY (the tables are bare and unattached until both are full) and the day's indexes. */
async function stageTransactions(
  s: Tx,
  transactionText: CopyChunker,
  options: StageOptions,
  batch: BatchCheck,
): Promise<number> {
  const { total, batchNo } = options;
  const transactionChunks = transactionText.finish();
  function* transactionRows(): Generator<string> {
    for (let c = 0; c < transactionChunks.length; c++) {
      yield transactionChunks[c] as string;
      transactionChunks[c] = ""; // handed over: let it go
      options.progress?.("write:transactions", c + 1, transactionChunks.length);
    }
  }
  const transactions = await s.copyFrom(
    `ledger_transactions_d${batchNo} (id, business_day, kind, ref, memo, created_at)`,
    transactionRows(),
    batch("transactions"),
  );
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
  columns: DayColumns,
  result: SettlementResult,
  options: { next: string; progress?: ProgressFn; afterBatch?: BatchHook },
): Promise<number> {
  const orderCount = columns.orderIds.length;
  const { orderMember, orderBase } = columns.input;
  function* progressText(): Generator<string> {
    const rows = new CopyChunker();
    for (let o = 0; o < orderCount; o++) {
      const remaining = result.orderRemaining[o] as bigint;
      if (remaining === 0n) continue;
      rows.push(
        `${columns.orderIds[o]}\t${columns.memberIds[orderMember[o] as number]}\t${columns.orderSeq[o]}\t${microText(
          orderBase[o] as bigint,
        )}\t${microText(remaining)}`,
      );
      yield* rows.drain();
    }
    yield* rows.finish();
  }
  const orders = await tx.copyFrom(
    `${releaseTable(options.next)} (order_id, member_id, seq, base, remaining)`,
    progressText(),
    (index) => options.afterBatch?.("orders", index),
  );
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

/** What `settlementTransactions` needs besides the result. */
function ledgerInput(columns: DayColumns, release: ReleaseConfig) {
  return {
    memberIds: columns.memberIds,
    pointsOwed: columns.pointsOwed,
    cashOwed: columns.cashOwed,
    release,
    orderIds: columns.orderIds,
  };
}

/** The posting columns of a cause (migration 0006), in COPY order. */
const CAUSE_COLUMNS = "rule, rate_ppm, generation, star, order_id, counterpart_id";
/** The cause columns of a posting without one. */
const NO_CAUSE = `${COPY_NULL}\t${COPY_NULL}\t${COPY_NULL}\t${COPY_NULL}\t${COPY_NULL}\t${COPY_NULL}`;

/** A posting's cause as its COPY columns (rates are micro-units of 1, i.e. parts per million). */
function causeText(c: PostingCause): string {
  return `${c.rule}\t${c.rate}\t${c.generation ?? COPY_NULL}\t${
    c.star === undefined ? COPY_NULL : escapeCopy(c.star)
  }\t${c.order ?? COPY_NULL}\t${c.counterpart ?? COPY_NULL}`;
}

/**
 * The net balance delta per (account, asset) of the day's transactions as COPY text, streamed
 * member by member (a pass of its own over the engine's deterministic generator, so the
 * balances are being updated while the stage writes the ledger rows).
 */
function* deltaRows(
  result: SettlementResult,
  input: ReturnType<typeof ledgerInput>,
  memberIds: readonly string[],
): Generator<string> {
  const deltas = new DeltaCollector(memberIds);
  for (const t of settlementTransactions(0, result, input)) {
    for (const p of t.postings)
      if (p.amount !== 0n) deltas.add(p.account, p.asset, p.amount, memberOf(p.account));
    yield* deltas.drain();
  }
  yield* deltas.finish();
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
async function writeStars(
  tx: Tx,
  columns: DayColumns,
  result: SettlementResult,
  starNames: readonly string[],
  day: string,
): Promise<number> {
  const rows = new CopyChunker();
  const n = columns.memberIds.length;
  for (let i = 0; i < n; i++) {
    const level = result.star[i] as number;
    const next = level >= 0 ? (starNames[level] ?? null) : null;
    if (next !== columns.currentStar[i])
      rows.push(`${columns.memberIds[i]}\t${next === null ? COPY_NULL : escapeCopy(next)}`);
  }
  if (rows.rows === 0) return 0;
  await tx.exec(
    `create temp table if not exists settle_star (member_id bigint not null, star text) on commit drop;
     truncate settle_star;`,
  );
  const count = await tx.copyFrom("settle_star (member_id, star)", rows.finish());
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
