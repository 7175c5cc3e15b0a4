/**
 * Money-representation micro-benchmark: why the engine holds money and points as
 * native bigint micro-units (×10⁶) rather than a decimal library.
 *
 *   npm run bench:money -w @jifen/engine
 *   npm run bench:money -w @jifen/engine -- --count 200000 --runs 2
 *
 * The same exact work in every representation: for 1,000,000 (amount, rate)
 * pairs, product = amount × rate rounded down to 6 places, accumulated into one
 * total. Amounts are yuan to the fen (0.01 … 99,999.99), rates are 6-place
 * rates of the kinds the models use (0.012 daily release, 0.3 pool share,
 * 2.5 / 3 / 3.5 / 4 multiples, 0.001 weight per yuan). Every exact
 * representation must reach the same total; float64 is shown for reference only.
 *
 * Two workloads: arithmetic on values already parsed, and the whole path from
 * the decimal strings of an API request (parse, multiply, round, add).
 * Figures, not a test: the process exits 0.
 */
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import Big from "big.js";
import { Decimal } from "decimal.js";
import { formatDecimal, mulberry32, mulRateFloor, parseDecimal, SCALE } from "../src/index.ts";

const { values: args } = parseArgs({
  options: {
    count: { type: "string", default: "1000000" },
    runs: { type: "string", default: "3" },
    seed: { type: "string", default: "20240601" },
  },
});
const COUNT = Number(args.count);
const RUNS = Math.max(1, Number(args.runs));
const SEED = Number(args.seed);

v8.setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

// ---- inputs, as decimal strings ----------------------------------------------------
const RATES = ["0.012", "0.3", "2.5", "3", "3.5", "4", "0.001", "0.123457"];
const rand = mulberry32(SEED);
const amountText: string[] = new Array(COUNT);
const rateText: string[] = new Array(COUNT);
for (let i = 0; i < COUNT; i++) {
  const fen = 1 + Math.floor(rand() * 9_999_999);
  amountText[i] = `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
  rateText[i] = RATES[Math.floor(rand() * RATES.length)] as string;
}

const require = createRequire(import.meta.url);
const versionOf = (name: string): string => (require(`${name}/package.json`) as { version: string }).version;

// Decimal.js with room for every exact intermediate (20 significant digits is its default).
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_FLOOR });

/** heapUsed growth while holding the values `make` builds (bytes per value). */
function bytesPerValue(make: () => unknown): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const held = make();
  gc();
  const after = process.memoryUsage().heapUsed;
  if (held === null) console.log(""); // keep `held` alive until measured
  return (after - before) / COUNT;
}

// ---- representations ------------------------------------------------------------------
interface Contender {
  name: string;
  exact: boolean;
  /** Prepare parsed inputs (untimed) and return the timed kernels. */
  prepare(): { parsed: () => string; fromText: () => string; bytes: number };
}

const contenders: Contender[] = [
  {
    name: "bigint micro (money.ts mulRateFloor)",
    exact: true,
    prepare() {
      const a = amountText.map((s) => parseDecimal(s, 2));
      const r = rateText.map((s) => parseDecimal(s));
      return {
        bytes: bytesPerValue(() => amountText.map((s) => parseDecimal(s, 2))),
        parsed: () => {
          let sum = 0n;
          for (let i = 0; i < COUNT; i++) sum += mulRateFloor(a[i] as bigint, r[i] as bigint);
          return formatDecimal(sum);
        },
        fromText: () => {
          let sum = 0n;
          for (let i = 0; i < COUNT; i++) {
            sum += mulRateFloor(parseDecimal(amountText[i], 2), parseDecimal(rateText[i]));
          }
          return formatDecimal(sum);
        },
      };
    },
  },
  {
    name: "bigint micro, BigInt64Array columns",
    exact: true,
    prepare() {
      const a = BigInt64Array.from(amountText, (s) => parseDecimal(s, 2));
      const r = BigInt64Array.from(rateText, (s) => parseDecimal(s));
      return {
        bytes: 8,
        // Non-negative operands: truncating division is the floor.
        parsed: () => {
          let sum = 0n;
          for (let i = 0; i < COUNT; i++) sum += ((a[i] as bigint) * (r[i] as bigint)) / SCALE;
          return formatDecimal(sum);
        },
        fromText: () => {
          const ca = new BigInt64Array(COUNT);
          const cr = new BigInt64Array(COUNT);
          for (let i = 0; i < COUNT; i++) {
            ca[i] = parseDecimal(amountText[i], 2);
            cr[i] = parseDecimal(rateText[i]);
          }
          let sum = 0n;
          for (let i = 0; i < COUNT; i++) sum += ((ca[i] as bigint) * (cr[i] as bigint)) / SCALE;
          return formatDecimal(sum);
        },
      };
    },
  },
  {
    name: "decimal.js",
    exact: true,
    prepare() {
      const a = amountText.map((s) => new D(s));
      const r = rateText.map((s) => new D(s));
      return {
        bytes: bytesPerValue(() => amountText.map((s) => new D(s))),
        parsed: () => {
          let sum = new D(0);
          for (let i = 0; i < COUNT; i++) {
            sum = sum.plus((a[i] as Decimal).times(r[i] as Decimal).toDecimalPlaces(6, Decimal.ROUND_FLOOR));
          }
          return sum.toFixed();
        },
        fromText: () => {
          let sum = new D(0);
          for (let i = 0; i < COUNT; i++) {
            sum = sum.plus(
              new D(amountText[i] as string)
                .times(new D(rateText[i] as string))
                .toDecimalPlaces(6, Decimal.ROUND_FLOOR),
            );
          }
          return sum.toFixed();
        },
      };
    },
  },
  {
    name: "big.js",
    exact: true,
    prepare() {
      const a = amountText.map((s) => new Big(s));
      const r = rateText.map((s) => new Big(s));
      // round(dp, 0) is round-down (towards zero): the floor for these non-negative values.
      return {
        bytes: bytesPerValue(() => amountText.map((s) => new Big(s))),
        parsed: () => {
          let sum = new Big(0);
          for (let i = 0; i < COUNT; i++) sum = sum.plus((a[i] as Big).times(r[i] as Big).round(6, 0));
          return sum.toFixed();
        },
        fromText: () => {
          let sum = new Big(0);
          for (let i = 0; i < COUNT; i++) {
            sum = sum.plus(
              new Big(amountText[i] as string).times(new Big(rateText[i] as string)).round(6, 0),
            );
          }
          return sum.toFixed();
        },
      };
    },
  },
  {
    name: "float64 number (inexact; reference)",
    exact: false,
    prepare() {
      const a = Float64Array.from(amountText, Number);
      const r = Float64Array.from(rateText, Number);
      return {
        bytes: 8,
        parsed: () => {
          let sum = 0;
          for (let i = 0; i < COUNT; i++) sum += Math.floor((a[i] as number) * (r[i] as number) * 1e6) / 1e6;
          return sum.toFixed(6);
        },
        fromText: () => {
          let sum = 0;
          for (let i = 0; i < COUNT; i++) {
            sum += Math.floor(Number(amountText[i]) * Number(rateText[i]) * 1e6) / 1e6;
          }
          return sum.toFixed(6);
        },
      };
    },
  },
];

// ---- run ------------------------------------------------------------------------------
function bestOf(fn: () => string): { ms: number; value: string } {
  fn(); // warm-up (JIT)
  let best = Number.POSITIVE_INFINITY;
  let value = "";
  for (let r = 0; r < RUNS; r++) {
    gc();
    const start = performance.now();
    value = fn();
    best = Math.min(best, performance.now() - start);
  }
  return { ms: best, value };
}

console.log("Jifen engine — money representation micro-benchmark");
console.log(
  `node ${process.version}, ${COUNT.toLocaleString("en-US")} × (amount × rate, rounded down to 6 places, summed); ` +
    `best of ${RUNS} after a warm-up; ` +
    `decimal.js ${versionOf("decimal.js")} (precision 40), big.js ${versionOf("big.js")}`,
);
console.log("");

interface Row {
  name: string;
  exact: boolean;
  parsedMs: number;
  textMs: number;
  parsedTotal: string;
  textTotal: string;
  bytes: number;
}
const rows: Row[] = [];
for (const c of contenders) {
  const k = c.prepare();
  const p = bestOf(k.parsed);
  const t = bestOf(k.fromText);
  rows.push({
    name: c.name,
    exact: c.exact,
    parsedMs: p.ms,
    textMs: t.ms,
    parsedTotal: p.value,
    textTotal: t.value,
    bytes: k.bytes,
  });
}

const base = rows[0] as Row;
const opsPerSec = (ms: number): string => Math.round(COUNT / (ms / 1000)).toLocaleString("en-US");
const header = `${"representation".padEnd(38)}${"pre-parsed ops/s".padStart(17)}${"ratio".padStart(8)}${"from text ops/s".padStart(17)}${"ratio".padStart(8)}${"bytes/value".padStart(13)}`;
console.log(header);
console.log("-".repeat(header.length));
for (const r of rows) {
  console.log(
    `${r.name.padEnd(38)}${opsPerSec(r.parsedMs).padStart(17)}${`${(r.parsedMs / base.parsedMs).toFixed(1)}×`.padStart(8)}` +
      `${opsPerSec(r.textMs).padStart(17)}${`${(r.textMs / base.textMs).toFixed(1)}×`.padStart(8)}${r.bytes.toFixed(0).padStart(13)}`,
  );
}
console.log(
  "(ratio = time ÷ the bigint money.ts time: how many times slower; bytes/value = heap held per amount, array slot included)",
);
console.log("");
console.log("totals (every exact representation must agree to the last micro-unit)");
let allAgree = true;
for (const r of rows) {
  const agree = r.parsedTotal === base.parsedTotal && r.textTotal === base.parsedTotal;
  if (r.exact && !agree) allAgree = false;
  const note = agree ? "equal" : r.exact ? "DIFFERS" : "differs (binary floating point)";
  console.log(`  ${r.name.padEnd(38)}${r.parsedTotal.padStart(24)}   ${note}`);
}
console.log("");
const fastestLib = Math.min(...rows.filter((r) => r.name.includes(".js")).map((r) => r.parsedMs));
console.log(
  `${allAgree ? "OK" : "MISMATCH"}: bigint micro-units are ${(fastestLib / base.parsedMs).toFixed(1)}× faster than the faster decimal library on pre-parsed values, with identical exact totals.`,
);
process.exit(0);
