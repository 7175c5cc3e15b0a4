/** parseJsonLossless: JSON numbers as their exact decimal text (issue 8). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { JsonSyntaxError, parseJsonLossless } from "./json.ts";
import { parseDecimal } from "./money.ts";

test("numbers come back as their exact text; everything else as JSON.parse gives it", () => {
  assert.deepEqual(
    parseJsonLossless(
      '{"a":12.50,"b":9007199254740993,"c":[0.10000000000000001,-3,1e3],"d":[true,null,"x"]}',
    ),
    {
      a: "12.50",
      b: "9007199254740993",
      c: ["0.10000000000000001", "-3", "1e3"],
      d: [true, null, "x"],
    },
  );
  assert.equal(parseDecimal(parseJsonLossless("12.50"), 2), 12_500_000n);
  assert.throws(() => parseDecimal(parseJsonLossless("0.10000000000000001")), /more than 6 decimal places/);
});

test("invalid JSON and a key given twice are refused with a JsonSyntaxError", () => {
  for (const text of ["", "{", '{"a":1} x', "01", '{"a":1,"a":2}'])
    assert.throws(
      () => parseJsonLossless(text),
      (e: unknown) => e instanceof JsonSyntaxError && e.name === "JsonSyntaxError" && e.message.length > 0,
      text,
    );
  const proto = parseJsonLossless('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(proto), Object.prototype, "__proto__ is an ordinary key");
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
