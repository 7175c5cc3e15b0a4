/**
 * A reward store for tests of the step sequences (steps.ts, equity-steps.ts) that
 * holds them to the server's locking contract: a sequence reads and writes only
 * balance rows it locked (`lockBalances`) in the same run. Reading or posting to
 * another row throws. Every store call is logged (locks as "account/asset" lists).
 */
import { Book } from "../book.ts";
import { type EquityState, meetsExitQuota } from "../equity.ts";
import { memberAccount, type Posting } from "../ledger.ts";
import type { BalanceKey, OrderEffects, RewardOrder, RewardStore, Shortage } from "../steps.ts";

export class Refused extends Error {
  constructor(readonly shortage: Shortage) {
    super(shortage.code);
  }
}

const rowKey = (account: string, asset: string) => `${account}/${asset}`;

export class LockingStore implements RewardStore<RewardOrder> {
  readonly book = new Book();
  readonly log: string[] = [];
  private locked = new Set<string>();
  private readonly effects = new Map<RewardOrder, OrderEffects>();
  /** What `takeOpenGift` answers for an order's gift: [remaining, released] (default: all remaining). */
  openGift: ((gift: bigint) => { remaining: bigint; released: bigint }) | undefined;

  constructor(
    public state: EquityState,
    private readonly members: readonly string[],
    private readonly referrers: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** Starts a new run (one database transaction): nothing is locked. */
  begin(): void {
    this.locked = new Set();
    this.log.length = 0;
  }

  /** Posts outside any sequence (funding a member in a test). */
  fund(postings: readonly Posting[]): void {
    this.book.post({ day: 1, kind: "adjustment", ref: "fund", postings });
  }

  referrerOf(memberId: string): string | undefined {
    this.log.push(`referrerOf ${memberId}`);
    return this.referrers.get(memberId);
  }
  lockEquityState(): EquityState {
    this.log.push("lockEquityState");
    return this.state;
  }
  saveEquityState(state: EquityState): void {
    this.log.push("saveEquityState");
    this.state = state;
  }
  lockBalances(keys: readonly BalanceKey[]) {
    this.log.push(`lock ${keys.map((k) => rowKey(k.account, k.asset)).join(" ")}`);
    for (const k of keys) this.locked.add(rowKey(k.account, k.asset));
    return {
      balance: (account: string, asset: BalanceKey["asset"]): bigint => {
        if (!this.locked.has(rowKey(account, asset)))
          throw new Error(`read of an unlocked row ${rowKey(account, asset)}`);
        return this.book.balance(account, asset);
      },
    };
  }
  append(kind: Parameters<RewardStore["append"]>[0], ref: string, postings: readonly Posting[]): undefined {
    for (const p of postings) {
      const k = rowKey(p.account, p.asset);
      // Platform accounts are not member rows: the server posts them without a row lock.
      if (p.account.startsWith("m:")) {
        if (!this.locked.has(k)) throw new Error(`posting to an unlocked row ${k}`);
      }
    }
    this.log.push(`append ${kind} ${ref}`);
    this.book.post({ day: 1, kind, ref, postings });
    return undefined;
  }
  refileExit(memberIds: readonly string[]): void {
    this.log.push(`refileExit ${memberIds.join(" ")}`);
  }
  nextExit(state: EquityState): string | undefined {
    this.log.push("nextExit");
    return this.members.find((m) =>
      meetsExitQuota(
        state,
        this.book.balance(memberAccount(m, "equity"), "equity"),
        this.book.balance(memberAccount(m, "exitQuota"), "exitQuota"),
      ),
    );
  }
  memberRef(memberId: string): string {
    return `ref:${memberId}`;
  }
  refuseShort(shortage: Shortage): never {
    throw new Refused(shortage);
  }
  recordEligible(order: RewardOrder, effects: OrderEffects): void {
    this.log.push(`recordEligible ${order.ref}`);
    this.effects.set(order, effects);
  }
  effectsOf(order: RewardOrder): OrderEffects | undefined {
    return this.effects.get(order);
  }
  takeOpenGift(order: RewardOrder, gift: bigint): { remaining: bigint; released: bigint } {
    this.log.push(`takeOpenGift ${order.ref} ${gift}`);
    return this.openGift ? this.openGift(gift) : { remaining: gift, released: 0n };
  }
  recordReversed(order: RewardOrder): void {
    this.log.push(`recordReversed ${order.ref}`);
    this.effects.delete(order);
  }
}
