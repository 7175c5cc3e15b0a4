/**
 * Alipay's 业务明细 CSV (already decoded from GBK): `#` comment lines around a
 * header line and one line per payment (业务类型 交易) or refund (退款). Fields
 * carry trailing tabs (so spreadsheets keep long numbers as text); a refund's
 * amounts are negative. Read exactly: every amount through the strict yuan reader.
 */
import { yuanTextToMicro } from "../payments/alipay/index.ts";
import { csvFields, type MoneyLine, StatementFormatError } from "./statement.ts";

const COLUMNS = {
  tradeNo: "支付宝交易号",
  outTradeNo: "商户订单号",
  kind: "业务类型",
  finishedAt: "完成时间",
  amount: "订单金额（元）",
  refundNo: "退款批次号/请求号",
} as const;

/** The payments and refunds of an Alipay statement. */
export function parseAlipayStatement(text: string): MoneyLine[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.startsWith(COLUMNS.tradeNo));
  if (headerAt < 0) throw new StatementFormatError(1, "no header line starting with 支付宝交易号");
  const header = csvFields(lines[headerAt] as string).map((h) => h.trim());
  const index = Object.fromEntries(
    Object.entries(COLUMNS).map(([key, name]) => {
      const at = header.indexOf(name);
      if (at < 0) throw new StatementFormatError(headerAt + 1, `no column ${name}`);
      return [key, at];
    }),
  ) as Record<keyof typeof COLUMNS, number>;
  const out: MoneyLine[] = [];
  for (let n = headerAt + 1; n < lines.length; n++) {
    const line = lines[n] as string;
    if (line.trim() === "" || line.startsWith("#")) continue;
    out.push(
      alipayLine(
        csvFields(line).map((f) => f.trim()),
        index,
        n + 1,
      ),
    );
  }
  return out;
}

function alipayLine(f: string[], index: Record<keyof typeof COLUMNS, number>, lineNo: number): MoneyLine {
  const kindText = f[index.kind];
  if (kindText !== "交易" && kindText !== "退款")
    throw new StatementFormatError(lineNo, `业务类型 ${kindText}`);
  const amountText = (f[index.amount] ?? "").replace(/^-/, "");
  const amountMicro = yuanTextToMicro(amountText);
  if (amountMicro === null) throw new StatementFormatError(lineNo, `amount ${f[index.amount]}`);
  const outTradeNo = f[index.outTradeNo] ?? "";
  if (outTradeNo === "") throw new StatementFormatError(lineNo, "no 商户订单号");
  const refund = kindText === "退款";
  return {
    kind: refund ? "refund" : "payment",
    outTradeNo,
    tradeNo: f[index.tradeNo] || null,
    refundNo: refund ? f[index.refundNo] || null : null,
    amountMicro,
    at: f[index.finishedAt] ?? "",
  };
}
