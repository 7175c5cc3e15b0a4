import { defineMessages } from "../define.ts";

/** 明细: each asset's history, one explained line per entry. */
export const records = defineMessages(
  {
    "records.title": "资产明细",
    "records.asset.cny": "余额",
    "records.asset.points": "积分",
    "records.asset.gift": "待释放",
    "records.asset.equity": "增值积分",
    "records.asset.stable": "恒定积分",
    "records.asset.quota": "分红额度",
    "records.asset.weight": "分红权重",
    "records.empty": "暂无明细",
  },
  {
    "records.title": "History",
    "records.asset.cny": "Cash",
    "records.asset.points": "Points",
    "records.asset.gift": "Gift",
    "records.asset.equity": "Equity",
    "records.asset.stable": "Stable",
    "records.asset.quota": "Quota",
    "records.asset.weight": "Weight",
    "records.empty": "No entries yet",
  },
);
