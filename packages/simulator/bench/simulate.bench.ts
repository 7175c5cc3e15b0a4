/**
 * Simulation benchmark (`npm run bench:simulate`): 365 days of a shop growing
 * exponentially to --members (default 1,000,000) with the default mix, printed
 * as a ratio against the engine's own `settleDay` time summed over the same
 * days, measured inside the same run (the simulator hands the engine a timed
 * `settleDay`). Also wall time and peak memory. Figures, not a timed test: the
 * PASS/FAIL line compares against the targets (< 1.5×, < 2 GiB) and the
 * process exits 0 either way.
 *
 *   npm run bench:simulate -- --members 100000 [--days 365] [--seed 1]
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { settleDay } from "@jifen/engine";
import { parsePlan, simulate } from "../src/index.ts";

const GIB = 1024 ** 3;
const { values: args } = parseArgs({
  options: {
    members: { type: "string", default: "1000000" },
    days: { type: "string", default: "365" },
    seed: { type: "string", default: "20261129" },
  },
});
const MEMBERS = Number(args.members);
const DAYS = Number(args.days);
const START = Math.max(10, Math.round(MEMBERS / 1000));
// The growth rate that takes START members to MEMBERS in DAYS days (a plan parameter, not money).
const RATE = ((MEMBERS / START) ** (1 / DAYS) - 1).toFixed(6);

/** The default mix of examples/simulate/plan.json, without a stop. */
const plan = parsePlan({
  days: String(DAYS),
  seed: String(args.seed),
  startMembers: String(START),
  growth: { curve: "exponential", rate: RATE },
  referrer: "preferential",
  purchases: {
    ordersPerMemberPerMonth: "1",
    mix: [
      { plans: ["release"], share: "0.3", packages: { 初级会员: "0.7", 中级会员: "0.25", 高级会员: "0.05" } },
      { plans: ["cycle"], share: "0.3", amounts: ["299", "599", "999"] },
      { plans: ["equity"], share: "0.2", amounts: ["100", "500"] },
      { plans: [], share: "0.2", amounts: ["59", "129"] },
    ],
    pointsPaidShare: "0.5",
  },
  behaviour: { equitySellShare: "0.02", cashWithdrawShare: "0.5" },
  params: {},
});

let settleMs = 0;
let peakRss = 0;
const timedSettleDay: typeof settleDay = (input, release, cycle) => {
  const started = performance.now();
  try {
    return settleDay(input, release, cycle);
  } finally {
    settleMs += performance.now() - started;
  }
};

const measure = { now: () => performance.now(), endOfDayMs: 0 };
const started = performance.now();
const result = simulate({
  plan,
  params: {},
  settleDay: timedSettleDay,
  measure,
  onDay: (day, days) => {
    const now = performance.now();
    if (day % 30 === 0 || day === days) peakRss = Math.max(peakRss, process.memoryUsage.rss());
    if (day % 30 === 0 || day === days)
      console.error(
        `day ${day}: ${((now - started) / 1000).toFixed(1)} s (settleDay ${(settleMs / 1000).toFixed(1)} s)`,
      );
  },
});
const wallMs = performance.now() - started;
const maxRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
const ratio = wallMs / settleMs;
const lastRow = result.primary.rows[result.primary.rows.length - 1];
const orders = result.primary.rows.reduce((s, r) => s + r.orders, 0);
console.log(
  `simulate: ${DAYS} days, ${lastRow?.members.toLocaleString("en-US")} members at the end (start ${START}, growth ${RATE}/day), ${orders.toLocaleString("en-US")} orders`,
);
console.log(`  wall time           ${(wallMs / 1000).toFixed(1)} s`);
console.log(`  settleDay (summed)  ${(settleMs / 1000).toFixed(1)} s`);
console.log(
  `  engine endOfDay     ${(measure.endOfDayMs / 1000).toFixed(1)} s (settleDay and the in-memory ledger postings of the day)`,
);
console.log(`  ratio               ${ratio.toFixed(2)}× the settleDay time it contains (target < 1.5×)`);
console.log(
  `  ratio to endOfDay   ${(wallMs / measure.endOfDayMs).toFixed(2)}× the engine's whole daily settlement`,
);
console.log(`  peak RSS            ${(maxRss / GIB).toFixed(2)} GiB (target < 2 GiB)`);
console.log(
  `${ratio < 1.5 && maxRss < 2 * GIB ? "PASS" : "FAIL"} (figures, not a test: exit status 0 either way)`,
);
