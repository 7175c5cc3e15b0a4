import {
  type Asset,
  type BalanceSource,
  DEBT_WALLETS,
  type DebtWallet,
  debtAccount,
  memberAccount,
  parseDecimal,
  WALLET_ASSET,
  WALLETS,
  type Wallet,
} from "@jifen/engine";
import type { Queryable, Tx } from "../db/index.ts";
import { compareKeys } from "./append.ts";

/** An (account, asset) pair. */
export interface BalanceKey {
  readonly account: string;
  readonly asset: Asset;
}

/** Balances read from the database, usable as the engine's `BalanceSource` (absent = 0). */
export class LoadedBalances implements BalanceSource {
  private readonly values = new Map<string, bigint>();
  /** Records one balance. */
  set(account: string, asset: Asset, amount: bigint): void {
    this.values.set(`${account}\u0000${asset}`, amount);
  }
  /** The balance of an account in an asset. */
  balance(account: string, asset: Asset): bigint {
    return this.values.get(`${account}\u0000${asset}`) ?? 0n;
  }
}

/**
 * Locks the balance rows of `keys` (FOR UPDATE, in account order) and returns
 * them. A row that does not exist yet reads as 0 and is not locked: it can only
 * be credited, and credits never overdraw.
 */
export async function lockBalances(tx: Tx, keys: readonly BalanceKey[]): Promise<LoadedBalances> {
  const sorted = [...keys].sort((a, b) => compareKeys(a.account, a.asset, b.account, b.asset));
  const out = new LoadedBalances();
  if (sorted.length === 0) return out;
  const rows = await tx.query<{ account: string; asset: Asset; amount: string }>(
    `select b.account, b.asset, b.amount from balances b
     join unnest($1::text[], $2::text[]) as k(account, asset) on b.account = k.account and b.asset = k.asset
     order by b.account, b.asset for update of b`,
    [sorted.map((k) => k.account), sorted.map((k) => k.asset)],
  );
  for (const row of rows.rows) out.set(row.account, row.asset, parseDecimal(row.amount));
  return out;
}

/** One wallet of a member: what it holds and what is owed in it. */
export interface WalletBalance {
  readonly wallet: Wallet;
  readonly asset: Asset;
  readonly balance: bigint;
  /** What the member owes in this wallet (≥ 0; 0 when none or the wallet cannot owe). */
  readonly debt: bigint;
}

/** Every wallet of a member with its balance and debt. */
export async function memberWallets(q: Queryable, memberId: string): Promise<WalletBalance[]> {
  const rows = await q.query<{ account: string; asset: Asset; amount: string }>(
    "select account, asset, amount from balances where member_id = $1::bigint",
    [memberId],
  );
  const found = new LoadedBalances();
  for (const row of rows.rows) found.set(row.account, row.asset, parseDecimal(row.amount));
  return WALLETS.map((wallet) => {
    const asset = WALLET_ASSET[wallet];
    const debtWallet = (DEBT_WALLETS as readonly string[]).includes(wallet);
    return {
      wallet,
      asset,
      balance: found.balance(memberAccount(memberId, wallet), asset),
      debt: debtWallet ? -found.balance(debtAccount(memberId, wallet as DebtWallet), asset) : 0n,
    };
  });
}

/** True when the member owes anything in any wallet. */
export async function memberHasDebt(q: Queryable, memberId: string): Promise<boolean> {
  const rows = await q.query<{ n: string }>(
    "select count(*) as n from balances where member_id = $1::bigint and account like '%:debt:%' and amount < 0",
    [memberId],
  );
  return Number(rows.rows[0]?.n ?? 0) > 0;
}
