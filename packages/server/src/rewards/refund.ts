/**
 * Refunds after eligibility (docs/rules.md §0 "Refunds"): what the order gave is
 * reversed with new, opposite ledger entries built by the engine; what a member
 * can no longer cover becomes debt. A refund before eligibility moves no reward
 * (the shop already returned the payment).
 */
import {
  type Config,
  type CycleEffects,
  type EquityEffects,
  parseDecimal,
  reverseCycle,
  reverseEquity,
  reverseRelease,
  TxBuilder,
} from "@jifen/engine";
import type { Tx } from "../db/index.ts";
import { appendTransaction } from "../ledger/append.ts";
import { lockBalances } from "../ledger/balances.ts";
import type { RewardContext } from "./eligibility.ts";
import { refreshExitQueue, runExits } from "./exit-queue.ts";
import { lockEquityState, saveEquityState, walletKeys } from "./state.ts";

interface RewardRow {
  member_id: string;
  eligible_on: string;
  reversed_on: string | null;
  amount: string;
  equity_buyer: string;
  equity_referrer_id: string | null;
  equity_referrer: string;
  exit_quota: string;
  cycle_quota: string;
  cycle_weight: string;
  cycle_referrer_id: string | null;
  cycle_referrer_weight: string;
  release_gift: string;
  in_cycle: boolean;
}

/** Reverses an eligible order's rewards; returns false when the order never became eligible. */
export async function reverseOrderRewards(
  tx: Tx,
  orderId: string,
  plans: readonly string[],
  config: Config,
  context: RewardContext,
): Promise<boolean> {
  const rows = await tx.query<RewardRow>(
    "select * from order_rewards where order_id = $1::bigint for update",
    [orderId],
  );
  const row = rows.rows[0];
  if (!row || row.reversed_on !== null) return false;
  const buyer = row.member_id;
  const d = parseDecimal;
  const keys = walletKeys(buyer, ["equity", "exitQuota", "quota", "weight", "cash", "gift", "points"]);
  if (row.equity_referrer_id) keys.push(...walletKeys(row.equity_referrer_id, ["equity"]));
  if (row.cycle_referrer_id) keys.push(...walletKeys(row.cycle_referrer_id, ["weight"]));
  const hasEquity = plans.includes("equity");
  const state = hasEquity ? await lockEquityState(tx, config) : undefined;
  const builder = new TxBuilder(await lockBalances(tx, keys));
  let nextState = state;
  if (state) {
    const effects: EquityEffects = {
      buyerPoints: d(row.equity_buyer),
      referrer: row.equity_referrer_id ?? undefined,
      referrerPoints: d(row.equity_referrer),
      exitQuota: d(row.exit_quota),
    };
    nextState = reverseEquity(builder, state, buyer, effects);
  }
  if (row.in_cycle) {
    const effects: CycleEffects = {
      quota: d(row.cycle_quota),
      weight: d(row.cycle_weight),
      referrer: row.cycle_referrer_id ?? undefined,
      referrerWeight: d(row.cycle_referrer_weight),
    };
    reverseCycle(builder, buyer, effects);
  }
  const gift = d(row.release_gift);
  if (gift > 0n) {
    // Open orders have a row in the open day's progress; a fully released one has none.
    const progress = await tx.query<{ remaining: string }>(
      "delete from release_progress where day = $1::date and order_id = $2::bigint returning remaining",
      [context.businessDay, orderId],
    );
    const remaining = d(progress.rows[0]?.remaining ?? "0");
    reverseRelease(builder, buyer, remaining, gift - remaining);
  }
  await appendTransaction(
    tx,
    {
      businessDay: context.businessDay,
      kind: "refund.reverse",
      ref: `order:${orderId}`,
      postings: builder.postings,
    },
    context.now,
  );
  await tx.query("update order_rewards set reversed_on = $2::date where order_id = $1::bigint", [
    orderId,
    context.businessDay,
  ]);
  if (nextState) {
    const touched = [buyer, ...(row.equity_referrer_id ? [row.equity_referrer_id] : [])];
    await refreshExitQueue(tx, touched);
    await saveEquityState(tx, await runExits(tx, nextState, config, context));
  }
  return true;
}
