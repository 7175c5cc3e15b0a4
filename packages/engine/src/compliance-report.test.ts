/**
 * The whole compliance report, word for word, of a few parameter sets
 * (test/fixtures/compliance-cases.json → compliance-reports.json): the rule
 * names, the settings quoted, every note's sentences with their depths and
 * amounts, the disclaimer. The operator reads these words for a legal review,
 * so a change to them is a change to review. After an intended change, rewrite
 * the fixture and read the diff.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import casesJson from "../test/fixtures/compliance-cases.json" with { type: "json" };
import expectedJson from "../test/fixtures/compliance-reports.json" with { type: "json" };
import { complianceReport, complianceReportJson } from "./compliance.ts";
import { configFromInput } from "./config.ts";

const cases: Record<string, unknown> = casesJson;
const expected: Record<string, unknown> = expectedJson;

test("each case's report is the one in the fixture, word for word", () => {
  assert.deepEqual(Object.keys(expected), Object.keys(cases));
  for (const [name, patch] of Object.entries(cases)) {
    const json = complianceReportJson(complianceReport(configFromInput(patch).config));
    assert.deepEqual(JSON.parse(JSON.stringify(json)), expected[name], name);
  }
});
