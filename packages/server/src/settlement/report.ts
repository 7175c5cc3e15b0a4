/**
 * The settlement report of a business day, stored in `settlement_runs.report`
 * (jsonb, migration 0004) with the run's status, and read back by the admin
 * API and `jifen settlements`. Amounts are decimal strings (yuan, points).
 */
import type { Queryable, Tx } from "../db/index.ts";
import type { RowsWritten } from "./write.ts";

/** What a settled (or dry-run) day computed and wrote. */
export interface SettlementReport {
  readonly day: string;
  readonly dryRun: boolean;
  /** The config version in force (null: the defaults). */
  readonly configVersionId: string | null;
  readonly members: number;
  /** Members who received a release or a dividend. */
  readonly membersPaid: number;
  readonly openOrders: number;
  readonly ordersReleased: number;
  /** The day's eligible cycle-plan sales D. */
  readonly cycleSales: string;
  readonly totals: {
    /** Points released: static, share, team (differential), peer, and their sum. */
    readonly static: string;
    readonly share: string;
    readonly team: string;
    readonly peer: string;
    readonly released: string;
    /** Accelerations members were entitled to but had no gift left to cover (lost). */
    readonly forfeited: string;
    /** Cycle dividends paid, pools funded, and what the pools returned to the platform. */
    readonly dividends: string;
    readonly pooled: string;
    readonly returned: string;
    /** Dividend quota used up (moved to burn:quota). */
    readonly burned: string;
  };
  readonly pools: readonly { name: string; tier: string | null; amount: string; members: number }[];
  /**
   * The equity plan at the end of the day (before the next day opens): price
   * (4 decimals), pool (yuan) and circulating points. Absent in reports stored
   * before it was recorded.
   */
  readonly equity?: { readonly price: string; readonly pool: string; readonly circulating: string };
  /** Members per star level after the day. */
  readonly stars: Readonly<Record<string, number>>;
  readonly rows: RowsWritten;
  readonly owner: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /** Milliseconds per phase: load, compute, write, openNextDay. */
  readonly phasesMs: Readonly<Record<string, number>>;
}

/** One row of settlement_runs. */
export interface SettlementRun {
  readonly day: string;
  readonly status: "running" | "done" | "failed";
  readonly configVersionId: string | null;
  readonly owner: string | null;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly durationMs: number | null;
  readonly memberCount: number | null;
  readonly error: string | null;
  readonly report: SettlementReport | null;
}

interface Row {
  business_day: string;
  status: SettlementRun["status"];
  config_version_id: string | null;
  lease_owner: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  duration_ms: number | null;
  member_count: number | null;
  error: string | null;
  report: unknown;
}

const COLUMNS =
  "business_day, status, config_version_id, lease_owner, started_at, finished_at, duration_ms, member_count, error, report";

function toRun(r: Row): SettlementRun {
  const report = typeof r.report === "string" ? (JSON.parse(r.report) as SettlementReport) : r.report;
  return {
    day: r.business_day,
    status: r.status,
    configVersionId: r.config_version_id,
    owner: r.lease_owner,
    startedAt: r.started_at ? new Date(r.started_at) : null,
    finishedAt: r.finished_at ? new Date(r.finished_at) : null,
    durationMs: r.duration_ms,
    memberCount: r.member_count,
    error: r.error,
    report: (report ?? null) as SettlementReport | null,
  };
}

/** Records a settled day (status done) with its report, in the day's transaction. */
export async function storeRun(tx: Tx, report: SettlementReport): Promise<void> {
  await tx.query(
    `insert into settlement_runs (business_day, status, config_version_id, lease_owner, lease_expires_at,
       started_at, finished_at, duration_ms, member_count, error, report)
     values ($1::date, 'done', $2::bigint, $3, null, $4::timestamptz, $5::timestamptz, $6, $7, null, $8::text::jsonb)
     on conflict (business_day) do update set status = 'done', config_version_id = excluded.config_version_id,
       lease_owner = excluded.lease_owner, lease_expires_at = null, started_at = excluded.started_at,
       finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,
       member_count = excluded.member_count, error = null, report = excluded.report`,
    [
      report.day,
      report.configVersionId,
      report.owner,
      report.startedAt,
      report.finishedAt,
      report.durationMs,
      report.members,
      JSON.stringify(report),
    ],
  );
}

/** The run of one business day, or null. */
export async function readRun(q: Queryable, day: string): Promise<SettlementRun | null> {
  const rows = await q.query<Row>(`select ${COLUMNS} from settlement_runs where business_day = $1::date`, [
    day,
  ]);
  const row = rows.rows[0];
  return row ? toRun(row) : null;
}

/** Runs, newest day first, before `beforeDay` when given. */
export async function listRuns(
  q: Queryable,
  options: { beforeDay: string | null; limit: number },
): Promise<{ items: SettlementRun[]; nextCursor: string | null }> {
  const rows = await q.query<Row>(
    `select ${COLUMNS} from settlement_runs where ($1::date is null or business_day < $1::date)
     order by business_day desc limit $2`,
    [options.beforeDay, options.limit + 1],
  );
  const items = rows.rows.slice(0, options.limit).map(toRun);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.rows.length > options.limit && last ? last.day : null };
}
