/**
 * A member's own equity commands, written once (issue 9): sell, redeem, equity
 * points → stable points and back (docs/rules.md §1.2–§1.4), and a stable-point
 * payment to a merchant. Each is a sequence of store calls in the style of
 * steps.ts: lock the equity state and the balances → check what is held →
 * build the postings → append → re-file in the exit queue → exit check → save.
 * The replay (engine.ts) runs them with `runSteps` over its memory, the server
 * (packages/server/src/rewards/equity-ops.ts) with `runStepsAsync` over its
 * database. Checks of the input alone (a positive amount, not paying oneself)
 * stay with the callers; checks of what is held are here.
 */
import { type BalanceSource, TxBuilder } from "./book.ts";
import { equityToStable, payStable, redeemEquity, sellEquity, stableToEquity } from "./commands.ts";
import type { Config } from "./config.ts";
import { type EquityState, equityForStable, redeemCost } from "./equity.ts";
import { memberAccount, PlatformAccount, type Posting, type TransactionKind, type Wallet } from "./ledger.ts";
import { ask, type BalanceKey, exitSteps, type RewardOrder, type Steps, walletKeys } from "./steps.ts";

/** What one member command wrote: its transaction (the store's id, see `RewardStore.append`) and postings. */
export interface MemberMove {
  readonly transactionId: string | null | undefined;
  readonly postings: readonly Posting[];
}

/** Refuses (through the store) unless `memberId`'s `wallet` holds at least `needed`. */
function* requireHeld(
  balances: BalanceSource,
  memberId: string,
  wallet: "equity" | "stable",
  needed: bigint,
  field: string,
): Steps<void> {
  const held = balances.balance(memberAccount(memberId, wallet), wallet);
  if (needed > held) {
    const code = wallet === "equity" ? "INSUFFICIENT_EQUITY" : "INSUFFICIENT_STABLE";
    yield* ask().refuseShort({ code, field, memberId, held, needed });
  }
}

/** The equity state and the member's `wallets` (and `extra` rows), locked. */
function* lockFor(
  memberId: string,
  wallets: readonly Wallet[],
  extra: readonly BalanceKey[] = [],
): Steps<{ state: EquityState; balances: BalanceSource }> {
  const s = ask();
  const state = yield* s.lockEquityState();
  const balances = yield* s.lockBalances([...walletKeys(memberId, wallets), ...extra]);
  return { state, balances };
}

/** Appends the command's transaction, re-files the member, runs the exit check from `next` and saves. */
function* finish(
  kind: TransactionKind,
  memberId: string,
  builder: TxBuilder,
  next: EquityState,
  config: Config,
): Steps<MemberMove> {
  const s = ask();
  const transactionId = yield* s.append(kind, yield* s.memberRef(memberId), builder.postings);
  yield* s.refileExit([memberId]);
  yield* s.saveEquityState(yield* exitSteps<RewardOrder>(next, config));
  return { transactionId, postings: builder.postings };
}

/** Sells `points` equity points at the current price (docs/rules.md §1.2). */
export function* sellSteps(memberId: string, equityPoints: bigint, config: Config): Steps<MemberMove> {
  const { state, balances } = yield* lockFor(memberId, ["equity", "cash"]);
  yield* requireHeld(balances, memberId, "equity", equityPoints, "points");
  const builder = new TxBuilder(balances);
  const next = sellEquity(builder, state, config.equity, memberId, equityPoints, false);
  return yield* finish("equity.sell", memberId, builder, next, config);
}

/** Buys goods worth `amount` yuan with equity points (docs/rules.md §1.3). */
export function* redeemSteps(memberId: string, amount: bigint, config: Config): Steps<MemberMove> {
  const { state, balances } = yield* lockFor(memberId, ["equity"]);
  if (state.supply === 0n)
    yield* ask().refuseShort({
      code: "INSUFFICIENT_EQUITY",
      field: "amount",
      memberId,
      held: 0n,
      needed: amount,
    });
  const cost = redeemCost(state, amount, config.equity.redeemFeeRate);
  yield* requireHeld(balances, memberId, "equity", cost, "amount");
  const builder = new TxBuilder(balances);
  const next = redeemEquity(builder, state, config.equity, memberId, amount).state;
  return yield* finish("equity.redeem", memberId, builder, next, config);
}

/** Equity points → stable points worth n × p; the points go to the treasury (docs/rules.md §1.4). */
export function* toStableSteps(memberId: string, equityPoints: bigint, config: Config): Steps<MemberMove> {
  const { state, balances } = yield* lockFor(memberId, ["equity", "stable"]);
  yield* requireHeld(balances, memberId, "equity", equityPoints, "points");
  const builder = new TxBuilder(balances);
  equityToStable(builder, state, memberId, equityPoints);
  return yield* finish("equity.toStable", memberId, builder, state, config);
}

/** Stable points → equity points from the platform treasury (docs/rules.md §1.4). */
export function* fromStableSteps(memberId: string, stable: bigint, config: Config): Steps<MemberMove> {
  const treasuryKey: BalanceKey = { account: PlatformAccount.treasury, asset: "equity" };
  const { state, balances } = yield* lockFor(memberId, ["equity", "stable"], [treasuryKey]);
  yield* requireHeld(balances, memberId, "stable", stable, "stable");
  const points = equityForStable(state, stable);
  const treasury = balances.balance(PlatformAccount.treasury, "equity");
  if (points > treasury)
    yield* ask().refuseShort({
      code: "TREASURY_SHORT",
      field: "stable",
      memberId,
      held: treasury,
      needed: points,
    });
  const builder = new TxBuilder(balances);
  const next = stableToEquity(builder, state, memberId, stable);
  return yield* finish("equity.fromStable", memberId, builder, next, config);
}

/** A stable-point payment to a merchant (another member); equity does not move, so no exit check. */
export function* payStableSteps(memberId: string, merchantId: string, stable: bigint): Steps<MemberMove> {
  const s = ask();
  const balances = yield* s.lockBalances([
    ...walletKeys(memberId, ["stable"]),
    ...walletKeys(merchantId, ["stable"]),
  ]);
  yield* requireHeld(balances, memberId, "stable", stable, "stable");
  const builder = new TxBuilder(balances);
  payStable(builder, memberId, merchantId, stable);
  const ref = `${yield* s.memberRef(memberId)}->${merchantId}`;
  const transactionId = yield* s.append("stable.pay", ref, builder.postings);
  return { transactionId, postings: builder.postings };
}
