import { type Asset, parseDecimal } from "@jifen/engine";
import type { Queryable } from "../db/index.ts";

/** One line of a member's history: a posting to one of their accounts. */
export interface HistoryLine {
  readonly id: string;
  readonly transactionId: string;
  readonly businessDay: string;
  readonly kind: string;
  readonly ref: string;
  readonly memo: string | null;
  /** The member's account, e.g. `m:12:cash` or `m:12:debt:cash`. */
  readonly account: string;
  readonly amount: bigint;
  readonly createdAt: Date;
}

/** A page of history, newest first, and the cursor of the next page (null at the end). */
export interface HistoryPage {
  readonly items: HistoryLine[];
  readonly nextCursor: string | null;
}

/** A member's postings in one asset, newest first; `cursor` is the last id of the previous page. */
export async function memberHistory(
  q: Queryable,
  memberId: string,
  asset: Asset,
  cursor: string | null,
  limit: number,
): Promise<HistoryPage> {
  const rows = await q.query<{
    id: string;
    transaction_id: string;
    business_day: string;
    kind: string;
    ref: string;
    memo: string | null;
    account: string;
    amount: string;
    created_at: Date;
  }>(
    `select p.id, p.transaction_id, t.business_day, t.kind, t.ref, t.memo, p.account, p.amount, t.created_at
     from ledger_postings p join ledger_transactions t on t.id = p.transaction_id and t.batch = p.batch
     where p.member_id = $1::bigint and p.asset = $2 and ($3::bigint is null or p.id < $3::bigint)
     order by p.id desc limit $4`,
    [memberId, asset, cursor, limit + 1],
  );
  const items = rows.rows.slice(0, limit).map((r) => ({
    id: r.id,
    transactionId: r.transaction_id,
    businessDay: r.business_day,
    kind: r.kind,
    ref: r.ref,
    memo: r.memo,
    account: r.account,
    amount: parseDecimal(r.amount),
    createdAt: r.created_at,
  }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.rows.length > limit && last ? last.id : null };
}
