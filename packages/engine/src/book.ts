/**
 * An in-memory double-entry book: balances derived from appended transactions.
 * Posting checks every transaction balances per asset and that no account
 * whose sign is fixed goes below zero.
 */
import { invariant } from "./errors.ts";
import type { Asset, BalanceCell, Posting, Transaction } from "./ledger.ts";
import { INT64_MAX, INT64_MIN } from "./limits.ts";

/** Accounts that may hold a negative balance: the outside, issuance, the operator's funds, adjustments, debts. */
export function signFree(account: string): boolean {
  return (
    account.startsWith("world:") ||
    account.startsWith("issuance:") ||
    account === "p:operator" ||
    account === "p:adjustments" ||
    account.includes(":debt:")
  );
}

function key(account: string, asset: Asset): string {
  return `${account}\u0000${asset}`;
}

/** Checks a transaction's postings sum to zero for each asset. */
export function isBalanced(postings: readonly Posting[]): boolean {
  const sums: Partial<Record<Asset, bigint>> = {};
  for (const p of postings) sums[p.asset] = (sums[p.asset] ?? 0n) + p.amount;
  for (const asset in sums) if (sums[asset as Asset] !== 0n) return false;
  return true;
}

/** The wallet a member account holds (`gift`, `debt:cash`, …), or undefined for a platform account. */
function memberWalletOf(account: string): string | undefined {
  if (account.charCodeAt(0) !== 109 || account.charCodeAt(1) !== 58) return undefined; // "m:"
  const last = account.lastIndexOf(":");
  const wallet = account.slice(last + 1);
  return account.endsWith(`:debt:${wallet}`) ? `debt:${wallet}` : wallet;
}

export interface BookOptions {
  /**
   * Keep every posted transaction in `transactions` (default true). A long
   * simulation that reads only balances and totals turns it off to stay small.
   */
  readonly keepTransactions?: boolean;
  /**
   * Asked once per account, when it is first used: the column entry to keep
   * equal to its balance, if any (an engine's settlement columns).
   */
  readonly watch?: (account: string, asset: Asset) => BalanceWatch | undefined;
  /**
   * Told of each member account's cell when the book makes it, with the wallet
   * it holds (`cash`, `debt:points`, …): an engine keeps its members' cells
   * without looking accounts up by name.
   */
  readonly made?: (cell: BalanceCell, wallet: string) => void;
}

/**
 * A column of one balance per member (a settlement input such as quota or
 * weight) that the book keeps current as it posts: `Book.watch` ties an
 * account to an index. A balance outside the 64-bit range is not written;
 * `outOfRange` then tells the reader to read the book instead.
 */
export class BalanceColumn {
  values = new BigInt64Array(1024);
  outOfRange = false;

  /** Writes member `index`'s balance. */
  set(index: number, value: bigint): void {
    if (value > INT64_MAX || value < INT64_MIN) {
      this.outOfRange = true;
      return;
    }
    if (index >= this.values.length) {
      const grown = new BigInt64Array(Math.max(index + 1, this.values.length * 2));
      grown.set(this.values);
      this.values = grown;
    }
    this.values[index] = value;
  }
}

const SIGN_FREE = 1;
/** How many slots a book remembers as looked up last (`Book.recent`). */
const RECENT = 8;
const DEBT = 2;

/** What posting needs to know of an account, found once and shared by every account alike. */
interface SlotKind {
  readonly asset: Asset;
  /** The member wallet (`gift`, `debt:cash`, …), undefined for a platform account. */
  readonly wallet: string | undefined;
  /** SIGN_FREE | DEBT. */
  readonly flags: number;
  /** Its position in `kindList` (a batch sums by kind in an array). */
  readonly id: number;
}

const kinds = new Map<string, SlotKind>();
const kindList: SlotKind[] = [];
function kindOf(account: string, asset: Asset): SlotKind {
  const wallet = memberWalletOf(account);
  const flags = (signFree(account) ? SIGN_FREE : 0) | (account.includes(":debt:") ? DEBT : 0);
  const name = `${asset}|${wallet ?? ""}|${flags}`;
  let kind = kinds.get(name);
  if (kind === undefined) {
    kind = { asset, wallet, flags, id: kindList.length };
    kinds.set(name, kind);
    kindList.push(kind);
  }
  return kind;
}

/** Checks that movements summed by slot kind (`SlotKind.id`) sum to zero per asset. */
function checkBalancedByKind(byKind: readonly (bigint | undefined)[], message: string): void {
  const sums = new Map<Asset, bigint>();
  for (let k = 0; k < byKind.length; k++) {
    const s = byKind[k];
    if (s === undefined) continue;
    const asset = (kindList[k] as SlotKind).asset;
    sums.set(asset, (sums.get(asset) ?? 0n) + s);
  }
  for (const s of sums.values()) invariant(s === 0n, message);
}

/** An entry of a `BalanceColumn` the book keeps equal to an account's balance. */
export interface BalanceWatch {
  readonly column: BalanceColumn;
  readonly index: number;
}

/**
 * The balances of a book's slots, one 64-bit entry per slot: a balance is a
 * number in a column, not a BigInt object on the heap that every posting
 * replaces (the garbage collector then keeps and moves millions of them).
 */
class SlotValues {
  values = new BigInt64Array(1024);
  count = 0;
  /** A new entry (0). */
  next(): number {
    if (this.count === this.values.length) {
      const grown = new BigInt64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    return this.count++;
  }
}

/** One account's balance in one asset (small: a book holds several per member). */
class Slot implements BalanceCell {
  next: Slot | undefined = undefined;
  /** Its entry in the open `BookBatch`, −1 when it has none. */
  batchAt = -1;
  /** The balance when it is outside the 64-bit range of the column (else undefined: the column holds it). */
  private big: bigint | undefined = undefined;
  constructor(
    readonly book: Book,
    readonly account: string,
    readonly kind: SlotKind,
    readonly watch: BalanceWatch | undefined,
    private readonly store: SlotValues,
    private readonly at: number,
  ) {}
  get asset(): Asset {
    return this.kind.asset;
  }
  get value(): bigint {
    return this.big === undefined ? (this.store.values[this.at] as bigint) : this.big;
  }
  set value(v: bigint) {
    if (v <= INT64_MAX && v >= INT64_MIN) {
      this.store.values[this.at] = v;
      this.big = undefined;
    } else this.big = v;
  }
}

export class Book {
  /** Per account the slots of the assets it holds (a short list: most accounts hold one). */
  private readonly accounts = new Map<string, Slot>();
  /**
   * The slots looked up last (a ring of RECENT): a command reads an account and then posts to it, each time by
   * a freshly built name, and comparing a few names costs less than hashing one into a map of millions.
   */
  private readonly recent: (Slot | undefined)[] = new Array(RECENT).fill(undefined);
  private recentAt = 0;
  private readonly slotValues = new SlotValues();
  /** Σ over members of each wallet (`gift`, `quota`, …) and each debt (`debt:points`, …). */
  private readonly walletTotals = new Map<string, bigint>();
  private readonly keepTransactions: boolean;
  private readonly watcher: BookOptions["watch"];
  private readonly made: BookOptions["made"];
  readonly transactions: Transaction[] = [];

  constructor(options: BookOptions = {}) {
    this.keepTransactions = options.keepTransactions ?? true;
    this.watcher = options.watch;
    this.made = options.made;
  }

  /**
   * The sum of one wallet over all members (`"gift"`: unreleased gift points), or
   * of one debt with `"debt:<wallet>"` (≤ 0: minus what members owe). O(1).
   */
  memberTotal(wallet: string): bigint {
    return this.walletTotals.get(wallet) ?? 0n;
  }

  /** The balance of an account in an asset (0 when never used). */
  balance(account: string, asset: Asset): bigint {
    return this.existingCell(account, asset)?.value ?? 0n;
  }

  /**
   * The balance of `account` in `asset` as a live cell, made (at 0) if never
   * used: a caller that reads one account often keeps the cell instead of
   * looking the account up each time.
   */
  cell(account: string, asset: Asset): BalanceCell {
    return this.slot(account, asset);
  }

  /** The live cell of `account` in `asset` if the book has ever held it, else undefined (nothing is made). */
  existingCell(account: string, asset: Asset): Slot | undefined {
    const recent = this.recentSlot(account, asset);
    if (recent !== undefined) return recent;
    for (let s = this.accounts.get(account); s !== undefined; s = s.next)
      if (s.kind.asset === asset) {
        this.remember(s);
        return s;
      }
    return undefined;
  }

  /** The slot of `account` in `asset` if it is among those looked up last. */
  private recentSlot(account: string, asset: Asset): Slot | undefined {
    for (let k = 0; k < RECENT; k++) {
      const r = this.recent[k];
      if (r !== undefined && r.account === account && r.kind.asset === asset) return r;
    }
    return undefined;
  }

  private remember(slot: Slot): void {
    this.recent[this.recentAt] = slot;
    this.recentAt = (this.recentAt + 1) % RECENT;
  }

  /** The slot of an account and asset, made (at 0) on first use. */
  private slot(account: string, asset: Asset): Slot {
    const recent = this.recentSlot(account, asset);
    if (recent !== undefined) return recent;
    const first = this.accounts.get(account);
    for (let s = first; s !== undefined; s = s.next)
      if (s.kind.asset === asset) {
        this.remember(s);
        return s;
      }
    const slot = new Slot(
      this,
      account,
      kindOf(account, asset),
      this.watcher?.(account, asset),
      this.slotValues,
      this.slotValues.next(),
    );
    if (first === undefined) this.accounts.set(account, slot);
    else {
      slot.next = first.next;
      first.next = slot;
    }
    if (this.made !== undefined && slot.kind.wallet !== undefined) this.made(slot, slot.kind.wallet);
    this.remember(slot);
    return slot;
  }

  /** The slot a posting moves: its cell when it carries this book's cell of its account, else looked up. */
  private slotOf(p: Posting): Slot {
    return this.slotOfCell(p.cell, p.account, p.asset);
  }

  /** `cell` when it is this book's cell of `account` in `asset`, else the slot looked up. */
  private slotOfCell(cell: BalanceCell | undefined, account: string, asset: Asset): Slot {
    if (cell instanceof Slot && cell.book === this && cell.account === account && cell.kind.asset === asset)
      return cell;
    return this.slot(account, asset);
  }

  /**
   * Starts a batch: many movements posted as one aggregated transaction (a
   * simulation's day of releases and dividends, a day's withdrawals), so that
   * no transaction object is made per member. Only for a book that keeps no
   * transactions: the replay's and the server's ledgers stay one transaction
   * per movement. See `BookBatch`.
   */
  batch(): BookBatch {
    invariant(!this.keepTransactions, "a book that keeps its transactions posts them one by one");
    return new BookBatch(
      this,
      (cell, account, asset) => this.slotOfCell(cell, account, asset),
      (slots, deltas) => this.commitBatch(slots, deltas),
    );
  }

  /**
   * Starts movements applied as they come (see `BookMoves`): for a caller past
   * its point of no return, whose checks are the engine's invariants (a
   * settled day's member postings, once the release queue has settled). Only
   * for a book that keeps no transactions, as `batch`.
   */
  moves(): BookMoves {
    invariant(!this.keepTransactions, "a book that keeps its transactions posts them one by one");
    return new BookMoves(this, (totals) => this.addWalletTotals(totals));
  }

  /** Adds each kind's summed movement to its member wallet's total (a platform kind has none). */
  private addWalletTotals(byKind: readonly (bigint | undefined)[]): void {
    for (let k = 0; k < byKind.length; k++) {
      const s = byKind[k];
      const wallet = (kindList[k] as SlotKind).wallet;
      if (s !== undefined && wallet !== undefined)
        this.walletTotals.set(wallet, (this.walletTotals.get(wallet) ?? 0n) + s);
    }
  }

  /** Applies a batch's summed movement of each slot, checked first as `post` checks (see `BookBatch.commit`). */
  private commitBatch(slots: readonly Slot[], deltas: Deltas): void {
    // Sums by kind (a handful of kinds: asset, wallet, sign, numbered), then per asset and per wallet.
    const byKind: (bigint | undefined)[] = new Array(kindList.length);
    // The new balances are worked out twice (checked, then applied) rather than kept: a list of a BigInt per
    // slot outlives young-generation collections and would be promoted to the old generation as garbage.
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as Slot;
      // The batch is closed: its slots leave it here (in the pass that reads them anyway), or in `commit` when refused.
      slot.batchAt = -1;
      const delta = deltas.at(i);
      const kind = slot.kind;
      byKind[kind.id] = (byKind[kind.id] ?? 0n) + delta;
      const value = slot.value + delta;
      if (value < 0n && (kind.flags & SIGN_FREE) === 0)
        invariant(false, `${slot.account} (${kind.asset}) stays ≥ 0, got ${value} in a batch`);
      if (value > 0n && (kind.flags & DEBT) !== 0) invariant(false, `${slot.account} holds only debt`);
    }
    checkBalancedByKind(byKind, "a batch balances per asset");
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as Slot;
      const value = slot.value + deltas.at(i);
      slot.value = value;
      if (slot.watch !== undefined) slot.watch.column.set(slot.watch.index, value);
    }
    this.addWalletTotals(byKind);
  }

  /** Appends a transaction; it must balance and keep fixed-sign accounts ≥ 0. */
  post(tx: Transaction): void {
    const count = tx.postings.length;
    const slots: (Slot | undefined)[] = new Array(count);
    const values: bigint[] = new Array(count);
    let nonZero = 0;
    for (let i = 0; i < count; i++) {
      const p = tx.postings[i] as Posting;
      if (p.amount === 0n) continue;
      const slot = this.slotOf(p);
      // A second posting to the same account in this transaction builds on the first.
      let base = slot.value;
      for (let j = 0; j < i; j++) if (slots[j] === slot) base = values[j] as bigint;
      slots[i] = slot;
      values[i] = base + p.amount;
      nonZero++;
    }
    if (nonZero === 0) return;
    invariant(isBalanced(tx.postings), "a transaction balances per asset");
    // Check every new balance before changing any, so a refused posting leaves the book as it was.
    for (let i = 0; i < count; i++) {
      const slot = slots[i];
      if (slot === undefined) continue;
      const value = values[i] as bigint;
      // Messages are built only on failure: this is the hot path of every replay.
      if (value < 0n && (slot.kind.flags & SIGN_FREE) === 0) {
        const p = tx.postings[i] as Posting;
        invariant(false, `${p.account} (${p.asset}) stays ≥ 0, got ${value} in ${tx.kind} ${tx.ref}`);
      }
      if (value > 0n && (slot.kind.flags & DEBT) !== 0)
        invariant(false, `${(tx.postings[i] as Posting).account} holds only debt`);
    }
    for (let i = 0; i < count; i++) {
      const slot = slots[i];
      if (slot === undefined) continue;
      const value = values[i] as bigint;
      slot.value = value;
      if (slot.watch !== undefined) slot.watch.column.set(slot.watch.index, value);
      const wallet = slot.kind.wallet;
      if (wallet !== undefined) {
        const amount = (tx.postings[i] as Posting).amount;
        this.walletTotals.set(wallet, (this.walletTotals.get(wallet) ?? 0n) + amount);
      }
    }
    if (!this.keepTransactions) return;
    this.transactions.push(
      nonZero === count ? tx : { ...tx, postings: tx.postings.filter((p) => p.amount !== 0n) },
    );
  }

  /** Every account with a non-zero balance, sorted by account and asset. */
  entries(): { account: string; asset: Asset; balance: bigint }[] {
    const out: { account: string; asset: Asset; balance: bigint }[] = [];
    for (const [account, first] of this.accounts)
      for (let s: Slot | undefined = first; s !== undefined; s = s.next)
        if (s.value !== 0n) out.push({ account, asset: s.kind.asset, balance: s.value });
    return out.sort((a, b) =>
      a.account === b.account ? (a.asset < b.asset ? -1 : 1) : a.account < b.account ? -1 : 1,
    );
  }
}

/**
 * A batch's summed movement of each of its slots, in 64-bit entries: no BigInt
 * object is kept per slot (a day's batch outlives young-generation
 * collections, which would promote every one of them to the old generation
 * as garbage). A sum outside the 64-bit range is kept exactly beside them.
 */
class Deltas {
  private values = new BigInt64Array(64);
  private big: Map<number, bigint> | undefined;
  length = 0;
  push(amount: bigint): void {
    if (this.length === this.values.length) {
      const grown = new BigInt64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.set(this.length++, amount);
  }
  at(i: number): bigint {
    return this.big?.get(i) ?? (this.values[i] as bigint);
  }
  add(i: number, amount: bigint): void {
    this.set(i, this.at(i) + amount);
  }
  private set(i: number, value: bigint): void {
    if (value <= INT64_MAX && value >= INT64_MIN) {
      this.values[i] = value;
      this.big?.delete(i);
    } else {
      this.big ??= new Map();
      this.big.set(i, value);
    }
  }
}

/**
 * Movements gathered for one aggregated posting (`Book.batch`): each account's
 * amounts are summed as they are added; `commit` checks that the whole batch
 * balances per asset and that every account whose sign is fixed ends ≥ 0 (a
 * debt account ≤ 0) before changing anything, then applies each account's sum
 * once. A batch that is not committed changes nothing (call `discard`).
 *
 * The balances it leaves are those of posting the same movements as separate
 * transactions, when each of those would have been accepted and each account's
 * movements go one way within the batch (a credit never needed the debit
 * beside it): a simulation's day of releases, dividends and withdrawals.
 */
export class BookBatch {
  private readonly slots: Slot[] = [];
  private readonly deltas = new Deltas();
  private open = true;

  constructor(
    private readonly book: Book,
    private readonly find: (cell: BalanceCell | undefined, account: string, asset: Asset) => Slot,
    private readonly apply: (slots: readonly Slot[], deltas: Deltas) => void,
  ) {}

  /** Moves an account by `amount`: `cell` when it is this book's live cell of the account (no look-up). */
  add(account: string, asset: Asset, amount: bigint, cell?: BalanceCell): void {
    invariant(this.open, "a committed batch takes no more movements");
    if (amount === 0n) return;
    const slot = this.find(cell, account, asset);
    if (slot.batchAt >= 0) {
      this.deltas.add(slot.batchAt, amount);
      return;
    }
    slot.batchAt = this.slots.length;
    this.slots.push(slot);
    this.deltas.push(amount);
  }

  /** Moves the account of `cell` (a live cell of this book, from `Book.cell`) by `amount`, in the cell's asset. */
  addCell(cell: BalanceCell, amount: bigint): void {
    invariant(this.open, "a committed batch takes no more movements");
    if (amount === 0n) return;
    invariant(cell instanceof Slot && cell.book === this.book, "a cell of this book");
    if (cell.batchAt >= 0) {
      this.deltas.add(cell.batchAt, amount);
      return;
    }
    cell.batchAt = this.slots.length;
    this.slots.push(cell);
    this.deltas.push(amount);
  }

  /** Each posting of `postings` (a transaction built with `TxBuilder`) as a movement of this batch. */
  addPostings(postings: readonly Posting[]): void {
    for (const p of postings) this.add(p.account, p.asset, p.amount, p.cell);
  }

  /** Checks and applies the batch (refused as a whole, nothing changed, when it would break the book). */
  commit(): void {
    invariant(this.open, "a batch is committed or discarded once");
    this.open = false;
    try {
      this.apply(this.slots, this.deltas);
    } catch (error) {
      for (const slot of this.slots) slot.batchAt = -1;
      throw error;
    }
  }

  /** Drops the batch: nothing it gathered is applied. */
  discard(): void {
    this.close();
  }

  private close(): void {
    invariant(this.open, "a batch is committed or discarded once");
    this.open = false;
    for (const slot of this.slots) slot.batchAt = -1;
  }
}

/**
 * Movements applied to their accounts as they come (`Book.moves`), each
 * checked as it is applied (an account whose sign is fixed stays ≥ 0, a debt
 * account ≤ 0); `close` checks that they balanced per asset and adds them to
 * the wallet totals. The balances are those of a `BookBatch` of the same
 * movements when each account's movements go one way (then a check after each
 * movement holds exactly when it holds after the last). Unlike a batch, a
 * failed check leaves the earlier movements applied: it is an invariant of
 * the engine, never a refusal of input.
 */
export class BookMoves {
  /** Σ of the movements of each slot kind (by `SlotKind.id`). */
  private readonly byKind: (bigint | undefined)[] = [];
  private open = true;

  constructor(
    private readonly book: Book,
    private readonly totals: (byKind: readonly (bigint | undefined)[]) => void,
  ) {}

  /** Moves the account of `cell` (a live cell of this book, from `Book.cell`) by `amount`, in the cell's asset. */
  moveCell(cell: BalanceCell, amount: bigint): void {
    invariant(
      this.open && cell instanceof Slot && cell.book === this.book,
      "an open move of this book's cell",
    );
    if (amount === 0n) return;
    const kind = cell.kind;
    const value = cell.value + amount;
    if (value < 0n && (kind.flags & SIGN_FREE) === 0)
      invariant(false, `${cell.account} (${kind.asset}) stays ≥ 0, got ${value}`);
    if (value > 0n && (kind.flags & DEBT) !== 0) invariant(false, `${cell.account} holds only debt`);
    cell.value = value;
    if (cell.watch !== undefined) cell.watch.column.set(cell.watch.index, value);
    this.byKind[kind.id] = (this.byKind[kind.id] ?? 0n) + amount;
  }

  /** Moves `account` by `amount` in `asset` (found by name: for the handful of platform accounts). */
  move(account: string, asset: Asset, amount: bigint): void {
    this.moveCell(this.book.cell(account, asset), amount);
  }

  /** Checks that the movements balanced per asset and adds them to the wallet totals. */
  close(): void {
    invariant(this.open, "moves are closed once");
    this.open = false;
    checkBalancedByKind(this.byKind, "moves balance per asset");
    this.totals(this.byKind);
  }
}

/** Recomputes every balance from the transactions alone (the auditor's view). */
export function balancesFromTransactions(transactions: readonly Transaction[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const tx of transactions) {
    for (const p of tx.postings)
      out.set(key(p.account, p.asset), (out.get(key(p.account, p.asset)) ?? 0n) + p.amount);
  }
  return out;
}

/** The key used by `balancesFromTransactions`. */
export function balanceKey(account: string, asset: Asset): string {
  return key(account, asset);
}

/** Where a transaction being built reads current balances: a `Book`, or balances the server loaded. */
export interface BalanceSource {
  balance(account: string, asset: Asset): bigint;
}

/**
 * Collects the postings of one transaction while it is being built, so that
 * member credits and debits see the balances as they will be (source + pending).
 */
export class TxBuilder {
  readonly postings: Posting[] = [];
  private readonly pending = new Map<string, bigint>();
  constructor(private readonly book: BalanceSource) {}

  /** Balance including what this transaction has posted so far. */
  balance(account: string, asset: Asset): bigint {
    return this.book.balance(account, asset) + (this.pending.get(key(account, asset)) ?? 0n);
  }

  /** One posting. */
  add(account: string, asset: Asset, amount: bigint): void {
    if (amount === 0n) return;
    this.postings.push({ account, asset, amount });
    const k = key(account, asset);
    this.pending.set(k, (this.pending.get(k) ?? 0n) + amount);
  }

  /** Moves `amount` from one account to another. */
  move(from: string, to: string, asset: Asset, amount: bigint): void {
    invariant(amount >= 0n, "a move is of a non-negative amount");
    this.add(from, asset, -amount);
    this.add(to, asset, amount);
  }
}
