/**
 * The settlement records' totals against the postings of their day's ledger
 * partition (batch YYYYMMDD), where it is cheap: only platform accounts, read
 * through each partition's account index. Per settled day: the number of
 * ledger transactions it wrote, the cycle pools funded (`p:cyclePool`
 * credited), the dividends paid (the quota they used, `burn:quota`), and what
 * the pools returned (`p:cycleReturns`). The points released are spread over
 * member accounts only, so they are not checked here (the balances check
 * covers every posting).
 */
import type { Tx } from "../db/index.ts";
import type { VerifyCheck, VerifyDifference } from "./checks.ts";

const FIELDS = ["transactions", "pooled", "dividends", "returned"] as const;

/** Each settled day's report totals against its partition of the ledger. */
export async function checkSettlements(tx: Tx, limit: number): Promise<VerifyCheck> {
  const rows = await tx.query<{ day: string; field: string; stored: string | null; recomputed: string }>(
    `with runs as (
       select business_day, to_char(business_day, 'YYYYMMDD')::integer as batch, report
       from settlement_runs where status = 'done' and report is not null
     ),
     counted as (
       select batch, count(*) as n from ledger_transactions
       where batch in (select batch from runs) group by batch
     ),
     summed as (
       select batch,
         sum(amount) filter (where account = 'p:cyclePool' and amount > 0) as pooled,
         sum(amount) filter (where account = 'burn:quota') as dividends,
         sum(amount) filter (where account = 'p:cycleReturns') as returned
       from ledger_postings
       where batch in (select batch from runs) and member_id is null
         and account in ('p:cyclePool', 'burn:quota', 'p:cycleReturns')
       group by batch
     )
     select to_char(r.business_day, 'YYYY-MM-DD') as day, f.field, f.stored, f.recomputed
     from runs r
     left join counted c on c.batch = r.batch
     left join summed s on s.batch = r.batch
     cross join lateral (values
       ('transactions', r.report->'rows'->>'transactions', coalesce(c.n, 0)::text),
       ('pooled', r.report->'totals'->>'pooled', coalesce(s.pooled, 0)::text),
       ('dividends', r.report->'totals'->>'dividends', coalesce(s.dividends, 0)::text),
       ('returned', r.report->'totals'->>'returned', coalesce(s.returned, 0)::text)
     ) as f(field, stored, recomputed)
     where f.stored is null or f.stored::numeric <> f.recomputed::numeric
     order by r.business_day, f.field`,
  );
  const runs = await tx.query<{ n: string }>(
    "select count(*)::text as n from settlement_runs where status = 'done' and report is not null",
  );
  const samples: VerifyDifference[] = rows.rows.slice(0, limit).map((r) => ({
    subject: `settlement ${r.day} ${r.field}`,
    stored: r.stored,
    recomputed: r.recomputed,
  }));
  return {
    name: "settlements",
    checked: Number(runs.rows[0]?.n ?? 0) * FIELDS.length,
    differing: rows.rows.length,
    samples,
  };
}
