/**
 * The reward hooks: where the reward plans plug into the shop. The server calls
 * them inside the payment's (or refund's) transaction, after the order row and
 * its payment postings are written; a hook that throws rolls the whole payment
 * back. The types live on the rewards side and import nothing from shop/ or
 * http/; shop/ and http/ import them through rewards/index.ts, so neither
 * folder pair (shop ↔ rewards, http ↔ shop) imports the other both ways.
 */
import type { Tx } from "../db/index.ts";

/** An order as the hooks see it (amounts in micro-units). */
export interface PaidOrder {
  readonly id: string;
  readonly memberId: string;
  readonly productId: string;
  readonly plans: readonly string[];
  readonly amount: bigint;
  readonly pointsPaid: bigint;
  /** Business day of the payment (YYYY-MM-DD). */
  readonly paidDay: string;
  /** Business day from which the order's rewards happen. */
  readonly eligibleDay: string;
}

/** Context of a hook call. */
export interface HookContext {
  readonly now: Date;
  /** Today's business day. */
  readonly businessDay: string;
}

/** The reward hooks of the shop. */
export interface RewardHooks {
  /** Called once when an order becomes paid, in the payment's transaction. */
  onOrderPaid(tx: Tx, order: PaidOrder, context: HookContext): Promise<void>;
  /** Called once when a paid order is refunded, in the refund's transaction (after its points returned). */
  onOrderRefunded(tx: Tx, order: PaidOrder, context: HookContext): Promise<void>;
}

/** Hooks that do nothing: rewards are not wired yet. */
export const NO_REWARD_HOOKS: RewardHooks = {
  async onOrderPaid(): Promise<void> {},
  async onOrderRefunded(): Promise<void> {},
};
