/**
 * Exact decimal arithmetic on bigint fixed point.
 *
 * Every quantity is a bigint in micro-units: value × 10⁶ (`SCALE`). Money is
 * CNY held to the fen (a multiple of `FEN`), points-like quantities and the
 * platform's pools to 6 places. Rates (contribution rate, fees, multiples…)
 * use the same scale: 0.3 is 300_000n. Products of two scaled values carry
 * scale 10¹²; `mulDiv` and the rounding helpers bring them back.
 */

/** Micro-units per unit: 6 decimal places. */
export const SCALE = 1_000_000n;
/** Micro-units per fen: cash is held to 2 decimal places. */
export const FEN = 10_000n;
/** The number of decimal places of `SCALE`. */
export const PLACES = 6;

/** Thrown for a decimal string that cannot be read; `reason` names the problem. */
export class DecimalError extends Error {
  constructor(
    readonly input: unknown,
    readonly reason: "format" | "places" | "range",
    message: string,
  ) {
    super(message);
    this.name = "DecimalError";
  }
}

/** What a refused decimal must be, in Chinese (the value itself is not repeated). */
export function decimalReasonZh(error: DecimalError, maxPlaces: number = PLACES): string {
  if (error.reason === "places") return `最多 ${maxPlaces} 位小数`;
  if (error.reason === "range") return "超出允许的范围";
  return "须为十进制数（如 0.5）";
}

const DECIMAL_RE = /^([+-])?(\d+)(?:\.(\d+))?$/;
/** Upper bound on magnitudes accepted from outside: 10¹⁸ units (far above any real balance). */
const MAX_INPUT = 10n ** 18n * SCALE;

/**
 * Parses a decimal (string, or a JSON number written in plain decimal notation)
 * into micro-units, refusing more than `maxPlaces` decimals. Never goes through
 * binary floating point: a number is read from its shortest decimal text.
 * `maxPlaces` is a whole number from 0 to `PLACES`: micro-units hold no 7th place.
 */
export function parseDecimal(input: unknown, maxPlaces: number = PLACES): bigint {
  if (!Number.isInteger(maxPlaces) || maxPlaces < 0 || maxPlaces > PLACES) {
    throw new RangeError(`maxPlaces must be a whole number from 0 to ${PLACES}: ${maxPlaces}`);
  }
  let text: string;
  if (typeof input === "string") text = input.trim();
  else if (typeof input === "number")
    text = numberText(input); // NaN, Infinity: refused as text
  else if (typeof input === "bigint") text = input.toString();
  else throw new DecimalError(input, "format", `not a decimal: ${JSON.stringify(input)}`);
  const match = DECIMAL_RE.exec(text);
  if (!match) throw new DecimalError(input, "format", `not a decimal: ${JSON.stringify(input)}`);
  const sign = match[1];
  const whole = match[2] as string; // \d+ always matches
  const frac = match[3] ?? "";
  const trimmedFrac = frac.replace(/0+$/, "");
  if (trimmedFrac.length > maxPlaces) {
    throw new DecimalError(input, "places", `more than ${maxPlaces} decimal places: ${text}`);
  }
  const micro = BigInt(whole) * SCALE + BigInt(trimmedFrac.padEnd(PLACES, "0"));
  if (micro > MAX_INPUT) throw new DecimalError(input, "range", `out of range: ${text}`);
  return sign === "-" ? -micro : micro;
}

/**
 * The plain decimal text of a JS number (expands exponent notation). JS writes an
 * exponent only below 10⁻⁶ ("1.5e-7") and from 10²¹ ("1e+21"), with one digit
 * before the point, so the point always falls outside the digits.
 */
function numberText(value: number): string {
  const text = String(value);
  if (!text.includes("e")) return text;
  const [mantissa, expText] = text.split("e") as [string, string];
  const exp = Number(expText);
  const negative = mantissa.startsWith("-");
  const [intPart, fracPart = ""] = mantissa.replace("-", "").split(".") as [string, string?];
  const digits = intPart + fracPart;
  const out = expText.startsWith("-")
    ? `0.${"0".repeat(-exp - intPart.length)}${digits}`
    : digits + "0".repeat(exp - fracPart.length);
  return negative ? `-${out}` : out;
}

/** Formats micro-units as a decimal string without trailing zeros ("0", "14.7", "-3.25"). */
export function formatDecimal(micro: bigint): string {
  // From the digits of one conversion, no bigint division (the writer formats ~5,000 amounts per batch).
  const negative = micro < 0n;
  const digits = (negative ? -micro : micro).toString();
  const cut = digits.length - PLACES;
  const whole = cut > 0 ? digits.slice(0, cut) : "0";
  const frac = cut > 0 ? digits.slice(cut) : digits.padStart(PLACES, "0");
  let end = PLACES;
  while (end > 0 && frac.charCodeAt(end - 1) === 48) end--; // trailing "0"s
  const text = end > 0 ? `${whole}.${frac.slice(0, end)}` : whole;
  return negative ? `-${text}` : text;
}

/** Formats micro-units with exactly `places` decimals (places ≤ 6), e.g. "12.30". */
export function formatFixed(micro: bigint, places: number): string {
  const negative = micro < 0n;
  const abs = negative ? -micro : micro;
  const whole = abs / SCALE;
  const frac = (abs % SCALE).toString().padStart(PLACES, "0").slice(0, places);
  const text = places > 0 ? `${whole}.${frac}` : `${whole}`;
  return negative ? `-${text}` : text;
}

/** floor(a / b) for bigints of any sign (b > 0). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  // Signs alike (or a = 0): truncation is the floor, no remainder needed.
  if (a < 0n === b < 0n) return q;
  return a % b !== 0n ? q - 1n : q;
}

/** ceil(a / b) for bigints of any sign (b ≠ 0). */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return -floorDiv(-a, b);
}

/** a × b / c rounded down (all micro-scaled or raw; exact rational, one rounding). */
export function mulDivFloor(a: bigint, b: bigint, c: bigint): bigint {
  return floorDiv(a * b, c);
}

/** amount × rate, both micro-scaled, rounded down to 6 places. */
export function mulRateFloor(amountMicro: bigint, rateMicro: bigint): bigint {
  return floorDiv(amountMicro * rateMicro, SCALE);
}

/** Rounds micro-units down to a whole fen. */
export function floorFen(micro: bigint): bigint {
  return floorDiv(micro, FEN) * FEN;
}

/** Rounds micro-units up to a whole fen. */
export function ceilFen(micro: bigint): bigint {
  return ceilDiv(micro, FEN) * FEN;
}

/** Rounds a price P/S half-up to 4 decimals and formats it ("1.4286"). */
export function formatPrice(poolMicro: bigint, supplyMicro: bigint): string {
  if (supplyMicro <= 0n) throw new RangeError("price needs a positive supply");
  // price × 10⁴, half-up: floor((2·P·10⁴ + S) / (2·S)).
  const scaled = floorDiv(2n * poolMicro * 10_000n + supplyMicro, 2n * supplyMicro);
  const whole = scaled / 10_000n;
  const frac = (scaled % 10_000n).toString().padStart(4, "0");
  return `${whole}.${frac}`;
}

/** The smaller of two bigints. */
export function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
