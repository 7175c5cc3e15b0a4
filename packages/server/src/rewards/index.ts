/** The reward plans over the database: eligibility, refunds, the live equity plan, the reward clock. */
export {
  type EligibleOrder,
  makeEligible,
  openNextDay,
  type RewardContext,
} from "./eligibility.ts";
export {
  type EquityFigures,
  type EquityMove,
  equityFigures,
  fromStable,
  payMerchant,
  redeemGoods,
  sellEquityPoints,
  toStable,
} from "./equity-ops.ts";
export { exitQueueBound, ratio12, ratio12Text, refreshExitQueue } from "./exit-queue.ts";
export { REWARD_HOOKS } from "./hooks.ts";
export { type PriceClose, priceCloses, recordClosingPrice } from "./price-history.ts";
export { type RefundedOrder, reverseOrderRewards } from "./refund.ts";
export {
  ensureRewardClock,
  lockEquityState,
  openDay,
  readEquityState,
  saveEquityState,
  setOpenDay,
  shareOpenDay,
  walletKeys,
} from "./state.ts";
export {
  databaseStore,
  effectsFromRow,
  type OrderRewardRow,
  orderRewardValues,
  refuseSettling,
  refuseShort,
  type StoredOrder,
} from "./store.ts";
export { type HookContext, NO_REWARD_HOOKS, type PaidOrder, type RewardHooks } from "./types.ts";
