/**
 * The whole engine in memory: members, the referral tree, orders, the three
 * plans and the daily settlement, over a double-entry `Book`. `jifen replay`,
 * the property tests and "what if" simulations run on it; the server runs the
 * same plan functions over state loaded from its database.
 *
 * Every command validates first and changes nothing when it refuses.
 */
import {
  BalanceColumn,
  type BalanceWatch,
  Book,
  type BookBatch,
  columnarId,
  type MemberColumn,
  TxBuilder,
} from "./book.ts";
import {
  adjustWallet,
  CYCLE_POOL_ACCOUNT,
  type CycleEffects,
  DEBT_WALLETS,
  type EquityEffects,
  paidToday,
  payOrder,
  poolsFundedTransaction,
  poolsReturnedTransaction,
  QUOTA_BURN_ACCOUNT,
  refundPayment,
  settledNetMovements,
  settlementTransactions,
} from "./commands.ts";
import { type Config, type ConfigInput, configFromInput, mergeConfigInput, parseConfig } from "./config.ts";
import { type EquityState, initialEquityState, meetsExitQuota, withInitialPrice } from "./equity.ts";
import { fromStableSteps, payStableSteps, redeemSteps, sellSteps, toStableSteps } from "./equity-steps.ts";
import { invariant, refuse } from "./errors.ts";
import { Heap } from "./heap.ts";
import {
  type Asset,
  burnAccount,
  type DebtWallet,
  debtAccount,
  memberAccount,
  PlatformAccount,
  type TransactionKind,
  WALLET_ASSET,
  WALLETS,
  type Wallet,
} from "./ledger.ts";
import { checkInt64, MAX_ADJUST_AMOUNT_MICRO, MAX_ORDER_AMOUNT_MICRO } from "./limits.ts";
import { FEN, formatDecimal, SCALE } from "./money.ts";
import { ReleaseQueue } from "./release-queue.ts";
import { type SettlementInput, type SettlementResult, settleDay } from "./settlement.ts";
import {
  dayOpenSteps,
  eligibleSteps,
  exitCheckSteps,
  type OrderEffects,
  type RewardStore,
  refundSteps,
  runSteps,
} from "./steps.ts";

export type Plan = "equity" | "cycle" | "release";
export const PLANS: readonly Plan[] = ["equity", "cycle", "release"];
/** The set of plans of each combination, by bits (1 << position in `PLANS`), in `PLANS` order. */
const PLAN_SETS: readonly ReadonlySet<Plan>[] = Array.from(
  { length: 1 << PLANS.length },
  (_, bits) => new Set(PLANS.filter((_, k) => (bits & (1 << k)) !== 0)),
);

interface Member {
  readonly id: string;
  readonly index: number;
  readonly referrer: number;
  /** Own eligible, unrefunded order amount, split by how it was paid (CNY micro). */
  performanceCash: bigint;
  performancePoints: bigint;
  readonly releaseOrders: Order[];
}

/** A member wallet or debt account, as the book keeps its column (`Book.memberColumn`). */
type CellKey = Wallet | `debt:${DebtWallet}`;

interface Order {
  readonly key: string;
  readonly id: string | undefined;
  /** The ledger reference of its transactions (the id, or the key when it has none). */
  readonly ref: string;
  readonly member: number;
  readonly memberId: string;
  readonly amount: bigint;
  readonly points: bigint;
  readonly plans: ReadonlySet<Plan>;
  readonly paidDay: number;
  readonly eligibleDay: number;
  readonly seq: number;
  status: "paid" | "eligible" | "refunded";
  equity?: EquityEffects;
  cycle?: CycleEffects;
  release?: {
    grade: string;
    gradeMin: bigint;
    gift: bigint;
    base: bigint;
  };
}

export interface OrderCommand {
  readonly member: string;
  readonly amount: bigint;
  readonly plans: readonly Plan[];
  readonly id?: string | undefined;
  readonly points?: bigint | undefined;
}

export interface DaySettlement {
  readonly day: number;
  readonly configVersion: number;
  /** Members (by id, in join order) who received anything, with the five figures (micro). */
  readonly members: ReadonlyArray<{
    readonly member: string;
    readonly static: bigint;
    readonly share: bigint;
    readonly team: bigint;
    readonly peer: bigint;
    readonly dividend: bigint;
  }>;
  readonly totals: SettlementResult["totals"];
  readonly pools: SettlementResult["pools"];
}

export interface EngineOptions {
  /** Keep every ledger transaction in `book.transactions` (default true; `Book`'s option). */
  readonly keepTransactions?: boolean;
  /**
   * The daily settlement to run (default `settleDay`). A simulation passes `settleDay` wrapped
   * to time it; anything else would be a second implementation of the rules.
   */
  readonly settleDay?: typeof settleDay;
  /**
   * Keep every day's settlement in `settlements` (default true: `jifen replay`
   * renders them). A long simulation reads each day's from `endOfDay` and turns
   * this off, so a year of daily per-member figures is not held in memory.
   */
  readonly keepSettlements?: boolean;
  /**
   * Told of each member a settled day paid anything, by join-order index, with
   * the points released (static + share + team + peer) and the dividend. With
   * it and `keepSettlements: false`, a day's `DaySettlement.members` is left
   * empty: a long simulation reads the figures it needs here instead of a list
   * of objects per day. An engine that keeps no transactions tells each member
   * as it applies the day's movements (before the settlement is complete:
   * read nothing of the engine here); one that keeps them, after.
   */
  readonly onSettledMember?: (index: number, released: bigint, dividend: bigint) => void;
}

/** The wallets an operator adjusts. */
type AdjustWallet = "cash" | "points" | "stable";

interface ExitEntry {
  readonly member: number;
  readonly held: bigint;
  readonly quota: bigint;
  readonly version: number;
}

export class Engine {
  readonly book: Book;
  private readonly settleDayFn: typeof settleDay;
  private configInput: ConfigInput;
  private current: Config;
  private pendingInput: ConfigInput | undefined;
  /** Config versions: [version 1 from day 1, …]. */
  readonly configVersions: { version: number; effectiveDay: number; input: ConfigInput }[] = [];
  private readonly members: Member[] = [];
  private readonly memberIndex = new Map<string, number>();
  private readonly orders = new Map<string, Order>();
  private orderSeq = 0;
  private readonly waiting = new Map<number, Order[]>();
  /** Release-plan orders in the order they became eligible (the FIFO order). */
  private readonly releaseQueue = new ReleaseQueue<Order>();
  private equityState: EquityState;
  /** Eligible cycle-plan sales of the current day (D). */
  private daySales = 0n;
  private currentDay = 1;
  readonly settlements: DaySettlement[] = [];
  private readonly keepSettlements: boolean;
  private readonly onSettledMember: EngineOptions["onSettledMember"];
  private readonly keepTransactions: boolean;
  private settledDays = 0;
  /** A read-only column of zeros, one per member at least (`zeros`). */
  private zeroColumn = new BigInt64Array(0);
  /** The last settlement's star level of each member (−1: none), with the level names of its config. */
  private lastStars: { readonly levels: Int8Array; readonly names: readonly string[] } | undefined;
  /** Member ids in join order (the ledger input of every settlement). */
  private readonly ids: string[] = [];
  /**
   * The settlement's member columns, kept current as members join, orders
   * become eligible or are reversed, and the book posts to quota and weight, so
   * a day's settlement input is read, not rebuilt member by member.
   */
  private parentColumn = new Int32Array(1024);
  private readonly ownColumn = new BalanceColumn();
  private readonly quotaColumn = new BalanceColumn();
  private readonly weightColumn = new BalanceColumn();
  /**
   * The book's column of each member wallet and debt, by member index
   * (`Book.memberColumn`): the members' balances, with no object, account name
   * or map entry per member account.
   */
  private readonly columns: Record<CellKey, MemberColumn>;
  /**
   * Members whose account names would not read back as theirs (`columnarId`: an id with `:debt:` in its
   * account names): the book keeps their accounts by name, and the engine reads and moves them by name.
   */
  private readonly named = new Set<number>();
  /**
   * The buyer and referrer of the reward steps that ran last (set by the store's `referrerOf`): look-ups of
   * their ids answer from these first (`hinted`). A member's index never changes, so they never go stale.
   */
  private stepBuyer: Member | undefined;
  private stepReferrer: Member | undefined;
  private readonly exitVersion: number[] = [];
  /** `adjustMembers`' mark of the members already listed in the batch being checked (by member index). */
  private readonly adjustSeen: number[] = [];
  /** `adjustEachLean`'s members and amounts of the batch being checked (reused from day to day). */
  private adjustListed = new Int32Array(1024);
  private adjustAmounts = new BigInt64Array(1024);
  /** Each debit's balance after it, beside `adjustAmounts`. */
  private adjustAfters = new BigInt64Array(1024);
  private adjustStamp = 0;
  private readonly exitReady = new Heap<number>((a, b) => a < b);
  private readonly exitHeap = new Heap<ExitEntry>((a, b) => {
    // Lowest threshold price quota / held first; ties by join order.
    const l = a.quota * b.held;
    const r = b.quota * a.held;
    return l < r || (l === r && a.member < b.member);
  });

  /** A new engine with the defaults of docs/rules.md §4 overridden by `config` (refused when invalid). */
  constructor(config: unknown = {}, options: EngineOptions = {}) {
    this.keepTransactions = options.keepTransactions ?? true;
    this.book = new Book({
      keepTransactions: this.keepTransactions,
      watch: (a, asset) => this.watch(a, asset),
      members: {
        indexOf: (id) => {
          const index = this.hinted(id) ?? this.memberIndex.get(id);
          return index === undefined || this.byName(index) ? undefined : index;
        },
        idAt: (index) => this.ids[index] as string,
        watch: (key) =>
          key === "quota" ? this.quotaColumn : key === "weight" ? this.weightColumn : undefined,
      },
    });
    this.columns = Object.fromEntries(CELL_KEYS.map((key) => [key, this.book.memberColumn(key)])) as Record<
      CellKey,
      MemberColumn
    >;
    this.settleDayFn = options.settleDay ?? settleDay;
    this.keepSettlements = options.keepSettlements ?? true;
    this.onSettledMember = options.onSettledMember;
    const { input, config: parsed } = configFromInput(config);
    this.configInput = input;
    this.current = parsed;
    this.configVersions.push({ version: 1, effectiveDay: 1, input });
    this.equityState = initialEquityState(parsed.equity);
  }

  /** The business day now open (1-based). */
  get day(): number {
    return this.currentDay;
  }

  /** Business days settled so far. */
  get daysSettled(): number {
    return this.settledDays;
  }

  get config(): Config {
    return this.current;
  }

  get equity(): EquityState {
    return this.equityState;
  }

  // ---- queries ---------------------------------------------------------------

  /** Member ids in join order. */
  memberIds(): string[] {
    return this.members.map((m) => m.id);
  }

  hasMember(id: string): boolean {
    return this.memberIndex.has(id);
  }

  /** A member's wallet balance (micro-units). */
  balance(memberId: string, wallet: Wallet): bigint {
    const index = this.memberIndex.get(memberId);
    if (index === undefined || WALLET_ASSET[wallet] === undefined)
      return this.book.balance(memberAccount(memberId, wallet), WALLET_ASSET[wallet]);
    return this.balanceAt(index, wallet);
  }

  /**
   * The balance of the member at `index` in join order (the position in
   * `memberIds()`, the settlement columns' index): `balance` without the
   * look-up by id, for a caller that walks members by index (a simulation).
   */
  balanceAt(index: number, wallet: Wallet): bigint {
    if (this.members[index] === undefined) refuse("UNKNOWN_MEMBER", `#${index}`, "member");
    // A wallet that is not one reads 0, as the book reads an account never used.
    if (!Object.hasOwn(this.columns, wallet)) return 0n;
    return this.valueAt(index, wallet);
  }

  /** What a member owes, per wallet (micro-units, positive), only non-zero entries. */
  debts(memberId: string): Partial<Record<DebtWallet, bigint>> {
    const out: Partial<Record<DebtWallet, bigint>> = {};
    for (const wallet of DEBT_WALLETS) {
      const owed = -this.book.balance(debtAccount(memberId, wallet), WALLET_ASSET[wallet]);
      if (owed > 0n) out[wallet] = owed;
    }
    return out;
  }

  /** The membership grade (package name) of a member, or null. */
  grade(memberId: string): string | null {
    // Named after the package each order was gifted under; the highest minimum wins.
    let best: { grade: string; gradeMin: bigint } | undefined;
    for (const o of this.member(memberId).releaseOrders) {
      if (o.status === "eligible" && o.release && (!best || o.release.gradeMin > best.gradeMin))
        best = o.release;
    }
    return best?.grade ?? null;
  }

  /** The star level name computed at the last settlement, or null. */
  star(memberId: string): string | null {
    const { index } = this.member(memberId);
    const stars = this.lastStars;
    // A member who joined after the last settlement has none yet.
    const level = stars !== undefined && index < stars.levels.length ? (stars.levels[index] as number) : -1;
    return level >= 0 ? (stars?.names[level] ?? null) : null;
  }

  /** Whole-network performance (网体总业绩) of a member's downline, split by how it was paid. */
  networkPerformance(memberId: string): { cash: bigint; points: bigint } {
    const root = this.member(memberId).index;
    const children = this.childLists();
    let cash = 0n;
    let points = 0n;
    const stack = [...(children[root] ?? [])];
    while (stack.length > 0) {
      const u = stack.pop() as number;
      const m = this.members[u] as Member;
      cash += m.performanceCash;
      points += m.performancePoints;
      for (const c of children[u] ?? []) stack.push(c);
    }
    return { cash, points };
  }

  /** Equity points burned for good (the burn account less equity still owed). */
  equityBurned(): bigint {
    let owed = 0n;
    for (const m of this.members) owed -= this.book.balance(debtAccount(m.id, "equity"), "equity");
    return this.book.balance(burnAccount("equity"), "equity") - owed;
  }

  // ---- commands --------------------------------------------------------------

  /** A member registers, under `referrer` if given. */
  join(id: string, referrer?: string): void {
    if (typeof id !== "string" || id === "")
      refuse("INVALID_FIELD", "member id must be a non-empty string", "member");
    if (this.memberIndex.has(id)) refuse("DUPLICATE_MEMBER", id, "member");
    let parent = -1;
    if (referrer !== undefined) {
      const p = this.memberIndex.get(referrer);
      if (p === undefined) refuse("UNKNOWN_REFERRER", referrer, "referrer");
      parent = p;
    }
    const index = this.members.length;
    this.members.push({
      id,
      index,
      referrer: parent,
      performanceCash: 0n,
      performancePoints: 0n,
      releaseOrders: [],
    });
    if (!columnarId(id)) this.named.add(index);
    this.memberIndex.set(id, index);
    this.exitVersion.push(0);
    this.adjustSeen.push(0);
    this.ids.push(id);
    if (index >= this.parentColumn.length) {
      const grown = new Int32Array(this.parentColumn.length * 2);
      grown.set(this.parentColumn);
      this.parentColumn = grown;
    }
    this.parentColumn[index] = parent;
    this.ownColumn.set(index, 0n);
    // The book writes a member's quota and weight here once it first posts to them.
    this.quotaColumn.set(index, 0n);
    this.weightColumn.set(index, 0n);
  }

  /** A paid order; becomes reward-eligible now or after the cooling-off period. */
  order(cmd: OrderCommand): void {
    const member = this.member(cmd.member);
    positiveYuan(cmd.amount, "amount");
    if (cmd.amount > MAX_ORDER_AMOUNT_MICRO)
      refuse(
        "AMOUNT_TOO_LARGE",
        `amount: an order is at most ${formatDecimal(MAX_ORDER_AMOUNT_MICRO)} yuan`,
        "amount",
      );
    const points = cmd.points ?? 0n;
    if (points < 0n) refuse("AMOUNT_NEGATIVE", "points", "points");
    // An empty list is an order of ordinary goods: no reward of its own, but it counts in performance.
    if (!Array.isArray(cmd.plans)) refuse("INVALID_FIELD", "plans must be a list", "plans");
    let planBits = 0;
    for (const plan of cmd.plans) {
      const position = PLANS.indexOf(plan);
      if (position < 0) refuse("UNKNOWN_PLAN", String(plan), "plans");
      const bit = 1 << position;
      if ((planBits & bit) !== 0) refuse("INVALID_FIELD", `plan ${plan} listed twice`, "plans");
      planBits |= bit;
    }
    // One shared set per combination of plans (orders keep theirs: a set each was most of a kept order).
    const plans = PLAN_SETS[planBits] as ReadonlySet<Plan>;
    if (cmd.id !== undefined && (typeof cmd.id !== "string" || cmd.id === "")) {
      refuse("INVALID_FIELD", "order id must be a non-empty string", "id");
    }
    if (cmd.id !== undefined && this.orders.has(`id:${cmd.id}`)) refuse("DUPLICATE_ORDER", cmd.id, "id");
    if (points > cmd.amount) refuse("POINTS_OVER_AMOUNT", "points", "points");
    if (points * SCALE > cmd.amount * this.current.release.pointsPayRatio) {
      refuse("POINTS_OVER_RATIO", "points", "points");
    }
    const held = this.balanceAt(member.index, "points");
    if (points > held) refuse("INSUFFICIENT_POINTS", `${member.id}`, "points");

    const seq = ++this.orderSeq;
    const key = cmd.id !== undefined ? `id:${cmd.id}` : `seq:${seq}`;
    const order: Order = {
      key,
      id: cmd.id,
      ref: cmd.id ?? key,
      member: member.index,
      memberId: member.id,
      amount: cmd.amount,
      points,
      plans,
      paidDay: this.currentDay,
      eligibleDay: this.currentDay + this.current.coolingOffDays,
      seq,
      status: "paid",
    };
    // Only an order with an id can be refunded or collide: the others are held by their plans alone.
    if (order.id !== undefined) this.orders.set(order.key, order);
    const tx = this.tx();
    payOrder(tx, member.id, cmd.amount, points);
    this.post(tx, "order.pay", order.id ?? order.key);
    if (order.eligibleDay === this.currentDay) {
      this.makeEligible(order);
    } else {
      const list = this.waiting.get(order.eligibleDay) ?? [];
      list.push(order);
      this.waiting.set(order.eligibleDay, list);
    }
    this.runExits();
  }

  /** Refunds an order (docs/rules.md §0 "Refunds"). */
  refund(orderId: string): void {
    const order = this.orders.get(`id:${orderId}`);
    if (!order) refuse("UNKNOWN_ORDER", orderId, "order");
    if (order.status === "refunded") refuse("ORDER_REFUNDED", orderId, "order");
    const member = this.members[order.member] as Member;
    const ref = order.id ?? order.key;
    const tx = this.tx();
    refundPayment(tx, member.id, order.amount, order.points);
    this.post(tx, "order.refund", ref);
    if (order.status === "paid") {
      const list = this.waiting.get(order.eligibleDay);
      if (list)
        this.waiting.set(
          order.eligibleDay,
          list.filter((o) => o !== order),
        );
    } else {
      runSteps(refundSteps(order, this.current), this.store);
    }
    order.status = "refunded";
    this.runExits();
  }

  /** Sells equity points at the current price (docs/rules.md §1.2). */
  sell(memberId: string, equityPoints: bigint): void {
    const member = this.member(memberId);
    positivePoints(equityPoints, "points");
    runSteps(sellSteps(member.id, equityPoints, this.current), this.store);
  }

  /** Buys goods worth `amount` yuan with equity points (docs/rules.md §1.3). */
  redeem(memberId: string, amount: bigint): void {
    const member = this.member(memberId);
    positiveYuan(amount, "amount");
    runSteps(redeemSteps(member.id, amount, this.current), this.store);
  }

  /** Converts equity points into stable points worth n × p; the points go to the treasury (docs/rules.md §1.4). */
  toStable(memberId: string, equityPoints: bigint): void {
    const member = this.member(memberId);
    positivePoints(equityPoints, "points");
    runSteps(toStableSteps(member.id, equityPoints, this.current), this.store);
  }

  /** Converts stable points back into equity points from the treasury (docs/rules.md §1.4). */
  fromStable(memberId: string, stable: bigint): void {
    const member = this.member(memberId);
    positivePoints(stable, "stable");
    runSteps(fromStableSteps(member.id, stable, this.current), this.store);
  }

  /** Pays a merchant (another member) in stable points. */
  pay(memberId: string, to: string, stable: bigint): void {
    const member = this.member(memberId);
    const merchant = this.member(to);
    if (member === merchant) refuse("SELF_PAYMENT", member.id, "to");
    positivePoints(stable, "stable");
    runSteps(payStableSteps(member.id, merchant.id, stable), this.store);
    this.runExits();
  }

  /** An operator adjustment of cash, points or stable points; negative removes (docs/rules.md §0). */
  adjust(memberId: string, wallet: string, amount: bigint, reason: string, operator = "operator"): void {
    const member = this.member(memberId);
    this.checkAdjust(member.index, wallet, amount, reasonGiven(reason));
    const tx = this.tx();
    adjustWallet(tx, member.id, wallet as AdjustWallet, amount);
    this.post(tx, "adjustment", member.id, `${operator}: ${reason}`);
    this.runExits();
  }

  /**
   * Many adjustments of one wallet with one reason, as if `adjust` ran for each
   * entry in turn (a simulation's day of withdrawals): all are checked before
   * any is posted, and a refused entry refuses the whole batch with nothing
   * changed. An engine that keeps no transactions posts them as one
   * aggregated batch (`Book.batch`); one that keeps them posts one
   * transaction per entry, as `adjust` does. An adjustment moves no equity
   * point or exit quota, so the exit check runs once, after the batch.
   */
  adjustMany(
    wallet: string,
    entries: readonly { readonly member: string; readonly amount: bigint }[],
    reason: string,
    operator = "operator",
  ): void {
    const amounts = entries.map((e) => e.amount);
    this.adjustMembers(
      wallet,
      entries.length,
      (k) => this.member((entries[k] as { member: string }).member),
      amounts,
      reason,
      operator,
    );
  }

  /**
   * `adjustMany` with the members given by their index in join order (the
   * position in `memberIds()`) and the amounts beside them: a simulation's
   * withdrawals, without a look-up by id per entry.
   */
  adjustManyAt(
    wallet: string,
    indexes: ArrayLike<number>,
    amounts: readonly bigint[],
    reason: string,
    operator = "operator",
  ): void {
    invariant(indexes.length === amounts.length, "one amount per member");
    this.adjustMembers(
      wallet,
      amounts.length,
      (k) => {
        const index = indexes[k] as number;
        const m = this.members[index];
        if (m === undefined) refuse("UNKNOWN_MEMBER", `#${index}`, "member");
        return m;
      },
      amounts,
      reason,
      operator,
    );
  }

  /**
   * `adjustManyAt` with each member's amount taken from its balance in
   * `wallet`: `amountOf(index, balance)` is called once per listed member, in
   * list order, with the balance before this batch (0n: that member is left
   * out). The same as reading each balance, then `adjustManyAt` with the
   * non-zero amounts — same checks in the same order, same refusals with
   * nothing changed — but an engine that keeps no transactions reads, checks
   * and batches each member in one pass (a simulation's day of withdrawals).
   * Returns the number of members adjusted.
   */
  adjustEachAt(
    wallet: string,
    indexes: ArrayLike<number>,
    amountOf: (index: number, balance: bigint) => bigint,
    reason: string,
    operator = "operator",
  ): number {
    if (wallet !== "cash" && wallet !== "points" && wallet !== "stable")
      refuse("ADJUST_ASSET", String(wallet), "asset");
    const reasonOk = reasonGiven(reason);
    const memberOf = (index: number): Member => {
      const m = this.members[index];
      if (m === undefined) refuse("UNKNOWN_MEMBER", `#${index}`, "member");
      return m;
    };
    if (this.keepTransactions) {
      const listed: number[] = [];
      const amounts: bigint[] = [];
      for (let k = 0; k < indexes.length; k++) {
        const index = indexes[k] as number;
        memberOf(index);
        const amount = amountOf(index, this.valueAt(index, wallet));
        if (amount === 0n) continue;
        listed.push(index);
        amounts.push(amount);
      }
      if (listed.length > 0) this.adjustManyAt(wallet, listed, amounts, reason, operator);
      return listed.length;
    }
    return this.adjustEachLean(wallet, indexes, amountOf, reasonOk, memberOf);
  }

  /**
   * `adjustEachAt` in an engine that keeps no transactions: every listed member read and checked first
   * (nothing changed when one is refused), then applied. When all are debits — each member listed once, each
   * no more than the balance just read, so no check can fail — each balance is set to the one worked out
   * while checking (`debitLean`, `Book.moves`); a credit (which repays debt first) makes it one book batch of
   * `adjustWallet`'s postings (`adjustLeanBatch`). A member's record is read only to name it in a refusal.
   */
  private adjustEachLean(
    wallet: AdjustWallet,
    indexes: ArrayLike<number>,
    amountOf: (index: number, balance: bigint) => bigint,
    reasonOk: boolean,
    memberOf: (index: number) => Member,
  ): number {
    const stamp = ++this.adjustStamp;
    let listed = this.adjustListed;
    let amounts = this.adjustAmounts;
    let afters = this.adjustAfters;
    let count = 0;
    let credits = false;
    /** Σ of the debits (positive); used when there is no credit. */
    let debits = 0n;
    const members = this.members;
    const column = this.columns[wallet];
    const byIndex = this.named.size === 0;
    for (let k = 0; k < indexes.length; k++) {
      const index = indexes[k] as number;
      if (members[index] === undefined) memberOf(index);
      const held = byIndex ? column.read(index) : this.valueAt(index, wallet);
      const amount = amountOf(index, held);
      if (amount === 0n) continue;
      if (this.adjustSeen[index] === stamp)
        refuse("INVALID_FIELD", `member ${memberOf(index).id} listed twice`, "member");
      this.adjustSeen[index] = stamp;
      this.checkAdjust(index, wallet, amount, reasonOk, held);
      const after = held + amount;
      if (count === listed.length) {
        [listed, amounts, afters] = [grownInt32(listed), grownBigInt64(amounts), grownBigInt64(afters)];
        [this.adjustListed, this.adjustAmounts, this.adjustAfters] = [listed, amounts, afters];
      }
      // Checked above: |amount| ≤ MAX_ADJUST_AMOUNT_MICRO, inside 64 bits; a debit's balance after it is ≥ 0
      // and no more than the balance read (a credit's `after` is not used: it may repay debt first).
      listed[count] = index;
      amounts[count] = amount;
      if (amount > 0n) credits = true;
      else {
        afters[count] = after;
        debits -= amount;
      }
      count++;
    }
    if (count === 0) return 0;
    if (credits) this.adjustLeanBatch(wallet, count);
    else this.debitLean(wallet, count, debits, byIndex);
    this.runExits();
    return count;
  }

  /** `adjustEachLean`'s `count` entries (in `adjustListed`, `adjustAmounts`), a credit among them: one book batch. */
  private adjustLeanBatch(wallet: AdjustWallet, count: number): void {
    const [listed, amounts] = [this.adjustListed, this.adjustAmounts];
    let debited = 0n;
    const batch = this.book.batch();
    try {
      for (let k = 0; k < count; k++)
        debited += this.batchAdjustment(
          batch,
          this.members[listed[k] as number] as Member,
          wallet,
          amounts[k] as bigint,
        );
      batch.add(PlatformAccount.adjustments, WALLET_ASSET[wallet], debited);
    } catch (error) {
      // Checked above, so not expected; an open batch left behind would mark its accounts as in a batch.
      batch.discard();
      throw error;
    }
    batch.commit();
  }

  /**
   * `adjustEachLean`'s `count` entries, all debits summing to `debits` (> 0), checked: applied as moves, each
   * member's balance set to the one worked out when it was checked (`adjustAfters`; `byIndex`: no member is
   * kept by name), the adjustments account credited once.
   */
  private debitLean(wallet: AdjustWallet, count: number, debits: bigint, byIndex: boolean): void {
    const [listed, amounts, afters] = [this.adjustListed, this.adjustAmounts, this.adjustAfters];
    const asset = WALLET_ASSET[wallet];
    const column = this.columns[wallet];
    const moves = this.book.moves();
    if (byIndex) moves.debitMembers(column, listed, afters, count, debits);
    else
      for (let k = 0; k < count; k++) {
        const index = listed[k] as number;
        const amount = amounts[k] as bigint;
        if (this.byName(index)) moves.move(column.nameAt(index), asset, amount);
        else moves.moveMember(column, index, amount);
      }
    moves.move(PlatformAccount.adjustments, asset, debits);
    moves.close();
  }

  /** The checks and postings of `adjustMany` (entry `k`'s member is `memberAt(k)`, found in entry order). */
  private adjustMembers(
    wallet: string,
    count: number,
    memberAt: (k: number) => Member,
    amounts: readonly bigint[],
    reason: string,
    operator: string,
  ): void {
    const members: Member[] = new Array(count);
    const stamp = ++this.adjustStamp;
    const reasonOk = reasonGiven(reason);
    for (let k = 0; k < count; k++) {
      const member = memberAt(k);
      if (this.adjustSeen[member.index] === stamp)
        refuse("INVALID_FIELD", `member ${member.id} listed twice`, "member");
      this.adjustSeen[member.index] = stamp;
      this.checkAdjust(member.index, wallet, amounts[k] as bigint, reasonOk);
      members[k] = member;
    }
    const memo = `${operator}: ${reason}`;
    if (this.keepTransactions) {
      for (let k = 0; k < count; k++) {
        const member = members[k] as Member;
        const tx = this.tx();
        adjustWallet(tx, member.id, wallet as AdjustWallet, amounts[k] as bigint);
        this.post(tx, "adjustment", member.id, memo);
      }
    } else this.adjustBatch(wallet as AdjustWallet, amounts, members);
    this.runExits();
  }

  /**
   * `adjustMany`'s postings as one book batch: a credit is `adjustWallet`'s
   * (debt repaid first); a debit, `adjustWallet`'s move wallet → adjustments,
   * goes through the member's cell with the adjustments' side summed once.
   */
  private adjustBatch(wallet: AdjustWallet, amounts: readonly bigint[], members: readonly Member[]): void {
    const batch = this.book.batch();
    const asset = WALLET_ASSET[wallet];
    let debited = 0n;
    for (let k = 0; k < amounts.length; k++)
      debited += this.batchAdjustment(batch, members[k] as Member, wallet, amounts[k] as bigint);
    batch.add(PlatformAccount.adjustments, asset, debited);
    batch.commit();
  }

  /**
   * One member's adjustment in `batch`: a credit is `adjustWallet`'s postings
   * (debt repaid first); a debit goes through the member's cell only, and is
   * returned (positive) for the caller to add to the adjustments account once.
   */
  private batchAdjustment(batch: BookBatch, member: Member, wallet: AdjustWallet, amount: bigint): bigint {
    if (amount < 0n) {
      if (this.byName(member.index))
        batch.add(memberAccount(member.id, wallet), WALLET_ASSET[wallet], amount);
      else batch.addMember(this.columns[wallet], member.index, amount);
      return -amount;
    }
    const tx = this.tx();
    adjustWallet(tx, member.id, wallet, amount);
    batch.addPostings(tx.postings);
    return 0n;
  }

  /**
   * Refuses an adjustment `adjust` would refuse to member `index` (`reasonOk`: the reason is a non-blank
   * string; `held`: the member's balance in `wallet` when the caller has just read it). The member's record
   * is read only to name it in a refusal.
   */
  private checkAdjust(index: number, wallet: string, amount: bigint, reasonOk: boolean, held?: bigint): void {
    if (wallet !== "cash" && wallet !== "points" && wallet !== "stable") {
      refuse("ADJUST_ASSET", String(wallet), "asset");
    }
    if (amount === 0n) refuse("AMOUNT_NOT_POSITIVE", "amount must not be zero", "amount");
    if (amount > MAX_ADJUST_AMOUNT_MICRO || amount < MIN_ADJUST_AMOUNT_MICRO)
      refuse(
        "AMOUNT_TOO_LARGE",
        `amount: an adjustment is at most ${formatDecimal(MAX_ADJUST_AMOUNT_MICRO)}`,
        "amount",
      );
    if (wallet === "cash" && amount % FEN !== 0n)
      refuse("TOO_MANY_PLACES", "cash is held to the fen", "amount");
    if (!reasonOk) refuse("MISSING_REASON", "reason", "reason");
    if (amount < 0n && -amount > (held ?? this.valueAt(index, wallet as Wallet)))
      refuse("ADJUST_BELOW_ZERO", (this.members[index] as Member).id, "amount");
  }

  /** New parameters, effective from the next business day; changes of one day combine key by key. */
  setConfig(patch: unknown): void {
    const merged = mergeConfigInput(this.pendingInput ?? this.configInput, patch);
    parseConfig(merged);
    this.pendingInput = merged;
  }

  /** Settles the current business day, then opens the next one. */
  endOfDay(): DaySettlement {
    const settlement = this.settle();
    if (this.keepSettlements) this.settlements.push(settlement);
    this.settledDays++;
    this.currentDay++;
    this.daySales = 0n;
    if (this.pendingInput) {
      this.configInput = this.pendingInput;
      this.current = parseConfig(this.pendingInput);
      this.pendingInput = undefined;
      this.equityState = withInitialPrice(this.equityState, this.current.equity);
      this.configVersions.push({
        version: this.configVersions.length + 1,
        effectiveDay: this.currentDay,
        input: this.configInput,
      });
    }
    const due = this.waiting.get(this.currentDay) ?? [];
    this.waiting.delete(this.currentDay);
    runSteps(dayOpenSteps(due, this.current), this.store);
    return settlement;
  }

  // ---- eligibility and reversal ---------------------------------------------------

  private makeEligible(order: Order): void {
    runSteps(eligibleSteps(order, this.current), this.store);
  }

  /** The reward steps' store over this engine's memory (packages/engine/src/steps.ts). */
  private readonly store: RewardStore<Order> = {
    referrerOf: (memberId) => {
      const m = this.member(memberId);
      const referrer = m.referrer >= 0 ? (this.members[m.referrer] as Member) : undefined;
      this.stepBuyer = m;
      this.stepReferrer = referrer;
      return referrer?.id;
    },
    lockEquityState: () => this.equityState,
    saveEquityState: (state) => this.setEquity(state),
    lockBalances: () => this.book,
    append: (kind, ref, postings) => {
      this.book.post({ day: this.currentDay, kind, ref, postings });
      return undefined;
    },
    refileExit: (memberIds) => {
      for (const id of memberIds) this.touchExit((this.hinted(id) ?? this.memberIndex.get(id)) as number);
    },
    nextExit: (state) => this.nextExit(state),
    memberRef: (memberId) => memberId,
    refuseShort: ({ code, field, memberId, held, needed }) =>
      refuse(code, code === "TREASURY_SHORT" ? `needs ${needed} µ, holds ${held} µ` : memberId, field),
    recordEligible: (order, effects) => {
      invariant(order.status === "paid", "only a paid order becomes eligible");
      order.status = "eligible";
      const member = this.members[order.member] as Member;
      member.performanceCash += order.amount - order.points;
      member.performancePoints += order.points;
      this.ownColumn.set(member.index, member.performanceCash + member.performancePoints);
      if (effects.equity) order.equity = effects.equity;
      if (effects.cycle) {
        order.cycle = effects.cycle;
        this.daySales += order.amount;
      }
      if (effects.release) {
        order.release = effects.release;
        this.releaseQueue.push(order, order.id, order.member, effects.release.gift, effects.release.base);
        (this.members[order.member] as Member).releaseOrders.push(order);
      }
    },
    effectsOf: (order) => {
      if (order.status !== "eligible") return undefined;
      const effects: OrderEffects = {};
      if (order.equity) effects.equity = order.equity;
      if (order.cycle) effects.cycle = order.cycle;
      if (order.release) effects.release = order.release;
      return effects;
    },
    takeOpenGift: (order, gift) => this.releaseQueue.take(order, gift),
    recordReversed: (order, effects) => {
      const member = this.members[order.member] as Member;
      member.performanceCash -= order.amount - order.points;
      member.performancePoints -= order.points;
      this.ownColumn.set(member.index, member.performanceCash + member.performancePoints);
      if (effects.cycle && order.eligibleDay === this.currentDay) this.daySales -= order.amount;
    },
  };

  // ---- the daily settlement ------------------------------------------------------

  private settle(): DaySettlement {
    const result = this.settleDayFn(this.settlementInput(), this.current.release, this.current.cycle);
    this.releaseQueue.settled(result.orderRemaining);
    const told = this.postSettlement(result);
    const members = this.settledMembers(result, told);
    invariant(this.book.balance(CYCLE_POOL_ACCOUNT, "cny") === 0n, "the day's cycle pools are emptied");
    return {
      day: this.currentDay,
      configVersion: this.configVersions.length,
      members,
      totals: result.totals,
      pools: result.pools,
    };
  }

  /** The settlement's columns: members (tree, own performance, quota, weight) and the open release orders. */
  private settlementInput(): SettlementInput {
    const n = this.members.length;
    const columns = [this.ownColumn, this.quotaColumn, this.weightColumn];
    const kept = columns.every((c) => !c.outOfRange)
      ? {
          parent: this.parentColumn.subarray(0, n),
          ownPerformance: this.ownColumn.values.subarray(0, n),
          quota: this.quotaColumn.values.subarray(0, n),
          weight: this.weightColumn.values.subarray(0, n),
        }
      : this.memberColumns();
    return { memberCount: n, ...kept, ...this.releaseQueue.columns(), cycleSales: this.daySales };
  }

  /** The member columns read member by member (when a kept column met a balance past 64 bits: this refuses it). */
  private memberColumns() {
    const n = this.members.length;
    const parent = new Int32Array(n);
    const ownPerformance = new BigInt64Array(n);
    const quota = new BigInt64Array(n);
    const weight = new BigInt64Array(n);
    for (const m of this.members) {
      parent[m.index] = m.referrer;
      ownPerformance[m.index] = checkInt64(m.performanceCash + m.performancePoints, "own performance");
      quota[m.index] = checkInt64(this.book.balance(memberAccount(m.id, "quota"), "quota"), "quota");
      weight[m.index] = checkInt64(this.book.balance(memberAccount(m.id, "weight"), "weight"), "weight");
    }
    return { parent, ownPerformance, quota, weight };
  }

  /**
   * Posts the settled day's ledger transactions (`settlementTransactions`). True when it has told
   * `onSettledMember` of the members paid (an engine that keeps no transactions: as it moves them).
   */
  private postSettlement(result: SettlementResult): boolean {
    // Nobody owes anything in a wallet whose debts sum to zero (each is ≤ 0): no scan then.
    const owed = (wallet: DebtWallet) =>
      this.book.memberTotal(`debt:${wallet}`) === 0n
        ? this.zeros()
        : BigInt64Array.from(this.members, (m) =>
            checkInt64(-this.book.balance(debtAccount(m.id, wallet), WALLET_ASSET[wallet]), `${wallet} owed`),
          );
    const ledger = {
      memberIds: this.ids,
      pointsOwed: owed("points"),
      cashOwed: owed("cash"),
      release: this.current.release,
      orderIds: this.releaseQueue.orderIds(),
    };
    if (this.keepTransactions) {
      for (const tx of settlementTransactions(this.currentDay, result, ledger)) this.book.post(tx);
      return false;
    }
    // No transaction is kept: the members' movements go straight to their cells, the pools' as before. The
    // release queue has settled already, so there is nothing to keep whole if an (invariant) check fails; each
    // account moves one way in a day (gift and quota down, points, cash and debts up), so checking each
    // movement as it is applied is checking the day's sum (`BookMoves`).
    const funded = poolsFundedTransaction(this.currentDay, result);
    if (funded) this.book.post(funded);
    const moves = this.book.moves();
    // Per member, the release and the dividend each as one sum (`settledNetMovements`: the same balances as
    // `settlementMovements`' credit per rule); the platform side (the pools, the quota burned) added once.
    const c = this.columns;
    const [gift, points, pointsDebt, cash, cashDebt, quota] = [
      c.gift,
      c.points,
      c["debt:points"],
      c.cash,
      c["debt:cash"],
      c.quota,
    ];
    const move = (column: MemberColumn, i: number, amount: bigint) => {
      if (this.byName(i)) moves.move(column.nameAt(i), column.kind.asset, amount);
      else moves.moveMember(column, i, amount);
    };
    const told = this.onSettledMember;
    const dividends = settledNetMovements(
      result,
      ledger,
      (i, released, pointsRepaid, dividend, cashRepaid) => {
        if (released > 0n) {
          move(gift, i, -released);
          if (pointsRepaid > 0n) move(pointsDebt, i, pointsRepaid);
          if (released > pointsRepaid) move(points, i, released - pointsRepaid);
        }
        if (dividend > 0n) {
          if (cashRepaid > 0n) move(cashDebt, i, cashRepaid);
          if (dividend > cashRepaid) move(cash, i, dividend - cashRepaid);
          move(quota, i, -dividend);
        }
        told?.(i, released, dividend);
      },
    );
    if (dividends > 0n) {
      moves.move(CYCLE_POOL_ACCOUNT, "cny", -dividends);
      moves.move(QUOTA_BURN_ACCOUNT, "quota", dividends);
    }
    moves.close();
    const returned = poolsReturnedTransaction(this.currentDay, result);
    if (returned) this.book.post(returned);
    return told !== undefined;
  }

  /** A column of at least one 0 per member, read only (nobody owes anything): made again only as members join. */
  private zeros(): BigInt64Array {
    if (this.zeroColumn.length < this.members.length)
      this.zeroColumn = new BigInt64Array(Math.max(this.members.length, 2 * this.zeroColumn.length));
    return this.zeroColumn;
  }

  /**
   * Keeps the members' star levels and lists those who received anything, with the five figures (told to
   * `onSettledMember` instead of listed when the settlements are not kept; `told`: `postSettlement` has told
   * them already).
   */
  private settledMembers(result: SettlementResult, told: boolean): DaySettlement["members"][number][] {
    this.lastStars = { levels: result.star, names: this.current.release.starLevels.map((l) => l.name) };
    const members: DaySettlement["members"][number][] = [];
    const list = this.keepSettlements || this.onSettledMember === undefined;
    if (told && !list) return members;
    const tell = told ? undefined : this.onSettledMember;
    const paid = paidToday(result);
    for (let i = 0; i < this.members.length; i++) {
      if (!paid(i)) continue;
      const released =
        (result.static[i] as bigint) +
        (result.share[i] as bigint) +
        (result.team[i] as bigint) +
        (result.peer[i] as bigint);
      const dividend = result.dividend[i] as bigint;
      if (released > 0n || dividend > 0n) {
        tell?.(i, released, dividend);
        if (!list) continue;
        members.push({
          member: (this.members[i] as Member).id,
          static: result.static[i] as bigint,
          share: result.share[i] as bigint,
          team: result.team[i] as bigint,
          peer: result.peer[i] as bigint,
          dividend,
        });
      }
    }
    return members;
  }

  // ---- equity helpers -----------------------------------------------------------

  private setEquity(next: EquityState): void {
    const before = this.equityState;
    const [bn, bd] = before.supply > 0n ? [before.pool, before.supply] : [before.priceNum, before.priceDen];
    const [an, ad] = next.supply > 0n ? [next.pool, next.supply] : [next.priceNum, next.priceDen];
    invariant(an * bd >= bn * ad, "the equity price never falls");
    invariant(next.issued <= this.current.equity.totalSupply || next.issued === before.issued, "I ≤ C");
    this.equityState = next;
  }

  /** Re-files a member in the exit queue after its holdings or exit quota changed. */
  private touchExit(index: number): void {
    const version = (this.exitVersion[index] as number) + 1;
    this.exitVersion[index] = version;
    const held = this.valueAt(index, "equity");
    const quota = this.valueAt(index, "exitQuota");
    if (held > 0n && quota > 0n) this.exitHeap.push({ member: index, held, quota, version });
  }

  /** The exit check (docs/rules.md §1.5), the steps of packages/engine/src/steps.ts. */
  private runExits(): void {
    // Nobody to sell (the queue holds no member worth their exit quota at today's price): the
    // steps would find no one and save the state unchanged, so they are not run. `exitDue`
    // moves the qualifying members to `exitReady` exactly as the steps' `nextExit` would.
    if (!this.exitDue()) return;
    runSteps(exitCheckSteps<Order>(this.current), this.store);
  }

  /** Whether the exit check would sell someone now (it runs only when the exit multiple is set and points are out). */
  private exitDue(): boolean {
    if (this.current.equity.exitQuotaMultiple === 0n || this.equityState.supply === 0n) return false;
    this.fileReady(this.equityState);
    return this.exitReady.size > 0;
  }

  /** Moves the members of the exit heap worth their exit quota at `state`'s price to `exitReady` (dropping stale entries). */
  private fileReady(state: EquityState): void {
    for (let top = this.exitHeap.peek(); top !== undefined; top = this.exitHeap.peek()) {
      if (top.version !== this.exitVersion[top.member]) {
        this.exitHeap.pop();
        continue;
      }
      if (!meetsExitQuota(state, top.held, top.quota)) break;
      this.exitHeap.pop();
      this.exitReady.push(top.member);
    }
  }

  /**
   * The earliest-joined member whose holdings are worth their exit quota at
   * `state`'s price. Members wait in a heap ordered by threshold price
   * quota / held, so a check costs O(log members) per member that qualifies,
   * not a scan; those that qualify wait in join order in `exitReady` (the price
   * never falls, so they stay qualified until sold).
   */
  private nextExit(state: EquityState): string | undefined {
    this.fileReady(state);
    const next = this.exitReady.pop();
    return next === undefined ? undefined : (this.members[next] as Member).id;
  }

  // ---- ledger helpers ---------------------------------------------------------------

  private tx(): TxBuilder {
    return new TxBuilder(this.book);
  }

  private post(tx: TxBuilder, kind: TransactionKind, ref: string, memo?: string): void {
    this.book.post({ day: this.currentDay, kind, ref, postings: tx.postings, ...(memo ? { memo } : {}) });
  }

  // ---- misc -----------------------------------------------------------------------

  /** The settlement column a member's quota or weight account is kept in (the book asks once per account). */
  private watch(account: string, asset: Asset): BalanceWatch | undefined {
    const column = asset === "quota" ? this.quotaColumn : asset === "weight" ? this.weightColumn : undefined;
    if (column === undefined || !account.startsWith("m:") || !account.endsWith(`:${asset}`)) return undefined;
    if (account.endsWith(`:debt:${asset}`)) return undefined;
    const index = this.memberIndex.get(account.slice(2, -(asset.length + 1)));
    return index === undefined ? undefined : { column, index };
  }

  /**
   * Member `index`'s balance in wallet or debt `key`: read from the book's column, or by name for a member the
   * book keeps by name (`named`).
   */
  private valueAt(index: number, key: CellKey): bigint {
    const column = this.columns[key];
    if (this.byName(index)) return this.book.balance(column.nameAt(index), column.kind.asset);
    return column.read(index);
  }

  /** Whether the book keeps member `index`'s accounts by name (`named`; almost never: checked by size first). */
  private byName(index: number): boolean {
    return this.named.size > 0 && this.named.has(index);
  }

  /** The index of member `id` when it is the last reward steps' buyer or referrer (no map look-up), else undefined. */
  private hinted(id: string): number | undefined {
    if (id === this.stepBuyer?.id) return this.stepBuyer.index;
    if (id === this.stepReferrer?.id) return this.stepReferrer.index;
    return undefined;
  }

  private member(id: string): Member {
    const index = this.memberIndex.get(id);
    if (index === undefined) refuse("UNKNOWN_MEMBER", String(id), "member");
    return this.members[index] as Member;
  }

  private childLists(): number[][] {
    const children: number[][] = this.members.map(() => []);
    for (const m of this.members) if (m.referrer >= 0) children[m.referrer]?.push(m.index);
    return children;
  }
}

/** The wallets and debts whose cells the engine keeps, one column each (by member index). */
const CELL_KEYS: readonly CellKey[] = [
  ...WALLETS,
  ...DEBT_WALLETS.map((wallet) => `debt:${wallet}` as const),
];

/** A copy of `column` twice as long. */
function grownInt32(column: Int32Array): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(2 * column.length);
  grown.set(column);
  return grown;
}

/** A copy of `column` twice as long. */
function grownBigInt64(column: BigInt64Array): BigInt64Array<ArrayBuffer> {
  const grown = new BigInt64Array(2 * column.length);
  grown.set(column);
  return grown;
}

/** An adjustment's reason is a non-blank string. */
function reasonGiven(reason: unknown): boolean {
  return typeof reason === "string" && reason.trim() !== "";
}

/** The most an adjustment removes, as a negative amount. */
const MIN_ADJUST_AMOUNT_MICRO = -MAX_ADJUST_AMOUNT_MICRO;

function positiveYuan(amount: bigint, field: string): void {
  if (typeof amount !== "bigint") refuse("INVALID_AMOUNT", field, field);
  if (amount <= 0n) refuse("AMOUNT_NOT_POSITIVE", field, field);
  if (amount % FEN !== 0n) refuse("TOO_MANY_PLACES", `${field}: yuan amounts have at most 2 decimals`, field);
}

function positivePoints(amount: bigint, field: string): void {
  if (typeof amount !== "bigint") refuse("INVALID_AMOUNT", field, field);
  if (amount <= 0n) refuse("AMOUNT_NOT_POSITIVE", field, field);
}
