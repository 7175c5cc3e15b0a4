/**
 * The daily settlement (日结, docs/rules.md §2–§3) over columnar arrays.
 *
 * Cost is linear in members and orders whatever the depth of the referral tree:
 * one breadth-first ordering, then bottom-up passes that carry, per member, a
 * summary of the static releases arriving from below grouped by the state of the
 * team differential ("which star level set the rate already paid, and was its
 * peer paid"): 1 + 2 × levels sums. No recursion, no walk over every ancestor.
 *
 * All amounts are bigint micro-units in BigInt64Array columns (±9.2 × 10¹² yuan); every sum is
 * checked before it is stored (limits.ts), so a column never wraps silently.
 */
import type { CycleConfig, ReleaseConfig, TierPool } from "./config.ts";
import { invariant } from "./errors.ts";
import { checkInt64, INT64_MAX } from "./limits.ts";
import { FEN, floorDiv, floorFen, min, mulRateFloor, SCALE } from "./money.ts";

/** A sum outgrew its 64-bit column: stop with a clear error rather than let it wrap. */
function overflow(what: string, value: bigint): never {
  checkInt64(value, what);
  throw new Error("unreachable");
}

export interface SettlementInput {
  /** Number of members; member indexes are 0 … memberCount − 1 in any order. */
  readonly memberCount: number;
  /** Referrer index of each member, −1 for none. Must form a forest. */
  readonly parent: Int32Array;
  /** Each member's own eligible order amount, all plans, up to and including the day (CNY micro). */
  readonly ownPerformance: BigInt64Array;
  /** Release-plan orders with gift left, oldest eligible first (the FIFO order). */
  readonly orderMember: Int32Array;
  /** Remaining gift of each order before the day (micro-points); updated copies are returned. */
  readonly orderRemaining: BigInt64Array;
  /** Daily base of each order (micro-points). */
  readonly orderBase: BigInt64Array;
  /** Remaining dividend quota of each member (CNY micro). */
  readonly quota: BigInt64Array;
  /** Cycle-plan weight of each member (micro). */
  readonly weight: BigInt64Array;
  /** The day's eligible cycle-plan sales D (CNY micro). */
  readonly cycleSales: bigint;
}

export interface PoolResult {
  readonly name: string;
  /** Tier name for a tier pool's share, undefined for a weighted pool. */
  readonly tier: string | undefined;
  /** Amount funded from the day's sales (micro). */
  readonly amount: bigint;
  /** Members taking part (weighted: quota > 0 and weight > 0; tier: in the tier). */
  readonly members: number;
}

export interface SettlementResult {
  /** Per member: static release, share / team / peer acceleration received, dividend paid (micro). */
  readonly static: BigInt64Array;
  readonly share: BigInt64Array;
  readonly team: BigInt64Array;
  readonly peer: BigInt64Array;
  readonly dividend: BigInt64Array;
  /**
   * The causes of the release, for the ledger (commands.ts `settlementTransactions`):
   * per member, the only order its static release came from (order index), −1 when
   * none, −2 when several; per member and generation (member-major, `i × G + g` for
   * G = shareRates.length), the share paid for that generation (Σ over g = `share`)
   * and the only member whose static release made up that generation's sum (−1 none,
   * −2 several).
   */
  readonly staticOrder: Int32Array;
  readonly shareByGeneration: BigInt64Array;
  readonly shareSource: Int32Array;
  /** Per order: remaining gift after the day and points released from it today. */
  readonly orderRemaining: BigInt64Array;
  readonly orderReleased: BigInt64Array;
  /** Per member: remaining quota after payout. */
  readonly quota: BigInt64Array;
  /** Per member: star level index (−1 for none) and team performance. */
  readonly star: Int8Array;
  readonly teamPerformance: BigInt64Array;
  readonly pools: readonly PoolResult[];
  readonly totals: SettlementTotals;
}

export interface SettlementTotals {
  readonly static: bigint;
  readonly share: bigint;
  readonly team: bigint;
  readonly peer: bigint;
  /** Accelerations members were entitled to but had no gift left to cover (lost, not carried). */
  readonly forfeited: bigint;
  readonly dividend: bigint;
  /** Cycle pools funded today, and what of them returned to the platform. */
  readonly pooled: bigint;
  readonly returned: bigint;
}

/** Members in breadth-first order from the roots: every referrer before its referrals. */
export function topDownOrder(parent: Int32Array): Int32Array {
  const n = parent.length;
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const p = parent[i] as number;
    if (p >= 0) childStart[p + 1] = (childStart[p + 1] as number) + 1;
  }
  for (let i = 0; i < n; i++) childStart[i + 1] = (childStart[i + 1] as number) + (childStart[i] as number);
  const fill = childStart.slice(0, n);
  const children = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = parent[i] as number;
    if (p >= 0) {
      children[fill[p] as number] = i;
      fill[p] = (fill[p] as number) + 1;
    }
  }
  const order = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) if ((parent[i] as number) < 0) order[tail++] = i;
  for (let head = 0; head < tail; head++) {
    const u = order[head] as number;
    for (let c = childStart[u] as number; c < (childStart[u + 1] as number); c++)
      order[tail++] = children[c] as number;
  }
  invariant(tail === n, "referrer links form a tree (no cycles, every referrer known)");
  return order;
}

/** Team performance of every member: the sum of its downline's own performance (bottom-up). */
export function teamPerformance(parent: Int32Array, own: BigInt64Array, order: Int32Array): BigInt64Array {
  const team = new BigInt64Array(parent.length);
  for (let k = order.length - 1; k >= 0; k--) {
    const u = order[k] as number;
    const p = parent[u] as number;
    if (p >= 0) {
      const sum = (team[p] as bigint) + (team[u] as bigint) + (own[u] as bigint);
      if (sum > INT64_MAX) overflow("team performance", sum);
      team[p] = sum;
    }
  }
  return team;
}

/** Star level index of each member (−1 for none): the highest level whose minimum it reaches. */
export function starLevels(team: BigInt64Array, config: ReleaseConfig): Int8Array {
  const stars = new Int8Array(team.length).fill(-1);
  const mins = config.starLevels.map((s) => s.minPerformance);
  for (let i = 0; i < team.length; i++) {
    const perf = team[i] as bigint;
    let level = -1;
    while (level + 1 < mins.length && perf >= (mins[level + 1] as bigint)) level++;
    stars[i] = level;
  }
  return stars;
}

/** Settles one business day: releases (static, share, team, peer) and cycle dividends. */
export function settleDay(
  input: SettlementInput,
  release: ReleaseConfig,
  cycle: CycleConfig,
): SettlementResult {
  const n = input.memberCount;
  invariant(input.parent.length === n, "one parent per member");
  const order = topDownOrder(input.parent);
  const teamPerf = teamPerformance(input.parent, input.ownPerformance, order);
  const star = starLevels(teamPerf, release);

  const statics = staticRelease(input);
  const shareGen = shareGenerations(input.parent, statics.staticRel, order, release.shareRates.length);
  const shareEnt = shareFromGenerations(shareGen.sums, release.shareRates, n);
  const { team: teamEnt, peer: peerEnt } = teamEntitlements(
    input.parent,
    statics.staticRel,
    order,
    star,
    release,
  );
  const capped = capAccelerations(statics.avail, shareEnt, teamEnt, peerEnt);
  deductAccelerations(input, statics, capped.need);

  const cycleResult = cycleDividends(input, cycle);
  const shareByGeneration = splitShare(capped.share, shareGen.sums, release.shareRates);
  for (let i = 0; i < n; i++)
    invariant(capped.need[i] === 0n, "every acceleration is covered by the member's own gift");
  return {
    static: statics.staticRel,
    share: capped.share,
    team: capped.team,
    peer: capped.peer,
    dividend: cycleResult.dividend,
    staticOrder: statics.staticOrder,
    shareByGeneration,
    shareSource: shareGen.sources,
    orderRemaining: statics.remaining,
    orderReleased: statics.released,
    quota: cycleResult.quota,
    star,
    teamPerformance: teamPerf,
    pools: cycleResult.pools,
    totals: {
      static: totalOf(statics.staticRel),
      share: totalOf(capped.share),
      team: totalOf(capped.team),
      peer: totalOf(capped.peer),
      forfeited: capped.forfeited,
      dividend: cycleResult.paid,
      pooled: cycleResult.pooled,
      returned: cycleResult.pooled - cycleResult.paid,
    },
  };
}

/** The static release's columns: per order and per member. */
interface StaticRelease {
  /** Gift left on each order (changed in place by `deductAccelerations`). */
  readonly remaining: BigInt64Array;
  /** Released from each order today (changed in place by `deductAccelerations`). */
  readonly released: BigInt64Array;
  readonly staticRel: BigInt64Array;
  /** The one order a member's static release came from, -1 for none, -2 for several. */
  readonly staticOrder: Int32Array;
  /** Each member's gift left after the static release. */
  readonly avail: BigInt64Array;
}

/** 1. Static release, order by order; `avail` is each member's gift left afterwards. */
function staticRelease(input: SettlementInput): StaticRelease {
  const n = input.memberCount;
  const orderCount = input.orderMember.length;
  const remaining = input.orderRemaining.slice();
  const released = new BigInt64Array(orderCount);
  const staticRel = new BigInt64Array(n);
  const staticOrder = new Int32Array(n).fill(-1);
  const avail = new BigInt64Array(n);
  for (let o = 0; o < orderCount; o++) {
    const m = input.orderMember[o] as number;
    const rem = remaining[o] as bigint;
    const base = input.orderBase[o] as bigint;
    const r = base < rem ? base : rem;
    remaining[o] = rem - r;
    released[o] = r;
    const mine = (staticRel[m] as bigint) + r;
    const left = (avail[m] as bigint) + rem - r;
    if (mine > INT64_MAX || left > INT64_MAX)
      overflow("a member's static release or gift", mine > left ? mine : left);
    staticRel[m] = mine;
    avail[m] = left;
    if (r !== 0n) staticOrder[m] = staticOrder[m] === -1 ? o : -2;
  }
  return { remaining, released, staticRel, staticOrder, avail };
}

/** 2. Accelerations capped by the gift left: share, then team, then peer; `need` is each member's total. */
function capAccelerations(
  avail: BigInt64Array,
  shareEnt: BigInt64Array,
  teamEnt: BigInt64Array,
  peerEnt: BigInt64Array,
) {
  const n = avail.length;
  const share = new BigInt64Array(n);
  const team = new BigInt64Array(n);
  const peer = new BigInt64Array(n);
  const need = new BigInt64Array(n);
  let forfeited = 0n;
  for (let i = 0; i < n; i++) {
    let left = avail[i] as bigint;
    const s = min(shareEnt[i] as bigint, left);
    left -= s;
    const t = min(teamEnt[i] as bigint, left);
    left -= t;
    const p = min(peerEnt[i] as bigint, left);
    share[i] = s;
    team[i] = t;
    peer[i] = p;
    need[i] = s + t + p;
    forfeited += (shareEnt[i] as bigint) + (teamEnt[i] as bigint) + (peerEnt[i] as bigint) - s - t - p;
  }
  return { share, team, peer, need, forfeited };
}

/** 3. Deducts accelerations from each member's orders, oldest first (`need` falls to 0). */
function deductAccelerations(input: SettlementInput, statics: StaticRelease, need: BigInt64Array): void {
  const { remaining, released } = statics;
  for (let o = 0; o < input.orderMember.length; o++) {
    const m = input.orderMember[o] as number;
    const want = need[m] as bigint;
    if (want === 0n) continue;
    const rem = remaining[o] as bigint;
    const take = want < rem ? want : rem;
    remaining[o] = rem - take;
    released[o] = (released[o] as bigint) + take;
    need[m] = want - take;
  }
}

function totalOf(values: BigInt64Array): bigint {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}

/**
 * Share acceleration entitlements (docs/rules.md §3.3): Σ over generations g of rate_g × the
 * static releases of generation g, summed exactly, rounded down to 6 places.
 */
export function shareEntitlements(
  parent: Int32Array,
  staticRel: BigInt64Array,
  order: Int32Array,
  shareRates: readonly bigint[],
): BigInt64Array {
  const gen = shareGenerations(parent, staticRel, order, shareRates.length);
  return shareFromGenerations(gen.sums, shareRates, parent.length);
}

/**
 * The static releases of each member's generations 1 … G, member-major (`sums[i × G + g]`
 * is Σ static releases of i's generation g + 1), and the one member whose release makes
 * up each sum (−1 none, −2 several): G bottom-up passes.
 */
export function shareGenerations(
  parent: Int32Array,
  staticRel: BigInt64Array,
  order: Int32Array,
  generations: number,
): { sums: BigInt64Array; sources: Int32Array } {
  const n = parent.length;
  const G = generations;
  const sums = new BigInt64Array(n * G);
  const sources = new Int32Array(n * G).fill(-1);
  let generation = staticRel;
  let source = new Int32Array(n);
  for (let i = 0; i < n; i++) source[i] = (staticRel[i] as bigint) !== 0n ? i : -1;
  for (let g = 0; g < G; g++) {
    const next = new BigInt64Array(n);
    const nextSource = new Int32Array(n).fill(-1);
    for (let k = order.length - 1; k >= 0; k--) {
      const u = order[k] as number;
      const p = parent[u] as number;
      if (p < 0) continue;
      const sum = generation[u] as bigint;
      if (sum !== 0n) {
        const total = (next[p] as bigint) + sum;
        if (total > INT64_MAX) overflow("a generation's static releases", total);
        next[p] = total;
        nextSource[p] = nextSource[p] === -1 ? (source[u] as number) : -2;
      }
    }
    for (let i = 0; i < n; i++) {
      const sum = next[i] as bigint;
      if (sum !== 0n) {
        sums[i * G + g] = sum;
        sources[i * G + g] = nextSource[i] as number;
      }
    }
    generation = next;
    source = nextSource;
  }
  return { sums, sources };
}

/** Σ_g rate_g × sums_g per member, exact, rounded down to 6 places once (§3.3). */
function shareFromGenerations(sums: BigInt64Array, shareRates: readonly bigint[], n: number): BigInt64Array {
  const G = shareRates.length;
  const out = new BigInt64Array(n);
  if (G === 0) return out;
  for (let i = 0; i < n; i++) {
    let exact = 0n;
    for (let g = 0; g < G; g++) {
      const sum = sums[i * G + g] as bigint;
      if (sum !== 0n) exact += sum * (shareRates[g] as bigint);
    }
    if (exact !== 0n) out[i] = checkInt64(exact / SCALE, "a share entitlement");
  }
  return out;
}

/**
 * The share each member was paid (`paid`, its entitlement capped by the gift left)
 * split by generation, for the ledger's causes: generation by generation, each takes
 * its own rounded-down part while any is left; the rounding left over (under one
 * micro-unit per generation) goes to the first generation that earned anything.
 * The parts sum to `paid` exactly; the day's figures do not depend on this split.
 */
export function splitShare(
  paid: BigInt64Array,
  sums: BigInt64Array,
  shareRates: readonly bigint[],
): BigInt64Array {
  const G = shareRates.length;
  const n = paid.length;
  const out = new BigInt64Array(n * G);
  for (let i = 0; i < n; i++) {
    const total = paid[i] as bigint;
    if (total === 0n) continue;
    let left = total;
    let first = -1;
    for (let g = 0; g < G; g++) {
      const sum = sums[i * G + g] as bigint;
      if (sum === 0n) continue;
      const part = (sum * (shareRates[g] as bigint)) / SCALE;
      if (first < 0 && sum * (shareRates[g] as bigint) !== 0n) first = g;
      const take = part < left ? part : left;
      out[i * G + g] = take;
      left -= take;
    }
    invariant(first >= 0, "a member paid a share has a generation that earned it");
    if (left !== 0n) out[i * G + first] = (out[i * G + first] as bigint) + left;
  }
  return out;
}

/**
 * Team differential (docs/rules.md §3.4) and peer bonus (§3.5) entitlements, bottom-up.
 *
 * A static release travelling up is in a state (v, paid): v is the star level
 * that set the highest rate already paid on it (−1: none, rate 0) and `paid`
 * says whether v's first peer was paid. Each member receives the releases from
 * its referrals summed per state, pays itself per state, and passes the sums on
 * in their new states, plus its own static release in state (−1, false).
 */
export function teamEntitlements(
  parent: Int32Array,
  staticRel: BigInt64Array,
  order: Int32Array,
  star: Int8Array,
  config: ReleaseConfig,
): { team: BigInt64Array; peer: BigInt64Array } {
  const n = parent.length;
  const levels = config.starLevels.length;
  const team = new BigInt64Array(n);
  const peer = new BigInt64Array(n);
  if (levels === 0) return { team, peer };
  const rates = config.starLevels.map((s) => s.rate);
  const peerRate = config.peerRate;
  // state 0 = (none, false); state 1 + 2v + paid = (level v, paid). At most 31 states (15 levels) use
  // a bit mask of the non-zero sums so each member visits only the states it holds.
  const states = 1 + 2 * levels;
  const incoming = new BigInt64Array(n * states);
  const useMask = states <= 31;
  const mask = new Int32Array(useMask ? n : 0);
  for (let k = order.length - 1; k >= 0; k--) {
    const u = order[k] as number;
    const level = star[u] as number;
    const rateU = level >= 0 ? (rates[level] as bigint) : 0n;
    const p = parent[u] as number;
    const base = u * states;
    const out = p >= 0 ? p * states : -1;
    let teamExact = 0n;
    let peerExact = 0n;
    let bits = useMask ? (mask[u] as number) : -1;
    let outBits = 0;
    for (let s = 0; s < states; s++) {
      if (useMask) {
        if (bits === 0) break;
        s = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
      }
      const r = incoming[base + s] as bigint;
      if (r === 0n) continue;
      const v = s === 0 ? -1 : (s - 1) >> 1;
      const paid = s !== 0 && ((s - 1) & 1) === 1;
      const m = v >= 0 ? (rates[v] as bigint) : 0n;
      let next = s;
      if (rateU > m) {
        teamExact += r * (rateU - m);
        next = 1 + 2 * level;
      } else if (level >= 0 && level === v && !paid) {
        peerExact += r * peerRate;
        next = s + 1;
      }
      if (out >= 0) {
        const total = (incoming[out + next] as bigint) + r;
        if (total > INT64_MAX) overflow("the static releases arriving from a downline", total);
        incoming[out + next] = total;
        outBits |= 1 << next;
      }
    }
    if (out >= 0) {
      const own = staticRel[u] as bigint;
      if (own !== 0n) {
        const total = (incoming[out] as bigint) + own;
        if (total > INT64_MAX) overflow("the static releases arriving from a downline", total);
        incoming[out] = total;
        outBits |= 1;
      }
      if (useMask) mask[p] = (mask[p] as number) | outBits;
    }
    if (teamExact !== 0n) team[u] = checkInt64(teamExact / SCALE, "a team entitlement");
    if (peerExact !== 0n) peer[u] = checkInt64(peerExact / SCALE, "a peer entitlement");
  }
  return { team, peer };
}

interface CycleResult {
  dividend: BigInt64Array;
  quota: BigInt64Array;
  pools: PoolResult[];
  pooled: bigint;
  paid: bigint;
}

/** A tier pool's split: each tier's amount, its member count, and each member's tier (−1: none). */
interface TierSplit {
  readonly amounts: bigint[];
  readonly counts: number[];
  readonly tierOf: Int8Array;
}

/** Each member with quota > 0 in the highest tier whose minimum weight it reaches; the count per tier. */
function tierMembers(
  pool: TierPool,
  quota: BigInt64Array,
  weight: BigInt64Array,
): { tierOf: Int8Array; counts: number[] } {
  const mins = pool.tiers.map((t) => t.minWeight);
  const tierOf = new Int8Array(quota.length).fill(-1);
  const counts = pool.tiers.map(() => 0);
  for (let i = 0; i < quota.length; i++) {
    if ((quota[i] as bigint) <= 0n) continue;
    const w = weight[i] as bigint;
    let t = -1;
    while (t + 1 < mins.length && w >= (mins[t + 1] as bigint)) t++;
    tierOf[i] = t;
    if (t >= 0) counts[t] = (counts[t] as number) + 1;
  }
  return { tierOf, counts };
}

/** Member `i`'s exact sum of slices as [num, den]: the weighted part `num / den`, plus a tier slice per tier pool. */
function slices(i: number, num0: bigint, den0: bigint, tierPools: readonly TierSplit[]): [bigint, bigint] {
  let num = num0;
  let den = den0;
  for (const tp of tierPools) {
    const t = tp.tierOf[i] as number;
    if (t < 0) continue;
    const amount = tp.amounts[t] as bigint;
    if (amount === 0n) continue;
    const count = BigInt(tp.counts[t] as number);
    num = num * count + amount * den;
    den *= count;
  }
  return [num, den];
}

/**
 * Cycle-plan dividends (docs/rules.md §2.1–§2.2): each pool is a rate of the day's sales D;
 * weighted pools split by weight among members with quota > 0, tier pools split
 * each tier's amount evenly. A member's exact total is capped at the remaining
 * quota and rounded down to the fen; the rest returns to the platform.
 */
export function cycleDividends(input: SettlementInput, cycle: CycleConfig): CycleResult {
  const n = input.memberCount;
  const quota = input.quota.slice();
  const dividend = new BigInt64Array(n);
  const sales = input.cycleSales;
  const pools: PoolResult[] = [];
  let totalWeight = 0n;
  let weightedMembers = 0;
  for (let i = 0; i < n; i++) {
    if ((quota[i] as bigint) > 0n && (input.weight[i] as bigint) > 0n) {
      totalWeight += input.weight[i] as bigint;
      weightedMembers++;
    }
  }
  let weightedAmount = 0n;
  // Tier pools: tierPools[k].tierOf[i] is member i's tier in tier pool k (−1: none).
  const tierPools: TierSplit[] = [];
  let pooled = 0n;
  for (const pool of cycle.pools) {
    if (pool.split === "weighted") {
      const amount = mulRateFloor(sales, pool.rate);
      weightedAmount += amount;
      pooled += amount;
      pools.push({ name: pool.name, tier: undefined, amount, members: weightedMembers });
      continue;
    }
    const { tierOf, counts } = tierMembers(pool, quota, input.weight);
    const amounts = pool.tiers.map((t) => mulRateFloor(sales, t.rate));
    pool.tiers.forEach((t, k) => {
      pooled += amounts[k] as bigint;
      pools.push({
        name: pool.name,
        tier: t.name,
        amount: amounts[k] as bigint,
        members: counts[k] as number,
      });
    });
    tierPools.push({ amounts, counts, tierOf });
  }
  let paid = 0n;
  if (pooled > 0n) {
    for (let i = 0; i < n; i++) {
      const q = quota[i] as bigint;
      if (q <= 0n) continue;
      const w = input.weight[i] as bigint;
      const weighted = totalWeight > 0n && w > 0n && weightedAmount > 0n;
      const [num, den] = slices(
        i,
        weighted ? weightedAmount * w : 0n,
        weighted ? totalWeight : 1n,
        tierPools,
      );
      if (num === 0n) continue;
      const payout = min(floorDiv(num, den * FEN) * FEN, floorFen(q));
      if (payout <= 0n) continue;
      dividend[i] = payout;
      quota[i] = q - payout;
      paid += payout;
    }
  }
  invariant(paid <= pooled, "dividends never exceed the pools");
  return { dividend, quota, pools, pooled, paid };
}
