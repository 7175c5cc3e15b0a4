/**
 * An in-memory double-entry book: balances derived from appended transactions.
 * Posting checks every transaction balances per asset and that no account
 * whose sign is fixed goes below zero.
 */
import { invariant } from "./errors.ts";
import {
  type Asset,
  type BalanceCell,
  type DebtWallet,
  type Posting,
  type Transaction,
  WALLET_ASSET,
  type Wallet,
} from "./ledger.ts";
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
  const count = postings.length;
  if (count > 31) {
    const sums = new Map<Asset, bigint>();
    for (const p of postings) sums.set(p.asset, (sums.get(p.asset) ?? 0n) + p.amount);
    for (const sum of sums.values()) if (sum !== 0n) return false;
    return true;
  }
  // A transaction of a few postings in one to three assets: each asset summed where it first appears, no object made.
  let summed = 0;
  for (let i = 0; i < count; i++) {
    if ((summed & (1 << i)) !== 0) continue;
    const asset = (postings[i] as Posting).asset;
    let sum = 0n;
    for (let j = i; j < count; j++) {
      const p = postings[j] as Posting;
      if (p.asset !== asset) continue;
      sum += p.amount;
      summed |= 1 << j;
    }
    if (sum !== 0n) return false;
  }
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
   * The members whose wallets the book keeps in columns by member index (an
   * engine's): no slot object, name or map entry per member account.
   */
  readonly members?: BookMembers;
}

/**
 * An engine's members as its book sees them: a member wallet or debt account
 * (`m:<id>:<wallet>`, `m:<id>:debt:<wallet>`) of a member `indexOf` knows is
 * kept at that index in the wallet's `MemberColumn`; any other account in a slot
 * of its own, by name.
 */
export interface BookMembers {
  /**
   * The index of member `id`, or undefined: not a member, or one whose account names are ambiguous
   * (`columnarId` false), whose accounts the book keeps by name.
   */
  indexOf(id: string): number | undefined;
  /** The id of member `index` (to name its accounts in `entries`). */
  idAt(index: number): string;
  /** The column to keep equal to wallet `key`'s balances, if any (an engine's quota and weight). */
  watch?(key: string): BalanceColumn | undefined;
}

/**
 * Whether the account names of member `id` read back as that member's (the
 * book may keep them in columns): `m:<id>:<wallet>` must not contain `:debt:`,
 * which names a debt account (and makes its sign free).
 */
export function columnarId(id: string): boolean {
  return !(id === "debt" || id.includes(":debt:") || id.startsWith("debt:") || id.endsWith(":debt"));
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
/** How many accounts a book remembers as looked up last (`Book.recent`). */
const RECENT = 8;
const DEBT = 2;

/** What posting needs to know of an account, found once and shared by every account alike. */
interface SlotKind {
  readonly asset: Asset;
  /** The member wallet (`gift`, `debt:cash`, …), undefined for a platform account. */
  readonly wallet: string | undefined;
  /** SIGN_FREE | DEBT. */
  readonly flags: number;
  /** Its position in `kindList` (movements are summed by kind in an array). */
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
 * Where a book keeps one account's balance: a `Slot` (one account; the index
 * is ignored) or a `MemberColumn` (one member wallet, the index the member's).
 * Posting, batches and moves go through this, so both are checked alike.
 */
interface Target {
  readonly kind: SlotKind;
  read(index: number): bigint;
  /** Writes the balance (and the watched column entry, if any). */
  write(index: number, value: bigint): void;
  /** The account's name (for messages and `entries`). */
  nameAt(index: number): string;
  /** The account's entry in the open `BookBatch`, −1 when it has none. */
  batchAtOf(index: number): number;
  setBatchAt(index: number, at: number): void;
}

/** How a `BookBatch` or `BookMoves` finds an account in its book: `at` the target, then `index()` the member index. */
interface Finder {
  at(cell: BalanceCell | undefined, account: string, asset: Asset): Target;
  index(): number;
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

/** One account's balance in one asset: a platform account, or a member account kept by name. */
class Slot implements BalanceCell, Target {
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
  read(_index: number): bigint {
    return this.value;
  }
  write(_index: number, v: bigint): void {
    if (v <= INT64_MAX && v >= INT64_MIN) {
      this.store.values[this.at] = v;
      this.big = undefined;
    } else this.big = v;
    if (this.watch !== undefined) this.watch.column.set(this.watch.index, v);
  }
  nameAt(_index: number): string {
    return this.account;
  }
  batchAtOf(_index: number): number {
    return this.batchAt;
  }
  setBatchAt(_index: number, at: number): void {
    this.batchAt = at;
  }
}

/**
 * One member wallet or debt (`cash`, `debt:points`, …) of every member, by
 * member index: 64-bit entries, a balance past 64 bits kept exactly beside
 * them. A member that never used the wallet reads 0. Nothing is kept per
 * member but the entries: at a million members the garbage collector has no
 * object, name or map entry per member account to mark.
 */
export class MemberColumn implements Target {
  private values = new BigInt64Array(1024);
  private big: Map<number, bigint> | undefined;
  /** The entries of the open `BookBatch`, by member index (−1: none); made for the first batch. */
  private batchAts: Int32Array | undefined;
  /**
   * How many members' entries are not 0, kept for a debt column (`counted`): while nobody owes, a read
   * answers 0 without touching the column (a credit reads the debt before it repays, almost always 0).
   */
  private nonZeroCount = 0;
  private readonly counted: boolean;
  constructor(
    /** The wallet or debt it holds (`cash`, `debt:points`). */
    readonly key: string,
    readonly kind: SlotKind,
    private readonly watch: BalanceColumn | undefined,
    private readonly name: (index: number) => string,
  ) {
    this.counted = (kind.flags & DEBT) !== 0;
  }
  read(index: number): bigint {
    if (this.counted && this.nonZeroCount === 0) return 0n;
    if (this.big !== undefined) {
      const b = this.big.get(index);
      if (b !== undefined) return b;
    }
    return index < this.values.length ? (this.values[index] as bigint) : 0n;
  }
  write(index: number, v: bigint): void {
    if (this.counted) {
      const before = this.read(index);
      if (before === 0n && v !== 0n) this.nonZeroCount++;
      else if (before !== 0n && v === 0n) this.nonZeroCount--;
    }
    if (index >= this.values.length) {
      const grown = new BigInt64Array(Math.max(index + 1, this.values.length * 2));
      grown.set(this.values);
      this.values = grown;
    }
    if (v <= INT64_MAX && v >= INT64_MIN) {
      this.values[index] = v;
      this.big?.delete(index);
    } else {
      this.values[index] = 0n;
      this.big ??= new Map();
      this.big.set(index, v);
    }
    if (this.watch !== undefined) this.watch.set(index, v);
  }
  nameAt(index: number): string {
    return this.name(index);
  }
  batchAtOf(index: number): number {
    const at = this.batchAts;
    return at !== undefined && index < at.length ? (at[index] as number) : -1;
  }
  setBatchAt(index: number, at: number): void {
    let ats = this.batchAts;
    if (ats === undefined || index >= ats.length) {
      const grown = new Int32Array(Math.max(index + 1, this.values.length, 2 * (ats?.length ?? 0))).fill(-1);
      if (ats !== undefined) grown.set(ats);
      this.batchAts = ats = grown;
    }
    ats[index] = at;
  }
  /** Each member index whose balance is not 0, with it. */
  *nonZero(): Generator<[number, bigint]> {
    for (let i = 0; i < this.values.length; i++)
      if (this.values[i] !== 0n) yield [i, this.values[i] as bigint];
    if (this.big !== undefined) for (const entry of this.big) yield entry;
  }
}

/** A member column's account as a `BalanceCell` (`Book.cell` of a member account the book keeps in a column). */
class ColumnCell implements BalanceCell {
  constructor(
    readonly account: string,
    readonly column: MemberColumn,
    readonly index: number,
    /** The book whose column it is (a posting carrying it is posted by index in that book only). */
    readonly book: Book,
  ) {}
  get asset(): Asset {
    return this.column.kind.asset;
  }
  get value(): bigint {
    return this.column.read(this.index);
  }
}

/** The member keys a book keeps in columns: every wallet, and every wallet as a debt. */
const COLUMN_ASSET = new Map<string, Asset>(
  Object.entries(WALLET_ASSET).flatMap(([wallet, asset]) => [
    [wallet, asset],
    [`debt:${wallet}`, asset],
  ]),
);

/** A looked-up account remembered (`Book.recent`): reused in place. */
interface Recent {
  account: string;
  asset: Asset | undefined;
  target: Target | undefined;
  index: number;
}

export class Book {
  /** Per account the slots of the assets it holds (a short list: most accounts hold one). */
  private readonly accounts = new Map<string, Slot>();
  /**
   * The accounts looked up last (a ring of RECENT): a command reads an account and then posts to it, each time
   * by a freshly built name, and comparing a few names costs less than parsing or hashing one.
   */
  private readonly recent: Recent[] = Array.from({ length: RECENT }, () => ({
    account: "",
    asset: undefined,
    target: undefined,
    index: 0,
  }));
  private recentAt = 0;
  private readonly slotValues = new SlotValues();
  /** Σ over members of each wallet (`gift`, `quota`, …) and each debt (`debt:points`, …). */
  private readonly walletTotals = new Map<string, bigint>();
  private readonly keepTransactions: boolean;
  private readonly watcher: BookOptions["watch"];
  private readonly members: BookMembers | undefined;
  /** The member columns, by wallet (`cash`) and by debt wallet (`cash` too, for `debt:cash`), made on first use. */
  private readonly plainColumns = new Map<string, MemberColumn>();
  private readonly debtColumns = new Map<string, MemberColumn>();
  /** The target `find` found last (with `foundIndex`): no object is made per look-up. */
  private found: Target | undefined = undefined;
  private foundIndex = 0;
  /** The member columns by key (`cash`, `debt:cash`): `memberColumn`'s answers, kept. */
  private readonly keyColumns = new Map<string, MemberColumn>();
  /**
   * Members' accounts by index for a `TxBuilder` (see `BalanceSource.memberCells`): only for a book that
   * keeps its members in columns and no transactions (a posting's cell is not to be kept).
   */
  readonly memberCells: MemberCells | undefined;
  /** How this book's batches and moves find an account (`findCell`), one object for all of them. */
  private readonly finder: Finder = {
    at: (cell, account, asset) => {
      this.findCell(cell, account, asset);
      return this.found as Target;
    },
    index: () => this.foundIndex,
  };
  readonly transactions: Transaction[] = [];

  constructor(options: BookOptions = {}) {
    this.keepTransactions = options.keepTransactions ?? true;
    this.watcher = options.watch;
    this.members = options.members;
    const members = this.members;
    this.memberCells =
      members === undefined || this.keepTransactions
        ? undefined
        : {
            // `BookMembers.indexOf` answers undefined for an id that is not `columnarId`.
            indexOf: (id) => members.indexOf(id),
            value: (index, key) => this.memberColumn(key).read(index),
            cell: (index, key, account) => new ColumnCell(account, this.memberColumn(key), index, this),
          };
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
    if (!this.find(account, asset, false)) return 0n;
    return (this.found as Target).read(this.foundIndex);
  }

  /**
   * The column of member wallet `key` (`cash`, `debt:points`, …): its balance of member `index` is
   * `read(index)`. Only for a book that keeps its members in columns (`BookOptions.members`).
   */
  memberColumn(key: string): MemberColumn {
    const kept = this.keyColumns.get(key);
    if (kept !== undefined) return kept;
    invariant(this.members !== undefined && COLUMN_ASSET.has(key), "a member column of a book with members");
    const debt = key.startsWith("debt:");
    const column = this.columnOf(debt ? key.slice(5) : key, debt);
    invariant(column !== undefined, "a member column");
    this.keyColumns.set(key, column);
    return column;
  }

  /** The column of `wallet` (a debt when `debt`), made on first use; undefined when no such wallet has one. */
  private columnOf(wallet: string, debt: boolean): MemberColumn | undefined {
    const columns = debt ? this.debtColumns : this.plainColumns;
    const column = columns.get(wallet);
    if (column !== undefined) return column;
    const members = this.members;
    const key = debt ? `debt:${wallet}` : wallet;
    const asset = COLUMN_ASSET.get(key);
    if (members === undefined || asset === undefined) return undefined;
    const made = new MemberColumn(
      key,
      // The kind of every account of this key (a member id without `:debt:`, as `columnarId` requires).
      kindOf(debt ? `m::debt:${wallet}` : `m::${wallet}`, asset),
      members.watch?.(key),
      debt
        ? (index) => `m:${members.idAt(index)}:debt:${wallet}`
        : (index) => `m:${members.idAt(index)}:${wallet}`,
    );
    columns.set(wallet, made);
    return made;
  }

  /**
   * The live cell of `account` in `asset`, made (at 0) if never used: a caller that reads one account often
   * keeps the cell instead of looking the account up each time.
   */
  cell(account: string, asset: Asset): BalanceCell {
    this.find(account, asset, true);
    const target = this.found as Target;
    return target instanceof MemberColumn
      ? new ColumnCell(account, target, this.foundIndex, this)
      : (target as Slot);
  }

  /** How many accounts the book keeps in slots of their own (the others are in member columns). */
  get slotCount(): number {
    return this.slotValues.count;
  }

  /**
   * Finds where `account` in `asset` is kept: sets `found` and `foundIndex` and returns true, or returns false
   * when it has no slot and `make` is false (a member column always has its entry: it reads 0 until used).
   */
  private find(account: string, asset: Asset, make: boolean): boolean {
    const recent = this.recent;
    for (let k = 0; k < RECENT; k++) {
      const r = recent[k] as Recent;
      if (r.asset === asset && r.account === account) {
        this.found = r.target;
        this.foundIndex = r.index;
        return true;
      }
    }
    if (!this.findMember(account, asset)) {
      let slot: Slot | undefined;
      const first = this.accounts.get(account);
      for (let s = first; s !== undefined; s = s.next)
        if (s.kind.asset === asset) {
          slot = s;
          break;
        }
      if (slot === undefined) {
        if (!make) return false;
        slot = new Slot(
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
      }
      this.found = slot;
      this.foundIndex = 0;
    }
    const r = recent[this.recentAt] as Recent;
    r.account = account;
    r.asset = asset;
    r.target = this.found;
    r.index = this.foundIndex;
    this.recentAt = (this.recentAt + 1) % RECENT;
    return true;
  }

  /** `find` for a member account kept in a column: `m:<id>:<wallet>` or `m:<id>:debt:<wallet>` of a member in columns. */
  private findMember(account: string, asset: Asset): boolean {
    const members = this.members;
    if (members === undefined || account.charCodeAt(0) !== 109 || account.charCodeAt(1) !== 58) return false; // "m:"
    const last = account.lastIndexOf(":");
    if (last <= 2) return false;
    const debt = last >= 7 && account.startsWith(":debt", last - 5);
    const column = this.columnOf(account.slice(last + 1), debt);
    if (column === undefined || column.kind.asset !== asset) return false;
    const id = account.slice(2, debt ? last - 5 : last);
    if (!columnarId(id)) return false;
    const index = members.indexOf(id);
    if (index === undefined) return false;
    this.found = column;
    this.foundIndex = index;
    return true;
  }

  /** Where a posting's account is kept: its cell when it carries this book's cell of its account, else looked up. */
  private findCell(cell: BalanceCell | undefined, account: string, asset: Asset): void {
    if (cell !== undefined && cell.account === account) {
      if (cell instanceof Slot && cell.book === this && cell.kind.asset === asset) {
        this.found = cell;
        this.foundIndex = 0;
        return;
      }
      if (cell instanceof ColumnCell && cell.book === this && cell.column.kind.asset === asset) {
        this.found = cell.column;
        this.foundIndex = cell.index;
        return;
      }
    }
    this.find(account, asset, true);
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
    return new BookBatch(this.finder, (targets, indexes, deltas) =>
      this.commitBatch(targets, indexes, deltas),
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
    return new BookMoves(this.finder, (totals) => this.addWalletTotals(totals));
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

  /** Applies a batch's summed movement of each account, checked first as `post` checks (see `BookBatch.commit`). */
  private commitBatch(targets: readonly Target[], indexes: Int32Array, deltas: Deltas): void {
    // Sums by kind (a handful of kinds: asset, wallet, sign, numbered), then per asset and per wallet.
    const byKind: (bigint | undefined)[] = new Array(kindList.length);
    // The new balances are worked out twice (checked, then applied) rather than kept: a list of a BigInt per
    // account outlives young-generation collections and would be promoted to the old generation as garbage.
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i] as Target;
      const index = indexes[i] as number;
      // The batch is closed: its accounts leave it here (in the pass that reads them anyway), or in `commit` when refused.
      target.setBatchAt(index, -1);
      const delta = deltas.at(i);
      const kind = target.kind;
      byKind[kind.id] = (byKind[kind.id] ?? 0n) + delta;
      const value = target.read(index) + delta;
      if (value < 0n && (kind.flags & SIGN_FREE) === 0)
        invariant(false, `${target.nameAt(index)} (${kind.asset}) stays ≥ 0, got ${value} in a batch`);
      if (value > 0n && (kind.flags & DEBT) !== 0)
        invariant(false, `${target.nameAt(index)} holds only debt`);
    }
    checkBalancedByKind(byKind, "a batch balances per asset");
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i] as Target;
      const index = indexes[i] as number;
      target.write(index, target.read(index) + deltas.at(i));
    }
    this.addWalletTotals(byKind);
  }

  /** Appends a transaction; it must balance and keep fixed-sign accounts ≥ 0. */
  post(tx: Transaction): void {
    const count = tx.postings.length;
    const targets: (Target | undefined)[] = new Array(count);
    const indexes: number[] = new Array(count);
    const values: bigint[] = new Array(count);
    let nonZero = 0;
    for (let i = 0; i < count; i++) {
      const p = tx.postings[i] as Posting;
      if (p.amount === 0n) continue;
      this.findCell(p.cell, p.account, p.asset);
      const target = this.found as Target;
      const index = this.foundIndex;
      // A second posting to the same account in this transaction builds on the first.
      let base: bigint | undefined;
      for (let j = 0; j < i; j++)
        if (targets[j] === target && indexes[j] === index) base = values[j] as bigint;
      targets[i] = target;
      indexes[i] = index;
      values[i] = (base ?? target.read(index)) + p.amount;
      nonZero++;
    }
    if (nonZero === 0) return;
    invariant(isBalanced(tx.postings), "a transaction balances per asset");
    // Check every new balance before changing any, so a refused posting leaves the book as it was.
    for (let i = 0; i < count; i++) {
      const target = targets[i];
      if (target === undefined) continue;
      const value = values[i] as bigint;
      // Messages are built only on failure: this is the hot path of every replay.
      if (value < 0n && (target.kind.flags & SIGN_FREE) === 0) {
        const p = tx.postings[i] as Posting;
        invariant(false, `${p.account} (${p.asset}) stays ≥ 0, got ${value} in ${tx.kind} ${tx.ref}`);
      }
      if (value > 0n && (target.kind.flags & DEBT) !== 0)
        invariant(false, `${(tx.postings[i] as Posting).account} holds only debt`);
    }
    for (let i = 0; i < count; i++) {
      const target = targets[i];
      if (target === undefined) continue;
      target.write(indexes[i] as number, values[i] as bigint);
      const wallet = target.kind.wallet;
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
    for (const columns of [this.plainColumns, this.debtColumns])
      for (const column of columns.values())
        for (const [index, balance] of column.nonZero())
          out.push({ account: column.nameAt(index), asset: column.kind.asset, balance });
    return out.sort((a, b) =>
      a.account === b.account ? (a.asset < b.asset ? -1 : 1) : a.account < b.account ? -1 : 1,
    );
  }
}

/**
 * A batch's summed movement of each of its accounts, in 64-bit entries: no BigInt
 * object is kept per account (a day's batch outlives young-generation
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
  private readonly targets: Target[] = [];
  private indexes = new Int32Array(64);
  private readonly deltas = new Deltas();
  private open = true;

  constructor(
    private readonly finder: Finder,
    private readonly apply: (targets: readonly Target[], indexes: Int32Array, deltas: Deltas) => void,
  ) {}

  /** Moves an account by `amount`: `cell` when it is this book's live cell of the account (no look-up). */
  add(account: string, asset: Asset, amount: bigint, cell?: BalanceCell): void {
    invariant(this.open, "a committed batch takes no more movements");
    if (amount === 0n) return;
    const target = this.finder.at(cell, account, asset);
    this.addAt(target, this.finder.index(), amount);
  }

  /** Moves the account of `cell` (a live cell of this book, from `Book.cell`) by `amount`, in the cell's asset. */
  addCell(cell: BalanceCell, amount: bigint): void {
    this.add(cell.account, cell.asset, amount, cell);
  }

  /** Moves member `index`'s account of `column` (the book's `memberColumn`) by `amount`. */
  addMember(column: MemberColumn, index: number, amount: bigint): void {
    invariant(this.open, "a committed batch takes no more movements");
    if (amount === 0n) return;
    this.addAt(column, index, amount);
  }

  private addAt(target: Target, index: number, amount: bigint): void {
    const at = target.batchAtOf(index);
    if (at >= 0) {
      this.deltas.add(at, amount);
      return;
    }
    const n = this.targets.length;
    target.setBatchAt(index, n);
    this.targets.push(target);
    if (n === this.indexes.length) {
      const grown = new Int32Array(2 * n);
      grown.set(this.indexes);
      this.indexes = grown;
    }
    this.indexes[n] = index;
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
      this.apply(this.targets, this.indexes, this.deltas);
    } catch (error) {
      this.release();
      throw error;
    }
  }

  /** Drops the batch: nothing it gathered is applied. */
  discard(): void {
    invariant(this.open, "a batch is committed or discarded once");
    this.open = false;
    this.release();
  }

  /** Its accounts leave the batch. */
  private release(): void {
    for (let i = 0; i < this.targets.length; i++)
      (this.targets[i] as Target).setBatchAt(this.indexes[i] as number, -1);
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
    private readonly finder: Finder,
    private readonly totals: (byKind: readonly (bigint | undefined)[]) => void,
  ) {}

  /** Moves member `index`'s account of `column` (the book's `memberColumn`) by `amount`. */
  moveMember(column: MemberColumn, index: number, amount: bigint): void {
    this.moveAt(column, index, amount);
  }

  /**
   * Debits members `indexes[k]` of `column` (the book's `memberColumn`), k < count, each listed once: their
   * balances become `after[k]`, each the balance before less a debit, and `debited` (≥ 0) is the debits'
   * sum, moved out of the column's wallet total at once. The caller has read each balance and worked out
   * both (a day's withdrawals); each new balance is checked as `moveMember` checks it.
   */
  debitMembers(
    column: MemberColumn,
    indexes: Int32Array,
    after: BigInt64Array,
    count: number,
    debited: bigint,
  ): void {
    invariant(this.open, "an open move");
    invariant(debited >= 0n, "debits sum to a debit");
    const kind = column.kind;
    const fixedSign = (kind.flags & SIGN_FREE) === 0;
    for (let k = 0; k < count; k++) {
      const index = indexes[k] as number;
      const value = after[k] as bigint;
      if (fixedSign && value < 0n)
        invariant(false, `${column.nameAt(index)} (${kind.asset}) stays ≥ 0, got ${value}`);
      column.write(index, value);
    }
    this.byKind[kind.id] = (this.byKind[kind.id] ?? 0n) - debited;
  }

  /** Moves the account of `cell` (a live cell of this book, from `Book.cell`) by `amount`, in the cell's asset. */
  moveCell(cell: BalanceCell, amount: bigint): void {
    this.move(cell.account, cell.asset, amount, cell);
  }

  /** Moves `account` by `amount` in `asset` (found by name, or by `cell` when it is this book's). */
  move(account: string, asset: Asset, amount: bigint, cell?: BalanceCell): void {
    invariant(this.open, "an open move");
    if (amount === 0n) return;
    const target = this.finder.at(cell, account, asset);
    this.moveAt(target, this.finder.index(), amount);
  }

  private moveAt(target: Target, index: number, amount: bigint): void {
    invariant(this.open, "an open move");
    if (amount === 0n) return;
    const kind = target.kind;
    const value = target.read(index) + amount;
    if (value < 0n && (kind.flags & SIGN_FREE) === 0)
      invariant(false, `${target.nameAt(index)} (${kind.asset}) stays ≥ 0, got ${value}`);
    if (value > 0n && (kind.flags & DEBT) !== 0) invariant(false, `${target.nameAt(index)} holds only debt`);
    target.write(index, value);
    this.byKind[kind.id] = (this.byKind[kind.id] ?? 0n) + amount;
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

/** A member's wallet or debt as `TxBuilder.memberBalance` and `addMember` take it: `cash`, or `debt:cash`. */
export type MemberKey = Wallet | `debt:${DebtWallet}`;

/** The asset of each member key. */
const KEY_ASSET: Readonly<Record<string, Asset>> = Object.fromEntries(COLUMN_ASSET);

/** The account of member `memberId`'s `key`: `m:<id>:<wallet>` or `m:<id>:debt:<wallet>` (`memberAccount`, `debtAccount`). */
function memberKeyAccount(memberId: string, key: MemberKey): string {
  return `m:${memberId}:${key}`;
}

/**
 * A source's members by index (an engine's book that keeps no transactions): a `TxBuilder` reads a member's
 * balance and posts to its account with no look-up by name. The postings are the same, by name, with the
 * source's cell beside.
 */
export interface MemberCells {
  /** Where the source keeps member `memberId`; undefined: by name only. */
  indexOf(memberId: string): number | undefined;
  /** Member `index`'s balance of `key`. */
  value(index: number, key: MemberKey): bigint;
  /** The source's cell of member `index`'s account `key`, named `account`, for a posting to carry. */
  cell(index: number, key: MemberKey, account: string): BalanceCell;
}

/** Where a transaction being built reads current balances: a `Book`, or balances the server loaded. */
export interface BalanceSource {
  balance(account: string, asset: Asset): bigint;
  /** Members by index, when the source keeps them so (else every read and posting goes by name). */
  readonly memberCells?: MemberCells | undefined;
}

/** Up to how many postings `TxBuilder.balance` scans them rather than keep sums by key. */
const SCAN_POSTINGS = 16;

/**
 * Collects the postings of one transaction while it is being built, so that
 * member credits and debits see the balances as they will be (source + pending).
 */
export class TxBuilder {
  readonly postings: Posting[] = [];
  /**
   * The pending sum per account and asset, made only once the transaction has more than `SCAN_POSTINGS`
   * postings: below that, `balance` sums the postings themselves (no key string built per posting).
   */
  private pending: Map<string, bigint> | undefined;
  private readonly cells: MemberCells | undefined;
  /** The members this builder looked up in `cells` (a transaction names one to three): ids and their indexes. */
  private readonly memberIds: string[] = [];
  private readonly memberIndexes: (number | undefined)[] = [];
  /** Whether a posting by name went to a member account (`add`): `memberBalance` then sums those too. */
  private namedMember = false;
  constructor(private readonly book: BalanceSource) {
    this.cells = book.memberCells;
  }

  /** Member `memberId`'s index in `cells`, asked once per builder; undefined: by name. */
  private indexOf(memberId: string): number | undefined {
    const ids = this.memberIds;
    for (let k = 0; k < ids.length; k++) if (ids[k] === memberId) return this.memberIndexes[k];
    const index = (this.cells as MemberCells).indexOf(memberId);
    ids.push(memberId);
    this.memberIndexes.push(index);
    return index;
  }

  /**
   * Member `memberId`'s balance of `key` (a wallet, or a debt `debt:<wallet>`, ≤ 0) including what this
   * transaction has posted so far: `balance` of the member's account, read by index when the source can.
   */
  memberBalance(memberId: string, key: MemberKey): bigint {
    const index = this.cells !== undefined ? this.indexOf(memberId) : undefined;
    if (index === undefined || this.pending !== undefined)
      return this.balance(memberKeyAccount(memberId, key), KEY_ASSET[key] as Asset);
    let sum = (this.cells as MemberCells).value(index, key);
    for (const p of this.postings) {
      const cell = p.cell;
      if (cell instanceof ColumnCell && cell.index === index && cell.column.key === key) sum += p.amount;
    }
    if (this.namedMember) {
      const account = memberKeyAccount(memberId, key);
      const asset = KEY_ASSET[key];
      for (const p of this.postings)
        if (p.cell === undefined && p.account === account && p.asset === asset) sum += p.amount;
    }
    return sum;
  }

  /** One posting to member `memberId`'s `key` (its account by name, with the source's cell when it has one). */
  addMember(memberId: string, key: MemberKey, amount: bigint): void {
    if (amount === 0n) return;
    const account = memberKeyAccount(memberId, key);
    const asset = KEY_ASSET[key] as Asset;
    const index = this.cells !== undefined ? this.indexOf(memberId) : undefined;
    if (index === undefined) {
      this.add(account, asset, amount);
      return;
    }
    this.push({ account, asset, amount, cell: (this.cells as MemberCells).cell(index, key, account) });
  }

  /** Moves `amount` from `from` to member `memberId`'s `key` (as `move`). */
  moveToMember(from: string, memberId: string, key: MemberKey, amount: bigint): void {
    invariant(amount >= 0n, "a move is of a non-negative amount");
    this.add(from, KEY_ASSET[key] as Asset, -amount);
    this.addMember(memberId, key, amount);
  }

  /** Moves `amount` from member `memberId`'s `key` to `to` (as `move`). */
  moveFromMember(memberId: string, key: MemberKey, to: string, amount: bigint): void {
    invariant(amount >= 0n, "a move is of a non-negative amount");
    this.addMember(memberId, key, -amount);
    this.add(to, KEY_ASSET[key] as Asset, amount);
  }

  /** Balance including what this transaction has posted so far. */
  balance(account: string, asset: Asset): bigint {
    const held = this.book.balance(account, asset);
    if (this.pending !== undefined) return held + (this.pending.get(key(account, asset)) ?? 0n);
    let sum = 0n;
    for (const p of this.postings) if (p.account === account && p.asset === asset) sum += p.amount;
    return held + sum;
  }

  /** One posting. */
  add(account: string, asset: Asset, amount: bigint): void {
    if (amount === 0n) return;
    if (account.charCodeAt(0) === 109 && account.charCodeAt(1) === 58) this.namedMember = true; // "m:"
    this.push({ account, asset, amount });
  }

  private push(posting: Posting): void {
    const { account, asset, amount } = posting;
    this.postings.push(posting);
    if (this.pending === undefined) {
      if (this.postings.length <= SCAN_POSTINGS) return;
      this.pending = new Map();
      for (const p of this.postings) {
        const k = key(p.account, p.asset);
        this.pending.set(k, (this.pending.get(k) ?? 0n) + p.amount);
      }
      return;
    }
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
