/**
 * Decimal strings as the API sends them, read and written with BigInt in
 * micro-units (10⁻⁶): never a binary float for an amount (the project's rule).
 */
const SCALE = 1_000_000n;

/** A decimal string ("-12.5", "0.006") as micro-units; more than 6 decimals are cut. */
export function toMicro(text: string): bigint {
  const negative = text.startsWith("-");
  const [whole = "0", frac = ""] = (negative ? text.slice(1) : text).split(".");
  const micro = BigInt(whole || "0") * SCALE + BigInt(`${frac}000000`.slice(0, 6));
  return negative ? -micro : micro;
}

/** Micro-units as a decimal string without trailing zeros ("10", "0.6"). */
export function fromMicro(micro: bigint): string {
  const negative = micro < 0n;
  const abs = negative ? -micro : micro;
  const frac = (abs % SCALE).toString().padStart(6, "0").replace(/0+$/, "");
  const text = frac ? `${abs / SCALE}.${frac}` : `${abs / SCALE}`;
  return negative ? `-${text}` : text;
}

/** A rate ("0.1") as a percentage ("10%"). */
export function ratePercent(rate: string): string {
  return `${fromMicro(toMicro(rate) * 100n)}%`;
}

/** How far `part` is along `whole`, in whole percent from 0 to 100 (a progress bar's width). */
export function progressPercent(part: string, whole: string): number {
  const w = toMicro(whole);
  if (w <= 0n) return 100;
  const p = (toMicro(part) * 100n) / w;
  return Number(p < 0n ? 0n : p > 100n ? 100n : p);
}

/** The amount without its sign ("-10" → "10"). */
export function abs(text: string): string {
  return text.startsWith("-") ? text.slice(1) : text;
}

/** Whether `text` is a positive amount with at most `places` decimals, as the API accepts it. */
export function isAmount(text: string, places: number): boolean {
  const pattern = new RegExp(`^\\d{1,12}(\\.\\d{1,${places}})?$`);
  return pattern.test(text) && toMicro(text) > 0n;
}

/** A date-time as the member's local "YYYY-MM-DD HH:mm". */
export function localTime(iso: string): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/**
 * An amount as a person reads it: the whole part in groups of three ("50000.00" →
 * "50,000.00", "-1234567" → "-1,234,567"); the decimals stay exactly as the server
 * sent them. Text only, never a float. Anything not a plain decimal is returned as is.
 */
export function grouped(text: string): string {
  const match = /^([-+]?)(\d+)(\.\d+)?$/.exec(text);
  if (!match) return text;
  const whole = (match[2] as string).replace(/\B(?=(\d{3})+$)/g, ",");
  return `${match[1]}${whole}${match[3] ?? ""}`;
}
