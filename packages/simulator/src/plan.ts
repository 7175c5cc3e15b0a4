/**
 * The plan file of `jifen simulate` (docs/simulate.md): read and checked whole
 * before anything runs. Decimals (rates, shares, amounts) are exact decimal
 * text held as bigint micro-units (1 = 1,000,000); a refused plan throws a
 * PlanError naming the field.
 */
import { DecimalError, PLANS, type Plan, parseDecimal, parseJsonLossless, SCALE } from "@jifen/engine";
import { refusePlan } from "./errors.ts";

export type GrowthCurve = "constant" | "exponential" | "logistic";
export type ReferrerChoice = "uniform" | "preferential";

export interface Growth {
  readonly curve: GrowthCurve;
  /** constant: new members a day (micro). */
  readonly perDayMicro: bigint;
  /** exponential / logistic: the daily growth rate (micro: 0.05 = 50,000). */
  readonly rateMicro: bigint;
  /** logistic: the ceiling the member count approaches. */
  readonly ceiling: number;
  /** No new member from this day on (null: growth never stops). */
  readonly stopDay: number | null;
}

export interface MixChoice {
  /** A fixed amount (micro yuan), or null when `package` names a release package. */
  readonly amountMicro: bigint | null;
  readonly package: string | null;
  readonly shareMicro: bigint;
}

export interface MixEntry {
  readonly plans: readonly Plan[];
  readonly shareMicro: bigint;
  readonly choices: readonly MixChoice[];
}

/** Where the parameter set comes from: a file (path relative to the plan), inline, or the database's. */
export type ParamsSource =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "inline"; readonly config: unknown }
  | { readonly kind: "database" };

export interface SimulationPlan {
  readonly days: number;
  readonly seed: number;
  readonly startMembers: number;
  readonly growth: Growth;
  readonly referrer: ReferrerChoice;
  readonly ordersPerMemberPerMonthMicro: bigint;
  /** No order from this day on (null: members keep buying). */
  readonly purchasesStopDay: number | null;
  readonly mix: readonly MixEntry[];
  /** Share of an order paid with released points the member holds (capped by pointsPayRatio). */
  readonly pointsPaidShareMicro: bigint;
  /** Share of equity holders who sell all their equity points each day. */
  readonly equitySellShareMicro: bigint;
  /** Share of each member's cash balance withdrawn each day. */
  readonly cashWithdrawShareMicro: bigint;
  readonly params: ParamsSource;
  /** The summary's "still owed N days after growth stops". */
  readonly owedAfterDays: number;
}

type Obj = Record<string, unknown>;

const TOP_KEYS = [
  "days",
  "seed",
  "startMembers",
  "growth",
  "referrer",
  "purchases",
  "behaviour",
  "params",
  "owedAfterDays",
  "description",
  "comment",
];

function object(value: unknown, field: string): Obj {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    refusePlan("PLAN_NOT_OBJECT", field, "expected an object");
  return value as Obj;
}

function onlyKeys(o: Obj, keys: readonly string[], field: string): void {
  for (const key of Object.keys(o))
    if (!keys.includes(key)) refusePlan("PLAN_UNKNOWN_KEY", field ? `${field}.${key}` : key);
}

/** A whole number in [min, max] (a JSON number or a string of digits). */
export function integer(value: unknown, field: string, min: number, max: number): number {
  if (value === undefined) refusePlan("PLAN_MISSING", field);
  const text = typeof value === "string" ? value : String(value);
  if (!/^-?\d+$/.test(text)) refusePlan("PLAN_BAD_INTEGER", field, `${min}…${max}`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) refusePlan("PLAN_BAD_INTEGER", field, `${min}…${max}`);
  return n;
}

/** A decimal (micro-units) in [0, maxMicro]. */
export function decimal(value: unknown, field: string, maxMicro: bigint, places = 6): bigint {
  if (value === undefined) refusePlan("PLAN_MISSING", field);
  let micro: bigint;
  try {
    micro = parseDecimal(value, places);
  } catch (error) {
    if (error instanceof DecimalError) refusePlan("PLAN_BAD_DECIMAL", field, error.message);
    throw error;
  }
  if (micro < 0n || micro > maxMicro) refusePlan("PLAN_BAD_DECIMAL", field, `0…${maxMicro / SCALE}`);
  return micro;
}

function choice<T extends string>(value: unknown, field: string, options: readonly T[]): T {
  if (value === undefined) refusePlan("PLAN_MISSING", field);
  if (typeof value !== "string" || !options.includes(value as T))
    refusePlan("PLAN_BAD_CHOICE", field, options.join(" | "));
  return value as T;
}

function growth(value: unknown, days: number): Growth {
  const g = object(value, "growth");
  onlyKeys(g, ["curve", "perDay", "rate", "ceiling", "stopDay"], "growth");
  const curve = choice(g.curve, "growth.curve", ["constant", "exponential", "logistic"] as const);
  const stopDay = g.stopDay === undefined ? null : integer(g.stopDay, "growth.stopDay", 1, days + 1);
  const out = { curve, perDayMicro: 0n, rateMicro: 0n, ceiling: 0, stopDay };
  if (curve === "constant") return { ...out, perDayMicro: decimal(g.perDay, "growth.perDay", 10n ** 12n) };
  const rateMicro = decimal(g.rate, "growth.rate", 10n * SCALE);
  if (curve === "exponential") return { ...out, rateMicro };
  return { ...out, rateMicro, ceiling: integer(g.ceiling, "growth.ceiling", 1, 100_000_000) };
}

function plans(value: unknown, field: string): Plan[] {
  if (!Array.isArray(value)) refusePlan("PLAN_MISSING", field, "a list of plans");
  const out: Plan[] = [];
  value.forEach((p, i) => {
    const plan = choice(p, `${field}[${i}]`, PLANS);
    if (out.includes(plan)) refusePlan("PLAN_BAD_CHOICE", `${field}[${i}]`, "listed twice");
    out.push(plan);
  });
  return out;
}

function choices(e: Obj, field: string): MixChoice[] {
  if ((e.amounts === undefined) === (e.packages === undefined))
    refusePlan("PLAN_MISSING", `${field}.amounts`, "give either amounts or packages");
  if (e.amounts !== undefined) {
    if (!Array.isArray(e.amounts) || e.amounts.length === 0 || e.amounts.length > 100)
      refusePlan("PLAN_MISSING", `${field}.amounts`, "a list of 1…100 amounts");
    const list = e.amounts.map((a, i) => {
      const amountMicro = decimal(a, `${field}.amounts[${i}]`, 10n ** 13n, 2);
      if (amountMicro === 0n) refusePlan("PLAN_BAD_DECIMAL", `${field}.amounts[${i}]`, "more than 0");
      return amountMicro;
    });
    return list.map((amountMicro) => ({ amountMicro, package: null, shareMicro: 0n }));
  }
  const packages = object(e.packages, `${field}.packages`);
  const names = Object.keys(packages);
  if (names.length === 0) refusePlan("PLAN_MISSING", `${field}.packages`, "at least one package");
  const list = names.map((name) => ({
    amountMicro: null,
    package: name,
    shareMicro: decimal(packages[name], `${field}.packages.${name}`, SCALE),
  }));
  sharesAddUp(list, `${field}.packages`);
  return list;
}

function sharesAddUp(list: readonly { shareMicro: bigint }[], field: string): void {
  if (list.reduce((s, x) => s + x.shareMicro, 0n) !== SCALE) refusePlan("PLAN_SHARES_SUM", field);
}

function purchases(
  value: unknown,
  days: number,
): {
  ordersPerMemberPerMonthMicro: bigint;
  purchasesStopDay: number | null;
  mix: MixEntry[];
  pointsPaidShareMicro: bigint;
} {
  const p = object(value, "purchases");
  onlyKeys(p, ["ordersPerMemberPerMonth", "stopDay", "mix", "pointsPaidShare"], "purchases");
  if (!Array.isArray(p.mix) || p.mix.length === 0 || p.mix.length > 50)
    refusePlan("PLAN_MISSING", "purchases.mix", "a list of 1…50 entries");
  const mix = p.mix.map((raw, i) => {
    const field = `purchases.mix[${i}]`;
    const e = object(raw, field);
    onlyKeys(e, ["plans", "share", "amounts", "packages", "comment"], field);
    return {
      plans: plans(e.plans, `${field}.plans`),
      shareMicro: decimal(e.share, `${field}.share`, SCALE),
      choices: choices(e, field),
    };
  });
  sharesAddUp(mix, "purchases.mix");
  return {
    ordersPerMemberPerMonthMicro: decimal(
      p.ordersPerMemberPerMonth,
      "purchases.ordersPerMemberPerMonth",
      1000n * SCALE,
    ),
    purchasesStopDay: p.stopDay === undefined ? null : integer(p.stopDay, "purchases.stopDay", 1, days + 1),
    mix,
    pointsPaidShareMicro:
      p.pointsPaidShare === undefined ? 0n : decimal(p.pointsPaidShare, "purchases.pointsPaidShare", SCALE),
  };
}

function behaviour(value: unknown): { equitySellShareMicro: bigint; cashWithdrawShareMicro: bigint } {
  if (value === undefined) return { equitySellShareMicro: 0n, cashWithdrawShareMicro: 0n };
  const b = object(value, "behaviour");
  onlyKeys(b, ["equitySellShare", "cashWithdrawShare"], "behaviour");
  const share = (key: string) => (b[key] === undefined ? 0n : decimal(b[key], `behaviour.${key}`, SCALE));
  return {
    equitySellShareMicro: share("equitySellShare"),
    cashWithdrawShareMicro: share("cashWithdrawShare"),
  };
}

function params(value: unknown): ParamsSource {
  if (value === undefined || value === "database") return { kind: "database" };
  if (typeof value === "string" && value !== "") return { kind: "file", path: value };
  return { kind: "inline", config: object(value, "params") };
}

/** Checks a parsed plan (numbers as decimal text, as `parseJsonLossless` gives them). */
export function parsePlan(value: unknown): SimulationPlan {
  const o = object(value, "plan");
  onlyKeys(o, TOP_KEYS, "");
  const days = integer(o.days, "days", 1, 3650);
  return {
    days,
    seed: integer(o.seed ?? "1", "seed", 0, 4294967295),
    startMembers: integer(o.startMembers, "startMembers", 1, 10_000_000),
    growth: growth(o.growth, days),
    referrer: choice(o.referrer ?? "uniform", "referrer", ["uniform", "preferential"] as const),
    ...purchases(o.purchases, days),
    ...behaviour(o.behaviour),
    params: params(o.params),
    owedAfterDays: integer(o.owedAfterDays ?? "30", "owedAfterDays", 0, 3650),
  };
}

/** Reads plan text (exact decimals, no float ever) and checks it. */
export function parsePlanText(text: string): SimulationPlan {
  let value: unknown;
  try {
    value = parseJsonLossless(text);
  } catch (error) {
    refusePlan("PLAN_NOT_JSON", "plan", (error as Error).message);
  }
  return parsePlan(value);
}
