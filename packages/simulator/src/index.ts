/** @jifen/simulator — growth simulation through the engine (docs/simulate.md): one public surface. */
export { PLAN_ERRORS, PlanError, type PlanErrorCode } from "./errors.ts";
export { toHtml } from "./html.ts";
export type { DayRow } from "./metrics.ts";
export { toCsv, toJson, toScenario } from "./output.ts";
export { type ParamsSource, parsePlan, parsePlanText, type SimulationPlan } from "./plan.ts";
export type { LargestMember, ReplayEvent } from "./run.ts";
export { type Series, type SimulationInput, type SimulationResult, simulate } from "./simulate.ts";
export { STALL_DAYS, type Summary } from "./summary.ts";
