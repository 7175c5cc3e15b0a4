/** Heap: the engine's min-heap (exit queue order). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Heap } from "./heap.ts";
import { mulberry32 } from "./prng.ts";

test("an empty heap has size 0 and peeks and pops undefined", () => {
  const heap = new Heap<number>((a, b) => a < b);
  assert.equal(heap.size, 0);
  assert.equal(heap.peek(), undefined);
  assert.equal(heap.pop(), undefined);
  assert.equal(heap.size, 0);
});

test("pops in the order of `less`, smallest first, whatever the order of the pushes", () => {
  const rand = mulberry32(42);
  for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 100]) {
    for (let round = 0; round < 20; round++) {
      const values = Array.from({ length: n }, () => Math.floor(rand() * n));
      const heap = new Heap<number>((a, b) => a < b);
      for (const v of values) heap.push(v);
      assert.equal(heap.size, n);
      const sorted = [...values].sort((a, b) => a - b);
      const out: number[] = [];
      while (heap.size > 0) {
        assert.equal(heap.peek(), sorted[out.length]);
        out.push(heap.pop() as number);
      }
      assert.deepEqual(out, sorted, values.join(","));
      assert.equal(heap.pop(), undefined);
    }
  }
});

test("the ordering is the caller's: a max-heap with `a > b`", () => {
  const heap = new Heap<number>((a, b) => a > b);
  for (const v of [3, 9, 1, 7, 5]) heap.push(v);
  assert.equal(heap.peek(), 9);
  assert.deepEqual([heap.pop(), heap.pop(), heap.pop(), heap.pop(), heap.pop()], [9, 7, 5, 3, 1]);
});

test("pushes and pops interleaved keep the smallest on top", () => {
  const rand = mulberry32(7);
  const heap = new Heap<number>((a, b) => a < b);
  const model: number[] = [];
  for (let i = 0; i < 2000; i++) {
    if (model.length > 0 && rand() < 0.4) {
      model.sort((a, b) => a - b);
      assert.equal(heap.pop(), model.shift());
    } else {
      const v = Math.floor(rand() * 50);
      heap.push(v);
      model.push(v);
    }
    assert.equal(heap.size, model.length);
    assert.equal(heap.peek(), model.length === 0 ? undefined : Math.min(...model));
  }
});
