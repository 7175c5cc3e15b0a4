/**
 * The reward engine's state beside the ledger: the business day it has open,
 * and the equity plan's pool / supply / issued / remembered price, one row
 * locked FOR UPDATE by every equity movement.
 */
import {
  type Config,
  type EquityState,
  formatDecimal,
  initialEquityState,
  PlatformAccount,
  parseDecimal,
  walletKeys,
  withInitialPrice,
} from "@jifen/engine";
import type { Db, Queryable, Tx } from "../db/index.ts";

/** Creates the reward clock on first start: the engine's first open business day is `today`. */
export async function ensureRewardClock(db: Db, today: string): Promise<void> {
  await db.query("insert into reward_clock (id, open_day) values (1, $1::date) on conflict (id) do nothing", [
    today,
  ]);
}

/** The business day the reward engine has open (orders due later wait for it). */
export async function openDay(q: Queryable): Promise<string> {
  const rows = await q.query<{ open_day: string }>("select open_day from reward_clock where id = 1");
  const day = rows.rows[0]?.open_day;
  if (!day) throw new Error("reward clock not initialised (ensureRewardClock runs at start)");
  return day;
}

/**
 * The open business day, holding the clock row FOR SHARE until commit: a payment
 * or refund then waits for a running settlement (which holds it FOR UPDATE) and
 * lands in the day the settlement opens, never half in the day being settled.
 */
export async function shareOpenDay(tx: Tx): Promise<string> {
  const rows = await tx.query<{ open_day: string }>(
    "select open_day from reward_clock where id = 1 for share",
  );
  const day = rows.rows[0]?.open_day;
  if (!day) throw new Error("reward clock not initialised (ensureRewardClock runs at start)");
  return day;
}

/** Moves the reward clock to `day` (the settlement opens the next day). */
export async function setOpenDay(tx: Tx, day: string): Promise<void> {
  await tx.query("update reward_clock set open_day = $1::date where id = 1", [day]);
}

interface EquityRow {
  pool: string;
  supply: string;
  issued: string;
  price_num: string;
  price_den: string;
}

function fromRow(row: EquityRow): EquityState {
  return {
    pool: parseDecimal(row.pool),
    supply: parseDecimal(row.supply),
    issued: parseDecimal(row.issued),
    priceNum: parseDecimal(row.price_num),
    priceDen: parseDecimal(row.price_den),
  };
}

/**
 * Locks the operator's cash balance row (creating it at 0 on first use). Lock
 * order: every transaction takes `p:operator` before the equity state. A
 * payment updates `p:operator` (its cash part) before its reward hook takes the
 * equity state, while a grant paid wholly in points, a redemption or the
 * opening of a day takes the equity state and then moves money through
 * `p:operator`: without one order they deadlock (found by the equity
 * concurrency test: 14 of 96 mixed requests failed after three tries).
 */
async function lockOperatorBalance(tx: Tx): Promise<void> {
  const lock = "select 1 from balances where account = $1 and asset = 'cny' for update";
  const found = await tx.query(lock, [PlatformAccount.operator]);
  if (found.rows.length > 0) return;
  await tx.query(
    "insert into balances (account, asset, amount) values ($1, 'cny', 0) on conflict (account, asset) do nothing",
    [PlatformAccount.operator],
  );
  await tx.query(lock, [PlatformAccount.operator]);
}

/**
 * Locks and returns the equity state (created from the config on first use).
 * While no point was ever issued the price is the config's initial price.
 */
export async function lockEquityState(tx: Tx, config: Config): Promise<EquityState> {
  await lockOperatorBalance(tx);
  const lock = "select pool, supply, issued, price_num, price_den from equity_state where id = 1 for update";
  let row = (await tx.query<EquityRow>(lock)).rows[0];
  if (!row) {
    // First use only: every later command finds the row (one statement less while the lock is held).
    const initial = initialEquityState(config.equity);
    await tx.query(
      `insert into equity_state (id, pool, supply, issued, price_num, price_den)
       values (1, 0, 0, 0, $1::numeric, $2::numeric) on conflict (id) do nothing`,
      [formatDecimal(initial.priceNum), formatDecimal(initial.priceDen)],
    );
    row = (await tx.query<EquityRow>(lock)).rows[0] as EquityRow;
  }
  return withInitialPrice(fromRow(row), config.equity);
}

/** Reads the equity state without locking (figures for display). */
export async function readEquityState(q: Queryable, config: Config): Promise<EquityState> {
  const rows = await q.query<EquityRow>(
    "select pool, supply, issued, price_num, price_den from equity_state where id = 1",
  );
  const row = rows.rows[0];
  return row ? withInitialPrice(fromRow(row), config.equity) : initialEquityState(config.equity);
}

/** Stores the equity state (the caller holds the row lock). */
export async function saveEquityState(tx: Tx, state: EquityState): Promise<void> {
  await tx.query(
    `update equity_state set pool = $1::numeric, supply = $2::numeric, issued = $3::numeric,
       price_num = $4::numeric, price_den = $5::numeric where id = 1`,
    [
      formatDecimal(state.pool),
      formatDecimal(state.supply),
      formatDecimal(state.issued),
      formatDecimal(state.priceNum),
      formatDecimal(state.priceDen),
    ],
  );
}

/** The balance rows of some wallets of a member, with their debt accounts: what a command locks (the engine's). */
export { walletKeys };
