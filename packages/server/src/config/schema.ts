/**
 * The shape of a whole parameter set as the parameters API answers it (the
 * engine's keys, docs/rules.md §4, plus the server's `withdrawal`), so the
 * generated client types describe every key. Values are kept as stored: a
 * decimal is its text, or a JSON number where the defaults or an old version
 * wrote one (`coolingOffDays: 0`), so each is a string or a number.
 */
import { Type } from "@fastify/type-provider-typebox";

const Value = (description: string) =>
  Type.Union([Type.String(), Type.Number()], { description: `${description} (decimal text or number)` });
const Name = Type.String({ description: "名称 / name" });

const Tier = Type.Object({
  name: Name,
  minWeight: Value("最低权重 / minimum weight"),
  rate: Value("比例 / rate of the day's sales"),
});

const Pool = Type.Object({
  name: Name,
  split: Type.Union([Type.Literal("weighted"), Type.Literal("tiers")], {
    description: "weighted: by weight; tiers: per tier",
  }),
  rate: Type.Optional(Value("比例 / rate of the day's sales (weighted pools)")),
  tiers: Type.Optional(Type.Array(Tier, { description: "档位 / tiers (tier pools)" })),
});

/** Every key of a parameter set. */
export const ConfigSchema = Type.Object(
  {
    timezone: Type.String({ description: "营业日时区 / the business day's time zone" }),
    coolingOffDays: Value("冷静期天数 / days before an order's rewards happen"),
    equity: Type.Object({
      initialPrice: Value("初始价格"),
      totalSupply: Value("总量"),
      contributionRate: Value("入池比例"),
      buyerShare: Value("买家获得比例"),
      referrerShare: Value("推荐人获得比例"),
      sellFeeRate: Value("卖出手续费率"),
      redeemFeeRate: Value("兑换手续费率"),
      exitQuotaMultiple: Value("出局额度倍数（0 关闭）"),
    }),
    cycle: Type.Object({
      preset: Type.String({ description: "cycle or energy" }),
      quotaMultiple: Value("分红额度倍数"),
      weightPerYuan: Value("每元权重"),
      referralWeightRatio: Value("推荐权重比例"),
      pools: Type.Array(Pool, { description: "每日分红池 / daily pools" }),
    }),
    release: Type.Object({
      packages: Type.Array(
        Type.Object({ name: Name, minAmount: Value("最低金额（元）"), multiple: Value("赠送倍数") }),
        { description: "会员套餐 / membership packages" },
      ),
      dailyRate: Value("每日释放比例"),
      shareRates: Type.Array(Value("分享加速比例"), { description: "per generation: [1st, 2nd, …]" }),
      starLevels: Type.Array(
        Type.Object({ name: Name, minPerformance: Value("团队业绩门槛（元）"), rate: Value("级差比例") }),
        { description: "星级 / star levels" },
      ),
      peerRate: Value("平级奖比例"),
      pointsPayRatio: Value("积分抵扣比例"),
    }),
    withdrawal: Type.Object({
      feeRate: Value("提现手续费率"),
      minAmount: Value("最低提现金额（元）"),
    }),
  },
  { description: "完整参数 / the whole parameter set" },
);
