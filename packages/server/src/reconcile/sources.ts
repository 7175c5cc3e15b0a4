/**
 * Where reconciliation reads our side and downloads the provider's side.
 * Replaced by the payments layer's records once it is merged.
 */
import type { Queryable } from "../db/index.ts";
import type { StatementProvider } from "./read.ts";
import type { MoneyLine } from "./statement.ts";

/** Our payments and refunds through `provider` between two instants. */
export type OurLinesLoader = (
  db: Queryable,
  provider: StatementProvider,
  from: Date,
  to: Date,
) => Promise<MoneyLine[]>;

/** The statement of a day, downloaded; null when the provider has none (no trade that day). */
export type StatementFetcher = (
  db: Queryable,
  provider: StatementProvider,
  date: string,
) => Promise<Uint8Array | null>;

export const defaultSources: { ours: OurLinesLoader; fetch: StatementFetcher } = {
  ours: async () => [],
  fetch: async () => {
    throw new Error("statement download is not configured / 未配置对账单下载，请用 --file");
  },
};
