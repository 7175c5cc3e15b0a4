/**
 * Refunds after eligibility (docs/rules.md §0 "Refunds"): the engine's
 * `refundSteps` reverse what the order gave with new, opposite ledger entries
 * (what a member can no longer cover becomes debt), over the database store. A
 * refund before eligibility moves no reward (the shop already returned the payment).
 */
import { type Config, refundSteps, runStepsAsync } from "@jifen/engine";
import type { Tx } from "../db/index.ts";
import { databaseStore, type RewardContext } from "./store.ts";

/** An order as a refund needs it. */
export interface RefundedOrder {
  readonly id: string;
  readonly memberId: string;
  readonly plans: readonly string[];
  readonly amount: bigint;
  readonly pointsPaid: bigint;
}

/** Reverses an eligible order's rewards; returns false when the order never became eligible. */
export function reverseOrderRewards(
  tx: Tx,
  order: RefundedOrder,
  config: Config,
  context: RewardContext,
): Promise<boolean> {
  return runStepsAsync(
    refundSteps({ ...order, ref: `order:${order.id}` }, config),
    databaseStore(tx, config, context),
  );
}
