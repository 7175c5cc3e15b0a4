/**
 * A provider's statement of one day, read exactly, and our own records of the
 * same payments, in one shape so that they can be compared line by line.
 */

/** One payment or refund, as the provider's statement or our ledger has it. */
export interface MoneyLine {
  readonly kind: "payment" | "refund";
  /** Our order number at the provider (商户订单号 / out_trade_no). */
  readonly outTradeNo: string;
  /** The provider's transaction id (支付宝交易号 / 微信订单号), when known. */
  readonly tradeNo: string | null;
  /** Our refund number (退款请求号 / 商户退款单号) of a refund; null for a payment. */
  readonly refundNo: string | null;
  /** Always positive, micro-units of yuan. */
  readonly amountMicro: bigint;
  /** When it happened, as the source wrote it (Beijing time for the providers). */
  readonly at: string;
}

/** A statement line that could not be read: its line number and why. */
export class StatementFormatError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`statement line ${line}: ${message} / 对账单第 ${line} 行无法解析`);
    this.name = "StatementFormatError";
  }
}

/** Splits one CSV line (quoted fields with "" escapes allowed). */
export function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field.trim() === "") quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else field += c;
  }
  fields.push(field);
  return fields;
}
