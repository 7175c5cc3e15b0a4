/** ReleaseQueue: the release plan's orders with gift left, as the settlement's columns. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { INT64_MAX, INT64_MIN } from "./limits.ts";
import { ReleaseQueue } from "./release-queue.ts";

type O = { readonly n: number };

test("columns hold the queued orders in the order they were pushed", () => {
  const q = new ReleaseQueue<O>();
  const empty = q.columns();
  assert.equal(empty.orderMember.length, 0);
  assert.equal(q.orderIds().length, 0);
  q.push({ n: 1 }, "o1", 3, 100n, 10n);
  q.push({ n: 2 }, undefined, 5, 200n, 20n);
  const c = q.columns();
  assert.deepEqual([...c.orderMember], [3, 5]);
  assert.deepEqual([...c.orderRemaining], [100n, 200n]);
  assert.deepEqual([...c.orderBase], [10n, 20n]);
  assert.deepEqual(Array.from(q.orderIds()), ["o1", undefined]);
});

test("settled stores the remaining gift; finished orders leave the columns, the others keep their order", () => {
  const q = new ReleaseQueue<O>();
  const orders = [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }];
  for (const [i, o] of orders.entries()) q.push(o, `o${i}`, i, 100n, 1n);
  assert.throws(() => q.settled(new BigInt64Array(3)), /one remaining gift per queued order/);
  q.settled(BigInt64Array.from([0n, 40n, 0n, 2n ** 40n]));
  // Kept whole while no column was asked for.
  assert.deepEqual(Array.from(q.orderIds()), ["o0", "o1", "o2", "o3"]);
  const c = q.columns();
  assert.deepEqual([...c.orderMember], [1, 3]);
  assert.deepEqual(
    [...c.orderRemaining],
    [40n, 2n ** 40n],
    "a remaining gift of 2^40 has a zero low half but is not 0",
  );
  assert.deepEqual(Array.from(q.orderIds()), ["o1", "o3"]);
  // A remaining gift whose high half is zero (below 2^32) is not 0 either.
  q.settled(BigInt64Array.from([0n, 1n]));
  assert.deepEqual([...q.columns().orderMember], [3]);
});

test("take: a queued order's remaining and released gift; an order no longer queued released all", () => {
  const q = new ReleaseQueue<O>();
  const a = { n: 1 };
  const b = { n: 2 };
  const c = { n: 3 };
  q.push(a, "a", 1, 100n, 1n);
  q.push(b, "b", 2, 50n, 1n);
  q.push(c, "c", 3, 70n, 1n);
  q.settled(BigInt64Array.from([60n, 50n, 0n]));
  assert.deepEqual(q.take(a, 100n), { remaining: 60n, released: 40n });
  assert.deepEqual(Array.from(q.orderIds()), ["b"], "the taken order and the finished one are gone");
  assert.deepEqual([...q.columns().orderRemaining], [50n]);
  assert.deepEqual(q.take(a, 100n), { remaining: 0n, released: 100n });
  assert.deepEqual(q.take({ n: 9 }, 7n), { remaining: 0n, released: 7n });
  assert.deepEqual(q.take(b, 50n), { remaining: 50n, released: 0n });
  assert.equal(q.columns().orderMember.length, 0);
});

test("grows past its first 1024 orders keeping every column", () => {
  const q = new ReleaseQueue<O>();
  const n = 5000;
  for (let i = 0; i < n; i++) q.push({ n: i }, `o${i}`, i, BigInt(i + 1) * 1000n, BigInt(i + 1));
  const c = q.columns();
  assert.equal(c.orderMember.length, n);
  for (const i of [0, 1023, 1024, 2047, 2048, 4999]) {
    assert.equal(c.orderMember[i], i);
    assert.equal(c.orderRemaining[i], BigInt(i + 1) * 1000n);
    assert.equal(c.orderBase[i], BigInt(i + 1));
  }
  assert.equal(q.orderIds()[4999], "o4999");
});

test("a gift or base outside 64 bits is refused when the columns are read, naming the first", () => {
  for (const [gift, base, what] of [
    [INT64_MAX + 1n, 1n, `an order's remaining gift ${INT64_MAX + 1n} µ`],
    [INT64_MIN - 1n, 1n, `an order's remaining gift ${INT64_MIN - 1n} µ`],
    [1n, INT64_MAX + 1n, `an order's daily base ${INT64_MAX + 1n} µ`],
  ] as const) {
    const q = new ReleaseQueue<O>();
    q.push({ n: 1 }, "o", 0, gift, base);
    q.push({ n: 2 }, "p", 0, INT64_MAX + 5n, 1n);
    assert.throws(
      () => q.columns(),
      (e: unknown) =>
        e instanceof Error &&
        e.message === `invariant violated: ${what} is outside the 64-bit range of the settlement's columns`,
    );
  }
  const edge = new ReleaseQueue<O>();
  edge.push({ n: 1 }, "o", 0, INT64_MAX, INT64_MIN);
  assert.deepEqual([...edge.columns().orderRemaining], [INT64_MAX]);
  assert.deepEqual([...edge.columns().orderBase], [INT64_MIN]);
});
