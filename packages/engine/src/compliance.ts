/**
 * A plain compliance report of a parameter set (docs/compliance.md): per reward
 * rule, how many referral generations above the buyer it reaches, whether it is
 * paid on other members' purchases, whether it is earned by recruiting, and
 * whether receiving it needs a purchase of one's own; then notes naming the PRC
 * rules an operator should have reviewed. Information for the operator's own
 * legal review, not legal advice. Pure: derived from the parameters alone.
 */
import type { Config } from "./config.ts";
import { formatDecimal, SCALE } from "./money.ts";
import { rewardingPlans } from "./risks.ts";

export type ComplianceRuleCode =
  | "equity.buyer"
  | "equity.referrer"
  | "cycle.dividend"
  | "cycle.referrer"
  | "release.static"
  | "release.share"
  | "release.team"
  | "release.peer";

/** One reward rule under a parameter set. */
export interface ComplianceRule {
  readonly code: ComplianceRuleCode;
  readonly plan: "equity" | "cycle" | "release";
  readonly nameZh: string;
  readonly nameEn: string;
  /** False when the parameters switch the rule off (a zero rate, a plan that pays nothing). */
  readonly applies: boolean;
  /** Referral generations above the buyer it reaches: 0 = none, null = unbounded (the whole upline). */
  readonly generations: number | null;
  /** Paid on other members' purchases (团队计酬 when it follows the referral tree). */
  readonly onOthersPurchases: boolean;
  /** Earned only through members one referred, directly or not (拉人头). */
  readonly onRecruiting: boolean;
  /** Paid on others' purchases but only to members who bought first (入门费). */
  readonly entryPurchase: boolean;
  /** The smallest own purchase that qualifies (micro-units of CNY); null: any amount, or none needed. */
  readonly entryMinAmountMicro: bigint | null;
  /** The parameters that decide it, with their values. */
  readonly setting: string;
}

/** A plain-language note; `code` is stable, the sentences are whole. */
export interface ComplianceNote {
  readonly code: string;
  readonly zh: string;
  readonly en: string;
}

export interface ComplianceReport {
  readonly rules: readonly ComplianceRule[];
  /** The deepest any applying rule reaches: null = unbounded. */
  readonly deepestGenerations: number | null;
  readonly teamPay: boolean;
  readonly recruiting: boolean;
  readonly entryPurchase: boolean;
  /** The largest multiple of a purchase a plan promises back (gift, quota, exit quota); 0 when none. */
  readonly largestReturnMultiple: bigint;
  readonly notes: readonly ComplianceNote[];
  readonly disclaimer: { readonly zh: string; readonly en: string };
}

export const COMPLIANCE_DISCLAIMER = {
  zh: "本报告仅根据参数自动生成，供运营方自行开展法律审查时参考，不构成法律意见；是否合规须由运营方咨询执业律师并结合实际经营方式判断。",
  en: "This report is generated from the parameters alone as information for the operator's own legal review; it is not legal advice. Whether the scheme is lawful must be judged with a qualified lawyer against how the business actually operates.",
} as const;

type RuleFacts = Omit<ComplianceRule, "code" | "plan" | "nameZh" | "nameEn">;

const OFF: Omit<RuleFacts, "setting"> = {
  applies: false,
  generations: 0,
  onOthersPurchases: false,
  onRecruiting: false,
  entryPurchase: false,
  entryMinAmountMicro: null,
};

const fmt = formatDecimal;

/** The deepest generation with a positive share rate (0: none). */
export function shareGenerationCount(shareRates: readonly bigint[]): number {
  return shareRates.reduce((deepest, rate, i) => (rate > 0n ? i + 1 : deepest), 0);
}

/** The smallest package amount that gifts points (null: none does). */
function smallestGiftingPackage(config: Config): bigint | null {
  const found = config.release.packages.find((p) => p.multiple > 0n);
  return found ? found.minAmount : null;
}

function equityRules(config: Config, on: boolean): RuleFacts[] {
  const { equity } = config;
  const base = `equity.contributionRate = ${fmt(equity.contributionRate)}`;
  const buyer: RuleFacts =
    on && equity.buyerShare > 0n
      ? { ...OFF, applies: true, setting: `${base}, equity.buyerShare = ${fmt(equity.buyerShare)}` }
      : { ...OFF, setting: `${base}, equity.buyerShare = ${fmt(equity.buyerShare)}` };
  const referrerSetting = `${base}, equity.referrerShare = ${fmt(equity.referrerShare)}`;
  const referrer: RuleFacts =
    on && equity.referrerShare > 0n
      ? {
          ...OFF,
          applies: true,
          generations: 1,
          onOthersPurchases: true,
          onRecruiting: true,
          setting: referrerSetting,
        }
      : { ...OFF, setting: referrerSetting };
  return [buyer, referrer];
}

function cycleRules(config: Config, on: boolean): RuleFacts[] {
  const { cycle } = config;
  const base = `cycle.quotaMultiple = ${fmt(cycle.quotaMultiple)}, cycle.pools: ${cycle.pools.map((p) => p.name).join(", ") || "[]"}`;
  const dividend: RuleFacts = on
    ? { ...OFF, applies: true, onOthersPurchases: true, entryPurchase: true, setting: base }
    : { ...OFF, setting: base };
  const referrerSetting = `cycle.referralWeightRatio = ${fmt(cycle.referralWeightRatio)}`;
  const referrer: RuleFacts =
    on && cycle.referralWeightRatio > 0n
      ? {
          ...OFF,
          applies: true,
          generations: 1,
          onOthersPurchases: true,
          onRecruiting: true,
          entryPurchase: true,
          setting: referrerSetting,
        }
      : { ...OFF, setting: referrerSetting };
  return [dividend, referrer];
}

function releaseRules(config: Config, on: boolean): RuleFacts[] {
  const { release } = config;
  const entry = smallestGiftingPackage(config);
  const accel = (generations: number | null, setting: string, applies: boolean): RuleFacts =>
    on && applies
      ? {
          applies: true,
          generations,
          onOthersPurchases: true,
          onRecruiting: true,
          entryPurchase: true,
          entryMinAmountMicro: entry,
          setting,
        }
      : { ...OFF, setting };
  const starPays = release.starLevels.some((s) => s.rate > 0n);
  const topRate = release.starLevels.reduce((m, s) => (s.rate > m ? s.rate : m), 0n);
  const stars = `release.starLevels: ${release.starLevels.length}, max rate ${fmt(topRate)}`;
  const share = shareGenerationCount(release.shareRates);
  return [
    on
      ? { ...OFF, applies: true, setting: `release.dailyRate = ${fmt(release.dailyRate)}` }
      : { ...OFF, setting: `release.dailyRate = ${fmt(release.dailyRate)}` },
    accel(share, `release.shareRates = [${release.shareRates.map(fmt).join(", ")}]`, share > 0),
    accel(null, stars, starPays),
    accel(null, `release.peerRate = ${fmt(release.peerRate)}, ${stars}`, starPays && release.peerRate > 0n),
  ];
}

const NAMES: readonly [ComplianceRuleCode, ComplianceRule["plan"], string, string][] = [
  ["equity.buyer", "equity", "购买者增值积分", "Buyer's equity points"],
  ["equity.referrer", "equity", "推荐人增值积分", "Referrer's equity points"],
  ["cycle.dividend", "cycle", "循环购分红", "Cycle dividends"],
  ["cycle.referrer", "cycle", "推荐人权重", "Referrer's weight"],
  ["release.static", "release", "静态释放", "Static release"],
  ["release.share", "release", "分享加速释放", "Share acceleration"],
  ["release.team", "release", "团队级差", "Team differential"],
  ["release.peer", "release", "平级奖", "Peer bonus"],
];

/** Every reward rule of `config`, in a fixed order. */
export function complianceRules(config: Config): ComplianceRule[] {
  const plans = rewardingPlans(config);
  const facts = [
    ...equityRules(config, plans.includes("equity")),
    ...cycleRules(config, plans.includes("cycle")),
    ...releaseRules(config, plans.includes("release")),
  ];
  return NAMES.map(([code, plan, nameZh, nameEn], i) => ({
    code,
    plan,
    nameZh,
    nameEn,
    ...(facts[i] as RuleFacts),
  }));
}

/** The largest multiple of a purchase the plans in force promise back (0 when none). */
function largestReturnMultiple(config: Config): bigint {
  const plans = rewardingPlans(config);
  const candidates = [0n];
  if (plans.includes("release")) candidates.push(...config.release.packages.map((p) => p.multiple));
  if (plans.includes("cycle")) candidates.push(config.cycle.quotaMultiple);
  if (plans.includes("equity")) candidates.push(config.equity.exitQuotaMultiple);
  return candidates.reduce((m, x) => (x > m ? x : m), 0n);
}

function deepestOf(rules: readonly ComplianceRule[]): number | null {
  let deepest = 0;
  for (const rule of rules) {
    if (!rule.applies) continue;
    if (rule.generations === null) return null;
    deepest = Math.max(deepest, rule.generations);
  }
  return deepest;
}

/** The compliance report of a parameter set (docs/compliance.md). */
export function complianceReport(config: Config): ComplianceReport {
  const rules = complianceRules(config);
  const applying = rules.filter((r) => r.applies);
  const report = {
    rules,
    deepestGenerations: deepestOf(rules),
    teamPay: applying.some((r) => r.onOthersPurchases && r.generations !== 0),
    recruiting: applying.some((r) => r.onRecruiting),
    entryPurchase: applying.some((r) => r.entryPurchase),
    largestReturnMultiple: largestReturnMultiple(config),
  };
  return { ...report, notes: complianceNotes(config, report), disclaimer: COMPLIANCE_DISCLAIMER };
}

type Findings = Omit<ComplianceReport, "notes" | "disclaimer">;

const namesZh = (rules: readonly ComplianceRule[]) => rules.map((r) => r.nameZh).join("、");
const namesEn = (rules: readonly ComplianceRule[]) => rules.map((r) => r.nameEn).join(", ");

function depthZh(generations: number | null): string {
  return generations === null ? "不限层级（整条上级链）" : `向上 ${generations} 代`;
}

function depthEn(generations: number | null): string {
  return generations === null
    ? "the whole upline, with no limit"
    : `${generations} generation${generations === 1 ? "" : "s"} up`;
}

function recruitingNote(f: Findings): ComplianceNote | null {
  const rules = f.rules.filter((r) => r.applies && r.onRecruiting);
  if (rules.length === 0) return null;
  return {
    code: "RECRUITING",
    zh: `拉人头：${namesZh(rules)}只有在会员直接或间接推荐他人并由其消费后才会产生。《禁止传销条例》第七条第（一）项将“以直接或者间接滚动发展的人员数量为依据计算和给付报酬”列为传销行为；这些奖励按被推荐人的消费而非人数计算，但仍以发展下线为前提，请在法律审查中逐项说明。`,
    en: `Recruiting (拉人头): the rewards ${namesEn(rules)} arise only after a member refers others, directly or indirectly, and those others buy. Article 7(1) of the Regulations on Prohibition of Pyramid Selling (《禁止传销条例》) lists paying rewards based on the number of people recruited directly or indirectly as pyramid selling; these rewards are computed on the referrals' purchases rather than head counts, but still depend on building a downline, so have each of them reviewed.`,
  };
}

function entryNote(f: Findings): ComplianceNote | null {
  const rules = f.rules.filter((r) => r.applies && r.entryPurchase);
  if (rules.length === 0) return null;
  const amount = rules.find((r) => r.entryMinAmountMicro !== null)?.entryMinAmountMicro ?? null;
  const zhAmount = amount === null ? "" : `（积分通证的加速奖励须先购买至少 ${fmt(amount)} 元的会员套餐）`;
  const enAmount =
    amount === null
      ? ""
      : ` (the release plan's accelerations need a package of at least ${fmt(amount)} yuan first)`;
  return {
    code: "ENTRY_PURCHASE",
    zh: `入门费：${namesZh(rules)}来自他人的消费，但只发给本人已先行消费的会员${zhAmount}。《禁止传销条例》第七条第（二）项将“要求被发展人员以交纳一定费用为条件取得加入资格”列为传销行为；须先购买才能分享他人消费的安排，可能被视为变相入门费。`,
    en: `Entry purchase (入门费): the rewards ${namesEn(rules)} come from other members' purchases but are paid only to members who have bought first${enAmount}. Article 7(2) of the Regulations on Prohibition of Pyramid Selling lists requiring recruits to pay a fee as the condition of joining as pyramid selling; a purchase required before sharing in others' purchases may be treated as a disguised entry fee.`,
  };
}

function teamPayNote(f: Findings): ComplianceNote | null {
  const rules = f.rules.filter((r) => r.applies && r.onOthersPurchases && r.generations !== 0);
  if (rules.length === 0) return null;
  const zhDepth = rules.map((r) => `${r.nameZh}${depthZh(r.generations)}`).join("，");
  const enDepth = rules.map((r) => `${r.nameEn}: ${depthEn(r.generations)}`).join("; ");
  return {
    code: "TEAM_PAY",
    zh: `团队计酬：${zhDepth}，按下线的消费计算并发给上线。《禁止传销条例》第七条第（三）项将“以下线的销售业绩为依据计算和给付上线报酬”列为传销行为；星级按团队业绩评定也属于此类。`,
    en: `Team pay (团队计酬): ${enDepth}; computed on the downline's purchases and paid to the upline. Article 7(3) of the Regulations on Prohibition of Pyramid Selling lists paying the upline on the downline's sales performance as pyramid selling; star levels set by team performance are of this kind.`,
  };
}

function depthNote(f: Findings): ComplianceNote | null {
  const deep = f.deepestGenerations === null || f.deepestGenerations >= 2;
  if (!deep) return null;
  return {
    code: "THREE_LEVELS",
    zh: `层级：奖励${f.deepestGenerations === null ? "可到达整条上级链（不限层级）" : `最多${depthZh(f.deepestGenerations)}`}，购买者与其上至少两代、共三级及以上的人员之间形成计酬关系。《刑法》第二百二十四条之一（组织、领导传销活动罪）及相关司法解释以“层级在三级以上”和参与人数作为追诉的参考；另《直销管理条例》第二十四条规定直销员报酬只能按本人直接向消费者销售的收入计算。`,
    en: `Depth: rewards reach ${f.deepestGenerations === null ? "the whole upline, with no limit" : `at most ${depthEn(f.deepestGenerations)}`}, so pay links at least three levels of members (the buyer and two generations above). Article 224-1 of the Criminal Law (organising or leading pyramid selling) and the related judicial interpretation use "three levels or more" and the number of participants as thresholds for prosecution; separately, Article 24 of the Direct Selling Regulations (《直销管理条例》) allows a direct seller to be paid only on their own sales to consumers.`,
  };
}

function rebateNote(f: Findings): ComplianceNote | null {
  if (f.largestReturnMultiple <= SCALE) return null;
  const m = fmt(f.largestReturnMultiple);
  return {
    code: "CONSUMPTION_REBATE",
    zh: `消费返利：参数承诺的返还最高为消费额的 ${m} 倍（赠送积分、分红额度或出局额度），高于消费本身。《防范和处置非法集资条例》第二条将“以许诺还本付息或者给予其他投资回报等方式，向不特定对象吸收资金”界定为非法集资；2018 年银保监会、人民银行等部门发布的风险提示专门警示以“消费返利”为名、承诺高额甚至全额返还消费款的模式。`,
    en: `Consumption rebate (消费返利): the parameters promise back up to ${m} times a purchase (gift points, dividend quota or exit quota), more than the purchase itself. Article 2 of the Regulations on Preventing and Handling Illegal Fund-raising (《防范和处置非法集资条例》) defines illegal fund-raising as taking funds from the public with a promise of repayment or other investment returns; the 2018 risk notice of the CBIRC, the PBoC and other departments warns specifically against "consumption rebate" schemes that promise to return much or all of what was spent.`,
  };
}

function complianceNotes(config: Config, f: Findings): ComplianceNote[] {
  const notes = [recruitingNote(f), entryNote(f), teamPayNote(f), depthNote(f), rebateNote(f)].filter(
    (n): n is ComplianceNote => n !== null,
  );
  if (notes.length > 0) return notes;
  const plans = rewardingPlans(config);
  return [
    {
      code: "NO_FINDINGS",
      zh: `这些参数下没有奖励沿推荐关系发放、按他人消费计算或返还超过消费额${plans.length === 0 ? "（没有任何奖励计划在发放）" : ""}；仍请结合实际经营方式进行法律审查。`,
      en: `Under these parameters no reward travels up the referral tree, is computed on others' purchases or returns more than a purchase${plans.length === 0 ? " (no plan pays any reward)" : ""}; still have the actual business reviewed.`,
    },
  ];
}

/** The report as JSON (amounts and multiples as decimal strings), for the CLI and the API. */
export function complianceReportJson(report: ComplianceReport) {
  return {
    rules: report.rules.map(({ entryMinAmountMicro, ...rule }) => ({
      ...rule,
      entryMinAmount: entryMinAmountMicro === null ? null : fmt(entryMinAmountMicro),
    })),
    deepestGenerations: report.deepestGenerations,
    teamPay: report.teamPay,
    recruiting: report.recruiting,
    entryPurchase: report.entryPurchase,
    largestReturnMultiple: fmt(report.largestReturnMultiple),
    notes: report.notes.map((n) => ({ ...n })),
    disclaimer: { ...report.disclaimer },
  };
}

export type ComplianceReportJson = ReturnType<typeof complianceReportJson>;
