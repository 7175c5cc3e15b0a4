/** Reads a /metrics answer with a Prometheus text-format parser (parse-prometheus-text-format). */
import { createRequire } from "node:module";

/** One sample of a family (histograms carry buckets, count and sum instead of value). */
export interface PromSample {
  readonly value?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly buckets?: Readonly<Record<string, string>>;
  readonly count?: string;
  readonly sum?: string;
}

/** One metric family as the parser returns it. */
export interface PromFamily {
  readonly name: string;
  readonly help: string;
  readonly type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
  readonly metrics: readonly PromSample[];
}

const parse = createRequire(import.meta.url)("parse-prometheus-text-format") as (
  text: string,
) => PromFamily[];

/** The families of a Prometheus text exposition. */
export function parsePrometheus(text: string): Map<string, PromFamily> {
  return new Map(parse(text).map((family) => [family.name, family]));
}

function matches(sample: PromSample, labels: Record<string, string>): boolean {
  return Object.entries(labels).every(([k, v]) => sample.labels?.[k] === v);
}

/** The value of the first sample of `name` whose labels include `labels` (undefined: none). */
export function sampleValue(
  families: Map<string, PromFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const sample = families.get(name)?.metrics.find((s) => matches(s, labels));
  if (sample === undefined) return undefined;
  return Number(sample.value ?? sample.count);
}
