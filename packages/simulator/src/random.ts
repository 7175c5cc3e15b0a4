/**
 * The simulator's only randomness: a seeded integer generator (mulberry32's
 * mixing, returning 32-bit integers), so the same seed gives the same members,
 * orders and behaviour, and no money ever passes through a float.
 */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next 32-bit unsigned integer. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A whole number in [0, n) for 0 < n ≤ 2³²: (u32 × n) / 2³², exact in a double (< 2⁵³ for n < 2²¹; else modulo). */
  below(n: number): number {
    if (n <= 0x200000) return Math.floor((this.next() * n) / 4294967296);
    return (this.next() * 0x200000 + (this.next() >>> 11)) % n;
  }

  /** A whole number in [0, 1,000,000): a draw in parts per million. */
  ppm(): number {
    return this.below(1_000_000);
  }
}

/** A derived seed for an independent stream (growth, orders, behaviour), so streams do not shift each other. */
export function streamSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
