/**
 * The dashboard's daily series (GET /admin/reports/daily): per business day of
 * a bounded range, the sales (orders paid that day), refunds, new members, and
 * what the day's settlement released and paid — each aggregated in SQL over the
 * days asked for (index range scans, migration 0010), never over all history.
 * The equity price and pool of a day are those its settlement recorded at the
 * end of the day (settlement_runs.report.equity).
 */
import { formatDecimal, parseDecimal } from "@jifen/engine";
import { addDays, dayStart } from "../clock/index.ts";
import type { Queryable } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { formatAmount } from "../http/format.ts";

/** The longest range one request may ask for. */
export const MAX_REPORT_DAYS = 366;

/** One business day of the series; amounts are decimal text (yuan, points). */
export interface DailyPoint {
  readonly day: string;
  readonly newMembers: number;
  readonly orders: number;
  readonly sales: string;
  readonly refunds: number;
  readonly refunded: string;
  /** Whether the day's settlement is done (released, dividends and equity are null otherwise). */
  readonly settled: boolean;
  readonly released: string | null;
  readonly dividends: string | null;
  readonly equityPrice: string | null;
  readonly equityPool: string | null;
}

/** The series and its sums over the range. */
export interface DailyReport {
  readonly from: string;
  readonly to: string;
  readonly days: DailyPoint[];
  readonly totals: {
    readonly newMembers: number;
    readonly orders: number;
    readonly sales: string;
    readonly refunds: number;
    readonly refunded: string;
    readonly released: string;
    readonly dividends: string;
  };
}

/** Days from `from` to `to` inclusive (0 when `to` is before `from`). */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** Refuses a range that is backwards or longer than MAX_REPORT_DAYS (coded errors naming the field). */
export function checkRange(from: string, to: string): void {
  const length = daysBetween(from, to);
  if (length < 1) fail("REPORT_RANGE_INVALID", { field: "from" });
  if (length > MAX_REPORT_DAYS) {
    fail("REPORT_RANGE_TOO_LONG", {
      field: "to",
      detail: { zh: `所选范围为 ${length} 天`, en: `the range asked for has ${length} days` },
    });
  }
}

interface Row {
  day: string;
  [column: string]: string | null;
}

/** Rows keyed by day. */
async function byDay(q: Queryable, sql: string, params: unknown[]): Promise<Map<string, Row>> {
  const rows = await q.query<Row>(sql, params);
  return new Map(rows.rows.map((row) => [String(row.day).slice(0, 10), row]));
}

/** The four aggregates of the range, each one statement. */
async function aggregates(q: Queryable, from: string, to: string, timeZone: string) {
  const start = dayStart(from, timeZone).toISOString();
  const end = dayStart(addDays(to, 1), timeZone).toISOString();
  const [members, sales, refunds, settled] = await Promise.all([
    byDay(
      q,
      `select (created_at at time zone $3)::date::text as day, count(*)::text as n
       from members where created_at >= $1::timestamptz and created_at < $2::timestamptz group by 1`,
      [start, end, timeZone],
    ),
    byDay(
      q,
      `select paid_day::text as day, count(*)::text as n, sum(amount)::text as amount
       from orders where paid_day between $1::date and $2::date group by paid_day`,
      [from, to],
    ),
    byDay(
      q,
      `select (refunded_at at time zone $3)::date::text as day, count(*)::text as n, sum(amount)::text as amount
       from orders where status = 'refunded' and refunded_at >= $1::timestamptz and refunded_at < $2::timestamptz
       group by 1`,
      [start, end, timeZone],
    ),
    byDay(
      q,
      `select business_day::text as day, report->'totals'->>'released' as released,
         report->'totals'->>'dividends' as dividends, report->'equity'->>'price' as price,
         report->'equity'->>'pool' as pool
       from settlement_runs where status = 'done' and business_day between $1::date and $2::date`,
      [from, to],
    ),
  ]);
  return { members, sales, refunds, settled };
}

/** The daily series from `from` to `to` (checked with `checkRange` first). */
export async function dailyReport(
  q: Queryable,
  from: string,
  to: string,
  timeZone: string,
): Promise<DailyReport> {
  checkRange(from, to);
  const { members, sales, refunds, settled } = await aggregates(q, from, to, timeZone);
  const micro = (text: string | null | undefined) => (text ? parseDecimal(text) : 0n);
  const sum = { newMembers: 0, orders: 0, sales: 0n, refunds: 0, refunded: 0n, released: 0n, dividends: 0n };
  const days: DailyPoint[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const sale = sales.get(day);
    const refund = refunds.get(day);
    const run = settled.get(day);
    const point: DailyPoint = {
      day,
      newMembers: Number(members.get(day)?.n ?? 0),
      orders: Number(sale?.n ?? 0),
      sales: formatAmount("cny", micro(sale?.amount)),
      refunds: Number(refund?.n ?? 0),
      refunded: formatAmount("cny", micro(refund?.amount)),
      settled: run !== undefined,
      released: run?.released ?? null,
      dividends: run?.dividends ?? null,
      equityPrice: run?.price ?? null,
      equityPool: run?.pool ?? null,
    };
    sum.newMembers += point.newMembers;
    sum.orders += point.orders;
    sum.sales += micro(sale?.amount);
    sum.refunds += point.refunds;
    sum.refunded += micro(refund?.amount);
    sum.released += micro(run?.released);
    sum.dividends += micro(run?.dividends);
    days.push(point);
  }
  return {
    from,
    to,
    days,
    totals: {
      ...sum,
      sales: formatAmount("cny", sum.sales),
      refunded: formatAmount("cny", sum.refunded),
      // As the settlement's report writes them (plain decimals).
      released: formatDecimal(sum.released),
      dividends: formatDecimal(sum.dividends),
    },
  };
}
