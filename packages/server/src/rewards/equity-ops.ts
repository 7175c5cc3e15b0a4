/**
 * The live equity plan (docs/rules.md §1.2–§1.4): sell, redeem, stable points both
 * ways and stable payments to merchants. Each runs under the equity state's row
 * lock, checks the locked balances, builds its postings with the engine, then
 * re-files the members in the exit queue and runs the exit check.
 */
import {
  type Config,
  type EquityState,
  equityForStable,
  equityToStable,
  formatDecimal,
  formatPrice,
  initialEquityState,
  memberAccount,
  PlatformAccount,
  type Posting,
  parseDecimal,
  payStable,
  priceRatio,
  redeemCost,
  redeemEquity,
  sellEquity,
  stableToEquity,
  type TransactionKind,
  TxBuilder,
  withInitialPrice,
} from "@jifen/engine";
import type { Queryable, Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { appendTransaction, type BalanceKey, type LoadedBalances, lockBalances } from "../ledger/index.ts";
import { refreshExitQueue } from "./exit-queue.ts";
import { lockEquityState, saveEquityState, walletKeys } from "./state.ts";
import { type RewardContext, runExits } from "./store.ts";

/** The equity plan's figures, as the replay prints them (decimal strings; price to 4 places). */
export interface EquityFigures {
  readonly price: string;
  readonly pool: bigint;
  readonly circulating: bigint;
  readonly issued: bigint;
  readonly burned: bigint;
  readonly treasury: bigint;
}

/**
 * Price, pool, supply, issued, burned and the treasury's points, read in one
 * statement (one snapshot). Burned is the burn account less equity still owed,
 * which always equals issued − circulating (docs/engine.md), so it needs no
 * scan of the debt accounts.
 */
export async function equityFigures(q: Queryable, config: Config): Promise<EquityFigures> {
  const rows = await q.query<{
    pool: string | null;
    supply: string | null;
    issued: string | null;
    price_num: string | null;
    price_den: string | null;
    treasury: string | null;
  }>(
    `select e.pool, e.supply, e.issued, e.price_num, e.price_den,
       (select b.amount from balances b where b.account = $1 and b.asset = 'equity') as treasury
     from (select 1) as one left join equity_state e on e.id = 1`,
    [PlatformAccount.treasury],
  );
  const row = rows.rows[0];
  const stored =
    row?.pool != null
      ? withInitialPrice(
          {
            pool: parseDecimal(row.pool),
            supply: parseDecimal(row.supply),
            issued: parseDecimal(row.issued),
            priceNum: parseDecimal(row.price_num),
            priceDen: parseDecimal(row.price_den),
          },
          config.equity,
        )
      : initialEquityState(config.equity);
  const [num, den] = priceRatio(stored);
  return {
    price: formatPrice(num, den),
    pool: stored.pool,
    circulating: stored.supply,
    issued: stored.issued,
    burned: stored.issued - stored.supply,
    treasury: parseDecimal(row?.treasury ?? "0"),
  };
}

function positive(amount: bigint, field: string): void {
  if (amount <= 0n) fail("AMOUNT_NOT_POSITIVE", { field });
}

/** Refuses a command that needs `needed` of something of which only `held` is there, saying both. */
function short(
  code: "INSUFFICIENT_EQUITY" | "INSUFFICIENT_STABLE" | "TREASURY_SHORT",
  field: string,
  held: bigint,
  needed: bigint,
): never {
  const [h, n] = [formatDecimal(held), formatDecimal(needed)];
  const detail =
    code === "TREASURY_SHORT"
      ? {
          zh: `需要 ${n} 个增值积分，平台库存 ${h} 个`,
          en: `needs ${n} equity points, the treasury holds ${h}`,
        }
      : { zh: `需要 ${n}，持有 ${h}`, en: `needs ${n}, holds ${h}` };
  fail(code, { field, detail });
}

/** Refuses unless the member's locked `wallet` holds at least `needed` (equity or stable points). */
function requireHeld(
  balances: LoadedBalances,
  memberId: string,
  wallet: "equity" | "stable",
  needed: bigint,
  field: string,
): void {
  const held = balances.balance(memberAccount(memberId, wallet), wallet);
  if (needed > held)
    short(wallet === "equity" ? "INSUFFICIENT_EQUITY" : "INSUFFICIENT_STABLE", field, held, needed);
}

/** What one equity command wrote: its ledger transaction (null when it moved nothing) and postings. */
export interface EquityMove {
  readonly transactionId: string | null;
  readonly postings: readonly Posting[];
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
): Promise<EquityMove> {
  const state = await lockEquityState(tx, config);
  const balances = await lockBalances(tx, [
    ...members.flatMap((m) => walletKeys(m.id, m.wallets)),
    ...extraKeys,
  ]);
  const builder = new TxBuilder(balances);
  const next = build(builder, balances, state);
  const transactionId = await appendTransaction(
    tx,
    { businessDay: context.businessDay, kind, ref, postings: builder.postings },
    context.now,
  );
  await refreshExitQueue(
    tx,
    members.map((m) => m.id),
  );
  await saveEquityState(tx, await runExits(tx, next, config, context));
  return { transactionId, postings: builder.postings };
}

/** Sells `points` equity points at the current price (docs/rules.md §1.2). */
export async function sellPoints(
  tx: Tx,
  memberId: string,
  points: bigint,
  config: Config,
  context: RewardContext,
): Promise<EquityMove> {
  positive(points, "points");
  return equityCommand(
    tx,
    config,
    context,
    [{ id: memberId, wallets: ["equity", "cash"] }],
    "equity.sell",
    `member:${memberId}`,
    (b, bal, state) => {
      requireHeld(bal, memberId, "equity", points, "points");
      return sellEquity(b, state, config.equity, memberId, points, false);
    },
  );
}

/** Buys goods worth `amount` yuan with equity points (docs/rules.md §1.3). */
export async function redeemGoods(
  tx: Tx,
  memberId: string,
  amount: bigint,
  config: Config,
  context: RewardContext,
): Promise<EquityMove> {
  positive(amount, "amount");
  return equityCommand(
    tx,
    config,
    context,
    [{ id: memberId, wallets: ["equity"] }],
    "equity.redeem",
    `member:${memberId}`,
    (b, bal, state) => {
      if (state.supply === 0n) short("INSUFFICIENT_EQUITY", "amount", 0n, amount);
      const cost = redeemCost(state, amount, config.equity.redeemFeeRate);
      requireHeld(bal, memberId, "equity", cost, "amount");
      return redeemEquity(b, state, config.equity, memberId, amount).state;
    },
  );
}

/** Equity points → stable points worth n × p (docs/rules.md §1.4). */
export async function toStable(
  tx: Tx,
  memberId: string,
  points: bigint,
  config: Config,
  context: RewardContext,
): Promise<EquityMove> {
  positive(points, "points");
  return equityCommand(
    tx,
    config,
    context,
    [{ id: memberId, wallets: ["equity", "stable"] }],
    "equity.toStable",
    `member:${memberId}`,
    (b, bal, state) => {
      requireHeld(bal, memberId, "equity", points, "points");
      equityToStable(b, state, memberId, points);
      return state;
    },
  );
}

/** Stable points → equity points from the platform treasury (docs/rules.md §1.4). */
export async function fromStable(
  tx: Tx,
  memberId: string,
  stable: bigint,
  config: Config,
  context: RewardContext,
): Promise<EquityMove> {
  positive(stable, "stable");
  return equityCommand(
    tx,
    config,
    context,
    [{ id: memberId, wallets: ["equity", "stable"] }],
    "equity.fromStable",
    `member:${memberId}`,
    (b, bal, state) => {
      requireHeld(bal, memberId, "stable", stable, "stable");
      const points = equityForStable(state, stable);
      const treasury = b.balance(PlatformAccount.treasury, "equity");
      if (points > treasury) short("TREASURY_SHORT", "stable", treasury, points);
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
): Promise<EquityMove> {
  positive(stable, "stable");
  if (memberId === merchantId) fail("SELF_PAYMENT", { field: "merchantId" });
  const balances = await lockBalances(tx, [
    ...walletKeys(memberId, ["stable"]),
    ...walletKeys(merchantId, ["stable"]),
  ]);
  requireHeld(balances, memberId, "stable", stable, "stable");
  const builder = new TxBuilder(balances);
  payStable(builder, memberId, merchantId, stable);
  const transactionId = await appendTransaction(
    tx,
    {
      businessDay: context.businessDay,
      kind: "stable.pay",
      ref: `member:${memberId}->${merchantId}`,
      postings: builder.postings,
    },
    context.now,
  );
  return { transactionId, postings: builder.postings };
}
