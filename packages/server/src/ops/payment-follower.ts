/**
 * The payment follower: every `everyMs`, asks the providers about payments
 * and refunds still pending `afterMs` after they were made (a notification
 * that never came) and sends or queries every withdrawal payout not yet
 * final. One round at a time; a failure is logged and the next round retries.
 */
import type { Clock } from "../clock/index.ts";
import type { Db } from "../db/index.ts";
import {
  followPayments,
  type PaymentLog,
  type PaymentRegistry,
  paymentServices,
  type TxRunner,
} from "../payments/index.ts";
import type { RewardHooks } from "../rewards/index.ts";
import { followPayouts } from "../wallets/index.ts";

/** What the follower needs (the app's context has all of it). */
export interface FollowerDeps {
  readonly db: Db;
  readonly payments: PaymentRegistry;
  readonly clock: Clock;
  readonly timeZone: string;
  readonly hooks: RewardHooks;
  readonly log: PaymentLog & { error(obj: object, msg: string): void };
  /** The shop's equity writer (issue 14): what the follower applies goes through its batches. */
  readonly writer?: TxRunner | null;
}

/** One round: stale payments and refunds, then payouts. */
export async function followOnce(deps: FollowerDeps, afterMs: number) {
  const svc = paymentServices(deps, deps.log);
  const followed = await followPayments(svc, { olderThanMs: afterMs });
  const payouts = await followPayouts({
    db: deps.db,
    registry: deps.payments,
    now: () => deps.clock.now(),
    timeZone: deps.timeZone,
    log: deps.log,
  });
  return { ...followed, payouts };
}

/** Starts the follower; `stop()` ends it (a round under way finishes). */
export function startPaymentFollower(
  deps: FollowerDeps,
  options: { everyMs: number; afterMs: number; active?: () => boolean },
) {
  let running = false;
  const timer = setInterval(() => {
    // Several processes on one PostgreSQL: only the writer's (it applies what it finds in its batches).
    if (running || options.active?.() === false) return;
    running = true;
    followOnce(deps, options.afterMs)
      .catch((error: unknown) =>
        deps.log.error(
          { error: error instanceof Error ? error.message : String(error) },
          "payment follower failed",
        ),
      )
      .finally(() => {
        running = false;
      });
  }, options.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
