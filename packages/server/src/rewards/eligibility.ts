/**
 * Orders becoming reward-eligible (docs/rules.md §0 "Orders"): the equity grant,
 * the cycle quota and weight, the release gift, each built by the engine's
 * command functions and appended to the ledger; what the order gave is kept in
 * `order_rewards` so a refund can reverse it and the settlement can release it.
 */
import {
  type Config,
  formatDecimal,
  grantCycle,
  grantEquity,
  grantRelease,
  parseDecimal,
  releaseGiftFor,
  TxBuilder,
  type Wallet,
} from "@jifen/engine";
import { addDays } from "../clock/index.ts";
import { configForDay } from "../config/index.ts";
import type { Queryable, Tx } from "../db/index.ts";
import { appendTransaction } from "../ledger/append.ts";
import { lockBalances } from "../ledger/balances.ts";
import { refreshExitQueue, runExits } from "./exit-queue.ts";
import { lockEquityState, openDay, saveEquityState, setOpenDay, walletKeys } from "./state.ts";

/** When a reward movement happens: the engine's open business day and the wall-clock instant. */
export interface RewardContext {
  readonly businessDay: string;
  readonly now: Date;
}

/** An order as eligibility needs it. */
export interface EligibleOrder {
  readonly id: string;
  readonly memberId: string;
  readonly plans: readonly string[];
  readonly amount: bigint;
  readonly pointsPaid: bigint;
}

/** What an eligible order gave, as stored in `order_rewards` (decimal strings). */
interface OrderRewardRow {
  equity_buyer: string;
  equity_referrer_id: string | null;
  equity_referrer: string;
  exit_quota: string;
  cycle_quota: string;
  cycle_weight: string;
  cycle_referrer_id: string | null;
  cycle_referrer_weight: string;
  release_grade: string | null;
  release_grade_min: string | null;
  release_gift: string;
  release_base: string;
}

const EMPTY_ROW: OrderRewardRow = {
  equity_buyer: "0",
  equity_referrer_id: null,
  equity_referrer: "0",
  exit_quota: "0",
  cycle_quota: "0",
  cycle_weight: "0",
  cycle_referrer_id: null,
  cycle_referrer_weight: "0",
  release_grade: null,
  release_grade_min: null,
  release_gift: "0",
  release_base: "0",
};

async function referrerOf(q: Queryable, memberId: string): Promise<string | undefined> {
  const rows = await q.query<{ referrer_id: string | null }>(
    "select referrer_id from members where id = $1::bigint",
    [memberId],
  );
  return rows.rows[0]?.referrer_id ?? undefined;
}

/**
 * Makes one paid order reward-eligible now, under the config of the open day,
 * then runs the exit check. The caller holds the order row.
 */
export async function makeEligible(
  tx: Tx,
  order: EligibleOrder,
  config: Config,
  context: RewardContext,
): Promise<void> {
  const buyer = order.memberId;
  const referrer = await referrerOf(tx, buyer);
  const ref = `order:${order.id}`;
  const entry = (kind: "equity.grant" | "cycle.grant" | "release.gift", builder: TxBuilder) =>
    appendTransaction(
      tx,
      { businessDay: context.businessDay, kind, ref, postings: builder.postings },
      context.now,
    );
  const row: OrderRewardRow = { ...EMPTY_ROW };
  let openGift = 0n;

  if (order.plans.includes("equity")) {
    const state = await lockEquityState(tx, config);
    const members = referrer ? [buyer, referrer] : [buyer];
    const keys = members.flatMap((m) => walletKeys(m, m === buyer ? ["equity", "exitQuota"] : ["equity"]));
    const builder = new TxBuilder(await lockBalances(tx, keys));
    const granted = grantEquity(builder, state, config.equity, buyer, referrer, order.amount);
    await entry("equity.grant", builder);
    await refreshExitQueue(tx, members);
    await saveEquityState(tx, await runExits(tx, granted.state, config, context));
    row.equity_buyer = formatDecimal(granted.effects.buyerPoints);
    row.equity_referrer_id = referrer ?? null;
    row.equity_referrer = formatDecimal(granted.effects.referrerPoints);
    row.exit_quota = formatDecimal(granted.effects.exitQuota);
  }
  if (order.plans.includes("cycle")) {
    const wallets: Wallet[] = ["quota", "weight"];
    const keys = [...walletKeys(buyer, wallets), ...(referrer ? walletKeys(referrer, ["weight"]) : [])];
    const builder = new TxBuilder(await lockBalances(tx, keys));
    const effects = grantCycle(builder, config.cycle, buyer, referrer, order.amount);
    await entry("cycle.grant", builder);
    row.cycle_quota = formatDecimal(effects.quota);
    row.cycle_weight = formatDecimal(effects.weight);
    row.cycle_referrer_id = referrer ?? null;
    row.cycle_referrer_weight = formatDecimal(effects.referrerWeight);
  }
  if (order.plans.includes("release")) {
    const gift = releaseGiftFor(config.release, order.amount);
    if (gift) {
      const builder = new TxBuilder(await lockBalances(tx, walletKeys(buyer, ["gift"])));
      grantRelease(builder, buyer, gift);
      await entry("release.gift", builder);
      row.release_grade = gift.grade;
      row.release_grade_min = formatDecimal(gift.gradeMin);
      row.release_gift = formatDecimal(gift.gift);
      openGift = gift.gift;
      row.release_base = formatDecimal(gift.base);
    }
  }
  const inserted = await tx.query<{ seq: string }>(
    `insert into order_rewards (order_id, member_id, eligible_on, amount, points_paid, in_cycle,
       equity_buyer, equity_referrer_id, equity_referrer, exit_quota,
       cycle_quota, cycle_weight, cycle_referrer_id, cycle_referrer_weight,
       release_grade, release_grade_min, release_gift, release_base)
     values ($1::bigint, $2::bigint, $3::date, $4::numeric, $5::numeric, $6::boolean,
       $7::numeric, $8::bigint, $9::numeric, $10::numeric,
       $11::numeric, $12::numeric, $13::bigint, $14::numeric,
       $15, $16::numeric, $17::numeric, $18::numeric)
     returning seq`,
    [
      order.id,
      buyer,
      context.businessDay,
      formatDecimal(order.amount),
      formatDecimal(order.pointsPaid),
      order.plans.includes("cycle"),
      row.equity_buyer,
      row.equity_referrer_id,
      row.equity_referrer,
      row.exit_quota,
      row.cycle_quota,
      row.cycle_weight,
      row.cycle_referrer_id,
      row.cycle_referrer_weight,
      row.release_grade,
      row.release_grade_min,
      row.release_gift,
      row.release_base,
    ],
  );
  // The whole gift is open from the day the order became eligible (the settlement of this day
  // releases its first part): a row in this day's release progress (migration 0005).
  if (openGift > 0n)
    await tx.query(
      `insert into release_progress (day, order_id, member_id, seq, base, remaining)
       values ($1::date, $2::bigint, $3::bigint, $4::bigint, $5::numeric, $6::numeric)`,
      [context.businessDay, order.id, buyer, inserted.rows[0]?.seq, row.release_base, row.release_gift],
    );
}

/**
 * Makes every paid order due on `day` (the day being opened) eligible, in the
 * order paid (docs/rules.md §0 "Orders": "orders that become eligible at the same moment are
 * taken in the order paid"). Orders due on an earlier day were made eligible
 * when paid (`REWARD_HOOKS.onOrderPaid`) or when their own day opened, so only
 * `day`'s are read (migration 0005's index), not every paid order.
 */
export async function makeDueOrdersEligible(tx: Tx, day: string, config: Config, now: Date): Promise<number> {
  const due = await tx.query<{
    id: string;
    member_id: string;
    plans: string[];
    amount: string;
    points_paid: string;
  }>(
    `select o.id, o.member_id, o.plans, o.amount, o.points_paid from orders o
     where o.status = 'paid' and o.eligible_day = $1::date
       and not exists (select 1 from order_rewards r where r.order_id = o.id)
     order by o.paid_at, o.id for update of o`,
    [day],
  );
  for (const o of due.rows) {
    await makeEligible(
      tx,
      {
        id: o.id,
        memberId: o.member_id,
        plans: o.plans,
        amount: parseDecimal(o.amount),
        pointsPaid: parseDecimal(o.points_paid),
      },
      config,
      { businessDay: day, now },
    );
  }
  return due.rows.length;
}

/**
 * Opens business day `settledDay` + 1 after its settlement, in the settlement's
 * transaction: the clock moves, the new day's config applies (a raised exit
 * multiple acts at once), and the orders due that day become eligible.
 */
export async function openNextDay(tx: Tx, settledDay: string, context: { now: Date }): Promise<string> {
  const current = await openDay(tx);
  if (current !== settledDay) throw new Error(`open day is ${current}, not the settled day ${settledDay}`);
  const next = addDays(settledDay, 1);
  await setOpenDay(tx, next);
  const { config } = await configForDay(tx, next);
  const state = await lockEquityState(tx, config);
  await saveEquityState(tx, await runExits(tx, state, config, { businessDay: next, now: context.now }));
  await makeDueOrdersEligible(tx, next, config, context.now);
  return next;
}
