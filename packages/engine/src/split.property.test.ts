/**
 * Property tests of the cart's points split (split.ts, docs/rules.md "Shop:
 * a cart"): the parts sum to the whole, each is within its item's cap and in
 * whole fen, each is within one fen of its exact proportional share when no
 * cap binds, the split is deterministic with ties to the earlier item, and a
 * total over the caps is refused.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { EngineError } from "./errors.ts";
import { FEN } from "./money.ts";
import { pointsCapMicro, type SplitItem, splitPoints } from "./split.ts";
import { propertyParams } from "./testing/arbitraries.ts";

/** Items of whole-fen amounts with a ratio's caps, and a total the caps allow. */
const cartOf = (ratioArb: fc.Arbitrary<bigint>) =>
  fc
    .record({
      amountsFen: fc.array(fc.bigInt({ min: 1n, max: 10_000_000n }), { minLength: 1, maxLength: 8 }),
      ratioMicro: ratioArb,
      fraction: fc.bigInt({ min: 0n, max: 1_000n }),
    })
    .map(({ amountsFen, ratioMicro, fraction }) => {
      const items: SplitItem[] = amountsFen.map((fen) => ({
        amountMicro: fen * FEN,
        capMicro: pointsCapMicro(fen * FEN, ratioMicro),
      }));
      const capSum = items.reduce((a, item) => a + item.capMicro, 0n);
      const totalMicro = (((capSum / FEN) * fraction) / 1_000n) * FEN;
      return { items, totalMicro, ratioMicro };
    });
const cartArb = cartOf(fc.bigInt({ min: 0n, max: 1_000_000n }));

test("the parts sum to the whole, each within its cap, in whole fen, never negative", () => {
  fc.assert(
    fc.property(cartArb, ({ items, totalMicro }) => {
      const parts = splitPoints(totalMicro, items);
      assert.equal(parts.length, items.length);
      assert.equal(
        parts.reduce((a, b) => a + b, 0n),
        totalMicro,
      );
      parts.forEach((part, i) => {
        assert.ok(part >= 0n);
        assert.ok(part <= (items[i] as SplitItem).capMicro, `part ${part} over cap`);
        assert.equal(part % FEN, 0n);
      });
    }),
    propertyParams(500),
  );
});

test("each part is within one fen of its exact share when the ratio is 100% (no cap binds)", () => {
  fc.assert(
    fc.property(cartOf(fc.constant(1_000_000n)), ({ items, totalMicro }) => {
      const parts = splitPoints(totalMicro, items);
      const amountSum = items.reduce((a, item) => a + item.amountMicro, 0n);
      parts.forEach((part, i) => {
        // |part − total × a_i / A| < 1 fen, compared exactly: |part × A − total × a_i| < FEN × A.
        const diff = part * amountSum - totalMicro * (items[i] as SplitItem).amountMicro;
        assert.ok((diff < 0n ? -diff : diff) < FEN * amountSum);
      });
    }),
    propertyParams(300),
  );
});

test("the split is deterministic: the same input gives the same parts", () => {
  fc.assert(
    fc.property(cartArb, ({ items, totalMicro }) => {
      assert.deepEqual(splitPoints(totalMicro, items), splitPoints(totalMicro, [...items]));
    }),
    propertyParams(200),
  );
});

test("ties go to the earlier item; a capped item is skipped", () => {
  const fen = (n: bigint) => n * FEN;
  const same = { amountMicro: fen(100n), capMicro: fen(100n) };
  // 1 fen over three equal items: the first takes it.
  assert.deepEqual(splitPoints(fen(1n), [same, same, same]), [fen(1n), 0n, 0n]);
  // 2 fen: the first two.
  assert.deepEqual(splitPoints(fen(2n), [same, same, same]), [fen(1n), fen(1n), 0n]);
  // Proportional 3:1 of 100.00 → 75.00 and 25.00 exactly.
  assert.deepEqual(
    splitPoints(fen(10_000n), [
      { amountMicro: fen(30_000n), capMicro: fen(30_000n) },
      { amountMicro: fen(10_000n), capMicro: fen(10_000n) },
    ]),
    [fen(7_500n), fen(2_500n)],
  );
  // The first item is capped at 0 (ratio 0 on it): everything goes to the second.
  assert.deepEqual(
    splitPoints(fen(5n), [
      { amountMicro: fen(100n), capMicro: 0n },
      { amountMicro: fen(100n), capMicro: fen(50n) },
    ]),
    [0n, fen(5n)],
  );
});

test("refuses a total over the caps, a negative total and a part of a fen", () => {
  const items = [{ amountMicro: 100n * FEN, capMicro: 50n * FEN }];
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (error) {
      return (error as EngineError).code;
    }
    return null;
  };
  assert.equal(
    code(() => splitPoints(51n * FEN, items)),
    "POINTS_OVER_RATIO",
  );
  assert.equal(
    code(() => splitPoints(-FEN, items)),
    "AMOUNT_NEGATIVE",
  );
  assert.equal(
    code(() => splitPoints(FEN + 1n, items)),
    "TOO_MANY_PLACES",
  );
  assert.deepEqual(splitPoints(50n * FEN, items), [50n * FEN]);
});
