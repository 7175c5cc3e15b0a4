/**
 * The daily settlement of business day D, exactly once, without stopping live
 * commands (issue 17). Under the settlement lock (an advisory lock, so a
 * second server answers "busy" at once):
 *
 * 1. close — a short transaction locks the reward clock FOR UPDATE (waiting
 *    only for the commands of D in flight, which hold it FOR SHARE), opens
 *    D + 1 (its release-progress partition, then `openNextDay`) and records D
 *    in `settlement_open` as `closed`. From here commands land in D + 1.
 * 2. compute — one transaction that locks no live row loads what D closed
 *    with (balances less what later days moved, orders not reversed by D's
 *    end), runs the engine's `settleDay`, writes the ledger (attached
 *    partitions), the release progress of D + 1, the stars and the day's
 *    balance deltas table, and marks D `computed` with its report.
 * 3. apply — the deltas reach the balances in small transactions of a few
 *    thousand members each, every row marked with D (`balances.settled_day`),
 *    so a rerun skips what was applied.
 * 4. finish — the report in `settlement_runs` (`done`), the deltas dropped,
 *    `settlement_open` emptied.
 *
 * A crash before 1 commits leaves nothing; after it, the next run resumes D
 * at the phase recorded (compute is all or nothing; apply skips marked rows).
 */
import { hostname } from "node:os";
import { formatDecimal } from "@jifen/engine";
import { addDays, businessDay, dayStart } from "../clock/index.ts";
import { configForDay } from "../config/index.ts";
import { type Db, isRetryableConflict, isSqlError, type Queryable, type Tx } from "../db/index.ts";
import { equityFigures, openNextDay as rewardsOpenNextDay } from "../rewards/index.ts";
import { type ComputeMode, type DayComputation, dayInput, startComputation } from "./compute.ts";
import type { ResultSummary } from "./day-rows.ts";
import { type DayColumns, loadDayColumns, type ProgressFn } from "./load.ts";
import { readRun, type SettlementReport, storeRun } from "./report.ts";
import {
  applyDeltaBatch,
  type BatchHook,
  deltaTable,
  nextDeltaRange,
  RELEASE_PROGRESS_DAYS_KEPT,
  type RowsWritten,
  releaseTable,
  type SettleLog,
  STDERR_LOG,
  writeDay,
} from "./write.ts";

/** What opening the next business day needs: the reward engine's `openNextDay`. */
export type OpenNextDay = (tx: Tx, day: string, context: { now: Date; businessDay: string }) => Promise<void>;

/** Options of a settlement run. */
export interface SettleOptions {
  /** The wall clock (decides which days are over). */
  readonly now: Date;
  /** Time zone of the business day. */
  readonly timeZone: string;
  /** Compute and report, write nothing. */
  readonly dryRun?: boolean;
  /** Who runs it (shown in settlement_runs.lease_owner); host:pid by default. */
  readonly owner?: string;
  readonly progress?: ProgressFn;
  /** Test hook between write batches (throw to abort, or kill the process). */
  readonly afterBatch?: BatchHook;
  /** Balance delta rows per transaction of the apply phase (default `APPLY_ROWS`). */
  readonly applyRows?: number;
  /** Opens D + 1 inside the day's transaction (the reward engine's; replaceable in tests). */
  readonly openNextDay?: OpenNextDay;
  /** Where a failure to record a failed run is reported (pino's logger fits; stderr by default). */
  readonly log?: SettleLog;
  /** Where the engine step and the rows' text run (default: env `JIFEN_SETTLE_COMPUTE`, else a worker thread). */
  readonly compute?: ComputeMode;
}

export type { SettleLog };

/** The result of settling (or trying to settle) one day. */
export type SettleOutcome =
  | { readonly status: "settled" | "dry-run"; readonly day: string; readonly report: SettlementReport }
  | { readonly status: "already-settled"; readonly day: string; readonly report: SettlementReport }
  | {
      /** No day up to `day` is left to settle and `day` itself was never settled: it was never open. */
      readonly status: "nothing-due";
      readonly day: string;
      /** The business day open now: the first one the settlement will settle. */
      readonly openDay: string;
      /** When `openDay` is over and can be settled (its end in the business time zone). */
      readonly dueAt: string;
      readonly message: string;
    }
  | { readonly status: "busy"; readonly day: string; readonly message: string }
  | { readonly status: "not-due"; readonly day: string; readonly message: string };

const MAX_ATTEMPTS = 3;

/** The advisory lock key of the settlement (per schema, so test schemas do not collide). */
const LOCK_SQL = "select pg_try_advisory_xact_lock(hashtext('jifen.settlement:' || current_schema())) as ok";

/** The business day the reward engine has open, or null when the clock was never started. */
export async function openDay(q: Pick<Tx, "query">, lock = false): Promise<string | null> {
  const rows = await q.query<{ open_day: string }>(
    `select open_day from reward_clock where id = 1${lock ? " for update" : ""}`,
  );
  return rows.rows[0]?.open_day ?? null;
}

/** A kill switch for crash tests: JIFEN_SETTLE_CRASH_AT="<phase>:<batch>" SIGKILLs the process there. */
export function crashHookFromEnv(env: NodeJS.ProcessEnv = process.env): BatchHook | undefined {
  const spec = env.JIFEN_SETTLE_CRASH_AT;
  if (!spec) return undefined;
  const [phase, at = "0"] = spec.split(":");
  return (current, batch) => {
    if (current === phase && batch >= Number(at)) process.kill(process.pid, "SIGKILL");
  };
}

/**
 * What settling `day` means once the clock has moved past it (`open` > `day`):
 * its stored run when it was settled, otherwise "nothing-due" — the day was
 * never open (a fresh database opens today; `demo-data --day` an earlier day),
 * and the first day to settle is the open one, due once it is over.
 */
export async function pastDayOutcome(
  q: Queryable,
  day: string,
  open: string,
  timeZone: string,
): Promise<SettleOutcome> {
  const run = await readRun(q, day);
  if (run?.status === "done" && run.report) return { status: "already-settled", day, report: run.report };
  const settled = await q.query("select 1 from settlement_runs where status = 'done' limit 1");
  const end = addDays(open, 1);
  const first = settled.rows.length === 0;
  return {
    status: "nothing-due",
    day,
    openDay: open,
    dueAt: dayStart(end, timeZone).toISOString(),
    message:
      `${first ? "尚无结束的营业日" : `${day} 从未开放（系统从更晚的营业日开始）`}：` +
      `${first ? "第一个" : "下一个"}待日结的营业日 ${open} 仍在进行，${end} 00:00（${timeZone}）后可日结 / ` +
      `${first ? "nothing is over yet" : `${day} was never open (the reward clock started on a later day)`}: ` +
      `the ${first ? "first" : "next"} business day to settle, ${open}, is still open and can be settled from ${end} 00:00 (${timeZone})`,
  };
}

function decimal(micro: bigint): string {
  return formatDecimal(micro);
}

function buildReport(
  columns: DayColumns,
  summary: ResultSummary,
  extra: {
    configVersionId: string | null;
    dryRun: boolean;
    rows: RowsWritten;
    startedAt: Date;
    phasesMs: Record<string, number>;
    owner: string;
    equity: SettlementReport["equity"];
  },
): SettlementReport {
  const t = summary.totals;
  const finishedAt = new Date();
  return {
    day: columns.day,
    dryRun: extra.dryRun,
    configVersionId: extra.configVersionId,
    members: columns.memberIds.length,
    membersPaid: summary.membersPaid,
    openOrders: columns.orderIds.length,
    ordersReleased: summary.ordersReleased,
    cycleSales: decimal(columns.input.cycleSales),
    totals: {
      static: decimal(t.static),
      share: decimal(t.share),
      team: decimal(t.team),
      peer: decimal(t.peer),
      released: decimal(t.static + t.share + t.team + t.peer),
      forfeited: decimal(t.forfeited),
      dividends: decimal(t.dividend),
      pooled: decimal(t.pooled),
      returned: decimal(t.returned),
      burned: decimal(t.dividend),
    },
    pools: summary.pools.map((p) => ({
      name: p.name,
      tier: p.tier ?? null,
      amount: decimal(p.amount),
      members: p.members,
    })),
    ...(extra.equity ? { equity: extra.equity } : {}),
    stars: summary.stars,
    rows: extra.rows,
    owner: extra.owner,
    startedAt: extra.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - extra.startedAt.getTime(),
    phasesMs: extra.phasesMs,
  };
}

/** Settles business day `day`, which must be the open day and over by the wall clock (not for a dry run). */
export async function settleBusinessDay(db: Db, day: string, options: SettleOptions): Promise<SettleOutcome> {
  const today = businessDay(options.now, options.timeZone);
  const dryRun = options.dryRun ?? false;
  if (!dryRun && day >= today)
    return { status: "not-due", day, message: `business day ${day} is not over yet (today is ${today})` };
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptDay(db, day, today, options);
    } catch (error) {
      if (attempt < MAX_ATTEMPTS && isRetryableConflict(error)) continue;
      if (!dryRun) await recordFailure(db, day, error, options);
      throw error;
    }
  }
}

/**
 * Marks the day failed in `settlement_runs`. When even that fails, both errors
 * go to the log (the caller rethrows the settlement's own error).
 */
async function recordFailure(db: Db, day: string, error: unknown, options: SettleOptions): Promise<void> {
  try {
    await markFailed(db, day, error, options);
  } catch (recordError) {
    (options.log ?? STDERR_LOG).error(
      { day, err: recordError, settlementError: error },
      "settlement failed and the failure could not be recorded in settlement_runs",
    );
  }
}

async function markFailed(db: Db, day: string, error: unknown, options: SettleOptions): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  await db.query(
    `insert into settlement_runs (business_day, status, lease_owner, started_at, finished_at, error)
     values ($1::date, 'failed', $2, $3::timestamptz, $3::timestamptz, $4)
     on conflict (business_day) do update set status = 'failed', lease_owner = excluded.lease_owner,
       finished_at = excluded.finished_at, error = excluded.error
     where settlement_runs.status <> 'done'`,
    [day, ownerOf(options), new Date().toISOString(), message.slice(0, 2000)],
  );
}

function ownerOf(options: SettleOptions): string {
  return options.owner ?? `${hostname()}:${process.pid}`;
}

async function attemptDay(
  db: Db,
  day: string,
  today: string,
  options: SettleOptions,
): Promise<SettleOutcome> {
  if (options.dryRun) return dryRunDay(db, day, options);
  return withSettlementLock(db, day, async (phaseTx) => {
    const run = { owner: ownerOf(options), startedAt: new Date(), timeZone: options.timeZone };
    let inFlight = await settlingDay(db);
    if (inFlight && inFlight.day !== day)
      return {
        status: "not-due",
        day,
        message: `business day ${inFlight.day} must be settled before ${day}`,
      };
    let closeMs = 0;
    if (!inFlight) {
      await preparing(() => phaseTx((tx) => prepareNextDay(tx, day, db.driver === "pg")));
      const closing = performance.now();
      const refused = await phaseTx((tx) => closeDay(tx, day, today, { ...run, options }));
      if (refused) return refused;
      closeMs = performance.now() - closing;
      inFlight = { day, phase: "closed", report: null };
    }
    let report = inFlight.report;
    if (report === null) report = await phaseTx((tx) => computeAndWrite(db, tx, day, { ...run, options }));
    const applyMs = await applyDay(db, day, phaseTx, options);
    const settled = finishedReport(report, { close: closeMs, apply: applyMs });
    await phaseTx(async (tx) => {
      await storeRun(tx, settled);
      await tx.exec("delete from settlement_open");
    });
    await dropLeftovers(db, day, options);
    return { status: "settled", day, report: settled };
  });
}

/** The report with the close and apply phases and the end of the run. */
function finishedReport(report: SettlementReport, ms: { close: number; apply: number }): SettlementReport {
  const finishedAt = new Date();
  return {
    ...report,
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - Date.parse(report.startedAt),
    phasesMs: { close: Math.round(ms.close), ...report.phasesMs, apply: Math.round(ms.apply) },
  };
}

/**
 * 0. Before the close, outside the clock's lock: D + 1's release-progress
 * partition created, indexed and attached empty (commands of D add rows of D
 * only), so that the close holds the clock only for opening D + 1. Attaching
 * checks the default partition under an exclusive lock: a moment, but not
 * while every payment waits for the clock. Nothing when D is not the open day
 * or the partition is there (a rerun).
 */
async function prepareNextDay(tx: Tx, day: string, timeout: boolean): Promise<void> {
  if ((await openDay(tx)) !== day) return;
  // Queued behind a long reader (a backup's snapshot) the attach would queue commands behind itself.
  if (timeout) await tx.exec("set local lock_timeout = '2s'");
  const next = addDays(day, 1);
  const there = await tx.query(
    `select 1 from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'release_progress'::regclass and c.relname = $1`,
    [releaseTable(next)],
  );
  if (there.rows.length > 0) return;
  await tx.query("select jifen_release_day_create($1::date)", [next]);
  await tx.query("select jifen_release_day_index($1::date)", [next]);
  // Attached without dropping old partitions (keep_from in the past): that is done after the run.
  await tx.query("select jifen_release_day_attach($1::date, '1970-01-01'::date)", [next]);
}

/** Runs the prepare again while its lock times out (a long reader of release_progress), 30 times at most. */
async function preparing(run: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= 30 || !isSqlError(error, "55P03")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/**
 * 5. After the run, each in a short transaction that gives up after 2 s
 * rather than queue every command behind it (dropping a partition locks its
 * parent exclusively; a backup or verify reading it would hold the drop, and
 * the drop every command after it): the day's deltas' table, and the release
 * progress older than RELEASE_PROGRESS_DAYS_KEPT days. What is left is
 * dropped after the next day.
 */
async function dropLeftovers(db: Db, day: string, options: SettleOptions): Promise<void> {
  const keepFrom = addDays(day, 1 - RELEASE_PROGRESS_DAYS_KEPT);
  const drop = async (sql: string, params: unknown[] = []) => {
    try {
      await db.transaction(async (tx) => {
        if (db.driver === "pg") await tx.exec("set local lock_timeout = '2s'");
        await tx.query(sql, params);
      });
    } catch (error) {
      if (!isSqlError(error, "55P03")) throw error;
      (options.log ?? STDERR_LOG).error(
        { day, err: error },
        "settlement: a leftover table was left for later",
      );
    }
  };
  const stale = await db.query<{ name: string }>(
    `select c.relname as name from pg_class c
     where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r'
       and (c.relname ~ '^settlement_deltas_d[0-9]{8}$'
         or (c.relname ~ '^release_progress_d[0-9]{8}$' and c.relname < $1))
       and not exists (select 1 from settlement_open o where c.relname = 'settlement_deltas_d' || to_char(o.business_day, 'YYYYMMDD'))
     order by 1`,
    [releaseTable(keepFrom)],
  );
  for (const { name } of stale.rows) await drop(`drop table if exists ${name}`);
  await drop("delete from release_progress_default where day < $1::date", [keepFrom]);
}

/** Runs one phase of the settlement in its own transaction. */
type PhaseTx = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

/** The settlement lock is held elsewhere (the phase could not take it). */
class SettlementBusy extends Error {}

/**
 * Runs `fn` under the settlement lock: on PostgreSQL a transaction of its own
 * holds it for the whole run (the phases use other connections); on PGlite,
 * one connection, each phase's transaction takes it.
 */
async function withSettlementLock(
  db: Db,
  day: string,
  fn: (phaseTx: PhaseTx) => Promise<SettleOutcome>,
): Promise<SettleOutcome> {
  const busy: SettleOutcome = {
    status: "busy",
    day,
    message: "another process is settling (settlement lock held)",
  };
  const take = async (tx: Tx) => (await tx.query<{ ok: boolean }>(LOCK_SQL)).rows[0]?.ok === true;
  if (db.driver === "pg" && db.connections > 2)
    return db.transaction(async (lockTx) => ((await take(lockTx)) ? fn((f) => db.transaction(f)) : busy));
  // One connection: a second run in this process would interleave its phases with the first.
  if (settlingHere.has(db)) return busy;
  const phaseTx: PhaseTx = (f) =>
    db.transaction(async (tx) => {
      if (!(await take(tx))) throw new SettlementBusy();
      return f(tx);
    });
  settlingHere.add(db);
  try {
    return await fn(phaseTx);
  } catch (error) {
    if (error instanceof SettlementBusy) return busy;
    throw error;
  } finally {
    settlingHere.delete(db);
  }
}

/** The databases this process is settling on without a lock of their own (PGlite). */
const settlingHere = new WeakSet<Db>();

/** The day between its close and its last batch, if any. */
export async function settlingDay(
  q: Queryable,
): Promise<{ day: string; phase: "closed" | "computed"; report: SettlementReport | null } | null> {
  const rows = await q.query<{ business_day: string; phase: "closed" | "computed"; report: unknown }>(
    "select business_day, phase, report from settlement_open order by business_day limit 1",
  );
  const row = rows.rows[0];
  if (!row) return null;
  const report = typeof row.report === "string" ? JSON.parse(row.report) : (row.report ?? null);
  return { day: row.business_day, phase: row.phase, report: report as SettlementReport | null };
}

/**
 * The day whose balance deltas are committed but not all applied (phase
 * `computed`), and its deltas' table: a balance row not marked with the day
 * (`settled_day`), or missing, still lacks its delta there. `jifen verify`
 * adds them (docs/server.md "Verify").
 */
export async function pendingDeltas(q: Queryable): Promise<{ day: string; table: string } | null> {
  const rows = await q.query<{ business_day: string }>(
    "select business_day::text as business_day from settlement_open where phase = 'computed' order by 1 limit 1",
  );
  const day = rows.rows[0]?.business_day;
  return day ? { day, table: deltaTable(day) } : null;
}

/** How a run is recorded: who, since when, in which time zone, with which options. */
interface RunInfo {
  owner: string;
  startedAt: Date;
  timeZone: string;
  options: SettleOptions;
}

/**
 * 1. Closes `day`: checks it is the open day (clock locked FOR UPDATE), marks
 * the run `running`, opens D + 1 with its release-progress partition and
 * records D as `closed`. Returns the outcome when the day is not settled now.
 */
async function closeDay(tx: Tx, day: string, today: string, run: RunInfo): Promise<SettleOutcome | null> {
  const open = await openDay(tx, true);
  if (open === null) throw new Error("settlement: the reward clock has no open day (start the server once)");
  if (open > day) return pastDayOutcome(tx, day, open, run.timeZone);
  if (open < day)
    return { status: "not-due", day, message: `business day ${open} must be settled before ${day}` };
  await tx.query(
    `insert into settlement_runs (business_day, status, lease_owner, lease_expires_at, started_at)
     values ($1::date, 'running', $2, $3::timestamptz + interval '1 hour', $3::timestamptz)
     on conflict (business_day) do update set status = 'running', lease_owner = excluded.lease_owner,
       lease_expires_at = excluded.lease_expires_at, started_at = excluded.started_at, error = null
     where settlement_runs.status <> 'done'`,
    [day, run.owner, run.startedAt.toISOString()],
  );
  await run.options.afterBatch?.("close", 0);
  await openFollowingDay(tx, day, today, run.options);
  await tx.query(
    "insert into settlement_open (business_day, phase, closed_at) values ($1::date, 'closed', $2::timestamptz)",
    [day, new Date().toISOString()],
  );
  return null;
}

/**
 * 2. Computes the closed day from what it closed with and writes everything but
 * the balances (ledger, release progress, stars, the deltas' table); marks it
 * `computed` with its report. Locks no row a live command takes.
 */
async function computeAndWrite(db: Db, tx: Tx, day: string, run: RunInfo): Promise<SettlementReport> {
  const { options } = run;
  // Hash joins and sorts of a million rows in memory, the day's indexes built in one sort.
  await tx.exec("set local work_mem = '256MB'; set local maintenance_work_mem = '512MB'");
  const timer = phaseTimer();
  const { effective, columns, computation } = await computeDay(tx, day, options, timer.lap);
  let failed = true;
  try {
    const figures = await equityFigures(tx, effective.config);
    const rows = await writeDay(tx, columns, computation, {
      now: options.now,
      lap: timer.lap,
      record: (phase, ms) => {
        timer.phasesMs[phase] = Math.round(ms);
      },
      // On PostgreSQL the day's new tables are filled on a second connection meanwhile.
      ...(db.driver === "pg" && db.connections > 2 ? { stage: (fn) => db.transaction(fn) } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.afterBatch ? { afterBatch: options.afterBatch } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    failed = false;
    const report = buildReport(columns, computation.summary, {
      configVersionId: effective.versionId,
      dryRun: false,
      rows,
      startedAt: run.startedAt,
      phasesMs: timer.phasesMs,
      owner: run.owner,
      equity: {
        price: figures.price,
        pool: decimal(figures.pool),
        circulating: decimal(figures.circulating),
      },
    });
    const marked = await tx.query(
      `update settlement_open set phase = 'computed', report = $2::text::jsonb
       where business_day = $1::date and phase = 'closed'`,
      [day, JSON.stringify(report)],
    );
    if (marked.rowCount !== 1) throw new Error(`settlement: ${day} is not closed`);
    await options.afterBatch?.("computed", 0);
    return report;
  } finally {
    computation.close(failed);
  }
}

/**
 * Delta rows per batch of the apply phase (about five thousand members: a
 * batch holds their rows for a fraction of a second; 2,000 made a million
 * members 1,000 round trips of three statements each).
 */
const APPLY_ROWS = 10_000;

/**
 * 3. Applies the day's balance deltas in batches of members (then the
 * platform's rows), each its own short transaction; a deadlock or
 * serialization failure retries the batch (it is idempotent). Returns the ms.
 */
async function applyDay(db: Db, day: string, phaseTx: PhaseTx, options: SettleOptions): Promise<number> {
  const started = performance.now();
  await options.afterBatch?.("apply-start", 0);
  let after = "0";
  for (let batch = 0; ; batch++) {
    const range = await nextDeltaRange(db, day, after, options.applyRows ?? APPLY_ROWS);
    if (range === "done") break;
    await retrying(() => phaseTx((tx) => applyDeltaBatch(tx, day, range)));
    await options.afterBatch?.("apply", batch);
    options.progress?.("apply", batch + 1, 0);
    if (range) after = range.through;
  }
  await retrying(() => phaseTx((tx) => applyDeltaBatch(tx, day, null)));
  await options.afterBatch?.("apply-platform", 0);
  return performance.now() - started;
}

/** Runs `fn` again after a deadlock or serialization failure (a few times). */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= 5 || !isRetryableConflict(error)) throw error;
    }
  }
}

/** A dry run: the open day computed and reported, nothing written, no lock. */
async function dryRunDay(db: Db, day: string, options: SettleOptions): Promise<SettleOutcome> {
  const owner = ownerOf(options);
  const startedAt = new Date();
  return db.transaction(async (tx): Promise<SettleOutcome> => {
    const open = await openDay(tx);
    if (open === null)
      throw new Error("settlement: the reward clock has no open day (start the server once)");
    if (open > day) return pastDayOutcome(tx, day, open, options.timeZone);
    if (open < day)
      return { status: "not-due", day, message: `business day ${open} must be settled before ${day}` };
    await tx.exec("set local work_mem = '256MB'");
    const timer = phaseTimer();
    const { effective, columns, computation } = await computeDay(tx, day, options, timer.lap);
    computation.close();
    const figures = await equityFigures(tx, effective.config);
    const report = buildReport(columns, computation.summary, {
      configVersionId: effective.versionId,
      dryRun: true,
      rows: { transactions: 0, postings: 0, balances: 0, orders: 0, stars: 0 },
      startedAt,
      phasesMs: timer.phasesMs,
      owner,
      equity: {
        price: figures.price,
        pool: decimal(figures.pool),
        circulating: decimal(figures.circulating),
      },
    });
    return { status: "dry-run", day, report };
  });
}

/** Milliseconds per phase: `lap(phase)` records the time since the last lap. */
function phaseTimer(): { phasesMs: Record<string, number>; lap: (phase: string) => void } {
  const phasesMs: Record<string, number> = {};
  let mark = performance.now();
  const lap = (phase: string) => {
    const at = performance.now();
    phasesMs[phase] = Math.round(at - mark);
    mark = at;
  };
  return { phasesMs, lap };
}

/**
 * Reads the day's configuration and columns and runs the engine's settlement
 * over them (in a worker thread unless `JIFEN_SETTLE_COMPUTE=inline`: compute.ts).
 */
async function computeDay(tx: Tx, day: string, options: SettleOptions, lap: (phase: string) => void) {
  const effective = await configForDay(tx, day);
  const loadProgress: ProgressFn = (phase, done, total) => {
    options.progress?.(phase, done, total);
    if (done === total && total > 0) lap(phase);
  };
  const columns = await loadDayColumns(tx, day, loadProgress);
  options.progress?.("compute", 0, 1);
  const input = dayInput(columns, effective.config.release, effective.config.cycle);
  const computation: DayComputation = await startComputation(input, options.compute);
  options.progress?.("compute", 1, 1);
  lap("compute");
  return { effective, columns, computation };
}

/** Opens D + 1 inside the day's transaction (the reward engine's, or the test's). */
async function openFollowingDay(tx: Tx, day: string, today: string, options: SettleOptions): Promise<void> {
  options.progress?.("open-next-day", 0, 1);
  await (options.openNextDay ?? rewardsOpenNextDay)(tx, day, { now: options.now, businessDay: today });
  await options.afterBatch?.("open-next-day", 0);
  options.progress?.("open-next-day", 1, 1);
}

/**
 * Settles every open day up to and including `lastDay`, one transaction per
 * day, in order (catching up missed days). Stops at the first day that is not
 * settled now (busy, not due). With `dryRun`, reports only the open day.
 */
export async function settleThrough(
  db: Db,
  lastDay: string,
  options: SettleOptions,
): Promise<SettleOutcome[]> {
  if (options.dryRun) {
    const open = await openDay(db);
    if (open === null)
      throw new Error("settlement: the reward clock has no open day (start the server once)");
    if (lastDay !== open)
      return [{ status: "not-due", day: lastDay, message: `a dry run computes the open day only (${open})` }];
    return [await settleBusinessDay(db, lastDay, options)];
  }
  const outcomes: SettleOutcome[] = [];
  // A day closed by a run that stopped (a crash) is finished first.
  const inFlight = await settlingDay(db);
  if (inFlight && inFlight.day <= lastDay) {
    const outcome = await settleBusinessDay(db, inFlight.day, options);
    outcomes.push(outcome);
    if (outcome.status !== "settled") return outcomes;
  }
  for (;;) {
    const open = await openDay(db);
    if (open === null)
      throw new Error("settlement: the reward clock has no open day (start the server once)");
    if (open > lastDay) {
      if (outcomes.length === 0) outcomes.push(await pastDayOutcome(db, lastDay, open, options.timeZone));
      return outcomes;
    }
    const outcome = await settleBusinessDay(db, open, options);
    outcomes.push(outcome);
    if (outcome.status !== "settled") return outcomes;
  }
}

/** Settles every day that is over by the wall clock and not settled yet (up to yesterday). */
export async function settleDue(db: Db, options: SettleOptions): Promise<SettleOutcome[]> {
  const yesterday = addDays(businessDay(options.now, options.timeZone), -1);
  return settleThrough(db, yesterday, { ...options, dryRun: false });
}
