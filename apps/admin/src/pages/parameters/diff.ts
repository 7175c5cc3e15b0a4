/**
 * Parameter sets as the form edits them (every value as text), the patch a
 * form's changes make (lists whole, as the server replaces them), and the
 * key-by-key differences between two sets ("release.starLevels[0].rate").
 */
import type { Ok } from "@jifen/api-types";

export type Config = Ok<"getConfig">["config"];
export type Section = "general" | "equity" | "cycle" | "release";

/** A value with every leaf as text (the form's fields are text inputs). */
export function asText(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asText);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined && v !== null)
        .map(([k, v]) => [k, asText(v)]),
    );
  }
  return value === undefined || value === null ? value : String(value);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(asText(a)) === JSON.stringify(asText(b));
}

/** The keys of each form: top-level names, or `section.key`. */
export const SECTION_KEYS: Record<Section, readonly string[]> = {
  general: ["timezone", "coolingOffDays", "withdrawal.feeRate", "withdrawal.minAmount"],
  equity: [
    "equity.initialPrice",
    "equity.totalSupply",
    "equity.contributionRate",
    "equity.buyerShare",
    "equity.referrerShare",
    "equity.sellFeeRate",
    "equity.redeemFeeRate",
    "equity.exitQuotaMultiple",
  ],
  cycle: [
    "cycle.preset",
    "cycle.quotaMultiple",
    "cycle.weightPerYuan",
    "cycle.referralWeightRatio",
    "cycle.pools",
  ],
  release: [
    "release.packages",
    "release.dailyRate",
    "release.shareRates",
    "release.starLevels",
    "release.peerRate",
    "release.pointsPayRatio",
  ],
};

function at(value: unknown, key: string): unknown {
  return key
    .split(".")
    .reduce<unknown>((v, part) => (v as Record<string, unknown> | undefined)?.[part], value);
}

/** A pool as the server takes it: a weighted pool has a rate, a tier pool its tiers. */
function cleanPools(pools: unknown): unknown {
  if (!Array.isArray(pools)) return pools;
  return pools.map((pool: Record<string, unknown>) =>
    pool.split === "tiers"
      ? { name: pool.name, split: "tiers", tiers: pool.tiers ?? [] }
      : { name: pool.name, split: "weighted", rate: pool.rate },
  );
}

/** The keys of `section` whose value in `edited` differs from `base`, as a patch ({} when none). */
export function patchOf(section: Section, base: unknown, edited: unknown): Record<string, unknown> {
  const patch: Record<string, Record<string, unknown> | unknown> = {};
  for (const key of SECTION_KEYS[section]) {
    let value = at(edited, key);
    if (key === "cycle.pools") value = cleanPools(value);
    if (value === undefined || same(value, at(base, key))) continue;
    const [head = "", tail] = key.split(".");
    if (tail === undefined) patch[head] = asText(value);
    else patch[head] = { ...(patch[head] as Record<string, unknown> | undefined), [tail]: asText(value) };
  }
  return patch;
}

/** Every leaf of a value as `path → text` (lists by index). */
export function flatten(value: unknown, prefix = "", out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) flatten(v, `${prefix}[${i}]`, out);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined && value !== null) out.set(prefix, String(value));
  return out;
}

export interface Change {
  readonly key: string;
  readonly from: string | null;
  readonly to: string | null;
}

/** The leaves that differ between two sets, in the order of `after` (then those only in `before`). */
export function diff(before: unknown, after: unknown): Change[] {
  const a = flatten(before);
  const b = flatten(after);
  const changes: Change[] = [];
  for (const [key, to] of b) if (a.get(key) !== to) changes.push({ key, from: a.get(key) ?? null, to });
  for (const [key, from] of a) if (!b.has(key)) changes.push({ key, from, to: null });
  return changes;
}

/** The form field path of a server field name: "release.starLevels[1].rate" → ["release","starLevels",1,"rate"]. */
export function fieldPath(field: string): (string | number)[] {
  return field
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .filter((part) => part !== "")
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}
