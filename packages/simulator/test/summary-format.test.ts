/** The summary's sentences read as an operator expects: grouped amounts, ratios as percentages, exact. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { simulate } from "../src/index.ts";
import { grouped, percent } from "../src/summary.ts";
import { SMALL_PARAMS, smallPlan } from "./support.ts";

test("grouped puts a comma every three digits of the whole part only", () => {
  assert.equal(grouped("0"), "0");
  assert.equal(grouped("999"), "999");
  assert.equal(grouped("1000"), "1,000");
  assert.equal(grouped("8778464.14"), "8,778,464.14");
  assert.equal(grouped("-1234567.123456"), "-1,234,567.123456");
  assert.equal(grouped("123456789012345678901234567890.5"), "123,456,789,012,345,678,901,234,567,890.5");
  assert.equal(grouped(""), "");
});

test("percent moves the point two places without rounding", () => {
  assert.equal(percent("0.4146"), "41.46%");
  assert.equal(percent("0.0343"), "3.43%");
  assert.equal(percent("0.0000"), "0.00%");
  assert.equal(percent("2.5037"), "250.37%");
  assert.equal(percent("123.4567"), "12,345.67%");
  assert.equal(percent("-0.0050"), "-0.50%");
  assert.equal(percent(""), "—");
});

test("a run's summary sentences show its totals grouped and as percentages", () => {
  const { summary } = simulate({
    plan: smallPlan({ days: "60", growth: { curve: "constant", perDay: "40" } }),
    params: SMALL_PARAMS,
  }).primary;
  const last = summary.lines.at(-1) as string;
  assert.ok(BigInt(summary.totals.sales.split(".")[0] as string) >= 1000n, `sales ${summary.totals.sales}`);
  assert.ok(last.includes(`累计销售 ${grouped(summary.totals.sales)}`), last);
  assert.match(last, /累计销售 \d{1,3}(,\d{3})+/);
  assert.ok(last.includes(`占销售 ${percent(summary.totals.payoutsToSales)}`), last);
  assert.match(last, /占销售 [\d,]+\.\d\d%/);
});
