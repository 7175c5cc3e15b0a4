/**
 * mulberry32: a small seeded pseudo-random generator of floats in [0, 1). Pure
 * and deterministic (the same seed gives the same sequence), so the engine can
 * hold it without holding any randomness; used by the data generators of the
 * benchmarks, the tests and `jifen demo-data`, never by a reward rule.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
