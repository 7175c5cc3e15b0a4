/**
 * The daily settlement of business day D, exactly once and all or nothing:
 * one database transaction takes the settlement lock (an advisory lock, so a
 * second server answers "busy" at once), checks the reward clock has D open
 * (`reward_clock.open_day = D`, locked FOR UPDATE), loads the day's columns,
 * runs the engine's `settleDay`, writes the ledger and state in bulk, opens
 * D + 1 (`openNextDay`) and stores the day's report in `settlement_runs` —
 * then commits. A crash at any point rolls everything back; the next run
 * settles the day from the start. A settled day has moved the clock on, so
 * running it again finds nothing to do.
 */
import { hostname } from "node:os";
import { formatDecimal, type SettlementResult, settleDay } from "@jifen/engine";
import { addDays, businessDay, dayStart } from "../clock/index.ts";
import { configForDay } from "../config/index.ts";
import { type Db, isSqlError, type Queryable, type Tx } from "../db/index.ts";
import { equityFigures, openNextDay as rewardsOpenNextDay } from "../rewards/index.ts";
import { type DayColumns, loadDayColumns, type ProgressFn } from "./load.ts";
import { readRun, type SettlementReport, storeRun } from "./report.ts";
import { type BatchHook, type RowsWritten, type SettleLog, STDERR_LOG, writeDay } from "./write.ts";

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
  /** Opens D + 1 inside the day's transaction (the reward engine's; replaceable in tests). */
  readonly openNextDay?: OpenNextDay;
  /** Where a failure to record a failed run is reported (pino's logger fits; stderr by default). */
  readonly log?: SettleLog;
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

const RETRYABLE = ["40P01", "40001"]; // deadlock, serialization failure
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
  result: SettlementResult,
  extra: {
    configVersionId: string | null;
    dryRun: boolean;
    rows: RowsWritten;
    startedAt: Date;
    phasesMs: Record<string, number>;
    owner: string;
    starNames: readonly string[];
    equity: SettlementReport["equity"];
  },
): SettlementReport {
  const t = result.totals;
  let membersPaid = 0;
  let ordersReleased = 0;
  const byLevel: Record<string, number> = {};
  for (let i = 0; i < columns.memberIds.length; i++) {
    const released =
      (result.static[i] as bigint) +
      (result.share[i] as bigint) +
      (result.team[i] as bigint) +
      (result.peer[i] as bigint);
    if (released > 0n || (result.dividend[i] as bigint) > 0n) membersPaid++;
    const level = result.star[i] as number;
    if (level >= 0) {
      const name = extra.starNames[level] ?? String(level);
      byLevel[name] = (byLevel[name] ?? 0) + 1;
    }
  }
  for (const r of result.orderReleased) if (r > 0n) ordersReleased++;
  const finishedAt = new Date();
  return {
    day: columns.day,
    dryRun: extra.dryRun,
    configVersionId: extra.configVersionId,
    members: columns.memberIds.length,
    membersPaid,
    openOrders: columns.orderIds.length,
    ordersReleased,
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
    pools: result.pools.map((p) => ({
      name: p.name,
      tier: p.tier ?? null,
      amount: decimal(p.amount),
      members: p.members,
    })),
    ...(extra.equity ? { equity: extra.equity } : {}),
    stars: byLevel,
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
      if (attempt < MAX_ATTEMPTS && RETRYABLE.some((code) => isSqlError(error, code))) continue;
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
  const dryRun = options.dryRun ?? false;
  const owner = ownerOf(options);
  const startedAt = new Date();
  return db.transaction(async (tx): Promise<SettleOutcome> => {
    const refused = await claimDay(db, tx, day, { dryRun, owner, startedAt, timeZone: options.timeZone });
    if (refused) return refused;
    // Hash joins and sorts of a million rows in memory, the day's indexes built in one sort.
    await tx.exec("set local work_mem = '256MB'; set local maintenance_work_mem = '512MB'");
    const timer = phaseTimer();
    const { effective, columns, result } = await computeDay(tx, day, options, timer.lap);
    const figures = await equityFigures(tx, effective.config);
    const equity = {
      price: figures.price,
      pool: decimal(figures.pool),
      circulating: decimal(figures.circulating),
    };
    const report = (rows: RowsWritten) =>
      buildReport(columns, result, {
        configVersionId: effective.versionId,
        dryRun,
        rows,
        startedAt,
        phasesMs: timer.phasesMs,
        owner,
        starNames: effective.config.release.starLevels.map((s) => s.name),
        equity,
      });
    if (dryRun) {
      return {
        status: "dry-run",
        day,
        report: report({ transactions: 0, postings: 0, balances: 0, orders: 0, stars: 0 }),
      };
    }
    const rows = await writeDay(tx, columns, result, effective.config.release, {
      now: options.now,
      lap: timer.lap,
      record: (phase, ms) => {
        timer.phasesMs[phase] = Math.round(ms);
      },
      // On PostgreSQL the day's new tables are filled on a second connection meanwhile.
      ...(db.driver === "pg" && db.connections > 1 ? { stage: (fn) => db.transaction(fn) } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.afterBatch ? { afterBatch: options.afterBatch } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    await openFollowingDay(tx, day, today, options);
    timer.lap("openNextDay");
    const settled = report(rows);
    await storeRun(tx, settled);
    return { status: "settled", day, report: settled };
  });
}

/**
 * Takes the settlement lock and checks `day` is the open day; marks the run
 * 'running' where other connections can see it (PostgreSQL). Returns the
 * outcome when the day is not settled now, or null to go on.
 */
async function claimDay(
  db: Db,
  tx: Tx,
  day: string,
  run: { dryRun: boolean; owner: string; startedAt: Date; timeZone: string },
): Promise<SettleOutcome | null> {
  if (!run.dryRun) {
    const lock = await tx.query<{ ok: boolean }>(LOCK_SQL);
    if (!lock.rows[0]?.ok)
      return { status: "busy", day, message: "another process is settling (settlement lock held)" };
  }
  const open = await openDay(tx, !run.dryRun);
  if (open === null) throw new Error("settlement: the reward clock has no open day (start the server once)");
  if (open > day) return pastDayOutcome(tx, day, open, run.timeZone);
  if (open < day)
    return { status: "not-due", day, message: `business day ${open} must be settled before ${day}` };
  if (!run.dryRun && db.driver === "pg") {
    // Visible to other connections while the day's transaction runs (informational; the lock excludes).
    await db.query(
      `insert into settlement_runs (business_day, status, lease_owner, lease_expires_at, started_at)
       values ($1::date, 'running', $2, $3::timestamptz + interval '1 hour', $3::timestamptz)
       on conflict (business_day) do update set status = 'running', lease_owner = excluded.lease_owner,
         lease_expires_at = excluded.lease_expires_at, started_at = excluded.started_at, error = null
       where settlement_runs.status <> 'done'`,
      [day, run.owner, run.startedAt.toISOString()],
    );
  }
  return null;
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

/** Reads the day's configuration and columns and runs the engine's settlement over them. */
async function computeDay(tx: Tx, day: string, options: SettleOptions, lap: (phase: string) => void) {
  const effective = await configForDay(tx, day);
  const loadProgress: ProgressFn = (phase, done, total) => {
    options.progress?.(phase, done, total);
    if (done === total && total > 0) lap(phase);
  };
  const columns = await loadDayColumns(tx, day, loadProgress);
  options.progress?.("compute", 0, 1);
  const result = settleDay(columns.input, effective.config.release, effective.config.cycle);
  options.progress?.("compute", 1, 1);
  lap("compute");
  return { effective, columns, result };
}

/** Opens D + 1 inside the day's transaction (the reward engine's, or the test's). */
async function openFollowingDay(tx: Tx, day: string, today: string, options: SettleOptions): Promise<void> {
  options.progress?.("open-next-day", 0, 1);
  await (options.openNextDay ?? rewardsOpenNextDay)(tx, day, { now: options.now, businessDay: today });
  options.afterBatch?.("open-next-day", 0);
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
