/**
 * An in-memory double-entry book: balances derived from appended transactions.
 * Posting checks every transaction balances per asset and that no account
 * whose sign is fixed goes below zero.
 */
import { invariant } from "./errors.ts";
import type { Asset, Posting, Transaction } from "./ledger.ts";

/** Accounts that may hold a negative balance: the outside, issuance, the operator's funds, adjustments, debts. */
export function signFree(account: string): boolean {
  return (
    account.startsWith("world:") ||
    account.startsWith("issuance:") ||
    account === "p:operator" ||
    account === "p:adjustments" ||
    account.includes(":debt:")
  );
}

function key(account: string, asset: Asset): string {
  return `${account}\u0000${asset}`;
}

/** Checks a transaction's postings sum to zero for each asset. */
export function isBalanced(postings: readonly Posting[]): boolean {
  const sums = new Map<Asset, bigint>();
  for (const p of postings) sums.set(p.asset, (sums.get(p.asset) ?? 0n) + p.amount);
  for (const sum of sums.values()) if (sum !== 0n) return false;
  return true;
}

export class Book {
  private readonly balances = new Map<string, bigint>();
  readonly transactions: Transaction[] = [];

  /** The balance of an account in an asset (0 when never used). */
  balance(account: string, asset: Asset): bigint {
    return this.balances.get(key(account, asset)) ?? 0n;
  }

  /** Appends a transaction; it must balance and keep fixed-sign accounts ≥ 0. */
  post(tx: Transaction): void {
    const postings = tx.postings.filter((p) => p.amount !== 0n);
    if (postings.length === 0) return;
    invariant(isBalanced(postings), `transaction ${tx.kind} ${tx.ref} balances`);
    for (const p of postings) {
      const k = key(p.account, p.asset);
      const next = (this.balances.get(k) ?? 0n) + p.amount;
      invariant(next >= 0n || signFree(p.account), `${p.account} (${p.asset}) stays ≥ 0, got ${next}`);
      if (p.account.includes(":debt:")) invariant(next <= 0n, `${p.account} holds only debt`);
      this.balances.set(k, next);
    }
    this.transactions.push({ ...tx, postings });
  }

  /** Every account with a non-zero balance, sorted by account and asset. */
  entries(): { account: string; asset: Asset; balance: bigint }[] {
    const out: { account: string; asset: Asset; balance: bigint }[] = [];
    for (const [k, balance] of this.balances) {
      if (balance === 0n) continue;
      const [account, asset] = k.split("\u0000") as [string, Asset];
      out.push({ account, asset, balance });
    }
    return out.sort((a, b) =>
      a.account === b.account ? (a.asset < b.asset ? -1 : 1) : a.account < b.account ? -1 : 1,
    );
  }
}

/** Recomputes every balance from the transactions alone (the auditor's view). */
export function balancesFromTransactions(transactions: readonly Transaction[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const tx of transactions) {
    for (const p of tx.postings)
      out.set(key(p.account, p.asset), (out.get(key(p.account, p.asset)) ?? 0n) + p.amount);
  }
  return out;
}

/** The key used by `balancesFromTransactions`. */
export function balanceKey(account: string, asset: Asset): string {
  return key(account, asset);
}

/** Where a transaction being built reads current balances: a `Book`, or balances the server loaded. */
export interface BalanceSource {
  balance(account: string, asset: Asset): bigint;
}

/**
 * Collects the postings of one transaction while it is being built, so that
 * member credits and debits see the balances as they will be (source + pending).
 */
export class TxBuilder {
  readonly postings: Posting[] = [];
  private readonly pending = new Map<string, bigint>();
  constructor(private readonly book: BalanceSource) {}

  /** Balance including what this transaction has posted so far. */
  balance(account: string, asset: Asset): bigint {
    return this.book.balance(account, asset) + (this.pending.get(key(account, asset)) ?? 0n);
  }

  /** One posting. */
  add(account: string, asset: Asset, amount: bigint): void {
    if (amount === 0n) return;
    this.postings.push({ account, asset, amount });
    const k = key(account, asset);
    this.pending.set(k, (this.pending.get(k) ?? 0n) + amount);
  }

  /** Moves `amount` from one account to another. */
  move(from: string, to: string, asset: Asset, amount: bigint): void {
    invariant(amount >= 0n, "a move is of a non-negative amount");
    this.add(from, asset, -amount);
    this.add(to, asset, amount);
  }
}
