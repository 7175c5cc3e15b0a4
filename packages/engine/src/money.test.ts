import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ceilDiv,
  ceilFen,
  DecimalError,
  decimalReasonZh,
  FEN,
  floorDiv,
  floorFen,
  formatDecimal,
  formatFixed,
  formatPrice,
  min,
  mulDivFloor,
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

test("formatDecimal prints what whole / fraction by bigint division printed, for every length and sign", () => {
  const byDivision = (micro: bigint) => {
    const abs = micro < 0n ? -micro : micro;
    const frac = (abs % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
    const text = frac ? `${abs / 1_000_000n}.${frac}` : `${abs / 1_000_000n}`;
    return micro < 0n ? `-${text}` : text;
  };
  for (let length = 1; length <= 30; length++)
    for (const digits of [
      "1".repeat(length),
      `9${"0".repeat(length - 1)}`,
      "1234567890".repeat(3).slice(0, length),
    ])
      for (const micro of [BigInt(digits), -BigInt(digits), BigInt(digits) * 1000n, BigInt(digits) + 7n])
        assert.equal(formatDecimal(micro), byDivision(micro), `${micro}`);
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

test("parseDecimal: signs, spaces, bigint input, trailing zeros and the places allowed", () => {
  assert.equal(parseDecimal(" +1.50 "), 1_500_000n);
  assert.equal(parseDecimal("-0.000001"), -1n);
  assert.equal(parseDecimal(7n), 7_000_000n);
  assert.equal(parseDecimal(-7n), -7_000_000n);
  assert.equal(parseDecimal("3.000000000"), 3_000_000n, "trailing zeros are not places");
  assert.equal(parseDecimal("0.10", 1), 100_000n);
  assert.equal(parseDecimal("1.123456"), 1_123_456n, "6 places by default");
  assert.equal(parseDecimal("1.12", 2), 1_120_000n);
  assert.equal(parseDecimal("5", 0), 5_000_000n);
  assert.throws(
    () => parseDecimal("5.5", 0),
    (e: unknown) => e instanceof DecimalError && e.reason === "places",
  );
  // The bound is 10¹⁸ units: exactly it is accepted, one micro-unit more is not.
  assert.equal(parseDecimal("1000000000000000000"), 10n ** 24n);
  assert.equal(parseDecimal("-1000000000000000000"), -(10n ** 24n));
  for (const over of ["1000000000000000000.000001", "-1000000000000000000.000001"]) {
    assert.throws(
      () => parseDecimal(over),
      (e: unknown) => e instanceof DecimalError && e.reason === "range",
    );
  }
  assert.throws(() => parseDecimal("1 2"), DecimalError);
  assert.throws(() => parseDecimal("x1"), DecimalError);
  assert.throws(() => parseDecimal("1x"), DecimalError);
  assert.throws(() => parseDecimal("--1"), DecimalError);
  assert.throws(
    () => parseDecimal(true),
    (e: unknown) => e instanceof DecimalError && e.reason === "format",
  );
});

test("parseDecimal's places allowed stop at 6: micro-units hold no 7th place", () => {
  // 1.1234567 is 1 unit + 1234567 ten-millionths; micro-units cannot hold it. Asking for 7
  // places used to give 1·10⁶ + 1234567 = 2234567 (2.234567), twice the value.
  for (const places of [7, 8, -1, 1.5, Number.NaN]) {
    assert.throws(() => parseDecimal("1.1234567", places), RangeError, `maxPlaces ${places}`);
    assert.throws(() => parseDecimal("1.5", places), RangeError, `maxPlaces ${places}`);
  }
  assert.throws(() => parseDecimal("1", 7), {
    message: "maxPlaces must be a whole number from 0 to 6: 7",
  });
  // The edges themselves: 6 and 0 places.
  assert.equal(parseDecimal("0.000001", 6), 1n);
  assert.equal(parseDecimal("2", 0), 2_000_000n);
});

test("parseDecimal reads JSON numbers in exponent notation from their expanded decimal text", () => {
  assert.equal(parseDecimal(-1e-6), -1n);
  assert.equal(parseDecimal(1e17), 10n ** 23n, "JS writes 1e17 without an exponent");
  // From 10²¹ up and below 10⁻⁶ JS writes an exponent; the text read (and named) is the expanded decimal.
  assert.throws(() => parseDecimal(1e21), { message: `out of range: 1${"0".repeat(21)}` });
  assert.throws(() => parseDecimal(-1.5e21), { message: `out of range: -15${"0".repeat(20)}` });
  assert.throws(() => parseDecimal(1.25e22), { message: `out of range: 125${"0".repeat(20)}` });
  assert.throws(() => parseDecimal(1.5e-7), { message: "more than 6 decimal places: 0.00000015" });
  assert.throws(() => parseDecimal(-2e-7), { message: "more than 6 decimal places: -0.0000002" });
  assert.throws(() => parseDecimal(1.23e-10), { message: "more than 6 decimal places: 0.000000000123" });
  assert.throws(() => parseDecimal(-1.2e-7), { message: "more than 6 decimal places: -0.00000012" });
  assert.throws(() => parseDecimal(1.234e25), { message: `out of range: 1234${"0".repeat(22)}` });
});

test("a refused decimal says what is wrong, in English and in Chinese", () => {
  const error = (input: unknown, places?: number): DecimalError => {
    try {
      parseDecimal(input, places);
    } catch (e) {
      assert.ok(e instanceof DecimalError);
      return e;
    }
    assert.fail(`accepted ${String(input)}`);
  };
  const format = error("abc");
  assert.equal(format.reason, "format");
  assert.equal(error(null).reason, "format");
  assert.equal(format.name, "DecimalError");
  assert.equal(format.input, "abc");
  assert.equal(format.message, 'not a decimal: "abc"');
  assert.equal(decimalReasonZh(format), "须为十进制数（如 0.5）");
  assert.equal(error({ a: 1 }).message, 'not a decimal: {"a":1}');
  const places = error("1.234", 2);
  assert.equal(places.message, "more than 2 decimal places: 1.234");
  assert.equal(decimalReasonZh(places, 2), "最多 2 位小数");
  assert.equal(decimalReasonZh(error("0.0000001")), "最多 6 位小数");
  const range = error("1".repeat(30));
  assert.equal(range.message, `out of range: ${"1".repeat(30)}`);
  assert.equal(decimalReasonZh(range), "超出允许的范围");
});

test("formatDecimal and formatFixed: signs, zero and whole numbers", () => {
  assert.equal(formatDecimal(5_000_000n), "5");
  assert.equal(formatDecimal(-5_000_000n), "-5");
  assert.equal(formatDecimal(-1n), "-0.000001");
  assert.equal(formatDecimal(10_000_000n), "10", "only the fraction's zeros are trimmed");
  assert.equal(formatDecimal(100_500_000n), "100.5");
  assert.equal(formatFixed(-7_500_000n, 0), "-7");
  assert.equal(formatFixed(7_999_999n, 2), "7.99", "cut, not rounded");
  assert.equal(formatFixed(-1n, 6), "-0.000001");
  assert.equal(formatFixed(123_000_000n, 6), "123.000000");
});

test("floorDiv, ceilDiv, floorFen, ceilFen and mulDivFloor for every sign", () => {
  assert.equal(floorDiv(6n, 3n), 2n);
  assert.equal(floorDiv(-6n, 3n), -2n);
  assert.equal(floorDiv(7n, -2n), -4n);
  assert.equal(floorDiv(-7n, -2n), 3n);
  assert.equal(floorDiv(0n, 5n), 0n);
  assert.equal(ceilDiv(7n, 2n), 4n);
  assert.equal(ceilDiv(-7n, 2n), -3n);
  assert.equal(ceilDiv(6n, 3n), 2n);
  assert.equal(floorFen(-10_000n), -10_000n);
  assert.equal(floorFen(19_999n), 10_000n);
  assert.equal(ceilFen(-10_001n), -10_000n);
  assert.equal(ceilFen(0n), 0n);
  assert.equal(mulDivFloor(10n, 10n, 3n), 33n);
  assert.equal(mulDivFloor(-10n, 10n, 3n), -34n);
  assert.equal(mulRateFloor(-1n, 500_000n), -1n);
  assert.equal(min(3n, 2n), 2n);
  assert.equal(min(-3n, 2n), -3n);
  assert.equal(min(4n, 4n), 4n);
});

test("formatPrice needs a positive supply and pads the fraction", () => {
  assert.throws(() => formatPrice(1n, 0n), { name: "RangeError", message: "price needs a positive supply" });
  assert.throws(() => formatPrice(1n, -1n), { name: "RangeError", message: "price needs a positive supply" });
  assert.equal(formatPrice(1_000_100n, 1_000_000n), "1.0001");
  assert.equal(formatPrice(0n, 1_000_000n), "0.0000");
  assert.equal(formatPrice(100_000_000n, 3_000_000n), "33.3333");
  assert.equal(formatPrice(200_000_000n, 3_000_000n), "66.6667");
  // Exactly half way (0.00005) rounds up.
  assert.equal(formatPrice(50n, 1_000_000n), "0.0001");
  assert.equal(formatPrice(49n, 1_000_000n), "0.0000");
});
