/**
 * Every refusal of a parameter set, word for word in both languages and naming its key, the
 * edges each check lets through, and the whole parsed config of the defaults and of each
 * preset (docs/rules.md §4). config.test.ts has the overview; these pin each rule.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type Config,
  CYCLE_PRESETS,
  configFromInput,
  DEFAULT_CONFIG_INPUT,
  MAX_LIST,
  mergeConfigInput,
  parseConfig,
  referralReach,
} from "./config.ts";
import { EngineError } from "./errors.ts";

/** [field, English detail, Chinese detail] of the refusal of `run`. */
function refusedBy(run: () => unknown): [string | undefined, string, string] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof EngineError, `an EngineError, not ${String(error)}`);
    assert.equal(error.code, "INVALID_CONFIG");
    return [error.field, error.detail, error.detailZh];
  }
  assert.fail("accepted");
}
const refused = (patch: unknown) => refusedBy(() => configFromInput(patch));

/** The expected refusal of key `key`: "key: en" and "key zh". */
const says = (key: string, en: string, zh: string): [string, string, string] => [
  key,
  `${key}: ${en}`,
  `${key} ${zh}`,
];

const pools = (...list: unknown[]) => ({ cycle: { pools: list } });
const tierPool = (tiers: unknown) => pools({ name: "t", split: "tiers", tiers });
const MICRO = 1_000_000n;

test("the defaults parse to the figures of docs/rules.md §4, every key", () => {
  const expected: Config = {
    timezone: "Asia/Shanghai",
    coolingOffDays: 0,
    equity: {
      initialPrice: MICRO,
      totalSupply: 100_000_000n * MICRO,
      contributionRate: 300_000n,
      buyerShare: 700_000n,
      referrerShare: 0n,
      sellFeeRate: 100_000n,
      redeemFeeRate: 0n,
      exitQuotaMultiple: 3n * MICRO,
    },
    cycle: {
      preset: "cycle",
      quotaMultiple: 2n * MICRO,
      weightPerYuan: 1_000n,
      referralWeightRatio: 0n,
      pools: [
        { name: "static", split: "weighted", rate: 300_000n },
        {
          name: "dynamic",
          split: "tiers",
          tiers: [
            { name: "V1", minWeight: 50n * MICRO, rate: 10_000n },
            { name: "V2", minWeight: 101n * MICRO, rate: 30_000n },
            { name: "V3", minWeight: 201n * MICRO, rate: 60_000n },
          ],
        },
      ],
    },
    release: {
      packages: [
        { name: "初级会员", minAmount: 3_000n * MICRO, multiple: 2_500_000n },
        { name: "中级会员", minAmount: 9_000n * MICRO, multiple: 3n * MICRO },
        { name: "高级会员", minAmount: 27_000n * MICRO, multiple: 3_500_000n },
        { name: "VIP会员", minAmount: 51_000n * MICRO, multiple: 4n * MICRO },
      ],
      dailyRate: 12_000n,
      shareRates: [500_000n, 300_000n],
      starLevels: [
        { name: "一星", minPerformance: 50_000n * MICRO, rate: 100_000n },
        { name: "二星", minPerformance: 200_000n * MICRO, rate: 200_000n },
        { name: "三星", minPerformance: 600_000n * MICRO, rate: 260_000n },
        { name: "四星", minPerformance: 2_000_000n * MICRO, rate: 320_000n },
        { name: "五星", minPerformance: 6_000_000n * MICRO, rate: 380_000n },
        { name: "六星", minPerformance: 15_000_000n * MICRO, rate: 440_000n },
        { name: "七星", minPerformance: 30_000_000n * MICRO, rate: 500_000n },
      ],
      peerRate: 30_000n,
      pointsPayRatio: MICRO,
    },
  };
  assert.deepEqual(configFromInput().config, expected);
  assert.deepEqual(configFromInput({}).config, expected);
});

test("each key is read into its own field", () => {
  const { config } = configFromInput({
    timezone: "Europe/Berlin",
    coolingOffDays: 7,
    equity: {
      initialPrice: "2",
      totalSupply: "5000",
      contributionRate: "0.25",
      buyerShare: "0.6",
      referrerShare: "0.15",
      sellFeeRate: "0.05",
      redeemFeeRate: "0.02",
      exitQuotaMultiple: "4",
    },
    cycle: { quotaMultiple: "1.5", weightPerYuan: "0.01", referralWeightRatio: "0.4" },
    release: { dailyRate: "0.02", peerRate: "0.04", pointsPayRatio: "0.5", shareRates: ["0.1", "0", "0.2"] },
  });
  assert.equal(config.timezone, "Europe/Berlin");
  assert.equal(config.coolingOffDays, 7);
  assert.deepEqual(config.equity, {
    initialPrice: 2n * MICRO,
    totalSupply: 5_000n * MICRO,
    contributionRate: 250_000n,
    buyerShare: 600_000n,
    referrerShare: 150_000n,
    sellFeeRate: 50_000n,
    redeemFeeRate: 20_000n,
    exitQuotaMultiple: 4n * MICRO,
  });
  assert.equal(config.cycle.quotaMultiple, 1_500_000n);
  assert.equal(config.cycle.weightPerYuan, 10_000n);
  assert.equal(config.cycle.referralWeightRatio, 400_000n);
  assert.equal(config.release.dailyRate, 20_000n);
  assert.equal(config.release.peerRate, 40_000n);
  assert.equal(config.release.pointsPayRatio, 500_000n);
  assert.deepEqual(config.release.shareRates, [100_000n, 0n, 200_000n]);
});

test("the energy preset's pools, every figure; the cycle preset restores its own over an energy base", () => {
  const energy = configFromInput({ cycle: { preset: "energy" } }).config.cycle;
  assert.deepEqual(energy, {
    preset: "energy",
    quotaMultiple: 2n * MICRO,
    weightPerYuan: 1_000n,
    referralWeightRatio: MICRO,
    pools: [
      { name: "dynamic", split: "weighted", rate: 300_000n },
      {
        name: "static",
        split: "tiers",
        tiers: [
          { name: "V1", minWeight: 0n, rate: 40_000n },
          { name: "V2", minWeight: 11n * MICRO, rate: 30_000n },
          { name: "V3", minWeight: 21n * MICRO, rate: 20_000n },
          { name: "V4", minWeight: 31n * MICRO, rate: 10_000n },
        ],
      },
    ],
  });
  const energyInput = configFromInput({ cycle: { preset: "energy", quotaMultiple: "3" } }).input;
  const back = parseConfig(mergeConfigInput(energyInput, { cycle: { preset: "cycle" } })).cycle;
  assert.deepEqual(back, { ...configFromInput().config.cycle, quotaMultiple: 3n * MICRO });
  assert.deepEqual(Object.keys(CYCLE_PRESETS), ["cycle", "energy"]);
});

test("a patch merges key by key over its base: the base's other keys stay, a section's other keys too", () => {
  const base = configFromInput({ equity: { referrerShare: "0.1" }, coolingOffDays: 2 }).input;
  const merged = mergeConfigInput(base, { equity: { sellFeeRate: "0.2" } });
  const config = parseConfig(merged);
  assert.equal(config.equity.referrerShare, 100_000n);
  assert.equal(config.equity.sellFeeRate, 200_000n);
  assert.equal(config.coolingOffDays, 2);
  // A top-level key that is not a section replaces the value.
  assert.equal(parseConfig(mergeConfigInput(base, { coolingOffDays: 5 })).coolingOffDays, 5);
  // The base is not changed.
  assert.equal((base.equity as Record<string, unknown>).sellFeeRate, "0.1");
  // A section the base lacks, or holds as something other than an object, is built from the patch alone.
  assert.deepEqual(mergeConfigInput({ equity: "ab" }, { equity: { sellFeeRate: "0.2" } }), {
    equity: { sellFeeRate: "0.2" },
  });
  assert.deepEqual(mergeConfigInput({ equity: ["x"] }, { equity: {} }), { equity: {} });
  assert.deepEqual(mergeConfigInput({}, { equity: { sellFeeRate: "0.2" } }), {
    equity: { sellFeeRate: "0.2" },
  });
  // A preset in a patch that does not name one leaves the base's pools alone.
  const energyBase = configFromInput({ cycle: { preset: "energy" } }).input;
  const kept = parseConfig(mergeConfigInput(energyBase, { cycle: { quotaMultiple: "1" } })).cycle;
  assert.equal(kept.preset, "energy");
  assert.equal(kept.pools[0]?.name, "dynamic");
});

test("the patch itself and each section must be objects of known keys", () => {
  for (const patch of [null, [1], "x", 3]) {
    assert.deepEqual(refused(patch), says("config", "must be an object", "须为对象"));
  }
  assert.deepEqual(refused({ bogus: 1 }), says("bogus", "unknown key", "不是已知的参数"));
  for (const section of ["equity", "cycle", "release"]) {
    for (const value of [null, [], "x", 1]) {
      assert.deepEqual(refused({ [section]: value }), says(section, "must be an object", "须为对象"));
    }
    assert.deepEqual(
      refused({ [section]: { zzz: 1 } }),
      says(`${section}.zzz`, "unknown key", "不是已知的参数"),
    );
  }
  // An unknown key is refused while merging, before the preset beside it is looked up, and
  // by mergeConfigInput alone (the server merges a patch into the stored parameters).
  assert.deepEqual(
    refused({ cycle: { zzz: 1, preset: "turbo" } }),
    says("cycle.zzz", "unknown key", "不是已知的参数"),
  );
  assert.deepEqual(
    refusedBy(() => mergeConfigInput({}, { release: { zzz: 1 } })),
    says("release.zzz", "unknown key", "不是已知的参数"),
  );
  // Every key of each section is known.
  for (const [section, keys] of Object.entries({
    equity: Object.keys(DEFAULT_CONFIG_INPUT.equity as object),
    cycle: Object.keys(DEFAULT_CONFIG_INPUT.cycle as object),
    release: Object.keys(DEFAULT_CONFIG_INPUT.release as object),
  })) {
    for (const key of keys) {
      const value = (DEFAULT_CONFIG_INPUT[section] as Record<string, unknown>)[key];
      assert.doesNotThrow(() => configFromInput({ [section]: { [key]: value } }), `${section}.${key}`);
    }
  }
  for (const key of ["timezone", "coolingOffDays"]) {
    assert.doesNotThrow(() => configFromInput({ [key]: DEFAULT_CONFIG_INPUT[key] }), key);
  }
});

test("an unknown preset is refused naming it; each known one is accepted", () => {
  const unknown = (shown: string) =>
    says(
      "cycle.preset",
      `unknown preset ${shown} (known: cycle, energy)`,
      `不是已知的预设 ${shown}（可选 cycle、energy）`,
    );
  assert.deepEqual(refused({ cycle: { preset: "turbo" } }), unknown('"turbo"'));
  assert.deepEqual(refused({ cycle: { preset: 5 } }), unknown("5"));
  assert.deepEqual(refused({ cycle: { preset: null } }), unknown("null"));
  // Not a string, though its text names a preset.
  assert.deepEqual(refused({ cycle: { preset: ["energy"] } }), unknown('["energy"]'));
  for (const inherited of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
    assert.deepEqual(refused({ cycle: { preset: inherited } }), unknown(JSON.stringify(inherited)));
  }
  // A parameter set that reached parseConfig with a preset merging never saw.
  const raw = structuredClone(DEFAULT_CONFIG_INPUT) as Record<string, Record<string, unknown>>;
  (raw.cycle as Record<string, unknown>).preset = "turbo";
  assert.deepEqual(
    refusedBy(() => parseConfig(raw)),
    says("cycle.preset", "unknown preset (known: cycle, energy)", "不是已知的预设（可选 cycle、energy）"),
  );
  (raw.cycle as Record<string, unknown>).preset = "energy";
  assert.equal(parseConfig(raw).cycle.preset, "energy");
});

test("decimals: each refusal of a decimal in both languages", () => {
  assert.deepEqual(
    refused({ equity: { sellFeeRate: "0.1234567" } }),
    says("equity.sellFeeRate", "more than 6 decimal places: 0.1234567", "最多 6 位小数"),
  );
  assert.deepEqual(
    refused({ equity: { sellFeeRate: "x" } }),
    says("equity.sellFeeRate", 'not a decimal: "x"', "须为十进制数（如 0.5）"),
  );
  assert.deepEqual(
    refused({ equity: { totalSupply: "10000000000000000000" } }),
    says("equity.totalSupply", "out of range: 10000000000000000000", "超出允许的范围"),
  );
  // A JSON number is read from its decimal text, a string with 6 places is accepted.
  assert.equal(configFromInput({ equity: { sellFeeRate: 0.25 } }).config.equity.sellFeeRate, 250_000n);
  assert.equal(configFromInput({ equity: { sellFeeRate: "0.123456" } }).config.equity.sellFeeRate, 123_456n);
});

test("rates lie between 0 and 1, both included", () => {
  const rateKeys: [unknown, string][] = [
    [{ equity: { contributionRate: "R" } }, "equity.contributionRate"],
    [{ equity: { buyerShare: "R", referrerShare: "0" } }, "equity.buyerShare"],
    [{ equity: { referrerShare: "R", buyerShare: "0" } }, "equity.referrerShare"],
    [{ equity: { sellFeeRate: "R" } }, "equity.sellFeeRate"],
    [{ equity: { redeemFeeRate: "R" } }, "equity.redeemFeeRate"],
    [{ cycle: { referralWeightRatio: "R" } }, "cycle.referralWeightRatio"],
    [pools({ name: "w", split: "weighted", rate: "R" }), "cycle.pools[0].rate"],
    [tierPool([{ name: "V", minWeight: "0", rate: "R" }]), "cycle.pools[0].tiers[0].rate"],
    [{ release: { dailyRate: "R" } }, "release.dailyRate"],
    [{ release: { peerRate: "R" } }, "release.peerRate"],
    [{ release: { pointsPayRatio: "R" } }, "release.pointsPayRatio"],
    [{ release: { shareRates: ["0.1", "R"] } }, "release.shareRates[1]"],
    [
      { release: { starLevels: [{ name: "s", minPerformance: "1", rate: "R" }] } },
      "release.starLevels[0].rate",
    ],
  ];
  const withRate = (patch: unknown, rate: string) =>
    JSON.parse(JSON.stringify(patch).replace('"R"', `"${rate}"`));
  for (const [patch, key] of rateKeys) {
    assert.deepEqual(
      refused(withRate(patch, "-0.000001")),
      says(key, "must be between 0 and 1", "须在 0 到 1 之间"),
    );
    assert.deepEqual(
      refused(withRate(patch, "1.000001")),
      says(key, "must be between 0 and 1", "须在 0 到 1 之间"),
    );
    assert.doesNotThrow(() => configFromInput(withRate(patch, "0")), `${key} = 0`);
    assert.doesNotThrow(() => configFromInput(withRate(patch, "1")), `${key} = 1`);
  }
});

test("buyerShare + referrerShare may reach 1 but not exceed it", () => {
  assert.deepEqual(
    refused({ equity: { buyerShare: "0.7", referrerShare: "0.300001" } }),
    says(
      "equity.referrerShare",
      "buyerShare + referrerShare must not exceed 1",
      "与 buyerShare 之和不能超过 1",
    ),
  );
  const { equity } = configFromInput({ equity: { buyerShare: "0.7", referrerShare: "0.3" } }).config;
  assert.equal(equity.buyerShare + equity.referrerShare, MICRO);
});

test("positive figures refuse 0; non-negative ones refuse below 0 and take 0", () => {
  const positive: [(v: string) => unknown, string][] = [
    [(v) => ({ equity: { initialPrice: v } }), "equity.initialPrice"],
    [(v) => ({ equity: { totalSupply: v } }), "equity.totalSupply"],
    [
      (v) => ({ release: { packages: [{ name: "p", minAmount: v, multiple: "1" }] } }),
      "release.packages[0].minAmount",
    ],
    [
      (v) => ({ release: { starLevels: [{ name: "s", minPerformance: v, rate: "0.1" }] } }),
      "release.starLevels[0].minPerformance",
    ],
  ];
  const nonNegative: [(v: string) => unknown, string][] = [
    [(v) => ({ equity: { exitQuotaMultiple: v } }), "equity.exitQuotaMultiple"],
    [(v) => ({ cycle: { quotaMultiple: v } }), "cycle.quotaMultiple"],
    [(v) => ({ cycle: { weightPerYuan: v } }), "cycle.weightPerYuan"],
    [(v) => tierPool([{ name: "V", minWeight: v, rate: "0.1" }]), "cycle.pools[0].tiers[0].minWeight"],
    [
      (v) => ({ release: { packages: [{ name: "p", minAmount: "1", multiple: v }] } }),
      "release.packages[0].multiple",
    ],
  ];
  for (const [patch, key] of positive) {
    assert.deepEqual(refused(patch("0")), says(key, "must be positive", "须大于 0"));
    assert.deepEqual(refused(patch("-1")), says(key, "must be positive", "须大于 0"));
    assert.doesNotThrow(() => configFromInput(patch("0.000001")), key);
  }
  for (const [patch, key] of nonNegative) {
    assert.deepEqual(refused(patch("-0.000001")), says(key, "must not be negative", "不能为负数"));
    assert.doesNotThrow(() => configFromInput(patch("0")), key);
  }
});

test("the limits: each capped figure is accepted at its limit and refused one micro-unit above, naming it", () => {
  const capped: [(v: string) => unknown, string, string][] = [
    [(v) => ({ equity: { exitQuotaMultiple: v } }), "equity.exitQuotaMultiple", "50"],
    [(v) => ({ cycle: { quotaMultiple: v } }), "cycle.quotaMultiple", "50"],
    [(v) => ({ cycle: { weightPerYuan: v } }), "cycle.weightPerYuan", "50"],
    [
      (v) => tierPool([{ name: "V", minWeight: v, rate: "0.1" }]),
      "cycle.pools[0].tiers[0].minWeight",
      "1000000000000",
    ],
    [
      (v) => ({ release: { packages: [{ name: "p", minAmount: v, multiple: "1" }] } }),
      "release.packages[0].minAmount",
      "100000000",
    ],
    [
      (v) => ({ release: { packages: [{ name: "p", minAmount: "1", multiple: v }] } }),
      "release.packages[0].multiple",
      "50",
    ],
    [
      (v) => ({ release: { starLevels: [{ name: "s", minPerformance: v, rate: "0.1" }] } }),
      "release.starLevels[0].minPerformance",
      "1000000000000",
    ],
  ];
  for (const [patch, key, limit] of capped) {
    assert.doesNotThrow(() => configFromInput(patch(limit)), key);
    assert.deepEqual(
      refused(patch(`${limit}.000001`)),
      says(key, `must be at most ${limit}`, `不能大于 ${limit}`),
    );
  }
});

test("names must be non-empty text, unique within their list", () => {
  const named: [(n: unknown) => unknown, string][] = [
    [(n) => pools({ name: n, split: "weighted", rate: "0.1" }), "cycle.pools[0].name"],
    [(n) => tierPool([{ name: n, minWeight: "0", rate: "0.1" }]), "cycle.pools[0].tiers[0].name"],
    [
      (n) => ({ release: { packages: [{ name: n, minAmount: "1", multiple: "1" }] } }),
      "release.packages[0].name",
    ],
    [
      (n) => ({ release: { starLevels: [{ name: n, minPerformance: "1", rate: "0.1" }] } }),
      "release.starLevels[0].name",
    ],
  ];
  for (const [patch, key] of named) {
    for (const name of ["", "  ", 5, undefined, null]) {
      assert.deepEqual(
        refused(patch(name)),
        says(key, "must be a non-empty string", "须为非空文本"),
        `${key} ${name}`,
      );
    }
    assert.doesNotThrow(() => configFromInput(patch(" x ")));
  }
  const twice: [unknown, string][] = [
    [
      pools(
        { name: "a", split: "weighted", rate: "0.1" },
        { name: "b", split: "weighted", rate: "0.1" },
        { name: "a", split: "weighted", rate: "0.1" },
      ),
      "cycle.pools[2].name",
    ],
    [
      tierPool([
        { name: "a", minWeight: "0", rate: "0.1" },
        { name: "a", minWeight: "1", rate: "0.1" },
      ]),
      "cycle.pools[0].tiers[1].name",
    ],
    [
      {
        release: {
          packages: [
            { name: "a", minAmount: "1", multiple: "1" },
            { name: "a", minAmount: "2", multiple: "1" },
          ],
        },
      },
      "release.packages[1].name",
    ],
    [
      {
        release: {
          starLevels: [
            { name: "a", minPerformance: "1", rate: "0.1" },
            { name: "a", minPerformance: "2", rate: "0.1" },
          ],
        },
      },
      "release.starLevels[1].name",
    ],
  ];
  for (const [patch, key] of twice) {
    assert.deepEqual(refused(patch), says(key, 'duplicate name "a"', '名称 "a" 重复'));
  }
});

test("lists: must be lists of at most MAX_LIST entries, each an object of known keys", () => {
  assert.equal(MAX_LIST, 100);
  const listed: [(l: unknown) => unknown, string, unknown][] = [
    [(l) => ({ cycle: { pools: l } }), "cycle.pools", { name: "w", split: "weighted", rate: "0" }],
    [(l) => tierPool(l), "cycle.pools[0].tiers", { name: "V", minWeight: "0", rate: "0" }],
    [(l) => ({ release: { packages: l } }), "release.packages", { name: "p", minAmount: "1", multiple: "1" }],
    [
      (l) => ({ release: { starLevels: l } }),
      "release.starLevels",
      { name: "s", minPerformance: "1", rate: "0" },
    ],
    [(l) => ({ release: { shareRates: l } }), "release.shareRates", "0.1"],
  ];
  for (const [patch, key, item] of listed) {
    for (const notList of [undefined, "x", { 0: item }]) {
      assert.deepEqual(refused(patch(notList)), says(key, "must be a list", "须为列表"), key);
    }
    // Names and amounts made distinct and increasing so only the length can be refused.
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        typeof item === "string"
          ? item
          : Object.fromEntries(
              Object.entries(item as Record<string, string>).map(([k, v]) => [
                k,
                k === "name"
                  ? `${v}${i}`
                  : k === "minAmount" || k === "minPerformance" || k === "minWeight"
                    ? String(i + 1)
                    : v,
              ]),
            ),
      );
    assert.doesNotThrow(() => configFromInput(patch(many(MAX_LIST))), `${key} of ${MAX_LIST}`);
    assert.deepEqual(refused(patch(many(MAX_LIST + 1))), says(key, "at most 100 entries", "最多 100 项"));
    if (typeof item === "string") continue;
    assert.deepEqual(refused(patch([item, 7])), says(`${key}[1]`, "must be an object", "须为对象"));
    assert.deepEqual(refused(patch([item, null])), says(`${key}[1]`, "must be an object", "须为对象"));
    assert.deepEqual(
      refused(patch([{ ...(item as object), extra: 1 }])),
      says(`${key}[0].extra`, "unknown key", "不是已知的参数"),
    );
  }
});

test("amounts along a list rise strictly", () => {
  const rising: [(a: string, b: string) => unknown, string][] = [
    [
      (a, b) =>
        tierPool([
          { name: "x", minWeight: a, rate: "0.1" },
          { name: "y", minWeight: b, rate: "0.1" },
        ]),
      "cycle.pools[0].tiers[1].minWeight",
    ],
    [
      (a, b) => ({
        release: {
          packages: [
            { name: "x", minAmount: a, multiple: "1" },
            { name: "y", minAmount: b, multiple: "1" },
          ],
        },
      }),
      "release.packages[1].minAmount",
    ],
    [
      (a, b) => ({
        release: {
          starLevels: [
            { name: "x", minPerformance: a, rate: "0.1" },
            { name: "y", minPerformance: b, rate: "0.1" },
          ],
        },
      }),
      "release.starLevels[1].minPerformance",
    ],
  ];
  for (const [patch, key] of rising) {
    for (const [a, b] of [
      ["5", "5"],
      ["5", "4.999999"],
    ]) {
      assert.deepEqual(
        refused(patch(a as string, b as string)),
        says(key, "must be strictly greater than the one before", "须大于前一项"),
      );
    }
    assert.doesNotThrow(() => configFromInput(patch("5", "5.000001")), key);
  }
  // The third entry is compared with the second, not only the first.
  assert.deepEqual(
    refused({
      release: {
        packages: [
          { name: "x", minAmount: "1", multiple: "1" },
          { name: "y", minAmount: "5", multiple: "1" },
          { name: "z", minAmount: "3", multiple: "1" },
        ],
      },
    })[0],
    "release.packages[2].minAmount",
  );
});

test("pools: a weighted pool has a rate and no tiers, a tier pool tiers and no rate, nothing else", () => {
  assert.deepEqual(
    refused(pools({ name: "w", split: "weighted", rate: "0.1", tiers: [] })),
    says("cycle.pools[0].tiers", "a weighted pool has no tiers", "不适用：按权重分配的奖池不设档位"),
  );
  assert.deepEqual(
    refused(
      pools({ name: "t", split: "tiers", rate: "0.1", tiers: [{ name: "V", minWeight: "0", rate: "0.1" }] }),
    ),
    says(
      "cycle.pools[0].rate",
      "a tier pool has no rate of its own; give each tier a rate",
      "不适用：分档奖池本身没有比例，请为每一档设置比例",
    ),
  );
  assert.deepEqual(refused(tierPool([])), says("cycle.pools[0].tiers", "must not be empty", "不能为空"));
  for (const split of ["evenly", undefined, ""]) {
    assert.deepEqual(
      refused(pools({ name: "s", split, rate: "0.1" })),
      says("cycle.pools[0].split", 'must be "weighted" or "tiers"', '只能为 "weighted" 或 "tiers"'),
    );
  }
  const { cycle } = configFromInput(
    pools(
      { name: "w", split: "weighted", rate: "0.2" },
      { name: "t", split: "tiers", tiers: [{ name: "V", minWeight: "3", rate: "0.05" }] },
    ),
  ).config;
  assert.deepEqual(cycle.pools, [
    { name: "w", split: "weighted", rate: 200_000n },
    { name: "t", split: "tiers", tiers: [{ name: "V", minWeight: 3n * MICRO, rate: 50_000n }] },
  ]);
  // Pools are named uniquely across both kinds; a second pool is checked like the first.
  assert.deepEqual(
    refused(
      pools(
        { name: "w", split: "weighted", rate: "0.2" },
        { name: "w", split: "tiers", tiers: [{ name: "V", minWeight: "0", rate: "0" }] },
      ),
    ),
    says("cycle.pools[1].name", 'duplicate name "w"', '名称 "w" 重复'),
  );
});

test("time zone and cooling-off days", () => {
  for (const timezone of ["", 5, null]) {
    assert.deepEqual(
      refused({ timezone }),
      says("timezone", "must be a time zone name", "须为时区名称（如 Asia/Shanghai）"),
    );
  }
  assert.deepEqual(
    refused({ timezone: "Mars/Olympus" }),
    says("timezone", 'unknown time zone "Mars/Olympus"', '不是已知的时区："Mars/Olympus"'),
  );
  assert.equal(configFromInput({ timezone: "UTC" }).config.timezone, "UTC");
  const wrongDays = says(
    "coolingOffDays",
    "must be a whole number of days, 0 or more",
    "须为 0 或更大的整数天数",
  );
  for (const days of [-1, 1.5, "1.5", "-1", "", " 3", "3 ", "3x", null, true, "x"]) {
    assert.deepEqual(refused({ coolingOffDays: days }), wrongDays, JSON.stringify(days));
  }
  // Days as digits (a JSON number read as its text) count as the number.
  assert.equal(configFromInput({ coolingOffDays: "14" }).config.coolingOffDays, 14);
  assert.equal(configFromInput({ coolingOffDays: 0 }).config.coolingOffDays, 0);
  assert.equal(configFromInput({ coolingOffDays: 3650 }).config.coolingOffDays, 3650);
  assert.equal(configFromInput({ coolingOffDays: "3650" }).config.coolingOffDays, 3650);
  for (const days of [3651, "3651"]) {
    assert.deepEqual(
      refused({ coolingOffDays: days }),
      says("coolingOffDays", "must be at most 3650 days", "不能超过 3650 天"),
    );
  }
});

test("parseConfig refuses a whole parameter set that is not an object or lacks a section", () => {
  for (const input of [null, [], "x"]) {
    assert.deepEqual(
      refusedBy(() => parseConfig(input as never)),
      says("config", "must be an object", "须为对象"),
    );
  }
  assert.deepEqual(
    refusedBy(() => parseConfig({ ...DEFAULT_CONFIG_INPUT, extra: 1 })),
    says("config.extra", "unknown key", "不是已知的参数"),
  );
  for (const section of ["equity", "cycle", "release"]) {
    const { [section]: _, ...rest } = DEFAULT_CONFIG_INPUT;
    assert.deepEqual(
      refusedBy(() => parseConfig(rest)),
      says(section, "must be an object", "须为对象"),
    );
    const extra = {
      ...DEFAULT_CONFIG_INPUT,
      [section]: { ...(DEFAULT_CONFIG_INPUT[section] as object), zzz: 1 },
    };
    assert.deepEqual(
      refusedBy(() => parseConfig(extra)),
      says(`${section}.zzz`, "unknown key", "不是已知的参数"),
    );
  }
});

test("referralReach: the deepest paying share generation, whatever pays nothing above it", () => {
  const reach = (release: unknown, extra: Record<string, unknown> = {}) =>
    referralReach(configFromInput({ release, ...extra }).config);
  assert.equal(reach({ shareRates: ["0", "0.1", "0"] }).shareLevels, 2);
  assert.equal(reach({ shareRates: ["0.1", "0", "0"] }).shareLevels, 1);
  assert.equal(reach({ shareRates: ["0", "0", "0.1"] }).shareLevels, 3);
  assert.equal(reach({ shareRates: ["0", "0"] }).shareLevels, 0);
  assert.equal(reach({}, { cycle: { referralWeightRatio: "0.000001" } }).cycleLevels, 1);
  assert.equal(reach({}, { equity: { referrerShare: "0.000001" } }).equityLevels, 1);
  assert.equal(
    reach({
      starLevels: [
        { name: "a", minPerformance: "1", rate: "0" },
        { name: "b", minPerformance: "2", rate: "0.000001" },
      ],
    }).teamUnlimited,
    true,
  );
});
