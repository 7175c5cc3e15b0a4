/** The scenario / expected pairs of the spec (kept in test/fixtures/spec-examples; docs/rules.md states the rules they pin), compared by value. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { formatPrice, parseDecimal } from "../src/money.ts";
import { replayText, runScenario } from "../src/replay.ts";

const dir = join(import.meta.dirname, "fixtures", "spec-examples");
const names = readdirSync(dir)
  .filter((f) => f.endsWith(".expected.json"))
  .map((f) => f.replace(/\.expected\.json$/, ""));

test("there are spec examples to check", () => {
  assert.ok(names.length >= 4);
});

for (const name of names) {
  test(`spec example ${name} replays to its expected output`, () => {
    const scenario = readFileSync(join(dir, `${name}.json`), "utf8");
    const expected = JSON.parse(readFileSync(join(dir, `${name}.expected.json`), "utf8"));
    assert.deepEqual(JSON.parse(replayText(scenario)), expected);
    assert.equal(replayText(scenario), replayText(scenario), "byte-for-byte deterministic");
  });
}

test("100 members each buying 100 yuan: the price rises on every order", () => {
  const events: unknown[] = [];
  for (let i = 0; i < 100; i++) {
    events.push({ type: "join", member: `M${i}` });
    events.push({ type: "order", member: `M${i}`, amount: "100", plans: ["equity"] });
  }
  const { engine, output } = runScenario({ events });
  // Reconstruct P/S after each grant from the ledger and check it strictly rises.
  let pool = 0n;
  let supply = 0n;
  let last: [bigint, bigint] | undefined;
  for (const tx of engine.book.transactions) {
    for (const p of tx.postings) {
      if (p.account === "p:equityPool") pool += p.amount;
      if (p.asset === "equity" && p.account.startsWith("m:")) supply += p.amount;
    }
    if (tx.kind !== "equity.grant") continue;
    if (last) assert.ok(pool * last[1] > last[0] * supply, `price rose at ${tx.ref}`);
    last = [pool, supply];
  }
  assert.equal(output.equity.pool, "3000");
  // Each buyer's 100 yuan puts 30 in the pool; with no fee leaving it P = 3,000 and the
  // price is P / S to 4 places, consistent with the supply printed.
  assert.equal(
    output.equity.price,
    formatPrice(parseDecimal("3000"), parseDecimal(output.equity.circulating)),
  );
  assert.ok(output.equity.price > "4.0000" && output.equity.price < "9.9999", output.equity.price);
});
