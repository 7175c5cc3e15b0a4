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

/** The temporary table of the ledger's sums per (account, asset): one scan of the postings. */
export const SUMS = "jifen_verify_sums";

/** Sums every posting per (account, asset) into a temporary table dropped at commit. */
export async function sumPostings(tx: Tx): Promise<void> {
  await tx.query(
    `create temporary table ${SUMS} on commit drop as
     select account, asset, sum(amount) as amount from ledger_postings group by account, asset`,
  );
  await tx.query(`create index on ${SUMS} (account, asset)`);
}

interface CountRow {
  checked: string;
  differing: string;
}

interface DiffRow {
  subject: string;
  stored: string | null;
  recomputed: string | null;
}

/**
 * Every stored balance against the sum of its postings: a FULL JOIN, so a
 * balance row without postings and postings without a balance row both show
 * (a missing side counts as 0; a zero balance row without postings agrees).
 */
export async function checkBalances(tx: Tx, limit: number): Promise<VerifyCheck> {
  const joined = `from balances b full join ${SUMS} s on s.account = b.account and s.asset = b.asset`;
  const differs = "coalesce(b.amount, 0) <> coalesce(s.amount, 0)";
  const counts = await tx.query<CountRow>(
    `select count(*)::text as checked, count(*) filter (where ${differs})::text as differing ${joined}`,
  );
  const rows = await tx.query<DiffRow>(
    `select coalesce(b.account, s.account) || '/' || coalesce(b.asset, s.asset) as subject,
       b.amount::text as stored, s.amount::text as recomputed
     ${joined} where ${differs}
     order by coalesce(b.account, s.account), coalesce(b.asset, s.asset) limit $1`,
    [limit],
  );
  return {
    name: "balances",
    checked: Number(counts.rows[0]?.checked ?? 0),
    differing: Number(counts.rows[0]?.differing ?? 0),
    samples: rows.rows,
  };
}

/**
 * Every ledger transaction sums to zero in each asset (stored: 0 expected,
 * recomputed: the sum). One GROUP BY transaction with a sum per asset (a
 * single bigint key hashes faster than (id, asset)); only the first `limit`
 * unbalanced transactions are split per asset for the listing.
 */
export async function checkTransactions(tx: Tx, limit: number): Promise<VerifyCheck> {
  const total = await tx.query<{ n: string }>("select count(*)::text as n from ledger_transactions");
  const unbalanced = ASSETS.map((_, i) => `sum(amount) filter (where asset = $${i + 2}) <> 0`).join(" or ");
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
 * The equity plan's stored figures (equity_state; the treasury's balance row)
 * against the ledger: pool = `p:equityPool`; circulating = the members' equity
 * wallets and the treasury; issued = what left `issuance:equity`; burned =
 * `burn:equity` less the equity still owed (= issued − circulating, as the
 * API shows it); treasury = `p:treasury`.
 */
export async function checkEquity(tx: Tx): Promise<VerifyCheck> {
  const sum = (where: string) =>
    `(select coalesce(sum(amount), 0) from ${SUMS} where asset = $3 and ${where})`;
  const rows = await tx.query<Record<string, string>>(
    `select coalesce(e.pool, 0)::text as stored_pool, coalesce(e.supply, 0)::text as stored_circulating,
       coalesce(e.issued, 0)::text as stored_issued, (coalesce(e.issued, 0) - coalesce(e.supply, 0))::text as stored_burned,
       coalesce((select amount from balances where account = $2 and asset = $3), 0)::text as stored_treasury,
       (select coalesce(sum(amount), 0) from ${SUMS} where account = $1 and asset = 'cny')::text as ledger_pool,
       ${sum("(account = $2 or (account like 'm:%' and account not like '%:debt:%'))")}::text as ledger_circulating,
       (-${sum("account = 'issuance:equity'")})::text as ledger_issued,
       (${sum("account = 'burn:equity'")} + ${sum("account like 'm:%:debt:equity'")})::text as ledger_burned,
       ${sum("account = $2")}::text as ledger_treasury
     from (select 1) as one left join equity_state e on e.id = 1`,
    [PlatformAccount.equityPool, PlatformAccount.treasury, "equity"],
  );
  const row = rows.rows[0] ?? {};
  const figures = ["pool", "circulating", "issued", "burned", "treasury"];
  const samples = figures
    .map((f) => ({
      subject: `equity.${f}`,
      stored: row[`stored_${f}`] ?? null,
      recomputed: row[`ledger_${f}`] ?? null,
    }))
    .filter((d) => !sameDecimal(d.stored, d.recomputed));
  return { name: "equity", checked: figures.length, differing: samples.length, samples };
}

/** Numeric text equality ("1.50" = "1.5"), without binary floats. */
function sameDecimal(a: string | null, b: string | null): boolean {
  const norm = (x: string | null) => (x === null ? null : x.replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, ""));
  return norm(a) === norm(b);
}
