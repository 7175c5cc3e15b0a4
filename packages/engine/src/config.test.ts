import assert from "node:assert/strict";
import { test } from "node:test";
import { configFromInput, DEFAULT_CONFIG_INPUT, mergeConfigInput, referralReach } from "./config.ts";
import { EngineError } from "./errors.ts";

function refusedKey(patch: unknown): string | undefined {
  try {
    configFromInput(patch);
  } catch (error) {
    assert.ok(error instanceof EngineError, `expected an EngineError, got ${String(error)}`);
    assert.equal(error.code, "INVALID_CONFIG");
    return error.field;
  }
  return undefined;
}

test("defaults are the figures of models.md", () => {
  const { config } = configFromInput();
  assert.equal(config.equity.contributionRate, 300_000n);
  assert.equal(config.equity.totalSupply, 100_000_000_000_000n);
  assert.equal(config.cycle.pools.length, 2);
  assert.equal(config.release.packages[3]?.multiple, 4_000_000n);
  assert.equal(config.release.starLevels[6]?.rate, 500_000n);
  assert.deepEqual(config.release.shareRates, [500_000n, 300_000n]);
  assert.equal(config.coolingOffDays, 0);
});

test("overrides apply key by key and lists replace whole", () => {
  const { config } = configFromInput({
    equity: { referrerShare: "0.1" },
    release: { packages: [{ name: "P", minAmount: 100, multiple: 2 }] },
  });
  assert.equal(config.equity.referrerShare, 100_000n);
  assert.equal(config.equity.buyerShare, 700_000n);
  assert.equal(config.release.packages.length, 1);
  assert.equal(config.release.dailyRate, 12_000n);
});

test("the energy preset sets referral ratio and pools; keys beside it override", () => {
  const energy = configFromInput({ cycle: { preset: "energy" } }).config.cycle;
  assert.equal(energy.referralWeightRatio, 1_000_000n);
  assert.deepEqual(
    energy.pools.map((p) => p.name),
    ["dynamic", "static"],
  );
  const pool = energy.pools[1];
  assert.ok(pool && pool.split === "tiers");
  assert.equal(pool.tiers.length, 4);
  const overridden = configFromInput({ cycle: { preset: "energy", referralWeightRatio: "0.5" } }).config
    .cycle;
  assert.equal(overridden.referralWeightRatio, 500_000n);
});

test("invalid parameter sets are refused naming the key", () => {
  const cases: [unknown, string][] = [
    [{ equity: { sellFee: "0.1" } }, "equity.sellFee"],
    [{ bogus: 1 }, "bogus"],
    [{ equity: { contributionRate: "1.5" } }, "equity.contributionRate"],
    [{ equity: { sellFeeRate: "-0.1" } }, "equity.sellFeeRate"],
    [{ equity: { buyerShare: "0.8", referrerShare: "0.3" } }, "equity.referrerShare"],
    [{ equity: { initialPrice: "0" } }, "equity.initialPrice"],
    [{ equity: { totalSupply: "-1" } }, "equity.totalSupply"],
    [{ equity: { exitQuotaMultiple: "-3" } }, "equity.exitQuotaMultiple"],
    [{ cycle: { weightPerYuan: "-0.001" } }, "cycle.weightPerYuan"],
    [{ cycle: { preset: "turbo" } }, "cycle.preset"],
    [{ coolingOffDays: -1 }, "coolingOffDays"],
    [{ coolingOffDays: 1.5 }, "coolingOffDays"],
    [{ timezone: "Mars/Olympus" }, "timezone"],
    [
      {
        release: {
          packages: [
            { name: "a", minAmount: "3000", multiple: "2" },
            { name: "b", minAmount: "3000", multiple: "3" },
          ],
        },
      },
      "release.packages[1].minAmount",
    ],
    [
      {
        release: {
          starLevels: [
            { name: "a", minPerformance: "10", rate: "0.1" },
            { name: "a", minPerformance: "20", rate: "0.2" },
          ],
        },
      },
      "release.starLevels[1].name",
    ],
    [
      {
        cycle: {
          pools: [
            {
              name: "t",
              split: "tiers",
              tiers: [
                { name: "V1", minWeight: "5", rate: "0.1" },
                { name: "V2", minWeight: "4", rate: "0.1" },
              ],
            },
          ],
        },
      },
      "cycle.pools[0].tiers[1].minWeight",
    ],
    [{ cycle: { pools: [{ name: "s", split: "evenly", rate: "0.1" }] } }, "cycle.pools[0].split"],
    [{ cycle: { pools: [{ name: "s", split: "weighted", rate: "0.1234567" }] } }, "cycle.pools[0].rate"],
    [{ release: { shareRates: ["0.5", "2"] } }, "release.shareRates[1]"],
    [{ release: { pointsPayRatio: "abc" } }, "release.pointsPayRatio"],
  ];
  for (const [patch, key] of cases) assert.equal(refusedKey(patch), key, JSON.stringify(patch));
});

test("merging does not touch the base and refuses a non-object patch", () => {
  const before = JSON.stringify(DEFAULT_CONFIG_INPUT);
  mergeConfigInput(DEFAULT_CONFIG_INPUT, { equity: { referrerShare: "0.2" } });
  assert.equal(JSON.stringify(DEFAULT_CONFIG_INPUT), before);
  assert.equal(refusedKey([1, 2]), "config");
});

test("referralReach shows how deep rewards go up the tree", () => {
  const reach = referralReach(configFromInput({ equity: { referrerShare: "0.1" } }).config);
  assert.deepEqual(reach, { equityLevels: 1, cycleLevels: 0, shareLevels: 2, teamUnlimited: true });
  const none = referralReach(
    configFromInput({ release: { shareRates: [], starLevels: [], peerRate: "0" } }).config,
  );
  assert.deepEqual(none, { equityLevels: 0, cycleLevels: 0, shareLevels: 0, teamUnlimited: false });
  // The peer bonus is paid only above a member who set a differential (§3.5): with every star
  // rate 0 it never pays, whatever peerRate says (teamEntitlements; compliance.property.test.ts).
  const peerOnly = referralReach(
    configFromInput({
      release: { starLevels: [{ name: "一星", minPerformance: "50000", rate: "0" }], peerRate: "0.03" },
    }).config,
  );
  assert.equal(peerOnly.teamUnlimited, false);
});

test("a refused parameter says what it must be in Chinese too; the English detail (the replay's words) is unchanged", () => {
  const refusal = (patch: unknown): EngineError => {
    try {
      configFromInput(patch);
    } catch (error) {
      assert.ok(error instanceof EngineError);
      return error;
    }
    assert.fail("expected a refusal");
  };
  const cases: [unknown, string, string][] = [
    [
      { equity: { sellFeeRate: "1.5" } },
      "equity.sellFeeRate: must be between 0 and 1",
      "equity.sellFeeRate 须在 0 到 1 之间",
    ],
    [
      { equity: { sellFeeRate: "0.1234567" } },
      "equity.sellFeeRate: more than 6 decimal places: 0.1234567",
      "equity.sellFeeRate 最多 6 位小数",
    ],
    [
      { equity: { initialPrice: "x" } },
      'equity.initialPrice: not a decimal: "x"',
      "equity.initialPrice 须为十进制数（如 0.5）",
    ],
    [{ bogus: 1 }, "bogus: unknown key", "bogus 不是已知的参数"],
    [
      { coolingOffDays: -1 },
      "coolingOffDays: must be a whole number of days, 0 or more",
      "coolingOffDays 须为 0 或更大的整数天数",
    ],
  ];
  for (const [patch, en, zh] of cases) {
    const error = refusal(patch);
    assert.deepEqual([error.detail, error.detailZh], [en, zh]);
    assert.equal(error.zh, `参数无效：${en}。`);
  }
});
