/**
 * Where reconciliation reads our side — the payments a provider reported paid
 * and the refunds it confirmed (tables payments, payment_refunds), with their
 * times in Beijing time as the statements write them — and downloads the
 * provider's side (WeChat Pay's trade bill or Alipay's, with the shop's settings).
 */
import { parseDecimal } from "@jifen/engine";
import type { Queryable } from "../db/index.ts";
import { billDownloadUrl, downloadBill } from "../payments/alipay/index.ts";
import {
  alipayClientOf,
  type ProviderDeps,
  readProviderSettings,
  wechatTradeBill,
} from "../payments/index.ts";
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
  deps?: Partial<ProviderDeps>,
) => Promise<Uint8Array | null>;

/** "yyyy-MM-dd HH:mm:ss" in Beijing time (how the statements write times). */
export function beijingText(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace("T", " ");
}

/** Our lines from the payments layer's tables. */
export const ourLines: OurLinesLoader = async (db, provider, from, to) => {
  const window = [provider, from.toISOString(), to.toISOString()];
  const paid = await db.query<{
    out_trade_no: string;
    provider_tx_id: string;
    amount: string;
    paid_at: Date;
  }>(
    `select out_trade_no, provider_tx_id, amount, paid_at from payments
     where provider = $1 and paid_at >= $2::timestamptz and paid_at < $3::timestamptz`,
    window,
  );
  const refunded = await db.query<{
    out_trade_no: string;
    out_refund_no: string;
    amount: string;
    finished_at: Date;
  }>(
    `select p.out_trade_no, r.out_refund_no, r.amount, r.finished_at from payment_refunds r
     join payments p on p.id = r.payment_id
     where p.provider = $1 and r.status = 'succeeded' and r.finished_at >= $2::timestamptz and r.finished_at < $3::timestamptz`,
    window,
  );
  const lines: MoneyLine[] = paid.rows.map((r) => ({
    kind: "payment",
    outTradeNo: r.out_trade_no,
    tradeNo: r.provider_tx_id,
    refundNo: null,
    amountMicro: parseDecimal(r.amount),
    at: beijingText(new Date(r.paid_at)),
  }));
  for (const r of refunded.rows)
    lines.push({
      kind: "refund",
      outTradeNo: r.out_trade_no,
      tradeNo: null,
      refundNo: r.out_refund_no,
      amountMicro: parseDecimal(r.amount),
      at: beijingText(new Date(r.finished_at)),
    });
  return lines;
};

/** Downloads the day's statement with the shop's settings: WeChat Pay's trade bill or Alipay's. */
export const downloadStatement: StatementFetcher = async (db, provider, date, deps) => {
  if (provider === "wechat") {
    const wechat = await readProviderSettings(db, "wechat");
    if (!wechat)
      throw new Error(
        "未配置微信支付，请用 --file / WeChat Pay is not configured: pass the bill with --file",
      );
    return wechatTradeBill(wechat.config, { fetch, timeoutMs: 30_000, now: () => new Date(), ...deps }, date);
  }
  const settings = await readProviderSettings(db, "alipay");
  if (!settings)
    throw new Error("未配置支付宝，请用 --file / Alipay is not configured: pass the statement with --file");
  const url = await billDownloadUrl(alipayClientOf(settings.config), date);
  return url === null ? null : downloadBill(url);
};

export const defaultSources: { ours: OurLinesLoader; fetch: StatementFetcher } = {
  ours: ourLines,
  fetch: downloadStatement,
};
