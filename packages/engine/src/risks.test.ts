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

test("the risks' whole sentences, naming the plans that pay", () => {
  assert.deepEqual(configRisks(configFromInput({}).config), [
    {
      code: "COOLING_OFF_SHORTER_THAN_RETURN_WINDOW",
      key: "coolingOffDays",
      zh: "冷静期为 0 天，短于 7 天的退货期，而奖励已开启（消费增值、循环购、积分通证）：订单在仍可退货时就已产生奖励，每笔这样的退款都由运营方承担已发放的奖励。",
      en: "The cooling-off period is 0 days, shorter than the 7-day return window, while rewards are on (the equity plan, the cycle plan, the release plan): an order's rewards happen while it can still be returned, and every such refund costs the operator what was paid out for it.",
    },
    {
      code: "REWARDS_REACH_ANY_DEPTH",
      key: "release.starLevels",
      zh: "团队级差或平级奖按整个下级市场计算，奖励可达推荐关系的任意层级；部分地区限制多层级推荐奖励，请确认合规。",
      en: "The team differential or the peer bonus counts the whole downline, so rewards reach any depth of the referral tree; several jurisdictions restrict multi-level referral rewards, so check that this is allowed where you operate.",
    },
  ]);
  const releaseOnly = configRisks(
    configFromInput({ coolingOffDays: 2, equity: { contributionRate: "0" }, cycle: { quotaMultiple: "0" } })
      .config,
    { returnWindowDays: 3 },
  )[0];
  assert.ok(releaseOnly?.zh.startsWith("冷静期为 2 天，短于 3 天的退货期，而奖励已开启（积分通证）："));
  assert.ok(
    releaseOnly?.en.startsWith(
      "The cooling-off period is 2 days, shorter than the 3-day return window, while rewards are on (the release plan):",
    ),
  );
});

test("a return window of 0 days is allowed; a fraction or a negative is not", () => {
  assert.deepEqual(codes({ release: { starLevels: [], peerRate: "0" } }, 0), []);
  assert.throws(
    () => configRisks(configFromInput({}).config, { returnWindowDays: 1.5 }),
    /returnWindowDays is a whole number ≥ 0/,
  );
});

test("which plans pay: each plan's own switches", () => {
  const plans = (patch: unknown) => rewardingPlans(configFromInput(patch).config);
  const noCycle = { cycle: { quotaMultiple: "0" }, release: { dailyRate: "0" } };
  // Equity pays with a contribution and a buyer or referrer share.
  assert.deepEqual(plans({ ...noCycle, equity: { buyerShare: "0", referrerShare: "0.1" } }), ["equity"]);
  assert.deepEqual(plans({ ...noCycle, equity: { buyerShare: "0.1", referrerShare: "0" } }), ["equity"]);
  assert.deepEqual(plans({ ...noCycle, equity: { buyerShare: "0", referrerShare: "0" } }), []);
  const noOthers = { equity: { contributionRate: "0" }, release: { dailyRate: "0" } };
  // Cycle pays with a quota and a pool that pays: a weighted pool's rate or a tier's rate.
  const weighted = (rate: string) => ({ name: "w", split: "weighted", rate });
  const tiers = (rate: string) => ({
    name: "t",
    split: "tiers",
    tiers: [{ name: "V1", minWeight: "1", rate }],
  });
  assert.deepEqual(plans({ ...noOthers, cycle: { pools: [weighted("0.1")] } }), ["cycle"]);
  assert.deepEqual(plans({ ...noOthers, cycle: { pools: [weighted("0")] } }), []);
  assert.deepEqual(plans({ ...noOthers, cycle: { pools: [tiers("0.1")] } }), ["cycle"]);
  assert.deepEqual(plans({ ...noOthers, cycle: { pools: [tiers("0")] } }), []);
  assert.deepEqual(plans({ ...noOthers, cycle: { pools: [weighted("0"), tiers("0.1")] } }), ["cycle"]);
  // One paying tier is enough.
  const twoTiers = {
    name: "t",
    split: "tiers",
    tiers: [
      { name: "V1", minWeight: "1", rate: "0" },
      { name: "V2", minWeight: "2", rate: "0.1" },
    ],
  };
  assert.deepEqual(plans({ ...noOthers, cycle: { pools: [twoTiers] } }), ["cycle"]);
  // Release pays with a daily rate and a package whose multiple is positive.
  const noEqCy = { equity: { contributionRate: "0" }, cycle: { quotaMultiple: "0" } };
  assert.deepEqual(
    plans({ ...noEqCy, release: { packages: [{ name: "p", minAmount: "1", multiple: "0" }] } }),
    [],
  );
  assert.deepEqual(
    plans({ ...noEqCy, release: { packages: [{ name: "p", minAmount: "1", multiple: "2" }] } }),
    ["release"],
  );
});
