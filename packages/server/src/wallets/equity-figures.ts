/** The equity plan's figures (price, pool, circulating, issued, burned, treasury) as the API shows them. */
import { Type } from "@fastify/type-provider-typebox";
import { formatDecimal } from "@jifen/engine";
import { configForDay } from "../config/index.ts";
import type { Db } from "../db/index.ts";
import { type EquityFigures, equityFigures, openDay } from "../rewards/index.ts";

/** The equity plan's figures as the API shows them (the replay's figures plus the business day). */
export const EquityFiguresSchema = Type.Object({
  businessDay: Type.String({ description: "the reward engine's open business day" }),
  price: Type.String({ description: "积分价格 pool ÷ circulating, rounded half-up to 4 decimals" }),
  pool: Type.String({ description: "分红池 / equity pool (yuan, 6 decimals)" }),
  circulating: Type.String({ description: "equity points held by anyone, the treasury included" }),
  issued: Type.String({ description: "equity points issued so far" }),
  burned: Type.String({ description: "equity points burned for good (issued − circulating)" }),
  treasury: Type.String({ description: "平台库存 / equity points held by the platform" }),
});

/** Equity figures as API text. */
export function equityFiguresView(figures: EquityFigures, businessDay: string) {
  return {
    businessDay,
    price: figures.price,
    pool: formatDecimal(figures.pool),
    circulating: formatDecimal(figures.circulating),
    issued: formatDecimal(figures.issued),
    burned: formatDecimal(figures.burned),
    treasury: formatDecimal(figures.treasury),
  };
}

/** The equity figures of the open day, under that day's parameters, as API text. */
export async function openDayEquityFigures(db: Db) {
  const day = await openDay(db);
  const { config } = await configForDay(db, day);
  return equityFiguresView(await equityFigures(db, config), day);
}
