import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ceilFen,
  DecimalError,
  FEN,
  floorDiv,
  floorFen,
  formatDecimal,
  formatFixed,
  formatPrice,
  mulRateFloor,
  parseDecimal,
} from "./money.ts";

test("parseDecimal reads strings and JSON numbers exactly into micro-units", () => {
  assert.equal(parseDecimal("1"), 1_000_000n);
  assert.equal(parseDecimal("0.3"), 300_000n);
  assert.equal(parseDecimal(0.1), 100_000n);
  assert.equal(parseDecimal("-2.5"), -2_500_000n);
  assert.equal(parseDecimal("12.345600"), 12_345_600n);
  assert.equal(parseDecimal(1e-6), 1n);
  assert.equal(parseDecimal(1.5e3), 1_500_000_000n);
});

test("parseDecimal refuses garbage and too many places, naming the problem", () => {
  assert.throws(
    () => parseDecimal("1.234", 2),
    (e: unknown) => e instanceof DecimalError && e.reason === "places",
  );
  assert.throws(
    () => parseDecimal("0.0000001"),
    (e: unknown) => e instanceof DecimalError && e.reason === "places",
  );
  for (const bad of [
    "",
    "abc",
    "1,5",
    "1e5",
    "0x10",
    ".5",
    "5.",
    null,
    undefined,
    {},
    [],
    Number.NaN,
    Infinity,
  ]) {
    assert.throws(() => parseDecimal(bad), DecimalError, `should refuse ${String(bad)}`);
  }
  assert.throws(
    () => parseDecimal("1".repeat(30)),
    (e: unknown) => e instanceof DecimalError && e.reason === "range",
  );
});

test("formatDecimal prints without trailing zeros and round-trips", () => {
  assert.equal(formatDecimal(0n), "0");
  assert.equal(formatDecimal(14_700_000n), "14.7");
  assert.equal(formatDecimal(-3_250_000n), "-3.25");
  assert.equal(formatDecimal(1n), "0.000001");
  for (const text of ["59.4405", "0.000001", "123456789.123456", "-0.5"]) {
    assert.equal(formatDecimal(parseDecimal(text)), text);
  }
  assert.equal(formatFixed(12_300_000n, 2), "12.30");
});

test("rounding helpers round in the stated direction for both signs", () => {
  assert.equal(floorDiv(7n, 2n), 3n);
  assert.equal(floorDiv(-7n, 2n), -4n);
  assert.equal(floorFen(12_345n), 10_000n);
  assert.equal(ceilFen(10_001n), 20_000n);
  assert.equal(ceilFen(20_000n), 20_000n);
  assert.equal(floorFen(-1n), -FEN);
  // 33.33 × 0.3 = 9.999 exactly; 0.000001 × 0.5 rounds down to 0.
  assert.equal(mulRateFloor(33_330_000n, 300_000n), 9_999_000n);
  assert.equal(mulRateFloor(1n, 500_000n), 0n);
});

test("formatPrice rounds the exact ratio half-up to 4 decimals", () => {
  assert.equal(formatPrice(30_000_000n, 21_000_000n), "1.4286");
  assert.equal(formatPrice(120_000_000n, 59_440_500n), "2.0188");
  assert.equal(formatPrice(1_000_000n, 1_000_000n), "1.0000");
  // 0.10005 rounds up, 0.100049 down.
  assert.equal(formatPrice(100_050n, 1_000_000n), "0.1001");
  assert.equal(formatPrice(100_049n, 1_000_000n), "0.1000");
});
