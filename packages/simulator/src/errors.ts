/**
 * The simulator's refusals: a stable code, a Chinese and an English sentence,
 * and the plan field concerned. A refused plan runs nothing.
 */

export const PLAN_ERRORS = {
  PLAN_NOT_JSON: { zh: "模拟计划不是有效的 JSON。", en: "The simulation plan is not valid JSON." },
  PLAN_NOT_OBJECT: { zh: "模拟计划必须是一个 JSON 对象。", en: "The simulation plan must be a JSON object." },
  PLAN_UNKNOWN_KEY: { zh: "模拟计划含有未知字段。", en: "The simulation plan has an unknown key." },
  PLAN_MISSING: { zh: "模拟计划缺少必填字段。", en: "The simulation plan lacks a required field." },
  PLAN_BAD_INTEGER: {
    zh: "该字段必须是范围内的整数。",
    en: "The field must be a whole number within its range.",
  },
  PLAN_BAD_DECIMAL: {
    zh: "该字段必须是以字符串书写的范围内小数。",
    en: "The field must be a decimal written as a string, within its range.",
  },
  PLAN_BAD_CHOICE: {
    zh: "该字段的取值不在允许的选项中。",
    en: "The field's value is not one of the allowed choices.",
  },
  PLAN_SHARES_SUM: { zh: "各项占比之和必须等于 1。", en: "The shares must add up to exactly 1." },
  PLAN_UNKNOWN_PACKAGE: {
    zh: "购买组合引用了参数中不存在的礼包。",
    en: "The purchase mix names a package that the parameter set does not have.",
  },
  PLAN_PARAMS_INVALID: {
    zh: "参数集无效，引擎拒绝了它。",
    en: "The parameter set is invalid; the engine refused it.",
  },
  PLAN_TOO_LARGE: {
    zh: "模拟规模超过允许的上限（天数 × 会员数）。",
    en: "The simulation is larger than allowed (days × members).",
  },
} as const;

export type PlanErrorCode = keyof typeof PLAN_ERRORS;

/** A refused plan: `code` is stable; `field` names the plan key (dotted path); `detail` says what was wrong. */
export class PlanError extends Error {
  readonly zh: string;
  readonly en: string;
  constructor(
    readonly code: PlanErrorCode,
    readonly field: string,
    readonly detail: string,
  ) {
    const { zh, en } = PLAN_ERRORS[code];
    super(`${code}: ${zh} ${en} (${field}${detail ? `: ${detail}` : ""})`);
    this.name = "PlanError";
    this.zh = zh;
    this.en = en;
  }
}

/** Throws a PlanError. */
export function refusePlan(code: PlanErrorCode, field: string, detail = ""): never {
  throw new PlanError(code, field, detail);
}
