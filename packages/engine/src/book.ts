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
  const sums: Partial<Record<Asset, bigint>> = {};
  for (const p of postings) sums[p.asset] = (sums[p.asset] ?? 0n) + p.amount;
  for (const asset in sums) if (sums[asset as Asset] !== 0n) return false;
  return true;
}

/** The wallet a member account holds (`gift`, `debt:cash`, …), or undefined for a platform account. */
function memberWalletOf(account: string): string | undefined {
  if (account.charCodeAt(0) !== 109 || account.charCodeAt(1) !== 58) return undefined; // "m:"
  const last = account.lastIndexOf(":");
  const wallet = account.slice(last + 1);
  return account.endsWith(`:debt:${wallet}`) ? `debt:${wallet}` : wallet;
}

export interface BookOptions {
  /**
   * Keep every posted transaction in `transactions` (default true). A long
   * simulation that reads only balances and totals turns it off to stay small.
   */
  readonly keepTransactions?: boolean;
}

export class Book {
  private readonly balances = new Map<string, bigint>();
  /** Σ over members of each wallet (`gift`, `quota`, …) and each debt (`debt:points`, …). */
  private readonly walletTotals = new Map<string, bigint>();
  private readonly keepTransactions: boolean;
  readonly transactions: Transaction[] = [];

  constructor(options: BookOptions = {}) {
    this.keepTransactions = options.keepTransactions ?? true;
  }

  /**
   * The sum of one wallet over all members (`"gift"`: unreleased gift points), or
   * of one debt with `"debt:<wallet>"` (≤ 0: minus what members owe). O(1).
   */
  memberTotal(wallet: string): bigint {
    return this.walletTotals.get(wallet) ?? 0n;
  }

  /** The balance of an account in an asset (0 when never used). */
  balance(account: string, asset: Asset): bigint {
    return this.balances.get(key(account, asset)) ?? 0n;
  }

  /** Appends a transaction; it must balance and keep fixed-sign accounts ≥ 0. */
  post(tx: Transaction): void {
    const count = tx.postings.length;
    const keys: string[] = new Array(count);
    const values: bigint[] = new Array(count);
    let nonZero = 0;
    for (let i = 0; i < count; i++) {
      const p = tx.postings[i] as Posting;
      if (p.amount === 0n) continue;
      const k = key(p.account, p.asset);
      // A second posting to the same account in this transaction builds on the first.
      let base = this.balances.get(k) ?? 0n;
      for (let j = 0; j < i; j++) if (keys[j] === k) base = values[j] as bigint;
      keys[i] = k;
      values[i] = base + p.amount;
      nonZero++;
    }
    if (nonZero === 0) return;
    invariant(isBalanced(tx.postings), "a transaction balances per asset");
    // Check every new balance before changing any, so a refused posting leaves the book as it was.
    for (let i = 0; i < count; i++) {
      const value = values[i];
      if (value === undefined) continue;
      const p = tx.postings[i] as Posting;
      // Messages are built only on failure: this is the hot path of every replay.
      if (value < 0n && !signFree(p.account)) {
        invariant(false, `${p.account} (${p.asset}) stays ≥ 0, got ${value} in ${tx.kind} ${tx.ref}`);
      }
      if (value > 0n && p.account.includes(":debt:")) invariant(false, `${p.account} holds only debt`);
    }
    for (let i = 0; i < count; i++) {
      const value = values[i];
      if (value === undefined) continue;
      this.balances.set(keys[i] as string, value);
      const p = tx.postings[i] as Posting;
      const wallet = memberWalletOf(p.account);
      if (wallet !== undefined)
        this.walletTotals.set(wallet, (this.walletTotals.get(wallet) ?? 0n) + p.amount);
    }
    if (!this.keepTransactions) return;
    this.transactions.push(
      nonZero === count ? tx : { ...tx, postings: tx.postings.filter((p) => p.amount !== 0n) },
    );
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
