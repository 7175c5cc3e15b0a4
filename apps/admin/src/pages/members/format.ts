import dayjs from "dayjs";
import { zhCN } from "../../i18n/catalogue.ts";
import type { MessageKey } from "../../i18n/index.tsx";

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

/** `key` when the catalogue has it (a server value the console has words for), else null. */
export function knownKey(key: string): MessageKey | null {
  return key in zhCN ? (key as MessageKey) : null;
}

/** The words for a server value (a wallet, a status, a plan): the catalogue's, or the value itself. */
export function labelOf(t: (key: MessageKey) => string, prefix: string, value: string): string {
  const key = knownKey(`${prefix}${value}`);
  return key ? t(key) : value;
}
