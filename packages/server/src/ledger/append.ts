import {
  type Asset,
  FEN,
  formatDecimal,
  isBalanced,
  type Posting,
  parseDecimal,
  type TransactionKind,
} from "@jifen/engine";
import type { Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { MAX_BALANCE_MICRO } from "../http/limits.ts";

/** One ledger transaction as the server appends it: on a business day (YYYY-MM-DD). */
export interface LedgerEntry {
  readonly businessDay: string;
  readonly kind: TransactionKind;
  readonly ref: string;
  readonly memo?: string;
  readonly postings: readonly Posting[];
}

const MEMBER_RE = /^m:([^:]+):/;

/** The member id in a member account name (`m:<id>:…`), or null for platform accounts. */
export function memberIdOf(account: string): string | null {
  return MEMBER_RE.exec(account)?.[1] ?? null;
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`ledger invariant violated: ${message}`);
}

/** Postings summed per (account, asset), sorted by account then asset: the lock order. */
export function netByAccount(postings: readonly Posting[]): Posting[] {
  const sums = new Map<string, Posting>();
  for (const p of postings) {
    const key = `${p.account}\u0000${p.asset}`;
    const prev = sums.get(key);
    sums.set(key, { account: p.account, asset: p.asset, amount: (prev?.amount ?? 0n) + p.amount });
  }
  return [...sums.values()]
    .filter((p) => p.amount !== 0n)
    .sort((a, b) => compareKeys(a.account, a.asset, b.account, b.asset));
}

/** Orders (account, asset) pairs the way every lock is taken. */
export function compareKeys(accountA: string, assetA: Asset, accountB: string, assetB: Asset): number {
  if (accountA !== accountB) return accountA < accountB ? -1 : 1;
  return assetA === assetB ? 0 : assetA < assetB ? -1 : 1;
}

/**
 * Appends one balanced transaction: the transaction row, its postings, and one
 * `amount = amount + x` per touched balance in account order (so concurrent
 * appends lock rows in the same order and cannot deadlock). The balances'
 * sign check refuses an overdraft. Returns the transaction id, or null when
 * every posting is zero.
 */
export async function appendTransaction(tx: Tx, entry: LedgerEntry, now: Date): Promise<string | null> {
  const postings = checkedPostings(entry);
  if (postings.length === 0) return null;
  const inserted = await tx.query<{ id: string }>(
    `insert into ledger_transactions (business_day, kind, ref, memo, created_at)
     values ($1::date, $2, $3, $4, $5::timestamptz) returning id`,
    [entry.businessDay, entry.kind, entry.ref, entry.memo ?? null, now.toISOString()],
  );
  const txId = inserted.rows[0]?.id as string;
  await tx.query(
    `insert into ledger_postings (transaction_id, account, asset, amount, member_id)
     select $1::bigint, t.account, t.asset, t.amount::numeric, t.member_id::bigint
     from unnest($2::text[], $3::text[], $4::text[], $5::text[]) as t(account, asset, amount, member_id)`,
    [
      txId,
      postings.map((p) => p.account),
      postings.map((p) => p.asset),
      postings.map((p) => formatDecimal(p.amount)),
      postings.map((p) => memberIdOf(p.account)),
    ],
  );
  for (const p of netByAccount(postings)) {
    // UPDATE first: an INSERT … ON CONFLICT would check the sign constraint on
    // the proposed row (the bare delta) before finding the existing one.
    const params = [p.account, p.asset, formatDecimal(p.amount)];
    const updated = await tx.query<{ amount: string }>(
      "update balances set amount = amount + $3::numeric where account = $1 and asset = $2 returning amount",
      params,
    );
    let after = updated.rows[0]?.amount;
    if (updated.rowCount === 0) {
      const inserted = await tx.query<{ amount: string }>(
        `insert into balances (account, asset, member_id, amount) values ($1, $2, $4::bigint, $3::numeric)
         on conflict (account, asset) do update set amount = balances.amount + excluded.amount
         returning amount`,
        [...params, memberIdOf(p.account)],
      );
      after = inserted.rows[0]?.amount;
    }
    if (after !== undefined) refuseOverLimit(p, parseDecimal(after));
  }
  return txId;
}

/**
 * The entry's non-zero postings, checked: balanced per asset, whole fen on a
 * member's cash. A violation is a bug, not a refusal (it throws a plain Error).
 */
export function checkedPostings(entry: Pick<LedgerEntry, "kind" | "ref" | "postings">): Posting[] {
  const postings = entry.postings.filter((p) => p.amount !== 0n);
  if (postings.length === 0) return postings;
  assert(isBalanced(postings), `${entry.kind} ${entry.ref} sums to zero per asset`);
  for (const p of postings) {
    if (p.asset === "cny" && p.account.startsWith("m:")) {
      assert(p.amount % FEN === 0n, `${p.account} moves whole fen (${p.amount})`);
    }
  }
  return postings;
}

/** A credit may not take a balance past its limit (the settlement's 64-bit columns stay far off): BALANCE_LIMIT. */
export function refuseOverLimit(net: Posting, after: bigint): void {
  if (net.amount > 0n && after > MAX_BALANCE_MICRO) {
    const limit = formatDecimal(MAX_BALANCE_MICRO);
    fail("BALANCE_LIMIT", {
      detail: {
        zh: `${net.account} 的 ${net.asset} 余额上限为 ${limit}`,
        en: `the ${net.asset} balance of ${net.account} is at most ${limit}`,
      },
    });
  }
}

/**
 * The balances' sign rule (migration 0001's `balances_sign`, the engine's
 * Book.signFree): the outside, issuance, the operator's funds and adjustments
 * may go negative, debt accounts hold only debt (<= 0), every other account
 * stays >= 0. What the constraint refuses, `BALANCE_CONFLICT` answers.
 */
export function signAllows(account: string, amount: bigint): boolean {
  if (account.startsWith("world:") || account.startsWith("issuance:")) return true;
  if (account === "p:operator" || account === "p:adjustments") return true;
  return account.includes(":debt:") ? amount <= 0n : amount >= 0n;
}
