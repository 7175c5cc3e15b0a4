import { defineMessages } from "../define.ts";

export const dashboard = defineMessages(
  {
    "menu.dashboard": "数据看板",
    "dashboard.price": "增值积分价格",
    "dashboard.pool": "资金池",
  },
  {
    "menu.dashboard": "Dashboard",
    "dashboard.price": "Equity price",
    "dashboard.pool": "Pool",
  },
);
