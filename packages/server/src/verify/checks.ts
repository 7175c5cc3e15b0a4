/**
 * The checks of `jifen verify`, each one or two set-based statements over the
 * ledger (docs/server.md, "Verify"): aggregated with GROUP BY, compared with a
 * FULL JOIN, never a loop over rows in JavaScript. They run inside one
 * REPEATABLE READ transaction (verify.ts), so they see one snapshot even while
 * the server keeps writing.
 */
import { ASSETS, PlatformAccount } from "@jifen/engine";
import type { Tx } from "../db/index.ts";

/** One difference: what is stored and what the ledger gives (decimal text; null = no row). */
export interface VerifyDifference {
  /** What differs: `account/asset`, `transaction <id> <kind> <asset>`, `posting <id> of missing transaction <id>`, `equity.pool`, `settlement <day> <total>`. */
  readonly subject: string;
  readonly stored: string | null;
  readonly recomputed: string | null;
}

/** The outcome of one check. */
export interface VerifyCheck {
  readonly name: "balances" | "transactions" | "postings" | "equity" | "settlements";
  /** How many rows or figures were compared. */
  readonly checked: number;
  /** How many of them differ (all of them, not only the samples). */
  readonly differing: number;
  /** The first differences (at most the limit asked for). */
  readonly samples: readonly VerifyDifference[];
}

interface DiffRow {
  subject: string;
  stored: string | null;
  recomputed: string | null;
}

/** The equity figures as the ledger gives them (decimal text). */
export type LedgerEquity = Readonly<Record<(typeof EQUITY_FIGURES)[number], string>>;

const EQUITY_FIGURES = ["pool", "circulating", "issued", "burned", "treasury"] as const;

/**
 * The stored balances, as a derived table `(account, asset, amount)`. While a
 * day is between its compute and its last apply batch (`pending`: its
 * deltas' table), the ledger already holds the day's postings and a row not
 * yet marked with the day (`settled_day`), or not yet there, lacks its delta:
 * the stored balance is then the row plus its pending delta (docs/server.md
 * "Daily settlement", "Between the phases").
 */
export function storedBalances(pending: PendingDeltas): string {
  if (!pending) return "(select account, asset, amount from balances)";
  const { day, table } = pending;
  return `(select b.account, b.asset, b.amount + coalesce(d.amount, 0) as amount
       from balances b left join ${table} d on d.account = b.account and d.asset = b.asset
         and (b.settled_day is null or b.settled_day < '${day}'::date)
     union all
     select d.account, d.asset, d.amount from ${table} d
     where not exists (select 1 from balances x where x.account = d.account and x.asset = d.asset))`;
}

/** The day whose deltas are not all applied and their table (`pendingDeltas` of the settlement), or null. */
export type PendingDeltas = { readonly day: string; readonly table: string } | null;

/** The postings summed per (account, asset), FULL JOINed with the stored balances. */
const joined = (pending: PendingDeltas) => `from ${storedBalances(pending)} b full join (
    select account, asset, sum(amount) as amount from ledger_postings group by account, asset
  ) s on s.account = b.account and s.asset = b.asset`;
const DIFFERS = "coalesce(b.amount, 0) <> coalesce(s.amount, 0)";

/**
 * Every stored balance against the sum of its postings, in one scan of the
 * postings: a FULL JOIN, so a balance row without postings and postings
 * without a balance row both show (a missing side counts as 0). The same pass
 * sums the equity figures from the ledger's sums (`checkEquity` compares
 * them): pool = `p:equityPool`; circulating = the members' equity wallets and
 * `p:treasury`; issued = what left `issuance:equity`; burned = `burn:equity`
 * less the equity still owed (`m:*:debt:equity`); treasury = `p:treasury`.
 * The differences are listed by a second statement, only when there are some.
 */
export async function checkBalances(
  tx: Tx,
  limit: number,
  pending: PendingDeltas = null,
): Promise<{ check: VerifyCheck; equity: LedgerEquity }> {
  const equity = (where: string) =>
    `coalesce(sum(s.amount) filter (where s.asset = 'equity' and ${where}), 0)`;
  const counts = await tx.query<{ checked: string; differing: string } & LedgerEquity>(
    `select count(*)::text as checked, count(*) filter (where ${DIFFERS})::text as differing,
       coalesce(sum(s.amount) filter (where s.account = $1 and s.asset = 'cny'), 0)::text as pool,
       ${equity("(s.account = $2 or (s.account like 'm:%' and s.account not like '%:debt:%'))")}::text as circulating,
       (-${equity("s.account = 'issuance:equity'")})::text as issued,
       ${equity("(s.account = 'burn:equity' or s.account like 'm:%:debt:equity')")}::text as burned,
       ${equity("s.account = $2")}::text as treasury
     ${joined(pending)}`,
    [PlatformAccount.equityPool, PlatformAccount.treasury],
  );
  const row = counts.rows[0];
  const differing = Number(row?.differing ?? 0);
  const rows =
    differing === 0
      ? { rows: [] }
      : await tx.query<DiffRow>(
          `select coalesce(b.account, s.account) || '/' || coalesce(b.asset, s.asset) as subject,
             b.amount::text as stored, s.amount::text as recomputed
           ${joined(pending)} where ${DIFFERS}
           order by coalesce(b.account, s.account), coalesce(b.asset, s.asset) limit $1`,
          [limit],
        );
  const check: VerifyCheck = {
    name: "balances",
    checked: Number(row?.checked ?? 0),
    differing,
    samples: rows.rows,
  };
  const ledger = Object.fromEntries(EQUITY_FIGURES.map((f) => [f, row?.[f] ?? "0"])) as LedgerEquity;
  return { check, equity: ledger };
}

/**
 * Every ledger transaction sums to zero in each asset (stored: 0 expected,
 * recomputed: the sum). One GROUP BY transaction with a sum per asset (a
 * single bigint key, sorted rather than hashed); only the first `limit`
 * unbalanced transactions are split per asset for the listing.
 */
export async function checkTransactions(tx: Tx, limit: number): Promise<VerifyCheck> {
  const total = await tx.query<{ n: string }>("select count(*)::text as n from ledger_transactions");
  const unbalanced = ASSETS.map((_, i) => `sum(amount) filter (where asset = $${i + 2}) <> 0`).join(" or ");
  // Millions of transactions: sorting them (a GroupAggregate) took 16.5 s at 1,000,000 members
  // where the hash aggregate, spilling to disk, took 37.4 s (EXPLAIN ANALYZE, docs/server.md).
  await tx.query("set local enable_hashagg = off");
  const rows = await tx.query<DiffRow & { differing: string }>(
    `with bad as (
       select transaction_id, count(*) over () as differing from ledger_postings
       group by transaction_id having ${unbalanced}
       order by transaction_id limit $1
     )
     select 'transaction ' || p.transaction_id || coalesce(' ' || t.kind, '') || ' ' || p.asset as subject,
       '0' as stored, sum(p.amount)::text as recomputed, min(bad.differing)::text as differing
     from bad join ledger_postings p on p.transaction_id = bad.transaction_id
     left join ledger_transactions t on t.id = p.transaction_id
     group by p.transaction_id, t.kind, p.asset having sum(p.amount) <> 0
     order by p.transaction_id, p.asset`,
    [limit, ...ASSETS],
  );
  await tx.query("set local enable_hashagg = on");
  return {
    name: "transactions",
    checked: Number(total.rows[0]?.n ?? 0),
    // Transactions that do not balance (a listed one may show several assets).
    differing: Number(rows.rows[0]?.differing ?? 0),
    samples: rows.rows
      .slice(0, limit)
      .map(({ subject, stored, recomputed }) => ({ subject, stored, recomputed })),
  };
}

/**
 * Every posting belongs to a transaction that exists (a hash anti join;
 * stored: null, recomputed: the posting's amount).
 */
export async function checkOrphans(tx: Tx, limit: number): Promise<VerifyCheck> {
  const total = await tx.query<{ n: string }>("select count(*)::text as n from ledger_postings");
  const orphan = "not exists (select 1 from ledger_transactions t where t.id = p.transaction_id)";
  // Counted first (a hash anti join), listed only when there is something to list.
  const missing = await tx.query<{ n: string }>(
    `select count(*)::text as n from ledger_postings p where ${orphan}`,
  );
  const differing = Number(missing.rows[0]?.n ?? 0);
  const rows =
    differing === 0
      ? { rows: [] }
      : await tx.query<DiffRow>(
          `select 'posting ' || p.id || ' of missing transaction ' || p.transaction_id || ': ' || p.account
             || '/' || p.asset as subject, null as stored, p.amount::text as recomputed
           from ledger_postings p where ${orphan} order by p.id limit $1`,
          [limit],
        );
  return { name: "postings", checked: Number(total.rows[0]?.n ?? 0), differing, samples: rows.rows };
}

/**
 * The equity plan's stored figures (equity_state: pool, supply = circulating,
 * issued, and issued − supply = burned, as the API shows them; the
 * `p:treasury` balance row) against the ledger's (summed by `checkBalances`).
 */
export async function checkEquity(
  tx: Tx,
  ledger: LedgerEquity,
  pending: PendingDeltas = null,
): Promise<VerifyCheck> {
  const rows = await tx.query<Record<string, string>>(
    `select coalesce(e.pool, 0)::text as pool, coalesce(e.supply, 0)::text as circulating,
       coalesce(e.issued, 0)::text as issued, (coalesce(e.issued, 0) - coalesce(e.supply, 0))::text as burned,
       coalesce((select sum(amount) from ${storedBalances(pending)} t
                 where account = $1 and asset = 'equity'), 0)::text as treasury
     from (select 1) as one left join equity_state e on e.id = 1`,
    [PlatformAccount.treasury],
  );
  const stored = rows.rows[0] ?? {};
  const samples = EQUITY_FIGURES.map((f) => ({
    subject: `equity.${f}`,
    stored: stored[f] ?? null,
    recomputed: ledger[f],
  })).filter((d) => !sameDecimal(d.stored, d.recomputed));
  return { name: "equity", checked: EQUITY_FIGURES.length, differing: samples.length, samples };
}

/** Numeric text equality ("1.50" = "1.5"), without binary floats. */
function sameDecimal(a: string | null, b: string | null): boolean {
  const norm = (x: string | null) => (x === null ? null : x.replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, ""));
  return norm(a) === norm(b);
}
