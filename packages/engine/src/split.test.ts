/** splitPoints and pointsCapMicro by example: largest remainders, caps over several rounds, refusals with their fields. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { EngineError } from "./errors.ts";
import { FEN } from "./money.ts";
import { mulberry32 } from "./prng.ts";
import { pointsCapMicro, splitPoints } from "./split.ts";

const fen = (n: bigint) => n * FEN;
const open = (amountMicro: bigint) => ({ amountMicro, capMicro: fen(1000n) });

test("the fen left after the floors go to the largest remainders first, not to the earliest items", () => {
  // 3 fen over amounts 10 : 25 : 35 → exact 0.43, 1.07, 1.50: floors 0, 1, 1, the last fen to the .50.
  assert.deepEqual(splitPoints(fen(3n), [open(10n), open(25n), open(35n)]), [0n, fen(1n), fen(2n)]);
  // Reversed, the same shares follow their items.
  assert.deepEqual(splitPoints(fen(3n), [open(35n), open(25n), open(10n)]), [fen(2n), fen(1n), 0n]);
  // 5 fen over 1 : 1 : 1 : 1 : 4 → 0.625 ×4 and 2.5: floors 0,0,0,0,2; remainders 5,5,5,5,4 (of 8) → the first three.
  assert.deepEqual(splitPoints(fen(5n), [open(1n), open(1n), open(1n), open(1n), open(4n)]), [
    fen(1n),
    fen(1n),
    fen(1n),
    0n,
    fen(2n),
  ]);
});

test("a cap below the floor binds, and the rest goes round the others until none is left", () => {
  // 10 fen over 3 : 1 with the first capped at 2 fen: floors 7 → 2 (cap) and 2; 6 left, all to the second.
  assert.deepEqual(
    splitPoints(fen(10n), [
      { amountMicro: 3n, capMicro: fen(2n) },
      { amountMicro: 1n, capMicro: fen(100n) },
    ]),
    [fen(2n), fen(8n)],
  );
  // Exactly the caps' sum: every item at its cap.
  assert.deepEqual(
    splitPoints(fen(7n), [
      { amountMicro: 1n, capMicro: fen(3n) },
      { amountMicro: 5n, capMicro: fen(4n) },
    ]),
    [fen(3n), fen(4n)],
  );
  // A cap with a part of a fen counts its whole fen only; a negative cap counts as 0.
  assert.deepEqual(
    splitPoints(fen(2n), [
      { amountMicro: 1n, capMicro: fen(1n) + 9_999n },
      { amountMicro: 1n, capMicro: -fen(5n) },
      { amountMicro: 1n, capMicro: fen(1n) },
    ]),
    [fen(1n), 0n, fen(1n)],
  );
});

test("a total of 0 gives every item 0, also with no room at all", () => {
  assert.deepEqual(splitPoints(0n, [{ amountMicro: 5n, capMicro: 0n }, open(7n)]), [0n, 0n]);
  assert.deepEqual(splitPoints(0n, []), []);
});

test("each refusal names its code, detail and field", () => {
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof EngineError);
      return [e.code, e.detail, e.field];
    }
    return assert.fail("not refused");
  };
  const items = [{ amountMicro: 100n, capMicro: fen(50n) }];
  assert.deepEqual(
    refusal(() => splitPoints(-FEN, items)),
    ["AMOUNT_NEGATIVE", "points", "points"],
  );
  assert.deepEqual(
    refusal(() => splitPoints(fen(1n) + 1n, items)),
    ["TOO_MANY_PLACES", "points are paid in whole fen", "points"],
  );
  assert.deepEqual(
    refusal(() => splitPoints(fen(51n), items)),
    ["POINTS_OVER_RATIO", "at most 500000 micro-units", "points"],
  );
  for (const amountMicro of [0n, -1n])
    assert.deepEqual(
      refusal(() => splitPoints(0n, [open(5n), { amountMicro, capMicro: fen(1n) }])),
      ["AMOUNT_NOT_POSITIVE", "an item's amount", "items"],
    );
  assert.deepEqual(splitPoints(fen(50n), items), [fen(50n)], "exactly the caps' sum is allowed");
});

test("an order's points cap: amount × ratio, rounded down to the fen", () => {
  assert.equal(pointsCapMicro(123_456_789n, 500_000n), 61_720_000n);
  assert.equal(pointsCapMicro(fen(100n), 1_000_000n), fen(100n));
  assert.equal(pointsCapMicro(10_000n, 999_999n), 0n);
  assert.equal(pointsCapMicro(fen(3n), 0n), 0n);
});

/** The rule written plainly: floors within caps, then one fen at a time by largest remainder, ties to the earlier item. */
function reference(total: bigint, items: readonly { amountMicro: bigint; capMicro: bigint }[]): bigint[] {
  const t = total / FEN;
  const caps = items.map((item) => (item.capMicro > 0n ? item.capMicro / FEN : 0n));
  const sum = items.reduce((a, item) => a + item.amountMicro, 0n);
  const shares = items.map((item, i) => {
    const floor = (t * item.amountMicro) / sum;
    const cap = caps[i] as bigint;
    return floor < cap ? floor : cap;
  });
  const ranked = items
    .map((item, i) => ({ i, r: (t * item.amountMicro) % sum }))
    .sort((x, y) => (x.r === y.r ? x.i - y.i : x.r > y.r ? -1 : 1))
    .map((x) => x.i);
  let left = t - shares.reduce((a, b) => a + b, 0n);
  while (left > 0n)
    for (const i of ranked) {
      if (left > 0n && (shares[i] as bigint) < (caps[i] as bigint)) {
        shares[i] = (shares[i] as bigint) + 1n;
        left -= 1n;
      }
    }
  return shares.map((s) => s * FEN);
}

test("large carts with many equal remainders: ties go to the earlier item however long the cart", () => {
  const rand = mulberry32(15);
  for (let round = 0; round < 60; round++) {
    const n = 20 + Math.floor(rand() * 180);
    // Few distinct amounts, so many items share a remainder.
    const items = Array.from({ length: n }, () => {
      const amountMicro = BigInt(1 + Math.floor(rand() * 4)) * 7n;
      return { amountMicro, capMicro: fen(BigInt(Math.floor(rand() * 5))) };
    });
    const capSum = items.reduce((a, item) => a + item.capMicro / FEN, 0n);
    const total = fen(BigInt(Math.floor(rand() * Number(capSum + 1n))));
    assert.deepEqual(splitPoints(total, items), reference(total, items), `round ${round}`);
  }
});
