/**
 * A statement file as the operator has it: Alipay's zip (as downloaded), its
 * 业务明细 CSV in GBK or UTF-8; WeChat Pay's trade bill as text or gzip.
 */
import { gunzipSync } from "node:zlib";
import iconv from "iconv-lite";
import { billDetailText } from "../payments/alipay/index.ts";
import { parseAlipayStatement } from "./alipay-statement.ts";
import type { MoneyLine } from "./statement.ts";
import { parseWechatStatement } from "./wechat-statement.ts";

/** The providers whose statements can be read. */
export type StatementProvider = "alipay" | "wechat";

const isZip = (b: Uint8Array) => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
const isGzip = (b: Uint8Array) => b[0] === 0x1f && b[1] === 0x8b;

/** Text that is valid UTF-8 as such, otherwise read as GBK (what Alipay writes). */
function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(Buffer.from(bytes), "gbk");
  }
}

/** The payments and refunds of a statement file's bytes. */
export function readStatement(provider: StatementProvider, bytes: Uint8Array): MoneyLine[] {
  if (provider === "alipay")
    return parseAlipayStatement(isZip(bytes) ? billDetailText(bytes) : decodeText(bytes));
  return parseWechatStatement(decodeText(isGzip(bytes) ? gunzipSync(bytes) : bytes));
}
