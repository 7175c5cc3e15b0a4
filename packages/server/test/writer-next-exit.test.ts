import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { EquityState } from "@jifen/engine";
import { ratio12 } from "../src/rewards/index.ts";
import { type BatchState, CommandView } from "../src/writer/batch-store.ts";

// The writer's next exit (issue 14, writer7: found in one pass instead of a sorted list per
// command) must stay what the serial store's read finds: among the members whose newest row
// (the command's, else the batch's, else the stored one) is due (threshold ≤ the price's bound)
// and meets its quota, the lowest member id — compared as a number.

type Row = { held: bigint; quota: bigint; threshold: bigint } | null;

/** Price 2 (pool / supply): the bound is 2 × 10^12. */
const STATE: EquityState = {
  pool: 2_000_000n,
  supply: 1_000_000n,
  issued: 1_000_000n,
  priceNum: 0n,
  priceDen: 1n,
};
/** Due and meets its quota (held × 2 ≥ quota). */
const meets = (): Row => ({ held: 10n, quota: 20n, threshold: ratio12(20n, 10n, false) });
/** Due (its threshold is below the bound) but does not meet its quota. */
const dueShort = (): Row => ({ held: 10n, quota: 30n, threshold: 0n });
/** Not due. */
const notDue = (): Row => ({ held: 10n, quota: 30n, threshold: ratio12(30n, 10n, false) });

function nextExit(
  stored: Record<string, Row>,
  refiled: Record<string, Row> = {},
  own: Record<string, Row> = {},
): string | undefined {
  const batch = {
    storedExitRowsKnown: () => new Map(Object.entries(stored)),
    refiled: () => new Map(Object.entries(refiled)),
  } as unknown as BatchState;
  const view = new CommandView(batch, new Date(0));
  for (const [id, row] of Object.entries(own)) view.exitRows.set(id, row);
  return view.nextExit(STATE) as string | undefined;
}

describe("the writer's next exit over its batch memory", () => {
  test("the lowest id among the due rows that meet their quota, ids compared as numbers", () => {
    const stored = { "10": meets(), "9": meets(), "8": dueShort(), "7": notDue(), "100": meets() };
    assert.equal(nextExit(stored), "9");
    assert.equal(nextExit({ "10": meets(), "100": meets(), "99": meets() }), "10");
    assert.equal(nextExit({ "8": dueShort(), "7": notDue() }), undefined);
  });

  test("each member's newest row: the command's over the batch's over the stored one", () => {
    const stored = { "10": meets(), "9": meets(), "8": dueShort() };
    // The batch took 9 out of the queue; then 10 is first.
    assert.equal(nextExit(stored, { "9": null }), "10");
    // The batch re-filed 9 as not due.
    assert.equal(nextExit(stored, { "9": notDue() }), "10");
    // The command's own row for 8 meets its quota now, over the stored short one.
    assert.equal(nextExit(stored, {}, { "8": meets() }), "8");
    // The command took 10 out, the batch 9: nothing else meets.
    assert.equal(nextExit(stored, { "9": null }, { "10": null }), undefined);
    // The batch's row for 8 meets, the command's own does not: the command's counts.
    assert.equal(nextExit(stored, { "8": meets() }, { "8": dueShort() }), "9");
    // A member only in the batch's rows, with a longer id, after a lower stored one.
    assert.equal(nextExit({ "99": meets() }, { "100": meets() }), "99");
  });
});
