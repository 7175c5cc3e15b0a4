/** configRisks (models.md §5): the cooling-off warning and the referral depth. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { configFromInput } from "./config.ts";
import { configRisks, rewardingPlans } from "./risks.ts";

const codes = (patch: unknown, window?: number) =>
  configRisks(configFromInput(patch).config, window === undefined ? {} : { returnWindowDays: window }).map(
    (r) => r.code,
  );

test("the defaults (cooling-off 0 days, rewards on) warn that the cooling-off is shorter than 7 days", () => {
  const risks = configRisks(configFromInput({}).config);
  const cooling = risks.find((r) => r.code === "COOLING_OFF_SHORTER_THAN_RETURN_WINDOW");
  assert.ok(cooling);
  assert.equal(cooling.key, "coolingOffDays");
  assert.match(cooling.en, /^The cooling-off period is 0 days, shorter than the 7-day return window.*\.$/);
  assert.match(cooling.zh, /^冷静期为 0 天，短于 7 天的退货期.*。$/);
});

test("a cooling-off of at least the return window, or no rewards at all, does not warn", () => {
  assert.ok(!codes({ coolingOffDays: 7 }).includes("COOLING_OFF_SHORTER_THAN_RETURN_WINDOW"));
  assert.ok(codes({ coolingOffDays: 7 }, 15).includes("COOLING_OFF_SHORTER_THAN_RETURN_WINDOW"));
  assert.ok(!codes({ coolingOffDays: 3 }, 3).includes("COOLING_OFF_SHORTER_THAN_RETURN_WINDOW"));
  const off = {
    equity: { contributionRate: "0" },
    cycle: { quotaMultiple: "0" },
    release: { dailyRate: "0", starLevels: [], peerRate: "0" },
  };
  assert.deepEqual(rewardingPlans(configFromInput(off).config), []);
  assert.deepEqual(codes(off), []);
  // One plan rewarding is enough.
  assert.deepEqual(rewardingPlans(configFromInput({ ...off, cycle: { quotaMultiple: "2" } }).config), [
    "cycle",
  ]);
  assert.ok(
    codes({ ...off, cycle: { quotaMultiple: "2" } }).includes("COOLING_OFF_SHORTER_THAN_RETURN_WINDOW"),
  );
});

test("team differential or peer bonus: rewards reach any depth of the tree", () => {
  assert.ok(codes({}).includes("REWARDS_REACH_ANY_DEPTH"));
  assert.ok(!codes({ release: { starLevels: [], peerRate: "0" } }).includes("REWARDS_REACH_ANY_DEPTH"));
  assert.throws(() => configRisks(configFromInput({}).config, { returnWindowDays: -1 }), RangeError);
});
