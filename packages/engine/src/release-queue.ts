/**
 * The release plan's orders with gift left, oldest eligible first (the FIFO
 * order of docs/rules.md §3), held as the daily settlement's order columns: a
 * settlement reads them as they are and writes the remaining gift back in one
 * copy, instead of rebuilding them order by order every day.
 */
import { invariant } from "./errors.ts";
import { INT64_MAX, INT64_MIN } from "./limits.ts";

const START = 1024;

export class ReleaseQueue<O> {
  private orders: O[] = [];
  private ids: (string | undefined)[] = [];
  private member = new Int32Array(START);
  private gift = new BigInt64Array(START);
  private remaining = new BigInt64Array(START);
  private base = new BigInt64Array(START);
  private length = 0;
  /** A gift or daily base past 64 bits, refused when the settlement reads the columns (as it always was). */
  private outOfRange: string | undefined;

  /** Queues an order that became eligible with `gift` to release at `base` a day. */
  push(order: O, id: string | undefined, member: number, gift: bigint, base: bigint): void {
    if (this.length === this.member.length) this.grow();
    const at = this.length++;
    this.orders[at] = order;
    this.ids[at] = id;
    this.member[at] = member;
    this.gift[at] = this.fit(gift, "an order's remaining gift");
    this.remaining[at] = this.gift[at] as bigint;
    this.base[at] = this.fit(base, "an order's daily base");
  }

  /**
   * Takes a refunded order out: its gift still to release and what it released
   * (the gift less what remains: a settlement releases exactly what it takes
   * from the remaining gift). An order no longer queued released all of `gift`.
   */
  take(order: O, gift: bigint): { remaining: bigint; released: bigint } {
    const at = this.orders.indexOf(order);
    if (at < 0) return { remaining: 0n, released: gift };
    const remaining = this.remaining[at] as bigint;
    const released = (this.gift[at] as bigint) - remaining;
    this.remaining[at] = 0n;
    this.compact();
    return { remaining, released };
  }

  /** The settlement's order columns (orders with gift left), after dropping the finished ones. */
  columns(): { orderMember: Int32Array; orderRemaining: BigInt64Array; orderBase: BigInt64Array } {
    if (this.outOfRange !== undefined) invariant(false, this.outOfRange);
    if (this.hasFinished()) this.compact();
    const n = this.length;
    return {
      orderMember: this.member.subarray(0, n),
      orderRemaining: this.remaining.subarray(0, n),
      orderBase: this.base.subarray(0, n),
    };
  }

  /** Order ids in the order of `columns()` (undefined: an order without one); `push` and `compact` keep one per queued order. */
  orderIds(): ArrayLike<string | undefined> {
    return this.ids;
  }

  /** Stores the settlement's remaining gift of each order of `columns()`. */
  settled(orderRemaining: BigInt64Array): void {
    invariant(orderRemaining.length === this.length, "one remaining gift per queued order");
    this.remaining.set(orderRemaining);
  }

  /** Whether some queued order has no gift left (a 64-bit zero: both 32-bit halves zero; read without BigInts). */
  private hasFinished(): boolean {
    const halves = new Int32Array(this.remaining.buffer, 0, this.length * 2);
    for (let i = 0; i < halves.length; i += 2) if (halves[i] === 0 && halves[i + 1] === 0) return true;
    return false;
  }

  /** Drops the orders with no gift left, keeping the others in order. */
  private compact(): void {
    let to = 0;
    for (let at = 0; at < this.length; at++) {
      const remaining = this.remaining[at] as bigint;
      if (remaining <= 0n) continue;
      this.orders[to] = this.orders[at] as O;
      this.ids[to] = this.ids[at];
      this.member[to] = this.member[at] as number;
      this.gift[to] = this.gift[at] as bigint;
      this.remaining[to] = remaining;
      this.base[to] = this.base[at] as bigint;
      to++;
    }
    this.length = to;
    this.orders.length = to;
    this.ids.length = to;
  }

  private grow(): void {
    const size = this.member.length * 2;
    const member = new Int32Array(size);
    member.set(this.member);
    this.member = member;
    for (const name of ["gift", "remaining", "base"] as const) {
      const next = new BigInt64Array(size);
      next.set(this[name]);
      this[name] = next;
    }
  }

  private fit(value: bigint, what: string): bigint {
    if (value <= INT64_MAX && value >= INT64_MIN) return value;
    this.outOfRange ??= `${what} ${value} µ is outside the 64-bit range of the settlement's columns`;
    return 0n;
  }
}
