/** Growable columns indexed by member (join order), for the per-member figures of a simulation. */

export class IntColumn {
  private data = new Int32Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  at(i: number): number {
    return this.data[i] as number;
  }
  /** The first `n` entries (n ≤ length), a view: valid until the next push. */
  view(n: number): Int32Array {
    return this.data.subarray(0, n);
  }
}

export class BigColumn {
  private data = new BigInt64Array(1024);
  /** Adds to entry i, growing the column as needed. */
  add(i: number, value: bigint): void {
    if (i >= this.data.length) {
      let size = this.data.length;
      while (size <= i) size *= 2;
      const next = new BigInt64Array(size);
      next.set(this.data);
      this.data = next;
    }
    this.data[i] = (this.data[i] as bigint) + value;
  }
  at(i: number): bigint {
    return i < this.data.length ? (this.data[i] as bigint) : 0n;
  }
}

/** A set of member indexes kept in the order first added (so draws from it are reproducible). */
export class MemberSet {
  readonly list = new IntColumn();
  private seen = new Uint8Array(1024);
  add(i: number): void {
    if (i >= this.seen.length) {
      let size = this.seen.length;
      while (size <= i) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.seen);
      this.seen = next;
    }
    if (this.seen[i] === 1) return;
    this.seen[i] = 1;
    this.list.push(i);
  }
  get size(): number {
    return this.list.length;
  }
  /** The members of the set in index order (a view of a reused array: valid until the next call). */
  ascending(): Int32Array {
    if (this.sorted.length < this.list.length) this.sorted = new Int32Array(2 * this.list.length);
    const seen = this.seen;
    const sorted = this.sorted;
    let n = 0;
    for (let i = 0; i < seen.length; i++) if (seen[i] === 1) sorted[n++] = i;
    return sorted.subarray(0, n);
  }
  private sorted = new Int32Array(0);
}
