/**
 * Reward parameters: the defaults of docs/rules.md §4, key-by-key overrides,
 * the "cycle" / "energy" presets, and validation that names the refused key.
 *
 * A config is written as JSON (`ConfigInput`, decimals as strings or numbers)
 * and used as `Config` (decimals as micro-unit bigints).
 */
import { refuseConfig } from "./errors.ts";
import {
  MAX_MULTIPLE_MICRO,
  MAX_PACKAGE_AMOUNT_MICRO,
  MAX_STAR_PERFORMANCE_MICRO,
  MAX_TIER_WEIGHT_MICRO,
} from "./limits.ts";
import { DecimalError, decimalReasonZh, formatDecimal, PLACES, parseDecimal, SCALE } from "./money.ts";

/** A JSON object of overrides, as written in a scenario or sent to the API. */
export type ConfigInput = { [key: string]: unknown };

export interface WeightedPool {
  readonly name: string;
  readonly split: "weighted";
  /** Share of the day's sales D, micro-scaled. */
  readonly rate: bigint;
}

export interface Tier {
  readonly name: string;
  /** Minimum weight, micro-units. */
  readonly minWeight: bigint;
  readonly rate: bigint;
}

export interface TierPool {
  readonly name: string;
  readonly split: "tiers";
  readonly tiers: readonly Tier[];
}

export type Pool = WeightedPool | TierPool;

export interface Package {
  readonly name: string;
  /** Minimum single-order amount, micro-units of CNY. */
  readonly minAmount: bigint;
  readonly multiple: bigint;
}

export interface StarLevel {
  readonly name: string;
  /** Minimum team performance, micro-units of CNY. */
  readonly minPerformance: bigint;
  readonly rate: bigint;
}

export interface EquityConfig {
  readonly initialPrice: bigint;
  readonly totalSupply: bigint;
  readonly contributionRate: bigint;
  readonly buyerShare: bigint;
  readonly referrerShare: bigint;
  readonly sellFeeRate: bigint;
  readonly redeemFeeRate: bigint;
  readonly exitQuotaMultiple: bigint;
}

export interface CycleConfig {
  readonly preset: "cycle" | "energy";
  readonly quotaMultiple: bigint;
  readonly weightPerYuan: bigint;
  readonly referralWeightRatio: bigint;
  readonly pools: readonly Pool[];
}

export interface ReleaseConfig {
  readonly packages: readonly Package[];
  readonly dailyRate: bigint;
  /** Share acceleration rate per generation: [generation 1, generation 2, …]. */
  readonly shareRates: readonly bigint[];
  readonly starLevels: readonly StarLevel[];
  readonly peerRate: bigint;
  readonly pointsPayRatio: bigint;
}

export interface Config {
  readonly timezone: string;
  readonly coolingOffDays: number;
  readonly equity: EquityConfig;
  readonly cycle: CycleConfig;
  readonly release: ReleaseConfig;
}

const CYCLE_PRESET_POOLS = [
  { name: "static", rate: "0.3", split: "weighted" },
  {
    name: "dynamic",
    split: "tiers",
    tiers: [
      { name: "V1", minWeight: "50", rate: "0.01" },
      { name: "V2", minWeight: "101", rate: "0.03" },
      { name: "V3", minWeight: "201", rate: "0.06" },
    ],
  },
];

const ENERGY_PRESET_POOLS = [
  { name: "dynamic", rate: "0.3", split: "weighted" },
  {
    name: "static",
    split: "tiers",
    tiers: [
      { name: "V1", minWeight: "0", rate: "0.04" },
      { name: "V2", minWeight: "11", rate: "0.03" },
      { name: "V3", minWeight: "21", rate: "0.02" },
      { name: "V4", minWeight: "31", rate: "0.01" },
    ],
  },
];

/** What a cycle preset sets: the referral weight ratio and the pools. */
export const CYCLE_PRESETS: Readonly<Record<string, ConfigInput>> = {
  cycle: { referralWeightRatio: "0", pools: CYCLE_PRESET_POOLS },
  energy: { referralWeightRatio: "1", pools: ENERGY_PRESET_POOLS },
};

/** The defaults of docs/rules.md §4 (the spec's), as JSON. */
export const DEFAULT_CONFIG_INPUT: ConfigInput = {
  timezone: "Asia/Shanghai",
  coolingOffDays: 0,
  equity: {
    initialPrice: "1",
    totalSupply: "100000000",
    contributionRate: "0.3",
    buyerShare: "0.7",
    referrerShare: "0",
    sellFeeRate: "0.1",
    redeemFeeRate: "0",
    exitQuotaMultiple: "3",
  },
  cycle: {
    preset: "cycle",
    quotaMultiple: "2",
    weightPerYuan: "0.001",
    referralWeightRatio: "0",
    pools: CYCLE_PRESET_POOLS,
  },
  release: {
    packages: [
      { name: "初级会员", minAmount: "3000", multiple: "2.5" },
      { name: "中级会员", minAmount: "9000", multiple: "3" },
      { name: "高级会员", minAmount: "27000", multiple: "3.5" },
      { name: "VIP会员", minAmount: "51000", multiple: "4" },
    ],
    dailyRate: "0.012",
    shareRates: ["0.5", "0.3"],
    starLevels: [
      { name: "一星", minPerformance: "50000", rate: "0.10" },
      { name: "二星", minPerformance: "200000", rate: "0.20" },
      { name: "三星", minPerformance: "600000", rate: "0.26" },
      { name: "四星", minPerformance: "2000000", rate: "0.32" },
      { name: "五星", minPerformance: "6000000", rate: "0.38" },
      { name: "六星", minPerformance: "15000000", rate: "0.44" },
      { name: "七星", minPerformance: "30000000", rate: "0.50" },
    ],
    peerRate: "0.03",
    pointsPayRatio: "1",
  },
};

const SECTION_KEYS: Record<string, readonly string[]> = {
  equity: Object.keys(DEFAULT_CONFIG_INPUT.equity as object),
  cycle: Object.keys(DEFAULT_CONFIG_INPUT.cycle as object),
  release: Object.keys(DEFAULT_CONFIG_INPUT.release as object),
};
const TOP_KEYS = Object.keys(DEFAULT_CONFIG_INPUT);

function isObject(value: unknown): value is ConfigInput {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Refuses `key`, saying what it must be in English (`detail`, the replay's words) and Chinese (`zh`). */
function bad(key: string, detail: string, zh: string): never {
  refuseConfig(key, detail, zh);
}

/**
 * Applies a patch of overrides to a JSON config, key by key. Lists replace whole.
 * A `cycle.preset` in the patch first sets the preset's keys, then the keys given
 * beside it override them. Unknown keys are refused here, naming the key.
 */
export function mergeConfigInput(base: ConfigInput, patch: unknown): ConfigInput {
  if (!isObject(patch)) bad("config", "must be an object", "须为对象");
  const out: ConfigInput = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (!TOP_KEYS.includes(key)) bad(key, "unknown key", "不是已知的参数");
    const sectionKeys = SECTION_KEYS[key];
    if (!sectionKeys) {
      out[key] = value;
      continue;
    }
    if (!isObject(value)) bad(key, "must be an object", "须为对象");
    let section: ConfigInput = { ...(isObject(base[key]) ? base[key] : {}) };
    for (const sub of Object.keys(value)) {
      if (!sectionKeys.includes(sub)) bad(`${key}.${sub}`, "unknown key", "不是已知的参数");
    }
    // Only the cycle section has a preset key (any other is refused just above).
    if (value.preset !== undefined) {
      const preset = typeof value.preset === "string" ? CYCLE_PRESETS[value.preset] : undefined;
      if (!preset || !Object.hasOwn(CYCLE_PRESETS, value.preset as string)) {
        bad(
          "cycle.preset",
          `unknown preset ${JSON.stringify(value.preset)} (known: cycle, energy)`,
          `不是已知的预设 ${JSON.stringify(value.preset)}（可选 cycle、energy）`,
        );
      }
      section = { ...section, ...preset };
    }
    out[key] = { ...section, ...value };
  }
  return out;
}

/** Builds and validates a config from the defaults and one patch of overrides. */
export function configFromInput(patch: unknown = {}): { input: ConfigInput; config: Config } {
  const input = mergeConfigInput(DEFAULT_CONFIG_INPUT, patch);
  return { input, config: parseConfig(input) };
}

// ---- validation ----------------------------------------------------------

function decimalAt(value: unknown, key: string): bigint {
  try {
    return parseDecimal(value, PLACES);
  } catch (error) {
    if (error instanceof DecimalError) bad(key, error.message, decimalReasonZh(error, PLACES));
    throw error;
  }
}

function rateAt(value: unknown, key: string): bigint {
  const rate = decimalAt(value, key);
  if (rate < 0n || rate > SCALE) bad(key, "must be between 0 and 1", "须在 0 到 1 之间");
  return rate;
}

function nonNegativeAt(value: unknown, key: string): bigint {
  const amount = decimalAt(value, key);
  if (amount < 0n) bad(key, "must not be negative", "不能为负数");
  return amount;
}

/** A value at most `limit` (docs/rules.md "Limits"). */
function atMost(value: bigint, limit: bigint, key: string): bigint {
  if (value > limit) bad(key, `must be at most ${formatDecimal(limit)}`, `不能大于 ${formatDecimal(limit)}`);
  return value;
}

function positiveAt(value: unknown, key: string): bigint {
  const amount = decimalAt(value, key);
  if (amount <= 0n) bad(key, "must be positive", "须大于 0");
  return amount;
}

function nameAt(value: unknown, key: string): string {
  if (typeof value !== "string" || value.trim() === "")
    bad(key, "must be a non-empty string", "须为非空文本");
  return value;
}

/** Longest list a config may hold (star levels and tiers are indexed in Int8Array columns). */
export const MAX_LIST = 100;

function listAt(value: unknown, key: string): unknown[] {
  if (!Array.isArray(value)) bad(key, "must be a list", "须为列表");
  if (value.length > MAX_LIST) bad(key, `at most ${MAX_LIST} entries`, `最多 ${MAX_LIST} 项`);
  return value;
}

function objectAt(value: unknown, key: string, allowed: readonly string[]): ConfigInput {
  if (!isObject(value)) bad(key, "must be an object", "须为对象");
  for (const sub of Object.keys(value)) {
    if (!allowed.includes(sub)) bad(`${key}.${sub}`, "unknown key", "不是已知的参数");
  }
  return value;
}

function uniqueNames(items: readonly { name: string }[], key: string): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.name))
      bad(
        `${key}[${i}].name`,
        `duplicate name ${JSON.stringify(item.name)}`,
        `名称 ${JSON.stringify(item.name)} 重复`,
      );
    seen.add(item.name);
  });
}

function strictlyIncreasing(values: readonly bigint[], key: string, field: string): void {
  for (let i = 1; i < values.length; i++) {
    if ((values[i] as bigint) <= (values[i - 1] as bigint)) {
      bad(`${key}[${i}].${field}`, "must be strictly greater than the one before", "须大于前一项");
    }
  }
}

function validTimezone(value: unknown): string {
  if (typeof value !== "string" || value === "")
    bad("timezone", "must be a time zone name", "须为时区名称（如 Asia/Shanghai）");
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
  } catch {
    bad("timezone", `unknown time zone ${JSON.stringify(value)}`, `不是已知的时区：${JSON.stringify(value)}`);
  }
  return value;
}

function parseEquity(raw: ConfigInput): EquityConfig {
  const k = (name: string) => `equity.${name}`;
  const equity: EquityConfig = {
    initialPrice: positiveAt(raw.initialPrice, k("initialPrice")),
    totalSupply: positiveAt(raw.totalSupply, k("totalSupply")),
    contributionRate: rateAt(raw.contributionRate, k("contributionRate")),
    buyerShare: rateAt(raw.buyerShare, k("buyerShare")),
    referrerShare: rateAt(raw.referrerShare, k("referrerShare")),
    sellFeeRate: rateAt(raw.sellFeeRate, k("sellFeeRate")),
    redeemFeeRate: rateAt(raw.redeemFeeRate, k("redeemFeeRate")),
    exitQuotaMultiple: atMost(
      nonNegativeAt(raw.exitQuotaMultiple, k("exitQuotaMultiple")),
      MAX_MULTIPLE_MICRO,
      k("exitQuotaMultiple"),
    ),
  };
  if (equity.buyerShare + equity.referrerShare > SCALE) {
    bad(k("referrerShare"), "buyerShare + referrerShare must not exceed 1", "与 buyerShare 之和不能超过 1");
  }
  return equity;
}

function parsePool(value: unknown, key: string): Pool {
  const raw = objectAt(value, key, ["name", "rate", "split", "tiers"]);
  const name = nameAt(raw.name, `${key}.name`);
  if (raw.split === "weighted") {
    if (raw.tiers !== undefined)
      bad(`${key}.tiers`, "a weighted pool has no tiers", "不适用：按权重分配的奖池不设档位");
    return { name, split: "weighted", rate: rateAt(raw.rate, `${key}.rate`) };
  }
  if (raw.split === "tiers") {
    if (raw.rate !== undefined)
      bad(
        `${key}.rate`,
        "a tier pool has no rate of its own; give each tier a rate",
        "不适用：分档奖池本身没有比例，请为每一档设置比例",
      );
    const tiers = listAt(raw.tiers, `${key}.tiers`).map((tierValue, i) => {
      const tk = `${key}.tiers[${i}]`;
      const tier = objectAt(tierValue, tk, ["name", "minWeight", "rate"]);
      return {
        name: nameAt(tier.name, `${tk}.name`),
        minWeight: atMost(
          nonNegativeAt(tier.minWeight, `${tk}.minWeight`),
          MAX_TIER_WEIGHT_MICRO,
          `${tk}.minWeight`,
        ),
        rate: rateAt(tier.rate, `${tk}.rate`),
      };
    });
    if (tiers.length === 0) bad(`${key}.tiers`, "must not be empty", "不能为空");
    uniqueNames(tiers, `${key}.tiers`);
    strictlyIncreasing(
      tiers.map((t) => t.minWeight),
      `${key}.tiers`,
      "minWeight",
    );
    return { name, split: "tiers", tiers };
  }
  bad(`${key}.split`, 'must be "weighted" or "tiers"', '只能为 "weighted" 或 "tiers"');
}

function parseCycle(raw: ConfigInput): CycleConfig {
  const preset = raw.preset;
  if (preset !== "cycle" && preset !== "energy")
    bad("cycle.preset", "unknown preset (known: cycle, energy)", "不是已知的预设（可选 cycle、energy）");
  const pools = listAt(raw.pools, "cycle.pools").map((p, i) => parsePool(p, `cycle.pools[${i}]`));
  uniqueNames(pools, "cycle.pools");
  return {
    preset,
    quotaMultiple: atMost(
      nonNegativeAt(raw.quotaMultiple, "cycle.quotaMultiple"),
      MAX_MULTIPLE_MICRO,
      "cycle.quotaMultiple",
    ),
    weightPerYuan: atMost(
      nonNegativeAt(raw.weightPerYuan, "cycle.weightPerYuan"),
      MAX_MULTIPLE_MICRO,
      "cycle.weightPerYuan",
    ),
    referralWeightRatio: rateAt(raw.referralWeightRatio, "cycle.referralWeightRatio"),
    pools,
  };
}

function parseRelease(raw: ConfigInput): ReleaseConfig {
  const packages = listAt(raw.packages, "release.packages").map((value, i) => {
    const key = `release.packages[${i}]`;
    const item = objectAt(value, key, ["name", "minAmount", "multiple"]);
    return {
      name: nameAt(item.name, `${key}.name`),
      minAmount: atMost(
        positiveAt(item.minAmount, `${key}.minAmount`),
        MAX_PACKAGE_AMOUNT_MICRO,
        `${key}.minAmount`,
      ),
      multiple: atMost(
        nonNegativeAt(item.multiple, `${key}.multiple`),
        MAX_MULTIPLE_MICRO,
        `${key}.multiple`,
      ),
    };
  });
  uniqueNames(packages, "release.packages");
  strictlyIncreasing(
    packages.map((p) => p.minAmount),
    "release.packages",
    "minAmount",
  );
  const starLevels = listAt(raw.starLevels, "release.starLevels").map((value, i) => {
    const key = `release.starLevels[${i}]`;
    const item = objectAt(value, key, ["name", "minPerformance", "rate"]);
    return {
      name: nameAt(item.name, `${key}.name`),
      minPerformance: atMost(
        positiveAt(item.minPerformance, `${key}.minPerformance`),
        MAX_STAR_PERFORMANCE_MICRO,
        `${key}.minPerformance`,
      ),
      rate: rateAt(item.rate, `${key}.rate`),
    };
  });
  uniqueNames(starLevels, "release.starLevels");
  strictlyIncreasing(
    starLevels.map((s) => s.minPerformance),
    "release.starLevels",
    "minPerformance",
  );
  const shareRates = listAt(raw.shareRates, "release.shareRates").map((r, i) =>
    rateAt(r, `release.shareRates[${i}]`),
  );
  return {
    packages,
    dailyRate: rateAt(raw.dailyRate, "release.dailyRate"),
    shareRates,
    starLevels,
    peerRate: rateAt(raw.peerRate, "release.peerRate"),
    pointsPayRatio: rateAt(raw.pointsPayRatio, "release.pointsPayRatio"),
  };
}

/** Validates a complete JSON config (defaults already merged) into a `Config`. */
export function parseConfig(input: ConfigInput): Config {
  const top = objectAt(input, "config", TOP_KEYS);
  const cooling = top.coolingOffDays;
  const coolingDays = typeof cooling === "string" && /^\d+$/.test(cooling) ? Number(cooling) : cooling;
  if (typeof coolingDays !== "number" || !Number.isInteger(coolingDays) || coolingDays < 0) {
    bad("coolingOffDays", "must be a whole number of days, 0 or more", "须为 0 或更大的整数天数");
  }
  if (coolingDays > 3650) bad("coolingOffDays", "must be at most 3650 days", "不能超过 3650 天");
  return {
    timezone: validTimezone(top.timezone),
    coolingOffDays: coolingDays,
    equity: parseEquity(objectAt(top.equity, "equity", SECTION_KEYS.equity as string[])),
    cycle: parseCycle(objectAt(top.cycle, "cycle", SECTION_KEYS.cycle as string[])),
    release: parseRelease(objectAt(top.release, "release", SECTION_KEYS.release as string[])),
  };
}

/** How many referral levels above a buyer this config pays rewards to (docs/rules.md §5). */
export function referralReach(config: Config): {
  equityLevels: number;
  cycleLevels: number;
  shareLevels: number;
  teamUnlimited: boolean;
} {
  const shareLevels = config.release.shareRates.reduce(
    (deepest, rate, i) => (rate > 0n ? i + 1 : deepest),
    0,
  );
  return {
    equityLevels: config.equity.referrerShare > 0n ? 1 : 0,
    cycleLevels: config.cycle.referralWeightRatio > 0n ? 1 : 0,
    shareLevels,
    // The peer bonus pays only above a member who set a differential, so a star rate above 0 decides both.
    teamUnlimited: config.release.starLevels.some((s) => s.rate > 0n),
  };
}
