/**
 * The live equity plan (docs/rules.md §1.2–§1.4): sell, redeem, stable points both
 * ways and stable payments to merchants. The engine's sequences
 * (packages/engine/src/equity-steps.ts: lock, check what is held, build,
 * append, re-file, exit check, save) run over the database store (store.ts);
 * this file checks the input and reads the plan's figures.
 */
import {
  type Config,
  formatPrice,
  fromStableSteps,
  initialEquityState,
  type MemberMove,
  PlatformAccount,
  type Posting,
  parseDecimal,
  payStableSteps,
  priceRatio,
  redeemSteps,
  runStepsAsync,
  type Steps,
  sellSteps,
  toStableSteps,
  withInitialPrice,
} from "@jifen/engine";
import type { Queryable, Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { databaseStore, type RewardContext } from "./store.ts";

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

/** What one equity command wrote: its ledger transaction (null when it moved nothing) and postings. */
export interface EquityMove {
  readonly transactionId: string | null;
  readonly postings: readonly Posting[];
}

/** Runs one of the engine's member commands (equity-steps.ts) over the database store. */
async function runCommand(
  tx: Tx,
  steps: Steps<MemberMove>,
  config: Config,
  context: RewardContext,
): Promise<EquityMove> {
  const move = await runStepsAsync(steps, databaseStore(tx, config, context));
  return { transactionId: move.transactionId ?? null, postings: move.postings };
}

/** Sells `points` equity points at the current price (docs/rules.md §1.2). */
export async function sellEquityPoints(
  tx: Tx,
  memberId: string,
  equityPoints: bigint,
  config: Config,
  context: RewardContext,
): Promise<EquityMove> {
  positive(equityPoints, "points");
  return runCommand(tx, sellSteps(memberId, equityPoints, config), config, context);
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
  return runCommand(tx, redeemSteps(memberId, amount, config), config, context);
}

/** Equity points → stable points worth n × p (docs/rules.md §1.4). */
export async function toStable(
  tx: Tx,
  memberId: string,
  equityPoints: bigint,
  config: Config,
  context: RewardContext,
): Promise<EquityMove> {
  positive(equityPoints, "points");
  return runCommand(tx, toStableSteps(memberId, equityPoints, config), config, context);
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
  return runCommand(tx, fromStableSteps(memberId, stable, config), config, context);
}

/** A stable-point payment to a merchant (another member), under the open day's `config`. */
export async function payMerchant(
  tx: Tx,
  memberId: string,
  merchantId: string,
  stable: bigint,
  config: Config,
  context: RewardContext,
): Promise<EquityMove> {
  positive(stable, "stable");
  if (memberId === merchantId) fail("SELF_PAYMENT", { field: "merchantId" });
  return runCommand(tx, payStableSteps(memberId, merchantId, stable), config, context);
}
