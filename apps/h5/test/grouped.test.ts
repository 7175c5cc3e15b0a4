import assert from "node:assert/strict";
import { test } from "node:test";
import { grouped } from "../src/components/decimal.ts";

test("amounts get thousands separators, their decimals untouched, as text", () => {
  const cases: [string, string][] = [
    ["0", "0"],
    ["999.99", "999.99"],
    ["1000", "1,000"],
    ["50000.00", "50,000.00"],
    ["46603.00", "46,603.00"],
    ["-1234567.891234", "-1,234,567.891234"],
    ["+7500", "+7,500"],
    ["123456789012.5", "123,456,789,012.5"],
    ["12345678901234567890.01", "12,345,678,901,234,567,890.01"],
    ["abc", "abc"],
    ["", ""],
  ];
  for (const [input, expected] of cases) assert.equal(grouped(input), expected, input);
});
