/**
 * What the platform owes and backs (docs/rules.md §5), from the `balances` rows
 * in one aggregate statement: no scan of the ledger, one snapshot.
 */
import { DEBT_WALLETS, type DebtWallet, PlatformAccount, parseDecimal } from "@jifen/engine";
import type { Queryable } from "../db/index.ts";
import { ServerAccount } from "../ledger/index.ts";

/** Outstanding liabilities in micro-units (members' wallets summed, debts as positive amounts). */
export interface Liabilities {
  /** 赠送积分（待释放）: gift points not yet released (Σ gift wallets). */
  readonly giftPoints: bigint;
  /** Released points members hold (Σ points wallets), spendable in the shop. */
  readonly releasedPoints: bigint;
  /** 分红额度: dividend quota not yet paid out (Σ quota wallets). */
  readonly dividendQuota: bigint;
  /** 出局额度 (Σ exitQuota wallets). */
  readonly exitQuota: bigint;
  /** 恒定积分 in circulation (Σ stable wallets). */
  readonly stablePoints: bigint;
  /** Equity points members hold (Σ equity wallets); the treasury holds the rest of the circulating supply. */
  readonly equityHeldByMembers: bigint;
  /** Equity points the platform treasury holds. */
  readonly equityTreasury: bigint;
  /** The pool behind the equity points (the `p:equityPool` account, yuan). */
  readonly equityPool: bigint;
  /** Cash owed to members: Σ cash wallets. */
  readonly memberCash: bigint;
  /** Cash held for withdrawals awaiting a decision (also owed to members). */
  readonly withdrawalsPending: bigint;
  /** What members owe, per wallet (positive). */
  readonly debts: Readonly<Record<DebtWallet, bigint>>;
}

const WALLET_SUMS = {
  gift: "gift",
  points: "points",
  quota: "quota",
  exit_quota: "exitQuota",
  stable: "stable",
  equity: "equity",
  cash: "cash",
} as const;

/** Sums the liabilities over `balances` in one statement (a sequential read of balances, never the ledger). */
export async function liabilities(q: Queryable): Promise<Liabilities> {
  const walletSums = Object.entries(WALLET_SUMS).map(
    ([column, wallet]) =>
      `coalesce(sum(amount) filter (where member_id is not null and account = 'm:' || member_id || ':${wallet}'), 0) as ${column}`,
  );
  const debtSums = DEBT_WALLETS.map(
    (wallet) =>
      `coalesce(-sum(amount) filter (where member_id is not null and account = 'm:' || member_id || ':debt:${wallet}'), 0) as debt_${wallet}`,
  );
  const platform = (column: string, n: number, asset: string) =>
    `coalesce(sum(amount) filter (where account = $${n} and asset = '${asset}'), 0) as ${column}`;
  const rows = await q.query<Record<string, string>>(
    `select ${[
      ...walletSums,
      ...debtSums,
      platform("pool", 1, "cny"),
      platform("treasury", 2, "equity"),
      platform("withdrawals_pending", 3, "cny"),
    ].join(",\n  ")}
     from balances`,
    [PlatformAccount.equityPool, PlatformAccount.treasury, ServerAccount.withdrawalsPending],
  );
  const row = rows.rows[0] ?? {};
  const d = (column: string) => parseDecimal(row[column] ?? "0");
  return {
    giftPoints: d("gift"),
    releasedPoints: d("points"),
    dividendQuota: d("quota"),
    exitQuota: d("exit_quota"),
    stablePoints: d("stable"),
    equityHeldByMembers: d("equity"),
    equityTreasury: d("treasury"),
    equityPool: d("pool"),
    memberCash: d("cash"),
    withdrawalsPending: d("withdrawals_pending"),
    debts: Object.fromEntries(DEBT_WALLETS.map((w) => [w, d(`debt_${w}`)])) as Record<DebtWallet, bigint>,
  };
}
