/**
 * Settlement micro-benchmark: settles one business day of a synthetic network
 * (default 1,000,000 members, 2,000,000 open release-plan orders, a 10,000-deep
 * referral chain inside it) entirely in memory with `settleDay`, and prints
 * members/s, orders/s, peak memory and the ratio against a bare floor loop over
 * the same arrays measured in the same run.
 *
 *   npm run bench -w @jifen/engine
 *   npm run bench -w @jifen/engine -- --members 100000 --orders 200000 --depth 1000 --runs 2
 *
 * Figures, not a timed test: the PASS/FAIL line compares against the targets
 * (< 10 s, < 2 GiB peak RSS) but the process exits 0 either way.
 *
 * The network is generated deterministically from a seeded PRNG (mulberry32):
 * randomness lives here, never in packages/engine/src.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import {
  type Config,
  configFromInput,
  cycleDividends,
  formatFixed,
  mulberry32,
  mulRateFloor,
  SCALE,
  type SettlementInput,
  type SettlementResult,
  settleDay,
  shareEntitlements,
  starLevels,
  teamEntitlements,
  teamPerformance,
  topDownOrder,
} from "../src/index.ts";

const GIB = 1024 ** 3;
const TARGET_SECONDS = 10;
const TARGET_BYTES = 2 * GIB;

const { values: args } = parseArgs({
  options: {
    members: { type: "string", default: "1000000" },
    orders: { type: "string", default: "2000000" },
    depth: { type: "string", default: "10000" },
    runs: { type: "string", default: "3" },
    seed: { type: "string", default: "20240601" },
  },
});
const MEMBERS = Number(args.members);
const ORDERS = Number(args.orders);
const CHAIN_DEPTH = Number(args.depth);
const RUNS = Math.max(1, Number(args.runs));
const SEED = Number(args.seed);
if (!(MEMBERS > CHAIN_DEPTH && CHAIN_DEPTH >= 1 && ORDERS >= 1)) {
  console.error("need members > depth ≥ 1 and orders ≥ 1");
  process.exit(2);
}

// ---- measurement helpers ----------------------------------------------------

// A full GC before each timed run, so one run's garbage is not collected on the next one's clock.
v8.setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

interface MemoryPeak {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}
const peak: MemoryPeak = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
/** Samples process.memoryUsage() (at phase boundaries: settleDay is synchronous, no timer fires inside it). */
function sampleMemory(): void {
  const m = process.memoryUsage();
  peak.rss = Math.max(peak.rss, m.rss);
  peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  peak.heapTotal = Math.max(peak.heapTotal, m.heapTotal);
  peak.external = Math.max(peak.external, m.external);
  peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
}
/** Peak resident set size of the whole process so far, from the kernel (bytes). */
function maxRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

const fmtInt = (x: number): string => Math.round(x).toLocaleString("en-US");
const fmtMs = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
const fmtMiB = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
const fmtYuan = (micro: bigint): string => Number(formatFixed(micro, 2)).toLocaleString("en-US");
const pad = (label: string): string => label.padEnd(38);
const line = (label: string, value: string): void => console.log(`${pad(label)}${value}`);

// ---- deterministic synthetic network ------------------------------------------

interface Network {
  input: SettlementInput;
  chainStart: number;
  /** Members that ever refer (in the preferential-attachment pool). */
  referrers: number;
}

/**
 * The network:
 * - Referral forest built in registration order (a member's referrer registered
 *   before it). 0.2% of members join without a referrer (new trees). 12% of
 *   members ever refer; a newcomer's referrer is picked with probability 0.8 by
 *   preferential attachment (proportional to 1 + referrals so far: a few big
 *   referrers with thousands of referrals) and otherwise uniformly among referrers.
 * - One chain of `CHAIN_DEPTH` members registered one after another from 10% of
 *   the way through, each referred by the one before; 1% of chain members also
 *   pick up other referrals. Chain members buy little (a 3,000-or-more package
 *   for about 1 in 10) so the chain's team performance climbs through several
 *   star levels instead of sitting at 七星 from near its bottom.
 * - `ORDERS` open release-plan orders, oldest first, members mixed (35% of orders
 *   by referrers, weighted by their referrals; the rest by uniformly random
 *   non-chain members). Package levels 3,000 / 9,000 / 27,000 / 51,000 (sometimes
 *   a little above a level); gift = amount × multiple, daily base =
 *   amount × 1.2% rounded down, remaining = a random part of the gift.
 * - Own performance = the member's open orders + closed / other-plan history:
 *   orders under 3,000 (no gift), exhausted packages, everyday goods, cycle orders.
 * - Cycle plan: 30% of members hold a weight (1 per 1,000 yuan of cycle orders,
 *   heavy-tailed so a few hundred reach the V1–V3 tiers) and a remaining quota
 *   (up to 2 × the orders; 10% already exhausted). D = 8,000,000 yuan.
 */
function generate(config: Config): Network {
  const rand = mulberry32(SEED);
  const n = MEMBERS;
  const parent = new Int32Array(n);
  const own = new BigInt64Array(n);
  // Preferential attachment pool: each referrer once, plus once per referral it got.
  const pool = new Int32Array(2 * n + CHAIN_DEPTH);
  let poolSize = 0;
  const isReferrer = new Uint8Array(n);
  const referrerList = new Int32Array(n);
  let referrerCount = 0;
  const chainStart = Math.floor(n / 10);
  const chainEnd = chainStart + CHAIN_DEPTH;
  for (let i = 0; i < n; i++) {
    if (i > chainStart && i < chainEnd) {
      parent[i] = i - 1;
    } else if (i === 0 || referrerCount === 0 || rand() < 0.002) {
      parent[i] = -1;
    } else {
      const p =
        rand() < 0.8
          ? (pool[Math.floor(rand() * poolSize)] as number)
          : (referrerList[Math.floor(rand() * referrerCount)] as number);
      parent[i] = p;
      pool[poolSize++] = p;
    }
    const chain = i >= chainStart && i < chainEnd;
    if (i === 0 || rand() < (chain ? 0.01 : 0.12)) {
      isReferrer[i] = 1;
      referrerList[referrerCount++] = i;
      pool[poolSize++] = i;
    }
  }

  // Release-plan orders.
  const packages = config.release.packages;
  const levels = [3_000, 9_000, 27_000, 51_000];
  const orderMember = new Int32Array(ORDERS);
  const orderRemaining = new BigInt64Array(ORDERS);
  const orderBase = new BigInt64Array(ORDERS);
  // About one 3,000-or-more order per 10 chain members, spread evenly over the FIFO list.
  const chainStride = Math.max(1, Math.floor(ORDERS / Math.ceil(CHAIN_DEPTH / 10)));
  for (let o = 0; o < ORDERS; o++) {
    let m: number;
    if (o % chainStride === 0) {
      m = chainStart + Math.floor(rand() * CHAIN_DEPTH);
    } else if (rand() < 0.35) {
      m = pool[Math.floor(rand() * poolSize)] as number;
    } else {
      do m = Math.floor(rand() * n);
      while (m >= chainStart && m < chainEnd);
    }
    const u = rand();
    const level = u < 0.7 ? 0 : u < 0.9 ? 1 : u < 0.97 ? 2 : 3;
    const above = rand() < 0.2 ? Math.floor(rand() * 2_000) : 0;
    const amount = BigInt((levels[level] as number) + above) * SCALE;
    let multiple = 0n;
    for (const pkg of packages) if (amount >= pkg.minAmount) multiple = pkg.multiple;
    const gift = mulRateFloor(amount, multiple);
    orderMember[o] = m;
    orderBase[o] = mulRateFloor(amount, config.release.dailyRate);
    orderRemaining[o] = BigInt(Math.floor(Number(gift) * rand())) + 1n;
    own[m] = (own[m] as bigint) + amount;
  }

  // History and other plans in own performance; the cycle plan's quota and weight.
  const quota = new BigInt64Array(n);
  const weight = new BigInt64Array(n);
  const weightPerYuan = config.cycle.weightPerYuan;
  for (let i = 0; i < n; i++) {
    if (i >= chainStart && i < chainEnd) continue;
    let extraFen = 0;
    if (rand() < 0.3) extraFen += Math.floor(rand() * 299_900) + 100; // orders under 3,000 yuan
    if (rand() < 0.1) extraFen += 300_000; // an exhausted 3,000 package
    if (rand() < 0.3) {
      // Cycle orders: Pareto amounts from 200 yuan, a few past 50,000 (tier V1 weight 50).
      const cycleFen = Math.min(50_000_000, Math.floor(20_000 * (1 / (1 - rand())) ** (1 / 1.2)));
      const cycleMicro = BigInt(cycleFen) * 10_000n;
      extraFen += cycleFen;
      weight[i] = mulRateFloor(cycleMicro, weightPerYuan);
      const q = rand() < 0.1 ? 0 : Math.floor(rand() * cycleFen * 2);
      quota[i] = BigInt(q) * 10_000n;
    }
    own[i] = (own[i] as bigint) + BigInt(extraFen) * 10_000n;
  }
  return {
    input: {
      memberCount: n,
      parent,
      ownPerformance: own,
      orderMember,
      orderRemaining,
      orderBase,
      quota,
      weight,
      cycleSales: 8_000_000n * SCALE,
    },
    chainStart,
    referrers: referrerCount,
  };
}

// ---- the floor: the least any settlement must touch -------------------------------

/**
 * One pass over the orders (r = min(base, remaining), added to the member's
 * column) and one pass over the members adding each one's values into its
 * parent's slot: the same BigInt64Array reads and writes, no tree ordering,
 * no star levels, no accelerations.
 */
function floorLoop(input: SettlementInput): bigint {
  const n = input.memberCount;
  const orderCount = input.orderMember.length;
  const staticRel = new BigInt64Array(n);
  let total = 0n;
  for (let o = 0; o < orderCount; o++) {
    const m = input.orderMember[o] as number;
    const rem = input.orderRemaining[o] as bigint;
    const base = input.orderBase[o] as bigint;
    const r = base < rem ? base : rem;
    staticRel[m] = (staticRel[m] as bigint) + r;
    total += r;
  }
  const up = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const p = input.parent[i] as number;
    if (p >= 0) up[p] = (up[p] as bigint) + (staticRel[i] as bigint) + (input.ownPerformance[i] as bigint);
  }
  return total + (up[0] as bigint);
}

// ---- run ----------------------------------------------------------------------

const { config } = configFromInput();
console.log("Jifen engine — settlement micro-benchmark (settleDay, columnar, bigint micro-units)");
console.log(
  `node ${process.version}, ${process.platform}/${process.arch}, seed ${SEED}, ${RUNS} run(s) each, heap limit ${fmtMiB(v8.getHeapStatistics().heap_size_limit)}`,
);
console.log("");

const gen = time(() => generate(config));
const net = gen.value;
const input = net.input;
sampleMemory();
const rssAfterGeneration = maxRss();

// Shape of the network.
const order = topDownOrder(input.parent);
const depth = new Int32Array(MEMBERS);
let maxDepth = 0;
let roots = 0;
for (let k = 0; k < order.length; k++) {
  const u = order[k] as number;
  const p = input.parent[u] as number;
  if (p < 0) roots++;
  const d = p < 0 ? 0 : (depth[p] as number) + 1;
  depth[u] = d;
  if (d > maxDepth) maxDepth = d;
}
const referrals = new Int32Array(MEMBERS);
for (let i = 0; i < MEMBERS; i++) {
  const p = input.parent[i] as number;
  if (p >= 0) referrals[p] = (referrals[p] as number) + 1;
}
const sortedReferrals = Array.from(referrals).sort((a, b) => b - a);
const withReferrals = sortedReferrals.filter((c) => c > 0).length;
let buyers = 0;
let ownTotal = 0n;
for (let i = 0; i < MEMBERS; i++) {
  if ((input.ownPerformance[i] as bigint) > 0n) buyers++;
  ownTotal += input.ownPerformance[i] as bigint;
}
let cycleMembers = 0;
for (let i = 0; i < MEMBERS; i++) if ((input.weight[i] as bigint) > 0n) cycleMembers++;

console.log("network");
line("  members", fmtInt(MEMBERS));
line("  release-plan orders (open)", fmtInt(ORDERS));
line("  chain depth (built / tree max)", `${fmtInt(CHAIN_DEPTH)} / ${fmtInt(maxDepth)} levels`);
line("  roots (separate trees)", fmtInt(roots));
line(
  "  members who referred anyone",
  `${fmtInt(withReferrals)} (top referrers: ${sortedReferrals.slice(0, 5).map(fmtInt).join(", ")} referrals)`,
);
line("  members with own performance", fmtInt(buyers));
line("  total own performance", `${fmtYuan(ownTotal)} yuan`);
line("  cycle-plan members (weight > 0)", fmtInt(cycleMembers));
line("  cycle sales D", `${fmtYuan(input.cycleSales)} yuan`);
line("  generated in", fmtMs(gen.ms));
console.log("");

// Floor and settlement, each timed `RUNS` times in the same process.
const floorMs: number[] = [];
let floorChecksum = 0n;
for (let r = 0; r < RUNS; r++) {
  gc();
  const t = time(() => floorLoop(input));
  floorMs.push(t.ms);
  floorChecksum = t.value;
  sampleMemory();
}

const settleMs: number[] = [];
let result: SettlementResult | undefined;
for (let r = 0; r < RUNS; r++) {
  result = undefined;
  gc();
  const t = time(() => settleDay(input, config.release, config.cycle));
  settleMs.push(t.ms);
  result = t.value;
  sampleMemory();
}
const res = result as SettlementResult;
const rssAfterSettle = maxRss();

// Phase breakdown: the exported phase functions timed one by one (after the runs above, so warm).
gc();
const phases: [string, number][] = [];
const ph = <T>(name: string, fn: () => T): T => {
  const t = time(fn);
  phases.push([name, t.ms]);
  sampleMemory();
  return t.value;
};
const pOrder = ph("topDownOrder", () => topDownOrder(input.parent));
const pTeamPerf = ph("teamPerformance", () => teamPerformance(input.parent, input.ownPerformance, pOrder));
const pStar = ph("starLevels", () => starLevels(pTeamPerf, config.release));
ph("shareEntitlements", () => shareEntitlements(input.parent, res.static, pOrder, config.release.shareRates));
ph("teamEntitlements", () => teamEntitlements(input.parent, res.static, pOrder, pStar, config.release));
ph("cycleDividends", () => cycleDividends(input, config.cycle));

// Sanity: conservation and the algorithm really exercised.
const t = res.totals;
let releasedSum = 0n;
let giftBefore = 0n;
let giftAfter = 0n;
for (let o = 0; o < ORDERS; o++) {
  releasedSum += res.orderReleased[o] as bigint;
  giftBefore += input.orderRemaining[o] as bigint;
  giftAfter += res.orderRemaining[o] as bigint;
}
const conserved =
  releasedSum === t.static + t.share + t.team + t.peer && giftBefore - giftAfter === releasedSum;
let teamMembers = 0;
let peerMembers = 0;
let shareMembers = 0;
let dividendMembers = 0;
const starCounts = new Array<number>(config.release.starLevels.length).fill(0);
const chainStarCounts = new Array<number>(config.release.starLevels.length).fill(0);
for (let i = 0; i < MEMBERS; i++) {
  if ((res.team[i] as bigint) > 0n) teamMembers++;
  if ((res.peer[i] as bigint) > 0n) peerMembers++;
  if ((res.share[i] as bigint) > 0n) shareMembers++;
  if ((res.dividend[i] as bigint) > 0n) dividendMembers++;
  const s = res.star[i] as number;
  if (s >= 0) {
    starCounts[s] = (starCounts[s] as number) + 1;
    if (i >= net.chainStart && i < net.chainStart + CHAIN_DEPTH)
      chainStarCounts[s] = (chainStarCounts[s] as number) + 1;
  }
}

const best = (xs: number[]): number => Math.min(...xs);
const settleBest = best(settleMs);
const settleWorst = Math.max(...settleMs);
const floorBest = best(floorMs);
const finalMaxRss = maxRss();
sampleMemory();

console.log("sanity");
const starText = config.release.starLevels
  .map(
    (s, k) => `${s.name} ${fmtInt(starCounts[k] as number)} (chain ${fmtInt(chainStarCounts[k] as number)})`,
  )
  .join(", ");
line("  star levels", starText);
line("  total static release", fmtYuan(t.static));
line("  total share acceleration", `${fmtYuan(t.share)}   (${fmtInt(shareMembers)} members > 0)`);
line("  total team acceleration", `${fmtYuan(t.team)}   (${fmtInt(teamMembers)} members > 0)`);
line("  total peer bonus", `${fmtYuan(t.peer)}   (${fmtInt(peerMembers)} members > 0)`);
line("  total forfeited (no gift left)", fmtYuan(t.forfeited));
line(
  "  total dividend",
  `${fmtYuan(t.dividend)} of ${fmtYuan(t.pooled)} pooled   (${fmtInt(dividendMembers)} members > 0)`,
);
line("  conservation (orders ↔ totals)", conserved ? "ok" : "BROKEN");
const exercised = teamMembers > 0 && peerMembers > 0 && shareMembers > 0 && dividendMembers > 0;
line("  algorithm exercised", exercised ? "yes (team, peer, share, dividend all > 0)" : "NO");
line("  floor checksum", floorChecksum.toString());
console.log("");

console.log("timing");
line("  floor loop runs", floorMs.map(fmtMs).join(", "));
line("  settleDay runs", `${settleMs.map(fmtMs).join(", ")}   (first run is cold: includes JIT warm-up)`);
line("  settleDay wall time (best)", fmtMs(settleBest));
line("  settleDay wall time (first, cold)", fmtMs(settleMs[0] as number));
line("  members/s (best)", fmtInt(MEMBERS / (settleBest / 1000)));
line("  orders/s (best)", fmtInt(ORDERS / (settleBest / 1000)));
line("  ratio settle / floor (best/best)", `${(settleBest / floorBest).toFixed(1)}×`);
line(
  "  ratio settle / floor (first/first)",
  `${((settleMs[0] as number) / (floorMs[0] as number)).toFixed(1)}×`,
);
console.log("  phases (warm, one call each; ≈ share of the best run):");
let phaseSum = 0;
for (const [name, ms] of phases) {
  phaseSum += ms;
  console.log(`    ${name.padEnd(30)}${fmtMs(ms).padStart(10)}  ${((100 * ms) / settleBest).toFixed(0)}%`);
}
const inline = Math.max(0, settleBest - phaseSum);
console.log(
  `    ${"inline loops (static, caps,".padEnd(30)}${fmtMs(inline).padStart(10)}  ${((100 * inline) / settleBest).toFixed(0)}%   (best run − phases)`,
);
console.log(`    ${"  FIFO deduction, totals)".padEnd(30)}`);
console.log("");

console.log("memory");
line(
  "  peak RSS (kernel maxRSS)",
  `${fmtMiB(finalMaxRss)}   (after generation ${fmtMiB(rssAfterGeneration)}, after settling ${fmtMiB(rssAfterSettle)})`,
);
line("  peak RSS (sampled)", fmtMiB(peak.rss));
line("  peak heap used / total (sampled)", `${fmtMiB(peak.heapUsed)} / ${fmtMiB(peak.heapTotal)}`);
line("  peak typed-array buffers (sampled)", fmtMiB(peak.arrayBuffers));
line("  (sampled at phase boundaries: settleDay is synchronous, no timer fires inside it)", "");
console.log("");

const timeOk = settleWorst < TARGET_SECONDS * 1000;
const memOk = finalMaxRss < TARGET_BYTES;
const verdict = timeOk && memOk && exercised && conserved ? "PASS" : "FAIL";
console.log(
  `${verdict}: settleDay ${fmtMs(settleWorst)} worst of ${RUNS} (target < ${TARGET_SECONDS} s: ${timeOk ? "ok" : "over"}), ` +
    `peak RSS ${fmtMiB(finalMaxRss)} (target < 2 GiB: ${memOk ? "ok" : "over"})` +
    (exercised && conserved ? "" : ", sanity checks failed"),
);
process.exit(0);
