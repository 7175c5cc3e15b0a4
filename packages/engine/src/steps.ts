/**
 * The order of reward steps, written once (issue 9): what happens when an order
 * becomes eligible, when an eligible order is refunded, when a business day
 * opens, and when the exit check runs (a member's own equity commands:
 * equity-steps.ts). Each sequence is a generator of calls on a `RewardStore`: the replay
 * (engine.ts) runs it synchronously over its in-memory book with `runSteps`; the
 * server runs the very same generator over its database with `runStepsAsync`.
 * The store only reads and writes — it decides nothing.
 *
 * Why generators: the replay is synchronous and hot (benchmarks, property
 * tests), the server is asynchronous. A generator that yields its store calls
 * lets one sequence drive both without making the replay async.
 */
import { type BalanceSource, TxBuilder } from "./book.ts";
import {
  type CycleEffects,
  DEBT_WALLETS,
  type EquityEffects,
  grantCycle,
  grantEquity,
  grantRelease,
  type ReleaseGift,
  releaseGiftFor,
  reverseCycle,
  reverseEquity,
  reverseRelease,
  sellEquity,
} from "./commands.ts";
import type { Config } from "./config.ts";
import { type EquityState, meetsExitQuota } from "./equity.ts";
import { invariant } from "./errors.ts";
import {
  type Asset,
  type DebtWallet,
  debtAccount,
  memberAccount,
  type Posting,
  type TransactionKind,
  WALLET_ASSET,
  type Wallet,
} from "./ledger.ts";

/** An (account, asset) pair: a balance row a step reads (the server locks it). */
export interface BalanceKey {
  readonly account: string;
  readonly asset: Asset;
}

/** An order as the reward steps see it. */
export interface RewardOrder {
  /** The ledger reference of its reward transactions. */
  readonly ref: string;
  readonly memberId: string;
  readonly amount: bigint;
  readonly plans: readonly string[] | ReadonlySet<string>;
}

/** What an eligible order gave: what a refund reverses (absent = the plan gave nothing). */
export interface OrderEffects {
  equity?: EquityEffects;
  cycle?: CycleEffects;
  release?: ReleaseGift;
}

/**
 * Where the reward steps read and write. The replay implements it in memory,
 * the server on its database (synchronous signatures here; the server's may
 * return promises, see `AsyncRewardStore`).
 */
export interface RewardStore<O extends RewardOrder = RewardOrder> {
  /** The member's referrer, if any. */
  referrerOf(memberId: string): string | undefined;
  /** The equity plan's state (the server locks its row). */
  lockEquityState(): EquityState;
  saveEquityState(state: EquityState): void;
  /** Balances to build a transaction on (the server locks these rows). */
  lockBalances(keys: readonly BalanceKey[]): BalanceSource;
  /**
   * Appends one ledger transaction of the open business day. Returns the
   * transaction's id where the store numbers them (the database: null when
   * nothing moved); the replay returns undefined.
   */
  append(kind: TransactionKind, ref: string, postings: readonly Posting[]): string | null | undefined;
  /** Re-files members in the exit queue from their current equity and exit-quota balances. */
  refileExit(memberIds: readonly string[]): void;
  /**
   * The earliest-joined member of the exit queue whose holdings at `state`'s
   * price are worth their exit quota (docs/rules.md §1.5), or undefined.
   */
  nextExit(state: EquityState): string | undefined;
  /** The ledger reference of a member's own equity commands and exit sale. */
  memberRef(memberId: string): string;
  /** Refuses a command that needs more than is held (nothing has been written yet). */
  refuseShort(shortage: Shortage): never;
  /** Keeps what an order gave when it became eligible. */
  recordEligible(order: O, effects: OrderEffects): void;
  /** What an eligible, unreversed order gave; undefined when it never became eligible or was reversed. */
  effectsOf(order: O): OrderEffects | undefined;
  /** Closes a refunded order's gift: what was still to release and what was released (of `gift`). */
  takeOpenGift(order: O, gift: bigint): { remaining: bigint; released: bigint };
  /** Marks an order's rewards reversed. */
  recordReversed(order: O, effects: OrderEffects): void;
}

/** The same store answering with promises (the server's database). */
export type AsyncRewardStore<O extends RewardOrder = RewardOrder> = {
  [K in keyof RewardStore<O>]: (
    ...args: Parameters<RewardStore<O>[K]>
  ) => Promise<ReturnType<RewardStore<O>[K]>> | ReturnType<RewardStore<O>[K]>;
};

/** What a refused command needed and what was there (docs/rules.md §1.2–§1.4). */
export interface Shortage {
  readonly code: "INSUFFICIENT_EQUITY" | "INSUFFICIENT_STABLE" | "TREASURY_SHORT";
  readonly field: string;
  readonly memberId: string;
  readonly held: bigint;
  readonly needed: bigint;
}

/** One store call a sequence asks for. */
export interface StoreCall {
  readonly op: keyof RewardStore;
  readonly args: unknown[];
}

/** A sequence of reward steps returning T. */
export type Steps<T> = Generator<StoreCall, T, unknown>;

type Ask<O extends RewardOrder> = {
  [K in keyof RewardStore<O>]: (
    ...args: Parameters<RewardStore<O>[K]>
  ) => Steps<ReturnType<RewardStore<O>[K]>>;
};

const OPS: readonly (keyof RewardStore)[] = [
  "referrerOf",
  "lockEquityState",
  "saveEquityState",
  "lockBalances",
  "append",
  "refileExit",
  "nextExit",
  "memberRef",
  "refuseShort",
  "recordEligible",
  "effectsOf",
  "takeOpenGift",
  "recordReversed",
];

const ASK: Record<string, (...args: unknown[]) => Steps<unknown>> = {};
for (const op of OPS) {
  ASK[op] = function* (...args: unknown[]): Steps<unknown> {
    return yield { op, args };
  };
}

/** The store calls as steps (`yield* ask().lockBalances(keys)`); for the sequences of the engine. */
export function ask<O extends RewardOrder>(): Ask<O> {
  return ASK as unknown as Ask<O>;
}

/** Runs a sequence over a synchronous store (the replay). */
export function runSteps<T, O extends RewardOrder>(steps: Steps<T>, store: RewardStore<O>): T {
  const calls = store as unknown as Record<string, (...args: unknown[]) => unknown>;
  let r = steps.next();
  while (!r.done) {
    const call = r.value;
    r = steps.next((calls[call.op] as (...args: unknown[]) => unknown).apply(store, call.args));
  }
  return r.value;
}

/** Runs a sequence over a store answering with promises (the server). */
export async function runStepsAsync<T, O extends RewardOrder>(
  steps: Steps<T>,
  store: AsyncRewardStore<O>,
): Promise<T> {
  const calls = store as unknown as Record<string, (...args: unknown[]) => unknown>;
  let r = steps.next();
  while (!r.done) {
    const call = r.value;
    const answer = (calls[call.op] as (...args: unknown[]) => unknown).apply(store, call.args);
    // A store call answered at once (the writer's batch memory) is not awaited: no microtask per call.
    r = steps.next(isThenable(answer) ? await answer : answer);
  }
  return r.value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/** The balance rows of some wallets of a member, with their debt accounts: what a step locks. */
export function walletKeys(memberId: string, wallets: readonly Wallet[]): BalanceKey[] {
  const keys: BalanceKey[] = [];
  for (const wallet of wallets) {
    const asset: Asset = WALLET_ASSET[wallet];
    keys.push({ account: memberAccount(memberId, wallet), asset });
    if ((DEBT_WALLETS as readonly string[]).includes(wallet)) {
      keys.push({ account: debtAccount(memberId, wallet as DebtWallet), asset });
    }
  }
  return keys;
}

function hasPlan(order: RewardOrder, plan: string): boolean {
  const plans = order.plans;
  return Array.isArray(plans) ? plans.includes(plan) : (plans as ReadonlySet<string>).has(plan);
}

/**
 * The exit mechanism (docs/rules.md §1.5): while anyone's holdings are worth
 * their exit quota, sell all holdings of the earliest-joined such member, then
 * check again. Returns the new state (the caller saves it).
 */
export function* exitSteps<O extends RewardOrder>(state: EquityState, config: Config): Steps<EquityState> {
  const s = ask<O>();
  if (config.equity.exitQuotaMultiple === 0n) return state;
  let current = state;
  for (;;) {
    if (current.supply === 0n) return current;
    const id = yield* s.nextExit(current);
    if (id === undefined) return current;
    const balances = yield* s.lockBalances(walletKeys(id, ["equity", "cash", "exitQuota"]));
    const held = balances.balance(memberAccount(id, "equity"), "equity");
    const quota = balances.balance(memberAccount(id, "exitQuota"), "exitQuota");
    invariant(meetsExitQuota(current, held, quota), "a ready member qualifies");
    const builder = new TxBuilder(balances);
    current = sellEquity(builder, current, config.equity, id, held, true);
    yield* s.append("equity.exit", yield* s.memberRef(id), builder.postings);
    yield* s.refileExit([id]);
  }
}

/** Runs the exit check on the stored equity state and saves the result. */
export function* exitCheckSteps<O extends RewardOrder>(config: Config): Steps<void> {
  const s = ask<O>();
  if (config.equity.exitQuotaMultiple === 0n) return;
  const state = yield* s.lockEquityState();
  yield* s.saveEquityState(yield* exitSteps<O>(state, config));
}

/**
 * An order becomes reward-eligible (docs/rules.md §0 "Orders"), under `config`:
 * grant equity → exit check; cycle grant; release gift; record what it gave.
 */
export function* eligibleSteps<O extends RewardOrder>(order: O, config: Config): Steps<OrderEffects> {
  const s = ask<O>();
  const buyer = order.memberId;
  const referrer = yield* s.referrerOf(buyer);
  const effects: OrderEffects = {};
  if (hasPlan(order, "equity")) {
    const state = yield* s.lockEquityState();
    const members = referrer !== undefined ? [buyer, referrer] : [buyer];
    const keys = members.flatMap((m) => walletKeys(m, m === buyer ? ["equity", "exitQuota"] : ["equity"]));
    const builder = new TxBuilder(yield* s.lockBalances(keys));
    const granted = grantEquity(builder, state, config.equity, buyer, referrer, order.amount);
    yield* s.append("equity.grant", order.ref, builder.postings);
    yield* s.refileExit(members);
    yield* s.saveEquityState(yield* exitSteps<O>(granted.state, config));
    effects.equity = granted.effects;
  }
  if (hasPlan(order, "cycle")) {
    const keys = [
      ...walletKeys(buyer, ["quota", "weight"]),
      ...(referrer ? walletKeys(referrer, ["weight"]) : []),
    ];
    const builder = new TxBuilder(yield* s.lockBalances(keys));
    effects.cycle = grantCycle(builder, config.cycle, buyer, referrer, order.amount);
    yield* s.append("cycle.grant", order.ref, builder.postings);
  }
  if (hasPlan(order, "release")) {
    const gift = releaseGiftFor(config.release, order.amount);
    if (gift) {
      const builder = new TxBuilder(yield* s.lockBalances(walletKeys(buyer, ["gift"])));
      grantRelease(builder, buyer, gift);
      yield* s.append("release.gift", order.ref, builder.postings);
      effects.release = gift;
    }
  }
  yield* s.recordEligible(order, effects);
  return effects;
}

/**
 * A business day opens (docs/rules.md §1.5, §0 "Orders"): the exit check under
 * the day's config (a raised exit multiple acts at once), then each order due
 * that day becomes eligible, in the order paid.
 */
export function* dayOpenSteps<O extends RewardOrder>(due: readonly O[], config: Config): Steps<void> {
  yield* exitCheckSteps<O>(config);
  for (const order of due) yield* eligibleSteps<O>(order, config);
}

/**
 * An eligible order is refunded (docs/rules.md §0 "Refunds"): what it gave is
 * reversed in one transaction of opposite entries (what a member can no longer
 * cover becomes debt), then the exit check runs when equity moved. Returns
 * false when the order never became eligible (or was already reversed).
 */
export function* refundSteps<O extends RewardOrder>(order: O, config: Config): Steps<boolean> {
  const s = ask<O>();
  const effects = yield* s.effectsOf(order);
  if (!effects) return false;
  const buyer = order.memberId;
  const keys = walletKeys(buyer, ["equity", "exitQuota", "quota", "weight", "cash", "gift", "points"]);
  const equityReferrer = effects.equity?.referrer;
  if (equityReferrer !== undefined) keys.push(...walletKeys(equityReferrer, ["equity"]));
  if (effects.cycle?.referrer !== undefined) keys.push(...walletKeys(effects.cycle.referrer, ["weight"]));
  const state = effects.equity ? yield* s.lockEquityState() : undefined;
  const builder = new TxBuilder(yield* s.lockBalances(keys));
  let next = state;
  if (state && effects.equity) next = reverseEquity(builder, state, buyer, effects.equity);
  if (effects.cycle) reverseCycle(builder, buyer, effects.cycle);
  if (effects.release) {
    const gift = yield* s.takeOpenGift(order, effects.release.gift);
    reverseRelease(builder, buyer, gift.remaining, gift.released);
  }
  yield* s.append("refund.reverse", order.ref, builder.postings);
  yield* s.recordReversed(order, effects);
  if (next) {
    yield* s.refileExit(equityReferrer !== undefined ? [buyer, equityReferrer] : [buyer]);
    yield* s.saveEquityState(yield* exitSteps<O>(next, config));
  }
  return true;
}
