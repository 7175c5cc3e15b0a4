/**
 * Decimal text as people read it, by string operations only (never a float):
 * digits grouped by thousands, a fixed number of places padded or kept; and
 * instants in the reader's language.
 */

/** "1234567.5" → "1,234,567.5"; text that is not a plain decimal is returned as it is. */
export function groupDigits(text: string | null | undefined): string {
  if (text === null || text === undefined || text === "") return "—";
  const match = /^([-+]?)(\d+)(\.\d+)?$/.exec(text);
  if (!match) return text;
  const [, sign = "", whole = "", fraction = ""] = match;
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${fraction}`;
}

/** Yuan with exactly 2 places when the text has at most 2 ("12.5" → "12.50"); more places are kept. */
export function yuan(text: string | null | undefined): string {
  if (text === null || text === undefined || text === "") return "—";
  const match = /^(-?\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) return text;
  const fraction = match[2] ?? "";
  return groupDigits(`${match[1]}.${fraction.length >= 2 ? fraction : fraction.padEnd(2, "0")}`);
}

/** An instant as the reader's local date and time (24-hour clock). */
export function dateTime(iso: string | null | undefined, language: string): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(language === "en" ? "en-GB" : "zh-CN", { hour12: false });
}
