import { type Asset, FEN, formatDecimal, formatFixed } from "@jifen/engine";

/** An amount as API text: yuan with 2 decimals when whole fen, otherwise up to 6 decimals. */
export function formatAmount(asset: Asset | "cny", micro: bigint): string {
  if (asset === "cny" && micro % FEN === 0n) return formatFixed(micro, 2);
  return formatDecimal(micro);
}

/** Yuan as API text with 2 decimals ("12.30"). */
export function formatYuan(micro: bigint): string {
  return formatAmount("cny", micro);
}

/** An instant as ISO 8601 text. */
export function iso(at: Date): string {
  return at.toISOString();
}
