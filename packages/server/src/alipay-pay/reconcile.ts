/**
 * Our side of an Alipay reconciliation: the payments Alipay reported paid
 * and the refunds it confirmed, with their times in Beijing time (as the
 * statement writes them); and the statement download with the shop's settings.
 */
import { parseDecimal } from "@jifen/engine";
import type { Queryable } from "../db/index.ts";
import {
  type AlipayOptions,
  alipayProvider,
  billDownloadUrl,
  downloadBill,
} from "../payments/alipay/index.ts";
import {
  beijingText,
  type MoneyLine,
  type OurLinesLoader,
  type StatementFetcher,
} from "../reconcile/index.ts";

/** Our Alipay payments and refunds between two instants. */
export const alipayLines: OurLinesLoader = async (db: Queryable, provider, from, to) => {
  if (provider !== "alipay") return [];
  const paid = await db.query<{
    out_trade_no: string;
    provider_txn_id: string;
    amount: string;
    paid_at: Date;
  }>(
    `select out_trade_no, provider_txn_id, amount, paid_at from provider_payments
     where provider = 'alipay' and paid_at >= $1::timestamptz and paid_at < $2::timestamptz`,
    [from.toISOString(), to.toISOString()],
  );
  const refunded = await db.query<{
    out_trade_no: string;
    refund_no: string;
    amount: string;
    finished_at: Date;
  }>(
    `select out_trade_no, refund_no, amount, finished_at from provider_refunds
     where provider = 'alipay' and status = 'succeeded' and finished_at >= $1::timestamptz and finished_at < $2::timestamptz`,
    [from.toISOString(), to.toISOString()],
  );
  const lines: MoneyLine[] = paid.rows.map((r) => ({
    kind: "payment",
    outTradeNo: r.out_trade_no,
    tradeNo: r.provider_txn_id,
    refundNo: null,
    amountMicro: parseDecimal(r.amount),
    at: beijingText(new Date(r.paid_at)),
  }));
  for (const r of refunded.rows)
    lines.push({
      kind: "refund",
      outTradeNo: r.out_trade_no,
      tradeNo: null,
      refundNo: r.refund_no,
      amountMicro: parseDecimal(r.amount),
      at: beijingText(new Date(r.finished_at)),
    });
  return lines;
};

/** The statement fetcher for `options` (Alipay); WeChat Pay statements are read from a file. */
export function alipayFetcher(options: AlipayOptions | null): StatementFetcher {
  return async (_db, provider, date) => {
    if (provider !== "alipay")
      throw new Error(
        "download WeChat Pay's trade bill and pass it with --file / 微信支付账单请下载后用 --file 指定",
      );
    if (!options) throw new Error("Alipay is not configured (ALIPAY_APP_ID…) / 未配置支付宝，请用 --file");
    const url = await billDownloadUrl(alipayProvider(options).client, date);
    return url === null ? null : downloadBill(url);
  };
}
