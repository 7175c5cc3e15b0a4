/**
 * Yuan as decimal text ↔ whole fen as BigInt: the only arithmetic the shop's
 * pages do on money (a cart's total before the server prices it, comparing
 * the points asked for with the server's cap). Never a binary float.
 */

const YUAN = /^(\d{1,12})(?:\.(\d{1,2}))?$/;

/** "12.3" → 1230n fen; null when the text is not a plain amount with at most 2 decimals. */
export function toFen(text: string): bigint | null {
  const match = YUAN.exec(text.trim());
  if (!match) return null;
  return BigInt(match[1] as string) * 100n + BigInt((match[2] ?? "").padEnd(2, "0"));
}

/** 1230n → "12.30". */
export function formatFen(fen: bigint): string {
  const sign = fen < 0n ? "-" : "";
  const abs = fen < 0n ? -fen : fen;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

/** price × quantity, in yuan text. */
export function lineTotal(price: string, quantity: number): string {
  return formatFen((toFen(price) ?? 0n) * BigInt(quantity));
}
