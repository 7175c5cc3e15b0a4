/**
 * What the operator must be able to see (docs/rules.md §5), under /admin: the
 * equity figures, the outstanding liabilities, and how far up the referral
 * tree the parameters in force pay rewards.
 */
import { Type } from "@fastify/type-provider-typebox";
import { type Config, formatDecimal, referralReach } from "@jifen/engine";
import { configForDay } from "../config/index.ts";
import type { App, AppContext } from "../http/context.ts";
import { EX_EQUITY_FIGURES } from "../http/examples.ts";
import { formatAmount } from "../http/format.ts";
import { requireOperator } from "../http/guards.ts";
import { Day, Nullable, responses } from "../http/schemas.ts";
import { equityFigures, openDay } from "../rewards/index.ts";
import { EquityFiguresSchema, openDayEquityFigures } from "../wallets/index.ts";
import { liabilities } from "./liabilities.ts";

const Amount = (description: string) => Type.String({ description });

const LiabilitiesSchema = Type.Object({
  businessDay: Type.String({ description: "the reward engine's open business day" }),
  giftPoints: Amount("赠送积分（待释放）/ gift points not yet released"),
  releasedPoints: Amount("积分（可用）/ released points members hold"),
  dividendQuota: Amount("分红额度 / dividend quota not yet paid out"),
  exitQuota: Amount("出局额度 / exit quota"),
  stablePoints: Amount("恒定积分 / stable points in circulation (each worth 1 yuan in the ecosystem)"),
  equity: Type.Object({
    pool: Amount("分红池 / the pool behind the equity points (yuan)"),
    heldByMembers: Amount("equity points members hold"),
    treasury: Amount("平台库存 / equity points the platform holds"),
    price: Amount("积分价格, 4 decimals"),
  }),
  cash: Type.Object({
    memberCash: Amount("余额 / cash owed to members (Σ cash wallets)"),
    withdrawalsPending: Amount("提现待审核 / cash held for withdrawals awaiting a decision"),
  }),
  debts: Type.Object(
    {
      cash: Amount("欠款：余额"),
      points: Amount("欠款：积分"),
      equity: Amount("欠款：增值积分"),
      stable: Amount("欠款：恒定积分"),
      weight: Amount("欠款：权重"),
    },
    { description: "欠款 / what members owe the platform, per wallet" },
  ),
});

const ReachLine = Type.Object({
  plan: Type.String({ description: "equity, cycle or release" }),
  reward: Type.String({
    description:
      "code of the reward that travels up the tree: equity.referrer, cycle.referrer, release.share, release.team",
  }),
  rewardZh: Type.String({ description: "奖励名称（中文）" }),
  rewardEn: Type.String({ description: "the reward's name in English" }),
  levels: Nullable(
    Type.Integer({ description: "referral levels above the buyer it reaches; null: no limit" }),
  ),
  setting: Type.String({ description: "the parameter that decides it (parameter names and values)" }),
  zh: Type.String(),
  en: Type.String(),
});

const ReachSchema = Type.Object({
  businessDay: Type.String(),
  versionId: Nullable(Type.String({ description: "the parameter version in force (null: defaults)" })),
  deepest: Nullable(
    Type.Integer({ description: "the deepest any reward reaches above a member; null: the whole upline" }),
  ),
  summary: Type.Object({ zh: Type.String(), en: Type.String() }),
  rewards: Type.Array(ReachLine),
});

function levelsZh(levels: number | null): string {
  return levels === null ? "不限层级（整条上级链）" : levels === 0 ? "不向上级发放" : `向上 ${levels} 层`;
}

function levelsEn(levels: number | null): string {
  return levels === null
    ? "the whole upline, no limit"
    : levels === 0
      ? "nobody above the member"
      : `${levels} level${levels === 1 ? "" : "s"} up`;
}

/** How far up the referral tree each reward of `config` reaches, in plain words (docs/rules.md §5). */
export function referralReachView(config: Config) {
  const reach = referralReach(config);
  const topRate = config.release.starLevels.reduce((m, s) => (s.rate > m ? s.rate : m), 0n);
  const lines = [
    {
      plan: "equity",
      reward: "equity.referrer",
      rewardZh: "推荐人增值积分",
      rewardEn: "Referrer's equity points",
      levels: reach.equityLevels,
      setting: `equity.referrerShare = ${formatDecimal(config.equity.referrerShare)}`,
    },
    {
      plan: "cycle",
      reward: "cycle.referrer",
      rewardZh: "推荐人权重",
      rewardEn: "Referrer's weight",
      levels: reach.cycleLevels,
      setting: `cycle.referralWeightRatio = ${formatDecimal(config.cycle.referralWeightRatio)}`,
    },
    {
      plan: "release",
      reward: "release.share",
      rewardZh: "分享加速释放",
      rewardEn: "Share acceleration",
      levels: reach.shareLevels,
      setting: `release.shareRates = [${config.release.shareRates.map(formatDecimal).join(", ")}]`,
    },
    {
      plan: "release",
      reward: "release.team",
      rewardZh: "团队级差、平级奖",
      rewardEn: "Team differential and peer bonus",
      levels: reach.teamUnlimited ? null : 0,
      setting: `release.starLevels.length = ${config.release.starLevels.length}, max(release.starLevels.rate) = ${formatDecimal(topRate)}, release.peerRate = ${formatDecimal(config.release.peerRate)}`,
    },
  ].map((line) => ({
    ...line,
    zh: `${line.rewardZh}：${levelsZh(line.levels)}`,
    en: `${line.rewardEn}: ${levelsEn(line.levels)}`,
  }));
  const deepest = lines.some((l) => l.levels === null)
    ? null
    : lines.reduce((m, l) => Math.max(m, l.levels ?? 0), 0);
  return {
    deepest,
    summary: {
      zh: `当前参数下，奖励最多到达会员的${deepest === null ? "整条上级链（不限层级）" : deepest === 0 ? "本人（不向上级发放）" : `上 ${deepest} 层`}。`,
      en: `Under the parameters in force, rewards reach ${deepest === null ? "the whole upline (no limit)" : deepest === 0 ? "nobody above the member" : `at most ${deepest} level${deepest === 1 ? "" : "s"} above the member`}.`,
    },
    rewards: lines,
  };
}

/** Operator reads: /admin/equity, /admin/liabilities, /admin/referral-reach (every role). */
export async function figuresRoutes(app: App, ctx: AppContext): Promise<void> {
  const anyone = requireOperator(ctx);

  app.get(
    "/equity",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "增值积分数据 / equity price, pool, supply, issued, burned, treasury",
        operationId: "getAdminEquityFigures",
        description:
          "运营查看增值积分的价格、分红池、流通量、已发行、已销毁与平台库存（按当前营业日的参数）。 / Operators see the equity price, pool, circulating, issued and burned points, and the treasury, under the open day's parameters.",
        response: responses(EquityFiguresSchema, { example: EX_EQUITY_FIGURES }),
      },
    },
    async () => openDayEquityFigures(ctx.db),
  );

  app.get(
    "/liabilities",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "负债汇总 / outstanding liabilities",
        operationId: "getLiabilities",
        description:
          "运营查看平台对会员的全部未兑付负债：待释放与已释放积分、分红与出局额度、恒定积分、增值积分池、会员余额与待审核提现，以及会员欠款。 / Operators see everything owed to members: gift and released points, dividend and exit quota, stable points, the equity pool, member cash and withdrawals pending, and what members owe.",
        response: responses(LiabilitiesSchema, {
          example: {
            businessDay: "2026-01-08",
            giftPoints: "183040",
            releasedPoints: "15804.2",
            dividendQuota: "64000",
            exitQuota: "36000",
            stablePoints: "1200",
            equity: { pool: "27036", heldByMembers: "18250", treasury: "3200", price: "1.2604" },
            cash: { memberCash: "128050.50", withdrawalsPending: "500.00" },
            debts: { cash: "0.00", points: "12.5", equity: "0", stable: "0", weight: "0" },
          },
        }),
      },
    },
    async () => {
      const day = await openDay(ctx.db);
      const { config } = await configForDay(ctx.db, day);
      const [owed, figures] = await Promise.all([liabilities(ctx.db), equityFigures(ctx.db, config)]);
      return {
        businessDay: day,
        giftPoints: formatDecimal(owed.giftPoints),
        releasedPoints: formatDecimal(owed.releasedPoints),
        dividendQuota: formatDecimal(owed.dividendQuota),
        exitQuota: formatDecimal(owed.exitQuota),
        stablePoints: formatDecimal(owed.stablePoints),
        equity: {
          pool: formatDecimal(owed.equityPool),
          heldByMembers: formatDecimal(owed.equityHeldByMembers),
          treasury: formatDecimal(owed.equityTreasury),
          price: figures.price,
        },
        cash: {
          memberCash: formatAmount("cny", owed.memberCash),
          withdrawalsPending: formatAmount("cny", owed.withdrawalsPending),
        },
        debts: {
          cash: formatAmount("cny", owed.debts.cash),
          points: formatDecimal(owed.debts.points),
          equity: formatDecimal(owed.debts.equity),
          stable: formatDecimal(owed.debts.stable),
          weight: formatDecimal(owed.debts.weight),
        },
      };
    },
  );

  app.get(
    "/referral-reach",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "奖励穿透层级 / how many referral levels up the parameters in force pay rewards",
        operationId: "getReferralReach",
        description:
          "运营查看某营业日参数下各项奖励最多向上穿透几层推荐关系（默认当前营业日）。 / Operators see how many referral levels up each reward reaches under a business day's parameters (default: the open day).",
        querystring: Type.Object({
          day: Type.Optional(Day("business day whose parameters to show (default: the open day)")),
        }),
        response: responses(ReachSchema, {
          example: {
            businessDay: "2026-01-08",
            versionId: "3",
            deepest: null,
            summary: {
              zh: "当前参数下，奖励最多到达会员的整条上级链（不限层级）。",
              en: "Under the parameters in force, rewards reach the whole upline (no limit).",
            },
            rewards: [
              {
                plan: "release",
                reward: "release.share",
                rewardZh: "分享加速释放",
                rewardEn: "Share acceleration",
                levels: 2,
                setting: "release.shareRates = [0.5, 0.3]",
                zh: "分享加速释放：向上 2 层",
                en: "Share acceleration: 2 levels up",
              },
            ],
          },
        }),
      },
    },
    async (request) => {
      const day = request.query.day ?? (await openDay(ctx.db));
      const effective = await configForDay(ctx.db, day);
      return { businessDay: day, versionId: effective.versionId, ...referralReachView(effective.config) };
    },
  );
}
