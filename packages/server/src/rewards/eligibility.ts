/**
 * Orders becoming reward-eligible (docs/rules.md §0 "Orders"): the engine's
 * `eligibleSteps` decide the equity grant, the cycle quota and weight and the
 * release gift; the database store (store.ts) appends them to the ledger and
 * keeps what the order gave in `order_rewards` so a refund can reverse it and
 * the settlement can release it.
 */
import { type Config, eligibleSteps, exitCheckSteps, parseDecimal, runStepsAsync } from "@jifen/engine";
import { addDays } from "../clock/index.ts";
import { configForDay } from "../config/index.ts";
import type { Tx } from "../db/index.ts";
import { recordClosingPrice } from "./price-history.ts";
import { openDay, setOpenDay } from "./state.ts";
import { databaseStore, type RewardContext } from "./store.ts";

/** An order as eligibility needs it. */
export type { RewardContext };

export interface EligibleOrder {
  readonly id: string;
  readonly memberId: string;
  readonly plans: readonly string[];
  readonly amount: bigint;
  readonly pointsPaid: bigint;
}

/**
 * Makes one paid order reward-eligible now, under the config of the open day:
 * the engine's `eligibleSteps` (grant equity → exit check; cycle grant; release
 * gift; record what it gave) over the database store. The caller holds the order row.
 */
export async function makeEligible(
  tx: Tx,
  order: EligibleOrder,
  config: Config,
  context: RewardContext,
): Promise<void> {
  await runStepsAsync(
    eligibleSteps({ ...order, ref: `order:${order.id}` }, config),
    databaseStore(tx, config, context),
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
  await recordClosingPrice(tx, settledDay, context.now);
  await setOpenDay(tx, next);
  const { config } = await configForDay(tx, next);
  await runStepsAsync(
    exitCheckSteps(config),
    databaseStore(tx, config, { businessDay: next, now: context.now }),
  );
  await makeDueOrdersEligible(tx, next, config, context.now);
  return next;
}
