/**
 * The plans' ledger movements as pure functions: each appends the postings of
 * one command to a `TxBuilder` that reads balances from any `BalanceSource`
 * (the in-memory `Book` of a replay, or the rows a server locked and loaded),
 * and returns the new equity state or the effects to remember for a refund.
 * Callers validate input first; these functions assert invariants only.
 */
import type { TxBuilder } from "./book.ts";
import type { CycleConfig, EquityConfig, ReleaseConfig } from "./config.ts";
import {
  applyGrant,
  computeGrant,
  type EquityState,
  equityForStable,
  redeemCost,
  refundBuyback,
  sellProceeds,
  stableValue,
  withPoolAndSupply,
} from "./equity.ts";
import { invariant } from "./errors.ts";
import {
  type Asset,
  burnAccount,
  type DebtWallet,
  debtAccount,
  issuanceAccount,
  memberAccount,
  PlatformAccount,
  type Posting,
  type PostingCause,
  type Transaction,
  WALLET_ASSET,
  type Wallet,
} from "./ledger.ts";
import { ceilFen, min, mulRateFloor } from "./money.ts";
import type { SettlementResult } from "./settlement.ts";

/** Wallets that can carry a debt. */
export const DEBT_WALLETS: readonly DebtWallet[] = ["cash", "points", "equity", "stable", "weight"];

/** The account that holds the day's cycle pools during a settlement. */
export const CYCLE_POOL_ACCOUNT = "p:cyclePool";

/** The debt key (`TxBuilder.memberBalance`) of each wallet that can carry a debt. */
const DEBT_KEY = Object.fromEntries(DEBT_WALLETS.map((w) => [w, `debt:${w}`])) as Readonly<
  Record<DebtWallet, `debt:${DebtWallet}`>
>;

function isDebtWallet(wallet: Wallet): wallet is DebtWallet {
  return Object.hasOwn(DEBT_KEY, wallet);
}

/**
 * Credits a member's wallet from `from` (or from postings already in `tx` when
 * undefined); a debt in that wallet is repaid first. Returns the part repaid.
 */
export function creditMember(
  tx: TxBuilder,
  memberId: string,
  wallet: Wallet,
  amount: bigint,
  from: string | undefined,
): bigint {
  invariant(amount >= 0n, "a credit is not negative");
  const asset: Asset = WALLET_ASSET[wallet];
  if (from !== undefined) tx.add(from, asset, -amount);
  let repaid = 0n;
  if (isDebtWallet(wallet)) {
    const debt = DEBT_KEY[wallet];
    repaid = min(-tx.memberBalance(memberId, debt), amount);
    tx.addMember(memberId, debt, repaid);
  }
  tx.addMember(memberId, wallet, amount - repaid);
  return repaid;
}

/**
 * Takes `amount` from a member's wallet to `to`; what the wallet cannot cover
 * becomes debt. Returns the part taken from the wallet.
 */
export function debitMember(
  tx: TxBuilder,
  memberId: string,
  wallet: DebtWallet,
  amount: bigint,
  to: string,
): bigint {
  const asset = WALLET_ASSET[wallet];
  const taken = min(tx.memberBalance(memberId, wallet), amount);
  tx.addMember(memberId, wallet, -taken);
  tx.addMember(memberId, DEBT_KEY[wallet], -(amount - taken));
  tx.add(to, asset, amount);
  return taken;
}

/** Moves an order's payment in: the cash part from outside, the points part from the member. */
export function payOrder(tx: TxBuilder, memberId: string, amount: bigint, points: bigint): void {
  tx.move(PlatformAccount.worldPayments, PlatformAccount.operator, "cny", amount - points);
  tx.moveFromMember(memberId, "points", PlatformAccount.pointsReceived, points);
}

/** Returns an order's payment: the cash part to outside, the points to the member (repaying debt first). */
export function refundPayment(tx: TxBuilder, memberId: string, amount: bigint, points: bigint): void {
  tx.move(PlatformAccount.operator, PlatformAccount.worldPayments, "cny", amount - points);
  creditMember(tx, memberId, "points", points, PlatformAccount.pointsReceived);
}

export interface EquityEffects {
  readonly buyerPoints: bigint;
  readonly referrer: string | undefined;
  readonly referrerPoints: bigint;
  readonly exitQuota: bigint;
}

/** An eligible order's equity grant (docs/rules.md §1.1). Returns the new state and what to reverse on refund. */
export function grantEquity(
  tx: TxBuilder,
  state: EquityState,
  config: EquityConfig,
  buyer: string,
  referrer: string | undefined,
  amount: bigint,
): { state: EquityState; effects: EquityEffects } {
  const grant = computeGrant(state, config, amount, referrer !== undefined);
  tx.move(PlatformAccount.operator, PlatformAccount.equityPool, "cny", grant.contribution);
  let repaid = creditMember(tx, buyer, "equity", grant.buyerPoints, issuanceAccount("equity"));
  if (referrer !== undefined) {
    repaid += creditMember(tx, referrer, "equity", grant.referrerPoints, issuanceAccount("equity"));
  }
  tx.moveToMember(issuanceAccount("exitQuota"), buyer, "exitQuota", grant.exitQuota);
  return {
    state: applyGrant(state, grant, repaid),
    effects: {
      buyerPoints: grant.buyerPoints,
      referrer,
      referrerPoints: grant.referrerPoints,
      exitQuota: grant.exitQuota,
    },
  };
}

/**
 * Takes an equity grant back on refund (docs/rules.md §0 Refunds): the points
 * granted to the buyer and the referrer are taken back and burned in one
 * movement; the pool pays the value of the points burned now, at the price just
 * before the refund (rounded down to 6 places), back to the operator, so the
 * price does not move and nobody else is paid. Points a member no longer holds
 * become equity debt, burned as the debt is repaid (with no payment from the
 * pool: `creditMember` repays it, `applyGrant` keeps the pool untouched). The
 * exit quota the order added is removed, not below zero.
 */
export function reverseEquity(
  tx: TxBuilder,
  state: EquityState,
  buyer: string,
  effects: EquityEffects,
): EquityState {
  let taken = debitMember(tx, buyer, "equity", effects.buyerPoints, burnAccount("equity"));
  if (effects.referrer !== undefined) {
    taken += debitMember(tx, effects.referrer, "equity", effects.referrerPoints, burnAccount("equity"));
  }
  const buyback = refundBuyback(state, taken);
  tx.move(PlatformAccount.equityPool, PlatformAccount.operator, "cny", buyback);
  const quotaHeld = tx.memberBalance(buyer, "exitQuota");
  tx.moveFromMember(buyer, "exitQuota", burnAccount("exitQuota"), min(quotaHeld, effects.exitQuota));
  return withPoolAndSupply(state, state.pool - buyback, state.supply - taken);
}

/** Sells equity points (docs/rules.md §1.2), or a whole holding on exit (§1.5, the exit quota burned too). */
export function sellEquity(
  tx: TxBuilder,
  state: EquityState,
  config: EquityConfig,
  memberId: string,
  points: bigint,
  exit: boolean,
): EquityState {
  const proceeds = sellProceeds(state, points, config.sellFeeRate);
  tx.moveFromMember(memberId, "equity", burnAccount("equity"), points);
  creditMember(tx, memberId, "cash", proceeds, PlatformAccount.equityPool);
  if (exit) {
    const quota = tx.memberBalance(memberId, "exitQuota");
    tx.moveFromMember(memberId, "exitQuota", burnAccount("exitQuota"), quota);
  }
  return withPoolAndSupply(state, state.pool - proceeds, state.supply - points);
}

/** Goods worth `amount` yuan bought with equity points (docs/rules.md §1.3); returns the state and the points burned. */
export function redeemEquity(
  tx: TxBuilder,
  state: EquityState,
  config: EquityConfig,
  memberId: string,
  amount: bigint,
): { state: EquityState; cost: bigint } {
  const cost = redeemCost(state, amount, config.redeemFeeRate);
  tx.moveFromMember(memberId, "equity", burnAccount("equity"), cost);
  tx.move(PlatformAccount.equityPool, PlatformAccount.operator, "cny", amount);
  return { state: withPoolAndSupply(state, state.pool - amount, state.supply - cost), cost };
}

/** Equity points → stable points worth n × p; the points go to the treasury (docs/rules.md §1.4). */
export function equityToStable(tx: TxBuilder, state: EquityState, memberId: string, points: bigint): bigint {
  const stable = stableValue(state, points);
  tx.moveFromMember(memberId, "equity", PlatformAccount.treasury, points);
  creditMember(tx, memberId, "stable", stable, issuanceAccount("stable"));
  return stable;
}

/** Stable points → equity points from the treasury (the caller checked the treasury holds them). */
export function stableToEquity(
  tx: TxBuilder,
  state: EquityState,
  memberId: string,
  stable: bigint,
): EquityState {
  const points = equityForStable(state, stable);
  tx.moveFromMember(memberId, "stable", burnAccount("stable"), stable);
  const repaid = creditMember(tx, memberId, "equity", points, PlatformAccount.treasury);
  return withPoolAndSupply(state, state.pool, state.supply - repaid);
}

/** A stable-point payment from a member to a merchant. */
export function payStable(tx: TxBuilder, from: string, to: string, stable: bigint): void {
  tx.addMember(from, "stable", -stable);
  creditMember(tx, to, "stable", stable, undefined);
}

/** An operator adjustment: positive credits (repaying debt first), negative debits (caller checked cover). */
export function adjustWallet(
  tx: TxBuilder,
  memberId: string,
  wallet: "cash" | "points" | "stable",
  amount: bigint,
): void {
  if (amount > 0n) creditMember(tx, memberId, wallet, amount, PlatformAccount.adjustments);
  else tx.moveFromMember(memberId, wallet, PlatformAccount.adjustments, -amount);
}

export interface CycleEffects {
  readonly quota: bigint;
  readonly weight: bigint;
  readonly referrer: string | undefined;
  readonly referrerWeight: bigint;
}

/** An eligible order's dividend quota and weight, and the referrer's weight (docs/rules.md §2). */
export function grantCycle(
  tx: TxBuilder,
  config: CycleConfig,
  buyer: string,
  referrer: string | undefined,
  amount: bigint,
): CycleEffects {
  const quota = mulRateFloor(amount, config.quotaMultiple);
  const weight = mulRateFloor(amount, config.weightPerYuan);
  const referrerWeight = referrer !== undefined ? mulRateFloor(weight, config.referralWeightRatio) : 0n;
  tx.moveToMember(issuanceAccount("quota"), buyer, "quota", quota);
  creditMember(tx, buyer, "weight", weight, issuanceAccount("weight"));
  if (referrer !== undefined) creditMember(tx, referrer, "weight", referrerWeight, issuanceAccount("weight"));
  return { quota, weight, referrer, referrerWeight };
}

/**
 * Removes a refunded order's quota and weight; quota already paid out (what the
 * remaining quota cannot cover) is taken back from cash, rounded up to the fen.
 */
export function reverseCycle(tx: TxBuilder, buyer: string, effects: CycleEffects): void {
  const quotaHeld = tx.memberBalance(buyer, "quota");
  const removed = min(quotaHeld, effects.quota);
  tx.moveFromMember(buyer, "quota", burnAccount("quota"), removed);
  debitMember(tx, buyer, "cash", ceilFen(effects.quota - removed), PlatformAccount.operator);
  debitMember(tx, buyer, "weight", effects.weight, issuanceAccount("weight"));
  if (effects.referrer !== undefined) {
    debitMember(tx, effects.referrer, "weight", effects.referrerWeight, issuanceAccount("weight"));
  }
}

export interface ReleaseGift {
  /** The package (membership grade) name and its minimum amount. */
  readonly grade: string;
  readonly gradeMin: bigint;
  readonly gift: bigint;
  readonly base: bigint;
}

/** The package an order of `amount` reaches and its gift and daily base (docs/rules.md §3.1), or undefined. */
export function releaseGiftFor(config: ReleaseConfig, amount: bigint): ReleaseGift | undefined {
  let pkg: ReleaseConfig["packages"][number] | undefined;
  for (const p of config.packages) if (amount >= p.minAmount) pkg = p;
  if (!pkg) return undefined;
  return {
    grade: pkg.name,
    gradeMin: pkg.minAmount,
    gift: mulRateFloor(amount, pkg.multiple),
    base: mulRateFloor(amount, config.dailyRate),
  };
}

/** Gifts an eligible order's points to the member's gift wallet (docs/rules.md §3.1). */
export function grantRelease(tx: TxBuilder, buyer: string, gift: ReleaseGift): void {
  tx.moveToMember(issuanceAccount("points"), buyer, "gift", gift.gift);
}

/** Cancels a refunded order's remaining gift and takes back the points released from it. */
export function reverseRelease(tx: TxBuilder, buyer: string, remaining: bigint, released: bigint): void {
  tx.moveFromMember(buyer, "gift", issuanceAccount("points"), remaining);
  debitMember(tx, buyer, "points", released, burnAccount("points"));
}

/** What the ledger needs besides a settlement's result: member ids and what each owes in points and cash. */
export interface SettlementLedgerInput {
  /** Member id of each member index of the settlement input. */
  readonly memberIds: readonly string[];
  /** Points and cash each member owes before the day (positive micro-units, 0 when none). */
  readonly pointsOwed: BigInt64Array;
  readonly cashOwed: BigInt64Array;
  /** The day's release parameters: the rates and star level names the causes name. */
  readonly release: ReleaseConfig;
  /** Order id of each order index of the settlement input (undefined: an order without one). */
  readonly orderIds: ArrayLike<string | number | undefined>;
}

/** The member accounts a settled day posts to. */
export type SettledAccount = "gift" | "points" | "cash" | "quota" | "debt:points" | "debt:cash";

/** A posting to member `i`'s account `wallet`, named from the member's id. */
function memberPosting(
  ledger: SettlementLedgerInput,
  i: number,
  wallet: SettledAccount,
  asset: Asset,
  amount: bigint,
  cause?: PostingCause,
): Posting {
  const id = ledger.memberIds[i] as string;
  const account =
    wallet === "debt:points" || wallet === "debt:cash"
      ? debtAccount(id, wallet === "debt:points" ? "points" : "cash")
      : memberAccount(id, wallet);
  return cause === undefined ? { account, asset, amount } : { account, asset, amount, cause };
}

/**
 * Which release rule a credit is for, as a number so that a sink that needs no
 * cause makes none: `STATIC`, `1 + g` for share generation g (0-based),
 * `1 + G` team, `2 + G` peer (G = the number of share generations); `NO_CAUSE`
 * for a movement that is not a release credit.
 */
export const NO_CAUSE = -1;
const STATIC = 0;

/**
 * Where a settled day's member movements go, in the order the ledger posts
 * them (`settlementMovements`): into one ledger transaction per member and
 * kind (the replay, the server), or applied as they come (a simulation's
 * `BookBatch`).
 */
export interface SettlementSink {
  /** Member `i`'s account `wallet` moves by `amount` (never 0); `cause` a release rule number or `NO_CAUSE`. */
  member(i: number, wallet: SettledAccount, asset: Asset, amount: bigint, cause: number): void;
  /** A platform account moves by `amount` (never 0). */
  platform(account: string, asset: Asset, amount: bigint): void;
}

/** The posting cause of release rule number `cause` (see `NO_CAUSE`) for member `i`. */
function causeOf(
  i: number,
  cause: number,
  result: SettlementResult,
  ledger: SettlementLedgerInput,
): PostingCause {
  const { release } = ledger;
  const G = release.shareRates.length;
  if (cause === STATIC) {
    const o = result.staticOrder[i] as number;
    const orderId = o >= 0 ? ledger.orderIds[o] : undefined;
    return {
      rule: "release.static",
      rate: release.dailyRate,
      ...(orderId !== undefined ? { order: String(orderId) } : {}),
    };
  }
  if (cause <= G) {
    const g = cause - 1;
    const source = result.shareSource[i * G + g] as number;
    return {
      rule: "release.share",
      rate: release.shareRates[g] as bigint,
      generation: g + 1,
      ...(source >= 0 ? { counterpart: ledger.memberIds[source] as string } : {}),
    };
  }
  const level = release.starLevels[result.star[i] as number];
  invariant(level !== undefined, "a team or peer release goes to a member with a star level");
  return cause === G + 1
    ? { rule: "release.team", rate: level.rate, star: level.name }
    : { rule: "release.peer", rate: release.peerRate, star: level.name };
}

/** The burn account of quota (one string, so the platform sums compare it by identity). */
const QUOTA_BURN = burnAccount("quota");

/** One release credit of member `i`: points debt repaid first, the rest to points. Returns what is still owed. */
function creditReleased(
  i: number,
  amount: bigint,
  owed: bigint,
  cause: number,
  sink: SettlementSink,
): bigint {
  // A credit of 0 posts nothing, so the rules need no guard of their own.
  const repaid = min(owed, amount);
  if (repaid > 0n) sink.member(i, "debt:points", "points", repaid, cause);
  if (amount > repaid) sink.member(i, "points", "points", amount - repaid, cause);
  return owed - repaid;
}

/**
 * Member `i`'s daily release: gift → points, one credit per rule (static, share
 * by generation, team, peer), each repaying points debt first and carrying its
 * cause. False when nothing was released (nothing moved).
 */
function releaseMovements(
  i: number,
  result: SettlementResult,
  ledger: SettlementLedgerInput,
  sink: SettlementSink,
): boolean {
  const stat = result.static[i] as bigint;
  const share = result.share[i] as bigint;
  const team = result.team[i] as bigint;
  const peer = result.peer[i] as bigint;
  const released = stat + share + team + peer;
  if (released <= 0n) return false;
  sink.member(i, "gift", "points", -released, NO_CAUSE);
  let owed = creditReleased(i, stat, ledger.pointsOwed[i] as bigint, STATIC, sink);
  // Share acceleration, one credit per generation (one that paid nothing posts nothing).
  const G = ledger.release.shareRates.length;
  for (let g = 0; g < G; g++)
    owed = creditReleased(i, result.shareByGeneration[i * G + g] as bigint, owed, 1 + g, sink);
  if (team > 0n || peer > 0n) {
    invariant(
      ledger.release.starLevels[result.star[i] as number] !== undefined,
      "a team or peer release goes to a member with a star level",
    );
    owed = creditReleased(i, team, owed, G + 1, sink);
    creditReleased(i, peer, owed, G + 2, sink);
  }
  return true;
}

/** Member `i`'s dividend: pool → cash (repaying cash debt first), quota used. False when none. */
function dividendMovements(
  i: number,
  result: SettlementResult,
  ledger: SettlementLedgerInput,
  sink: SettlementSink,
): boolean {
  const dividend = result.dividend[i] as bigint;
  if (dividend <= 0n) return false;
  const repaid = min(ledger.cashOwed[i] as bigint, dividend);
  sink.platform(CYCLE_POOL_ACCOUNT, "cny", -dividend);
  if (repaid > 0n) sink.member(i, "debt:cash", "cny", repaid, NO_CAUSE);
  if (dividend > repaid) sink.member(i, "cash", "cny", dividend - repaid, NO_CAUSE);
  sink.member(i, "quota", "quota", -dividend, NO_CAUSE);
  sink.platform(QUOTA_BURN, "quota", dividend);
  return true;
}

/** A sink that collects one transaction's postings, each release credit with its cause. */
class PostingList implements SettlementSink {
  postings: Posting[] = [];
  constructor(
    private readonly result: SettlementResult,
    private readonly ledger: SettlementLedgerInput,
  ) {}
  member(i: number, wallet: SettledAccount, asset: Asset, amount: bigint, cause: number): void {
    const why = cause === NO_CAUSE ? undefined : causeOf(i, cause, this.result, this.ledger);
    this.postings.push(memberPosting(this.ledger, i, wallet, asset, amount, why));
  }
  platform(account: string, asset: Asset, amount: bigint): void {
    this.postings.push({ account, asset, amount });
  }
  /** The postings gathered so far, and a fresh list for the next transaction. */
  take(): Posting[] {
    const out = this.postings;
    this.postings = [];
    return out;
  }
}

/**
 * The member movements of a settled day, into `sink`, in the ledger's order:
 * per member (by index) the release, then the dividend. `settlementTransactions`
 * posts the same movements as one transaction per member and kind, with the
 * day's pools funded before them and what the pools return after them.
 */
export function settlementMovements(
  result: SettlementResult,
  ledger: SettlementLedgerInput,
  sink: SettlementSink,
): void {
  const paid = paidToday(result);
  for (let i = 0; i < ledger.memberIds.length; i++) {
    if (!paid(i)) continue;
    releaseMovements(i, result, ledger, sink);
    dividendMovements(i, result, ledger, sink);
  }
}

/**
 * Where `settledNetMovements` sends a settled day's member movements: one call
 * per member the day paid, with the release and the dividend each as one sum.
 */
export type NetSettlementSink = (
  /** The member's index. */
  i: number,
  /** Points released from gift (≥ 0; static + share + team + peer). */
  released: bigint,
  /** The part of `released` (≥ 0) that repays the member's points debt; the rest goes to points. */
  pointsRepaid: bigint,
  /** The dividend (≥ 0; pool → cash, the same quota used). */
  dividend: bigint,
  /** The part of `dividend` (≥ 0) that repays the member's cash debt; the rest goes to cash. */
  cashRepaid: bigint,
) => void;

/**
 * `settlementMovements` summed per member and account, for a book that keeps
 * no transactions (a simulation): the members a settled day paid, in member
 * order, each as one `sink` call — the release as one credit instead of one
 * per rule, and no causes. Applied, they give every account the balance
 * `settlementMovements` gives it: each account moves one way in a day, and the
 * rules' credits repay the points debt in turn, so what they repay together
 * is min(owed, released). Returns the day's dividends summed: what the cycle
 * pools pay out and the quota burned.
 */
export function settledNetMovements(
  result: SettlementResult,
  ledger: SettlementLedgerInput,
  sink: NetSettlementSink,
): bigint {
  const paid = paidToday(result);
  const starLevels = ledger.release.starLevels;
  let dividends = 0n;
  for (let i = 0; i < ledger.memberIds.length; i++) {
    if (!paid(i)) continue;
    const stat = result.static[i] as bigint;
    const share = result.share[i] as bigint;
    const team = result.team[i] as bigint;
    const peer = result.peer[i] as bigint;
    let dividend = result.dividend[i] as bigint;
    invariant(stat >= 0n && share >= 0n && team >= 0n && peer >= 0n, "a release is not negative");
    let released = stat + share + team + peer;
    let pointsRepaid = 0n;
    if (released > 0n) {
      if (team > 0n || peer > 0n)
        invariant(
          starLevels[result.star[i] as number] !== undefined,
          "a team or peer release goes to a member with a star level",
        );
      const owed = ledger.pointsOwed[i] as bigint;
      if (owed > 0n) pointsRepaid = min(owed, released);
    } else released = 0n;
    let cashRepaid = 0n;
    if (dividend > 0n) {
      const owed = ledger.cashOwed[i] as bigint;
      if (owed > 0n) cashRepaid = min(owed, dividend);
      dividends += dividend;
    } else dividend = 0n;
    if (released > 0n || dividend > 0n) sink(i, released, pointsRepaid, dividend, cashRepaid);
  }
  return dividends;
}

/** The account the quota used by dividends is burned to. */
export const QUOTA_BURN_ACCOUNT = QUOTA_BURN;

/** The day's cycle pools funded from the operator (before the dividends), or undefined when nothing was pooled. */
export function poolsFundedTransaction(day: number, result: SettlementResult): Transaction | undefined {
  const { pooled } = result.totals;
  if (pooled <= 0n) return undefined;
  return {
    day,
    kind: "cycle.pools",
    ref: `day:${day}`,
    postings: [
      { account: PlatformAccount.operator, asset: "cny", amount: -pooled },
      { account: CYCLE_POOL_ACCOUNT, asset: "cny", amount: pooled },
    ],
  };
}

/** What the day's cycle pools return (after the dividends), or undefined when nothing. */
export function poolsReturnedTransaction(day: number, result: SettlementResult): Transaction | undefined {
  const { returned } = result.totals;
  if (returned <= 0n) return undefined;
  return {
    day,
    kind: "cycle.returns",
    ref: `day:${day}`,
    postings: [
      { account: CYCLE_POOL_ACCOUNT, asset: "cny", amount: -returned },
      { account: PlatformAccount.cycleReturns, asset: "cny", amount: returned },
    ],
  };
}

/**
 * The ledger transactions of a settled day, in a fixed order: the day's pools
 * funded, then per member (by index) the release (gift → points, repaying points
 * debt first) and the dividend (pool → cash, repaying cash debt first; quota
 * used), then what the pools return. A generator, so a database can stream
 * millions of rows to COPY without holding them.
 */
export function* settlementTransactions(
  day: number,
  result: SettlementResult,
  ledger: SettlementLedgerInput,
): Generator<Transaction> {
  const ref = `day:${day}`;
  const funded = poolsFundedTransaction(day, result);
  if (funded) yield funded;
  const list = new PostingList(result, ledger);
  const paid = paidToday(result);
  for (let i = 0; i < ledger.memberIds.length; i++) {
    if (!paid(i)) continue;
    if (releaseMovements(i, result, ledger, list))
      yield { day, kind: "release.daily", ref, postings: list.take() };
    if (dividendMovements(i, result, ledger, list))
      yield { day, kind: "cycle.dividend", ref, postings: list.take() };
  }
  const returned = poolsReturnedTransaction(day, result);
  if (returned) yield returned;
}

/**
 * Whether member `i` received anything in a settled day (a release or a
 * dividend): a member for whom this is false moves nothing, so the movements
 * skip it without reading its figures as BigInts.
 */
/** Whether the settled day paid member `i` anything (a release by any rule, or a dividend). */
export function paidToday(result: SettlementResult): (i: number) => boolean {
  return anyNonZero([result.static, result.share, result.team, result.peer, result.dividend]);
}

/**
 * Whether entry `i` of any of the columns is not 0, read as 32-bit halves so
 * that no BigInt is made for the many members a day pays nothing.
 */
export function anyNonZero(columns: readonly BigInt64Array[]): (i: number) => boolean {
  const halves = columns.map((c) => new Int32Array(c.buffer, c.byteOffset, c.length * 2));
  return (i) => {
    for (const h of halves) if (((h[2 * i] as number) | (h[2 * i + 1] as number)) !== 0) return true;
    return false;
  };
}
