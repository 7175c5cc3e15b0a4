/**
 * The one-minute summary of a run (docs/simulate.md "Summary"): peak
 * liabilities and when, what is still owed N days after growth stops, whether
 * the equity price stalls, and the largest single member's payouts against
 * their purchases. Plain sentences in Chinese and English beside the figures.
 */
import { formatDecimal, parseDecimal } from "@jifen/engine";
import type { DayRow } from "./metrics.ts";
import { ratio } from "./metrics.ts";
import type { SimulationPlan } from "./plan.ts";
import type { LargestMember } from "./run.ts";

/** Days in a row without a rise of the (4-decimal) equity price that count as a stall. */
export const STALL_DAYS = 7;

export interface Owed {
  day: number;
  liabilities: string;
  giftUnreleased: string;
  pointsHeld: string;
  quotaUnpaid: string;
  stableFloat: string;
  cashHeld: string;
  exitQuotaOutstanding: string;
}

export interface Summary {
  peakLiabilities: { amount: string; day: number };
  growthStopDay: number | null;
  owedAtStop: Owed | null;
  owedAfterStop: (Owed & { daysAfterStop: number }) | null;
  equityPrice: {
    first: string;
    last: string;
    longestStallDays: number;
    firstStallDay: number | null;
    stalls: boolean;
  };
  largestMember: LargestMember | null;
  totals: { sales: string; cashIn: string; payouts: string; payoutsToSales: string; cashOutToCashIn: string };
  lines: string[];
}

const micro = (text: string): bigint => parseDecimal(text, 6);

function owed(row: DayRow): Owed {
  return {
    day: row.day,
    liabilities: row.liabilities,
    giftUnreleased: row.giftUnreleased,
    pointsHeld: row.pointsHeld,
    quotaUnpaid: row.quotaUnpaid,
    stableFloat: row.stableFloat,
    cashHeld: row.cashHeld,
    exitQuotaOutstanding: row.exitQuotaOutstanding,
  };
}

function priceStalls(rows: readonly DayRow[]): Summary["equityPrice"] {
  let run = 0;
  let longest = 0;
  let firstStallDay: number | null = null;
  let started = false;
  for (let i = 1; i < rows.length; i++) {
    const prev = rows[i - 1] as DayRow;
    const row = rows[i] as DayRow;
    started ||= micro(prev.issued) > 0n;
    if (!started) continue;
    run = micro(row.equityPrice) > micro(prev.equityPrice) ? 0 : run + 1;
    longest = Math.max(longest, run);
    if (run === STALL_DAYS && firstStallDay === null) firstStallDay = row.day - STALL_DAYS + 1;
  }
  return {
    first: rows[0]?.equityPrice ?? "",
    last: rows[rows.length - 1]?.equityPrice ?? "",
    longestStallDays: longest,
    firstStallDay,
    stalls: longest >= STALL_DAYS,
  };
}

function totals(rows: readonly DayRow[]): Summary["totals"] {
  let sales = 0n;
  let cashIn = 0n;
  let payouts = 0n;
  for (const r of rows) {
    sales += micro(r.sales);
    cashIn += micro(r.cashIn);
    payouts += micro(r.payouts);
  }
  return {
    sales: formatDecimal(sales),
    cashIn: formatDecimal(cashIn),
    payouts: formatDecimal(payouts),
    payoutsToSales: ratio(payouts, sales),
    cashOutToCashIn: rows[rows.length - 1]?.cashOutToCashIn ?? "",
  };
}

/** Summarises a run's rows. */
export function summarise(
  plan: SimulationPlan,
  rows: readonly DayRow[],
  largest: LargestMember | null,
): Summary {
  let peak = rows[0] as DayRow;
  for (const r of rows) if (micro(r.liabilities) > micro(peak.liabilities)) peak = r;
  const stop =
    plan.growth.stopDay !== null && plan.growth.stopDay <= rows.length ? plan.growth.stopDay : null;
  const atStop = stop === null ? undefined : rows[Math.min(stop, rows.length) - 1];
  const afterDay = stop === null ? null : Math.min(stop + plan.owedAfterDays, rows.length);
  const after = afterDay === null ? undefined : rows[afterDay - 1];
  const summary: Summary = {
    peakLiabilities: { amount: peak.liabilities, day: peak.day },
    growthStopDay: stop,
    owedAtStop: atStop ? owed(atStop) : null,
    owedAfterStop: after && stop !== null ? { ...owed(after), daysAfterStop: after.day - stop } : null,
    equityPrice: priceStalls(rows),
    largestMember: largest,
    totals: totals(rows),
    lines: [],
  };
  summary.lines = sentences(summary);
  return summary;
}

/** A decimal string with its whole part grouped by thousands, as a reader expects (1234567.5 → 1,234,567.5). */
export function grouped(decimal: string): string {
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(decimal);
  if (!match) return decimal;
  return `${match[1]}${(match[2] as string).replace(/\B(?=(\d{3})+$)/g, ",")}${match[3] ?? ""}`;
}

/** A ratio of four decimals as a percentage of two (0.4146 → 41.46%), exact: the point moves two places. */
export function percent(ratio: string): string {
  const match = /^(-?)(\d+)\.(\d{2})(\d{2})$/.exec(ratio);
  if (!match) return ratio || "—";
  const whole = BigInt(`${match[2]}${match[3]}`).toString();
  return `${match[1]}${grouped(whole)}.${match[4]}%`;
}

function sentences(s: Summary): string[] {
  const peak = grouped(s.peakLiabilities.amount);
  const lines = [
    `负债峰值 ${peak} 元，出现在第 ${s.peakLiabilities.day} 天。 / Liabilities peak at ${peak} yuan on day ${s.peakLiabilities.day}.`,
  ];
  if (s.owedAtStop && s.owedAfterStop) {
    const a = s.owedAfterStop;
    const atStop = grouped(s.owedAtStop.liabilities);
    const [owedNow, gift, quota] = [a.liabilities, a.giftUnreleased, a.quotaUnpaid].map(grouped);
    lines.push(
      `增长在第 ${s.growthStopDay} 天停止时负债 ${atStop} 元；停止后第 ${a.daysAfterStop} 天（第 ${a.day} 天）仍欠 ${owedNow} 元（未释放赠送积分 ${gift}，未付分红额度 ${quota}）。 / When growth stops on day ${s.growthStopDay} liabilities are ${atStop} yuan; ${a.daysAfterStop} days later (day ${a.day}) ${owedNow} yuan is still owed (unreleased gift points ${gift}, unpaid dividend quota ${quota}).`,
    );
  } else lines.push("计划中增长没有停止。 / Growth does not stop in this plan.");
  const p = s.equityPrice;
  lines.push(
    p.stalls
      ? `增值积分价格从第 ${p.firstStallDay} 天起停滞（最长连续 ${p.longestStallDays} 天未上涨），价格 ${p.first} → ${p.last}。 / The equity price stalls from day ${p.firstStallDay} (at most ${p.longestStallDays} days in a row without a rise); price ${p.first} → ${p.last}.`
      : `增值积分价格没有停滞（最长连续 ${p.longestStallDays} 天未上涨），价格 ${p.first} → ${p.last}。 / The equity price never stalls (at most ${p.longestStallDays} days in a row without a rise); price ${p.first} → ${p.last}.`,
  );
  const m = s.largestMember;
  if (m) {
    const [paid, bought] = [m.payouts, m.purchases].map(grouped);
    const times = m.payoutsToPurchases || "—";
    lines.push(
      `获得最多的会员 ${m.member}：获得 ${paid}，购买 ${bought}（获得为购买的 ${times} 倍）。 / The member paid most, ${m.member}, received ${paid} against purchases of ${bought} (${times} times).`,
    );
  }
  const t = s.totals;
  const [sales, payouts] = [t.sales, t.payouts].map(grouped);
  lines.push(
    `累计销售 ${sales}，发放 ${payouts}（占销售 ${percent(t.payoutsToSales)}）；现金流出为现金流入的 ${percent(t.cashOutToCashIn)}。 / Sales ${sales}, payouts ${payouts} (${percent(t.payoutsToSales)} of sales); cash out is ${percent(t.cashOutToCashIn)} of cash in.`,
  );
  return lines;
}
