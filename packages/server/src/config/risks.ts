/**
 * Risks of a parameter set (models.md §5), shown before it is saved and with
 * the set in force. Stand-in with the signature of the engine's
 * `configRisks(config, { returnWindowDays })` until that is merged: it checks
 * the one risk §5 names — rewards on while the cooling-off period is shorter
 * than the shop's return window (an order's rewards then happen while it can
 * still be returned, and every such refund costs the operator what was paid
 * out for it).
 */
import type { Config } from "@jifen/engine";

/** One risk: a stable code, the parameter concerned, and the words in Chinese and English. */
export interface ConfigRisk {
  readonly code: string;
  readonly key: string;
  readonly zh: string;
  readonly en: string;
}

/** The return window for most goods bought online in China (7 days without reason). */
export const RETURN_WINDOW_DAYS = 7;

/** True when a paid order earns anything: a release-plan gift, an equity grant or a cycle dividend quota. */
function rewardsOn(config: Config): boolean {
  const release = config.release.dailyRate > 0n && config.release.packages.some((p) => p.multiple > 0n);
  const equity =
    config.equity.contributionRate > 0n &&
    (config.equity.buyerShare > 0n || config.equity.referrerShare > 0n);
  const cycle = config.cycle.quotaMultiple > 0n && config.cycle.pools.length > 0;
  return release || equity || cycle;
}

/** The risks of `config` for a shop whose goods can be returned for `returnWindowDays` days. */
export function configRisks(config: Config, options: { returnWindowDays: number }): ConfigRisk[] {
  const risks: ConfigRisk[] = [];
  const days = config.coolingOffDays;
  const window = options.returnWindowDays;
  if (rewardsOn(config) && days < window) {
    risks.push({
      code: "COOLING_OFF_SHORTER_THAN_RETURN_WINDOW",
      key: "coolingOffDays",
      zh: `奖励已开启，但冷静期（${days} 天）短于退货期（${window} 天）：订单在仍可退货时就已产生奖励，每笔这样的退款都由运营方承担已发放的奖励。`,
      en: `Rewards are on but the cooling-off period (${days} days) is shorter than the return window (${window} days): an order's rewards happen while it can still be returned, and every such refund costs the operator what was paid out for it.`,
    });
  }
  return risks;
}
