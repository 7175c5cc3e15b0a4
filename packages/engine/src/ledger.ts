/**
 * The double-entry ledger: transactions of postings that sum to zero per asset.
 *
 * Every amount is a bigint in micro-units (10⁻⁶ of the asset's unit): a yuan is
 * 1_000_000n, a point is 1_000_000n. Cash balances only ever hold multiples of
 * 10_000n (whole fen); the engine rounds every cash credit down to the fen.
 */

/** The assets the ledger moves; each balances on its own. */
export type Asset = "cny" | "points" | "equity" | "stable" | "quota" | "exitQuota" | "weight";

export const ASSETS: readonly Asset[] = ["cny", "points", "equity", "stable", "quota", "exitQuota", "weight"];

/**
 * A member's wallets and the asset each holds. `gift` (unreleased gift points)
 * and `points` (released, spendable) are both in the `points` asset: a release
 * is a transfer gift → points.
 */
export type Wallet = "cash" | "points" | "gift" | "equity" | "stable" | "quota" | "exitQuota" | "weight";

export const WALLETS: readonly Wallet[] = [
  "cash",
  "points",
  "gift",
  "equity",
  "stable",
  "quota",
  "exitQuota",
  "weight",
];

export const WALLET_ASSET: Readonly<Record<Wallet, Asset>> = {
  cash: "cny",
  points: "points",
  gift: "points",
  equity: "equity",
  stable: "stable",
  quota: "quota",
  exitQuota: "exitQuota",
  weight: "weight",
};

/** Wallets a member can owe (a debt is a negative balance of a separate debt account). */
export type DebtWallet = "cash" | "points" | "equity" | "stable" | "weight";

/**
 * Account names. Member accounts are `m:<memberId>:<wallet>` and
 * `m:<memberId>:debt:<wallet>` (balance ≤ 0: minus what is owed).
 * Platform accounts start with `p:`; `world:` accounts stand for the outside
 * (payments in, withdrawals out) and issuance/burn accounts create and destroy
 * point-like assets, so they are the only accounts whose sign is free.
 */
export const PlatformAccount = {
  /** Money that came from outside (payment providers); negative = paid in. */
  worldPayments: "world:payments",
  /** Money paid out of the system (withdrawals). */
  worldWithdrawals: "world:withdrawals",
  /** The operator's own funds: sales revenue, funding of pools; may be negative. */
  operator: "p:operator",
  /** The equity pool P (CNY, 6 places). */
  equityPool: "p:equityPool",
  /** Equity points held by the platform (in S). */
  treasury: "p:treasury",
  /** Fees the platform earns (withdrawal fees). */
  feeIncome: "p:feeIncome",
  /** Cycle-plan amounts that a cap cut off or nobody claimed. */
  cycleReturns: "p:cycleReturns",
  /** Released points members spent on orders. */
  pointsReceived: "p:pointsReceived",
  /** Operator adjustments (counterpart of every manual change). */
  adjustments: "p:adjustments",
} as const;

/** The daily pool account of a named cycle pool (CNY, 6 places). */
export function cyclePoolAccount(poolName: string): string {
  return `p:cyclePool:${poolName}`;
}

/** The issuance account of an asset: the source of every unit created. */
export function issuanceAccount(asset: Asset): string {
  return `issuance:${asset}`;
}

/** The burn account of an asset: the sink of every unit destroyed. */
export function burnAccount(asset: Asset): string {
  return `burn:${asset}`;
}

/** A member's wallet account. */
export function memberAccount(memberId: string, wallet: Wallet): string {
  return `m:${memberId}:${wallet}`;
}

/** The member whose account `account` is (a wallet or a debt account), or null for a platform account. */
export function accountMember(account: string): string | null {
  if (!account.startsWith("m:")) return null;
  const end = account.indexOf(":", 2);
  return end < 0 ? null : account.slice(2, end);
}

/** A member's debt account for a wallet (balance ≤ 0). */
export function debtAccount(memberId: string, wallet: DebtWallet): string {
  return `m:${memberId}:debt:${wallet}`;
}

/** The settlement's release rules (models.md §3.2–§3.5), each a cause a posting can carry. */
export type CauseRule = "release.static" | "release.share" | "release.team" | "release.peer";

export const CAUSE_RULES: readonly CauseRule[] = [
  "release.static",
  "release.share",
  "release.team",
  "release.peer",
];

/**
 * Why a posting moved, where its transaction's kind does not say it all: the
 * daily release (`release.daily`) credits a member once per rule, each credit
 * naming its rule and the figures of that rule as the settlement applied them.
 */
export interface PostingCause {
  readonly rule: CauseRule;
  /** The rule's rate (micro: 1.2% = 12_000n): the daily rate, the generation's share rate, the star level's rate, the peer rate. */
  readonly rate: bigint;
  /** Share: the generation (1 = direct referrals). */
  readonly generation?: number;
  /** Team and peer: the member's star level name that day. */
  readonly star?: string;
  /** Static: the order released from, when exactly one order released that day. */
  readonly order?: string;
  /** Share: the one member of that generation whose static release it was, when exactly one. */
  readonly counterpart?: string;
}

/** A live view of one account's balance in one asset (`Book.cell`): it follows every posting. */
export interface BalanceCell {
  /** The account's name (the same string the book keys it by). */
  readonly account: string;
  readonly asset: Asset;
  readonly value: bigint;
}

export interface Posting {
  readonly account: string;
  readonly asset: Asset;
  /** Micro-units; positive credits the account, negative debits it. */
  readonly amount: bigint;
  /** Why, for the postings of a rule inside a wider transaction (the daily release's credits). */
  readonly cause?: PostingCause;
  /**
   * The posting book's own live cell of this account and asset (`Book.cell`,
   * or a member's from `Book.memberCells` that a `TxBuilder` attaches), when
   * the poster holds it: the book then need not look the account up. Only
   * for postings that are not kept (an engine without `keepTransactions`).
   */
  readonly cell?: BalanceCell;
}

/** What caused a transaction. */
export type TransactionKind =
  | "order.pay"
  | "order.points"
  | "order.refund"
  | "equity.grant"
  | "equity.sell"
  | "equity.exit"
  | "equity.redeem"
  | "equity.toStable"
  | "equity.fromStable"
  | "stable.pay"
  | "cycle.grant"
  | "cycle.pools"
  | "cycle.dividend"
  | "cycle.returns"
  | "release.gift"
  | "release.daily"
  | "refund.reverse"
  | "adjustment"
  | "withdrawal.request"
  | "withdrawal.reject"
  | "withdrawal.pay"
  | "withdrawal.fail"
  /** Server only: a day's debt repayment a credit of the next day already made, moved to the wallet. */
  | "settlement.debt-repaid";

export interface Transaction {
  /** Business day on which the transaction happened (1-based in a replay). */
  readonly day: number;
  readonly kind: TransactionKind;
  /** What it refers to: an order id, an event index, a member id. */
  readonly ref: string;
  readonly postings: readonly Posting[];
  /** Free text, e.g. an adjustment's reason and operator. */
  readonly memo?: string;
}
