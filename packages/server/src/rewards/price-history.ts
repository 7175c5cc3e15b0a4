/**
 * The equity price's history (migration 0012): the price, pool and points in
 * circulation at the close of each settled business day, recorded when the
 * settlement opens the next day, and read for the member site's price chart.
 */
import { formatDecimal, formatFixed, parseDecimal } from "@jifen/engine";
import { configForDay } from "../config/index.ts";
import type { Queryable, Tx } from "../db/index.ts";
import { equityFigures } from "./equity-ops.ts";

/** One day's close (decimal strings; the price to 4 places). */
export interface PriceClose {
  readonly businessDay: string;
  readonly price: string;
  readonly pool: string;
  readonly circulating: string;
}

/** Records `day`'s closing figures (a re-run of the day replaces them). */
export async function recordClosingPrice(tx: Tx, day: string, now: Date): Promise<void> {
  const { config } = await configForDay(tx, day);
  const figures = await equityFigures(tx, config);
  await tx.query(
    `insert into equity_prices (business_day, price, pool, circulating, recorded_at)
     values ($1::date, $2::numeric, $3::numeric, $4::numeric, $5::timestamptz)
     on conflict (business_day) do update set price = excluded.price, pool = excluded.pool,
       circulating = excluded.circulating, recorded_at = excluded.recorded_at`,
    [day, figures.price, formatDecimal(figures.pool), formatDecimal(figures.circulating), now.toISOString()],
  );
}

/** The closes of the last `days` settled days before `before`, oldest first. */
export async function priceCloses(q: Queryable, before: string, days: number): Promise<PriceClose[]> {
  const rows = await q.query<{ business_day: string; price: string; pool: string; circulating: string }>(
    `select business_day::text as business_day, price::text as price, pool::text as pool,
       circulating::text as circulating
     from equity_prices where business_day < $1::date order by business_day desc limit $2`,
    [before, days],
  );
  return rows.rows.reverse().map((r) => ({
    businessDay: r.business_day,
    price: formatFixed(parseDecimal(r.price), 4),
    pool: formatDecimal(parseDecimal(r.pool)),
    circulating: formatDecimal(parseDecimal(r.circulating)),
  }));
}
