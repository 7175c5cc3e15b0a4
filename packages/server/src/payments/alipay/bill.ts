/**
 * The day's statement (对账单): alipay.data.dataservice.bill.downloadurl.query
 * (bill_type "trade", bill_date yyyy-MM-dd) answers a short-lived URL of a
 * zip of GBK CSVs; the `…业务明细.csv` (not `…(汇总).csv`) lists each payment
 * and refund. Unzipped with fflate, decoded with iconv-lite.
 */
import { unzipSync } from "fflate";
import iconv from "iconv-lite";
import type { AlipayClient } from "./client.ts";
import { AlipayBusinessError } from "./trade.ts";
import { AlipayCallError } from "./types.ts";

/** The download URL of day `date`'s trade statement; null when Alipay has none (no trade that day). */
export async function billDownloadUrl(client: AlipayClient, date: string): Promise<string | null> {
  const method = "alipay.data.dataservice.bill.downloadurl.query";
  const answer = await client.call(method, { bill_type: "trade", bill_date: date });
  if (answer.subCode === "isp.bill_not_exist") return null;
  if (answer.code !== "10000") throw new AlipayBusinessError(method, answer);
  const url = answer.fields.bill_download_url;
  if (typeof url !== "string" || !/^https?:\/\//.test(url))
    throw new AlipayCallError("protocol", "bill_download_url missing");
  return url;
}

/** Downloads the statement zip. */
export async function downloadBill(url: string, timeoutMs = 60_000): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new AlipayCallError("network", (error as Error).message);
  }
  if (!response.ok) throw new AlipayCallError("protocol", `statement download: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The detail CSV (业务明细, not the 汇总 summary) of a statement zip, decoded from GBK. */
export function billDetailText(zip: Uint8Array): string {
  const files = unzipSync(zip);
  const names = Object.keys(files).map((raw) => ({ raw, name: zipName(raw) }));
  const detail = names.find(({ name }) => name.endsWith("业务明细.csv"));
  if (!detail) throw new AlipayCallError("protocol", "no 业务明细.csv in the statement zip");
  return iconv.decode(Buffer.from(files[detail.raw] as Uint8Array), "gbk");
}

/** A zip entry name: UTF-8 when the zip says so, else (as Alipay writes them) GBK bytes read as Latin-1. */
function zipName(raw: string): string {
  const codes = [...raw].map((c) => c.codePointAt(0) ?? 0);
  if (codes.every((c) => c < 0x80) || codes.some((c) => c > 0xff)) return raw;
  return iconv.decode(Buffer.from(raw, "latin1"), "gbk");
}
