import { defineMessages } from "../define.ts";

/** The draft's simulation on the parameters page (POST /admin/simulations). */
export const simulation = defineMessages(
  {
    "sim.button": "模拟草稿",
    "sim.title": "模拟：草稿参数对比今日生效参数",
    "sim.intro":
      "用同一批会员与事件（同一随机种子）分别按今日生效参数和草稿参数向前推演，会员先按 S 形曲线增长，到停止日后不再有新会员；不写入任何数据。",
    "sim.days": "天数",
    "sim.startMembers": "初始会员",
    "sim.ceiling": "会员上限",
    "sim.stopDay": "停止增长日",
    "sim.seed": "随机种子",
    "sim.run": "运行模拟",
    "sim.current": "今日生效参数",
    "sim.draft": "草稿参数",
    "sim.figure.liabilities": "负债合计",
    "sim.figure.payouts": "当日奖励支出",
    "sim.figure.giftUnreleased": "待释放积分",
    "sim.figure.quotaUnpaid": "未付分红额度",
    "sim.figure.cashOutToCashIn": "累计流出 ÷ 流入",
  },
  {
    "sim.button": "Simulate the draft",
    "sim.title": "Simulation: the draft against the parameters in force",
    "sim.intro":
      "The same members and events (the same seed) run forward under the parameters in force and under the draft; members grow along an S-curve and stop joining on the stop day. Nothing is written.",
    "sim.days": "Days",
    "sim.startMembers": "Starting members",
    "sim.ceiling": "Member ceiling",
    "sim.stopDay": "Growth stops on day",
    "sim.seed": "Seed",
    "sim.run": "Run",
    "sim.current": "In force",
    "sim.draft": "Draft",
    "sim.figure.liabilities": "Liabilities",
    "sim.figure.payouts": "Payouts that day",
    "sim.figure.giftUnreleased": "Gift points unreleased",
    "sim.figure.quotaUnpaid": "Dividend quota unpaid",
    "sim.figure.cashOutToCashIn": "Cash out ÷ cash in",
  },
);
