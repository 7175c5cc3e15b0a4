/**
 * The live equity plan (models.md §1.2–§1.4): sell, redeem, stable points both
 * ways and stable payments to merchants. Each runs under the equity state's row
 * lock, checks the locked balances, builds its postings with the engine, then
 * re-files the members in the exit queue and runs the exit check.
 */
import {
  burnAccount,
  type Config,
  type EquityState,
  equityForStable,
  equityToStable,
  formatPrice,
  memberAccount,
  PlatformAccount,
  parseDecimal,
  payStable,
  redeemCost,
  redeemEquity,
  refuse,
  sellEquity,
  stableToEquity,
  type TransactionKind,
  TxBuilder,
} from "@jifen/engine";
import type { Queryable, Tx } from "../db/index.ts";
import { appendTransaction } from "../ledger/append.ts";
import { type BalanceKey, type LoadedBalances, lockBalances } from "../ledger/balances.ts";
import type { RewardContext } from "./eligibility.ts";
import { refreshExitQueue, runExits } from "./exit-queue.ts";
import { lockEquityState, readEquityState, saveEquityState, walletKeys } from "./state.ts";

/** The equity plan's figures, as the replay prints them (decimal strings; price to 4 places). */
export interface EquityFigures {
  readonly price: string;
  readonly pool: bigint;
  readonly circulating: bigint;
  readonly issued: bigint;
  readonly burned: bigint;
  readonly treasury: bigint;
}

async function balanceOf(q: Queryable, account: string, asset: string): Promise<bigint> {
  const rows = await q.query<{ amount: string }>(
    "select amount from balances where account = $1 and asset = $2",
    [account, asset],
  );
  return parseDecimal(rows.rows[0]?.amount ?? "0");
}

/** Price, pool, supply, issued, burned (less equity still owed) and the treasury's points. */
export async function equityFigures(q: Queryable, config: Config): Promise<EquityFigures> {
  const state = await readEquityState(q, config);
  const owed = await q.query<{ owed: string }>(
    "select coalesce(-sum(amount), 0) as owed from balances where asset = 'equity' and account like '%:debt:equity'",
  );
  const burned =
    (await balanceOf(q, burnAccount("equity"), "equity")) - parseDecimal(owed.rows[0]?.owed ?? "0");
  return {
    price:
      state.supply > 0n ? formatPrice(state.pool, state.supply) : formatPrice(state.priceNum, state.priceDen),
    pool: state.pool,
    circulating: state.supply,
    issued: state.issued,
    burned,
    treasury: await balanceOf(q, PlatformAccount.treasury, "equity"),
  };
}

function positive(amount: bigint, field: string): void {
  if (amount <= 0n) refuse("AMOUNT_NOT_POSITIVE", field, field);
}

/** Runs one equity command: lock state and balances, build, append, re-file, exit check, save. */
async function equityCommand(
  tx: Tx,
  config: Config,
  context: RewardContext,
  members: { id: string; wallets: Parameters<typeof walletKeys>[1] }[],
  kind: TransactionKind,
  ref: string,
  build: (builder: TxBuilder, balances: LoadedBalances, state: EquityState) => EquityState,
  extraKeys: readonly BalanceKey[] = [],
): Promise<void> {
  const state = await lockEquityState(tx, config);
  const balances = await lockBalances(tx, [
    ...members.flatMap((m) => walletKeys(m.id, m.wallets)),
    ...extraKeys,
  ]);
  const builder = new TxBuilder(balances);
  const next = build(builder, balances, state);
  await appendTransaction(
    tx,
    { businessDay: context.businessDay, kind, ref, postings: builder.postings },
    context.now,
  );
  await refreshExitQueue(
    tx,
    members.map((m) => m.id),
  );
  await saveEquityState(tx, await runExits(tx, next, config, context));
}

/** Sells `points` equity points at the current price (§1.2). */
export async function sellPoints(
  tx: Tx,
  memberId: string,
  points: bigint,
  config: Config,
  context: RewardContext,
) {
  positive(points, "points");
  await equityCommand(
    tx,
    config,
    context,
    [{ id: memberId, wallets: ["equity", "cash"] }],
    "equity.sell",
    `member:${memberId}`,
    (b, bal, state) => {
      if (points > bal.balance(memberAccount(memberId, "equity"), "equity"))
        refuse("INSUFFICIENT_EQUITY", memberId, "points");
      return sellEquity(b, state, config.equity, memberId, points, false);
    },
  );
}

/** Buys goods worth `amount` yuan with equity points (§1.3). */
export async function redeemGoods(
  tx: Tx,
  memberId: string,
  amount: bigint,
  config: Config,
  context: RewardContext,
) {
  positive(amount, "amount");
  await equityCommand(
    tx,
    config,
    context,
    [{ id: memberId, wallets: ["equity"] }],
    "equity.redeem",
    `member:${memberId}`,
    (b, bal, state) => {
      if (state.supply === 0n) refuse("INSUFFICIENT_EQUITY", memberId, "amount");
      const cost = redeemCost(state, amount, config.equity.redeemFeeRate);
      if (cost > bal.balance(memberAccount(memberId, "equity"), "equity"))
        refuse("INSUFFICIENT_EQUITY", memberId, "amount");
      return redeemEquity(b, state, config.equity, memberId, amount).state;
    },
  );
}

/** Equity points → stable points worth n × p (§1.4). */
export async function toStable(
  tx: Tx,
  memberId: string,
  points: bigint,
  config: Config,
  context: RewardContext,
) {
  positive(points, "points");
  await equityCommand(
    tx,
    config,
    context,
    [{ id: memberId, wallets: ["equity", "stable"] }],
    "equity.toStable",
    `member:${memberId}`,
    (b, bal, state) => {
      if (points > bal.balance(memberAccount(memberId, "equity"), "equity"))
        refuse("INSUFFICIENT_EQUITY", memberId, "points");
      equityToStable(b, state, memberId, points);
      return state;
    },
  );
}

/** Stable points → equity points from the platform treasury (§1.4). */
export async function fromStable(
  tx: Tx,
  memberId: string,
  stable: bigint,
  config: Config,
  context: RewardContext,
) {
  positive(stable, "stable");
  await equityCommand(
    tx,
    config,
    context,
    [{ id: memberId, wallets: ["equity", "stable"] }],
    "equity.fromStable",
    `member:${memberId}`,
    (b, bal, state) => {
      if (stable > bal.balance(memberAccount(memberId, "stable"), "stable"))
        refuse("INSUFFICIENT_STABLE", memberId, "stable");
      const points = equityForStable(state, stable);
      const treasury = b.balance(PlatformAccount.treasury, "equity");
      if (points > treasury) refuse("TREASURY_SHORT", `needs ${points} µ`, "stable");
      return stableToEquity(b, state, memberId, stable);
    },
    [{ account: PlatformAccount.treasury, asset: "equity" }],
  );
}

/** A stable-point payment to a merchant (another member). */
export async function payMerchant(
  tx: Tx,
  memberId: string,
  merchantId: string,
  stable: bigint,
  context: RewardContext,
) {
  positive(stable, "stable");
  if (memberId === merchantId) refuse("SELF_PAYMENT", memberId, "to");
  const balances = await lockBalances(tx, [
    ...walletKeys(memberId, ["stable"]),
    ...walletKeys(merchantId, ["stable"]),
  ]);
  if (stable > balances.balance(memberAccount(memberId, "stable"), "stable"))
    refuse("INSUFFICIENT_STABLE", memberId, "stable");
  const builder = new TxBuilder(balances);
  payStable(builder, memberId, merchantId, stable);
  await appendTransaction(
    tx,
    {
      businessDay: context.businessDay,
      kind: "stable.pay",
      ref: `member:${memberId}->${merchantId}`,
      postings: builder.postings,
    },
    context.now,
  );
}
