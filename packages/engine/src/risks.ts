/**
 * Risks of a parameter set (docs/rules.md §5), listed before it is saved so the
 * operator decides knowingly. Pure: the caller passes the shop's return window.
 */
import { type Config, referralReach } from "./config.ts";

/** One risk: a stable code, the parameter key it concerns, whole sentences in Chinese and English. */
export interface ConfigRisk {
  readonly code: string;
  readonly key: string;
  readonly zh: string;
  readonly en: string;
}

/** The return window most goods bought online have in China (7 days, no reason needed). */
export const DEFAULT_RETURN_WINDOW_DAYS = 7;

/** Which plans pay any reward under this config. */
export function rewardingPlans(config: Config): ("equity" | "cycle" | "release")[] {
  const plans: ("equity" | "cycle" | "release")[] = [];
  const { equity, cycle, release } = config;
  if (equity.contributionRate > 0n && (equity.buyerShare > 0n || equity.referrerShare > 0n))
    plans.push("equity");
  const poolPays = cycle.pools.some((p) =>
    p.split === "weighted" ? p.rate > 0n : p.tiers.some((t) => t.rate > 0n),
  );
  if (cycle.quotaMultiple > 0n && poolPays) plans.push("cycle");
  if (release.dailyRate > 0n && release.packages.some((p) => p.multiple > 0n)) plans.push("release");
  return plans;
}

const PLAN_ZH = { equity: "消费增值", cycle: "循环购", release: "积分通证" } as const;
const PLAN_EN = { equity: "the equity plan", cycle: "the cycle plan", release: "the release plan" } as const;

/**
 * The risks of the parameters in force (docs/rules.md §5): at least a cooling-off
 * period shorter than the return window while any plan pays rewards (an order's
 * rewards then happen while it can still be returned, and each such refund
 * costs the operator what was paid out for it), and rewards that reach any
 * depth of the referral tree.
 */
export function configRisks(config: Config, options: { returnWindowDays?: number } = {}): ConfigRisk[] {
  const window = options.returnWindowDays ?? DEFAULT_RETURN_WINDOW_DAYS;
  if (!Number.isInteger(window) || window < 0) throw new RangeError("returnWindowDays is a whole number ≥ 0");
  const risks: ConfigRisk[] = [];
  const plans = rewardingPlans(config);
  const cooling = config.coolingOffDays;
  if (plans.length > 0 && cooling < window) {
    risks.push({
      code: "COOLING_OFF_SHORTER_THAN_RETURN_WINDOW",
      key: "coolingOffDays",
      zh: `冷静期为 ${cooling} 天，短于 ${window} 天的退货期，而奖励已开启（${plans.map((p) => PLAN_ZH[p]).join("、")}）：订单在仍可退货时就已产生奖励，每笔这样的退款都由运营方承担已发放的奖励。`,
      en: `The cooling-off period is ${cooling} days, shorter than the ${window}-day return window, while rewards are on (${plans.map((p) => PLAN_EN[p]).join(", ")}): an order's rewards happen while it can still be returned, and every such refund costs the operator what was paid out for it.`,
    });
  }
  if (referralReach(config).teamUnlimited) {
    risks.push({
      code: "REWARDS_REACH_ANY_DEPTH",
      key: "release.starLevels",
      zh: "团队级差或平级奖按整个下级市场计算，奖励可达推荐关系的任意层级；部分地区限制多层级推荐奖励，请确认合规。",
      en: "The team differential or the peer bonus counts the whole downline, so rewards reach any depth of the referral tree; several jurisdictions restrict multi-level referral rewards, so check that this is allowed where you operate.",
    });
  }
  return risks;
}
