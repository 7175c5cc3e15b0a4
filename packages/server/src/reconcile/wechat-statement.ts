/**
 * WeChat Pay's trade bill (交易账单, bill_type ALL), as downloaded: a header
 * line, one line per trade whose every field starts with a backtick (`) so
 * that spreadsheets keep it as text, then a totals header and line. A line in
 * state SUCCESS is a payment (应结订单金额); REFUND is a refund (退款金额,
 * 商户退款单号); REVOKED is skipped (nothing paid).
 */
import { yuanTextToMicro } from "../payments/alipay/index.ts";
import { csvFields, type MoneyLine, StatementFormatError } from "./statement.ts";

const COLUMNS = {
  at: "交易时间",
  tradeNo: "微信订单号",
  outTradeNo: "商户订单号",
  state: "交易状态",
  settled: "应结订单金额",
  refundNo: "商户退款单号",
  refund: "退款金额",
} as const;

const unquote = (field: string) => field.trim().replace(/^`/, "");

/** The payments and refunds of a WeChat Pay trade bill. */
export function parseWechatStatement(text: string): MoneyLine[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = csvFields(lines[0] ?? "").map((h) => h.trim());
  const index = Object.fromEntries(
    Object.entries(COLUMNS).map(([key, name]) => {
      const at = header.indexOf(name);
      if (at < 0) throw new StatementFormatError(1, `no column ${name}`);
      return [key, at];
    }),
  ) as Record<keyof typeof COLUMNS, number>;
  const out: MoneyLine[] = [];
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n] as string;
    if (line.startsWith("总交易单数")) break;
    if (line.trim() === "") continue;
    const parsed = wechatLine(csvFields(line).map(unquote), index, n + 1);
    if (parsed) out.push(parsed);
  }
  return out;
}

function wechatLine(
  f: string[],
  index: Record<keyof typeof COLUMNS, number>,
  lineNo: number,
): MoneyLine | null {
  const state = f[index.state];
  if (state === "REVOKED") return null;
  if (state !== "SUCCESS" && state !== "REFUND") throw new StatementFormatError(lineNo, `交易状态 ${state}`);
  const refund = state === "REFUND";
  const amountMicro = yuanTextToMicro(f[refund ? index.refund : index.settled]);
  if (amountMicro === null) throw new StatementFormatError(lineNo, "amount is not a yuan amount");
  const outTradeNo = f[index.outTradeNo] ?? "";
  if (outTradeNo === "") throw new StatementFormatError(lineNo, "no 商户订单号");
  return {
    kind: refund ? "refund" : "payment",
    outTradeNo,
    tradeNo: f[index.tradeNo] || null,
    refundNo: refund ? f[index.refundNo] || null : null,
    amountMicro,
    at: f[index.at] ?? "",
  };
}
