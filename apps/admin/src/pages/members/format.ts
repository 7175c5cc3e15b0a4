import dayjs from "dayjs";

/** An ISO instant as local date and time (2026-01-05 10:13:07). */
export function dateTime(iso: string | null | undefined): string {
  return iso ? dayjs(iso).format("YYYY-MM-DD HH:mm:ss") : "—";
}

/** True when a decimal string is negative (text, never a float). */
export function isNegative(amount: string): boolean {
  return amount.startsWith("-");
}

/** A signed decimal for display: "+12.5" or "-3". */
export function signed(amount: string): string {
  return isNegative(amount) || amount === "0" ? amount : `+${amount}`;
}
