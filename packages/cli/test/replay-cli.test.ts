/** `jifen replay` as a process: output on stdout, refusals as one stderr line and status 1. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { JIFEN } from "./support.ts";

const tmp = mkdtempSync(join(tmpdir(), "jifen-replay-"));

function replay(scenario: unknown): { status: number | null; stdout: string; stderr: string } {
  const file = join(tmp, `s${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof scenario === "string" ? scenario : JSON.stringify(scenario));
  const result = spawnSync(process.execPath, [...JIFEN, "replay", file], { encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("replays the README scenario to the documented output", () => {
  const fixture = join(import.meta.dirname, "..", "..", "engine", "test", "fixtures", "readme.json");
  const result = spawnSync(process.execPath, [...JIFEN, "replay", fixture], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout);
  assert.equal(out.equity.price, "1.2500");
  assert.equal(out.members.A.equity, "3");
  assert.equal(out.members.B.exitQuota, "300");
  const again = spawnSync(process.execPath, [...JIFEN, "replay", fixture], { encoding: "utf8" });
  assert.equal(again.stdout, result.stdout, "byte for byte");
  assert.equal(readFileSync(fixture, "utf8").length > 0, true);
});

const refusals: [string, unknown, RegExp][] = [
  [
    "unknown member",
    { events: [{ type: "order", member: "X", amount: "1", plans: ["equity"] }] },
    /^event 0: .*X/,
  ],
  [
    "selling more than held",
    {
      events: [
        { type: "join", member: "A" },
        { type: "order", member: "A", amount: "100", plans: ["equity"] },
        { type: "sell", member: "A", points: "21.000001" },
      ],
    },
    /^event 2: .*not enough equity points/,
  ],
  [
    "a malformed amount",
    {
      events: [
        { type: "join", member: "A" },
        { type: "order", member: "A", amount: "12.345", plans: ["equity"] },
      ],
    },
    /^event 1: .*decimal/,
  ],
  [
    "an unknown plan",
    {
      events: [
        { type: "join", member: "A" },
        { type: "order", member: "A", amount: "1", plans: ["lottery"] },
      ],
    },
    /^event 1: .*The plan is unknown: lottery\.$/,
  ],
  [
    "a second join",
    {
      events: [
        { type: "join", member: "A" },
        { type: "join", member: "A" },
      ],
    },
    /^event 1: .*already exists/,
  ],
  [
    "a second order with the same id",
    {
      events: [
        { type: "join", member: "A" },
        { type: "order", member: "A", amount: "1", plans: ["cycle"], id: "o" },
        { type: "order", member: "A", amount: "1", plans: ["cycle"], id: "o" },
      ],
    },
    /^event 2: .*The order id is already used: o\.$/,
  ],
  [
    "a refused setConfig",
    { events: [{ type: "endOfDay" }, { type: "setConfig", config: { equity: { sellFeeRate: "2" } } }] },
    /^event 1: .*equity\.sellFeeRate/,
  ],
  [
    "a refused config, before any event",
    { config: { cycle: { preset: "turbo" } }, events: [] },
    /^config: .*cycle\.preset/,
  ],
  ["an unknown event type", { events: [{ type: "explode" }] }, /^event 0: .*unknown event type/],
  // JSON numbers are read from their text, never through a binary float (issue 8): JSON.parse
  // turned 0.10000000000000001 into 0.1 and accepted it.
  [
    "a JSON number with too many places (0.10000000000000001 points)",
    '{"events":[{"type":"join","member":"A"},{"type":"order","member":"A","amount":100,"plans":["equity"]},' +
      '{"type":"sell","member":"A","points":0.10000000000000001}]}',
    /^event 2: .*too many decimal places.*0\.10000000000000001/,
  ],
  [
    "a JSON number amount with 3 decimals (12.345)",
    '{"events":[{"type":"join","member":"A"},{"type":"order","member":"A","amount":12.345,"plans":[]}]}',
    /^event 1: .*too many decimal places/,
  ],
  [
    "a config number with too many places",
    '{"config":{"equity":{"sellFeeRate":0.10000000000000000001}},"events":[]}',
    /^config: .*equity\.sellFeeRate/,
  ],
  ["not JSON", "{ nope", /^config: .*JSON/],
];

for (const [name, scenario, pattern] of refusals) {
  test(`refuses ${name}: status 1, one stderr line naming the event, nothing on stdout`, () => {
    const result = replay(scenario);
    assert.equal(result.status, 1);
    assert.equal(result.stdout, "");
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] ?? "", pattern);
  });
}

test("usage errors exit with status 2", () => {
  const result = spawnSync(process.execPath, [...JIFEN, "replay"], { encoding: "utf8" });
  assert.equal(result.status, 2);
  const unknown = spawnSync(process.execPath, [...JIFEN, "frobnicate"], { encoding: "utf8" });
  assert.equal(unknown.status, 2);
});

test("a big integer in a scenario keeps every digit (9007199254740993, past 2^53)", () => {
  const result = replay(
    '{"config":{"equity":{"totalSupply":9007199254740993}},"events":[{"type":"join","member":9007199254740993},' +
      '{"type":"order","member":9007199254740993,"amount":12.50,"plans":["equity"]}]}',
  );
  assert.equal(result.status, 0, result.stderr);
  // Read the output as text: the member id is a key, the figures are strings.
  assert.match(result.stdout, /"9007199254740993": \{/);
  assert.doesNotMatch(result.stdout, /9007199254740992/);
  const out = JSON.parse(result.stdout);
  assert.equal(out.members["9007199254740993"].equity, "2.625", "12.50 × 0.3 × 0.7 at 1.00");
});
