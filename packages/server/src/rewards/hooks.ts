/**
 * The shop's reward hooks wired to the engine: a paid order whose eligible day
 * has come becomes eligible at once (cooling-off 0); later ones wait for the
 * settlement to open their day. A refund reverses what an eligible order gave.
 */
import { configForDay } from "../config/index.ts";
import type { Tx } from "../db/index.ts";
import { makeEligible } from "./eligibility.ts";
import { reverseOrderRewards } from "./refund.ts";
import { shareOpenDay } from "./state.ts";
import type { HookContext, PaidOrder, RewardHooks } from "./types.ts";

/** Reward hooks backed by the engine. */
export const REWARD_HOOKS: RewardHooks = {
  async onOrderPaid(tx: Tx, order: PaidOrder, context: HookContext): Promise<void> {
    const day = await shareOpenDay(tx);
    if (order.eligibleDay > day) return;
    const { config } = await configForDay(tx, day);
    await makeEligible(tx, order, config, { businessDay: day, now: context.now });
  },
  async onOrderRefunded(tx: Tx, order: PaidOrder, context: HookContext): Promise<void> {
    const day = await shareOpenDay(tx);
    const { config } = await configForDay(tx, day);
    await reverseOrderRewards(tx, order, config, { businessDay: day, now: context.now });
  },
};
