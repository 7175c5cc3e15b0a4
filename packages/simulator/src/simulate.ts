/**
 * A whole simulation: the plan under one parameter set, and optionally under a
 * second one with the same seed, so both see the same newcomers, referrers and
 * orders (members' own sales and withdrawals follow the same draws, but what
 * they can sell or withdraw depends on the rules).
 */
import type { ReplayOutput } from "@jifen/engine";
import type { DayRow } from "./metrics.ts";
import type { SimulationPlan } from "./plan.ts";
import { type ReplayEvent, type RunOptions, SimulationRun } from "./run.ts";
import { type Summary, summarise } from "./summary.ts";

export interface SimulationInput extends Omit<RunOptions, "events"> {
  readonly plan: SimulationPlan;
  /** The parameter set (the engine's config input, as `jifen replay` takes it). */
  readonly params: unknown;
  /** A second parameter set to run beside the first. */
  readonly compare?: unknown;
  /** Overrides the plan's seed. */
  readonly seed?: number;
  /** Collect the first run's events in the replay format. */
  readonly events?: boolean;
}

export interface Series {
  rows: DayRow[];
  summary: Summary;
}

export interface SimulationResult {
  seed: number;
  days: number;
  params: unknown;
  primary: Series;
  compare: Series | null;
  events: ReplayEvent[] | null;
  /** With `events`: the first run's final state as `jifen replay` of those events renders it. */
  final: ReplayOutput | null;
}

function series(input: SimulationInput, params: unknown, seed: number, events: boolean) {
  const result = new SimulationRun(input.plan, params, seed, { ...input, events }).run();
  return {
    series: { rows: result.rows, summary: summarise(input.plan, result.rows, result.largest) },
    events: result.events,
    final: result.final,
  };
}

/** Runs the plan (and the comparison); throws a PlanError for a plan or parameter set that is refused. */
export function simulate(input: SimulationInput): SimulationResult {
  const seed = input.seed ?? input.plan.seed;
  const first = series(input, input.params, seed, input.events === true);
  const second = input.compare === undefined ? null : series(input, input.compare, seed, false);
  return {
    seed,
    days: input.plan.days,
    params: input.params,
    primary: first.series,
    compare: second?.series ?? null,
    events: first.events,
    final: first.final,
  };
}
