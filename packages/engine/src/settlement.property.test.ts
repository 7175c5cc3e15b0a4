/**
 * Property-based tests of the columnar daily settlement (settlement.ts) against
 * a naive reference written straight from docs/rules.md §2.1–2.2 and §3.2–3.6: a
 * per-release walk up the ancestors for the team differential and the peer
 * bonus, per-generation sums for share acceleration, and per-member rational
 * sums for the cycle pools. Also: the result does not depend on how members are
 * labelled, and a 10,000-deep chain settles without recursion.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { settlementTransactions } from "./commands.ts";
import { type CycleConfig, configFromInput, type ReleaseConfig } from "./config.ts";
import { Engine } from "./engine.ts";
import { FEN, floorDiv, min, SCALE } from "./money.ts";
import {
  type SettlementInput,
  type SettlementResult,
  settleDay,
  shareEntitlements,
  teamEntitlements,
  topDownOrder,
} from "./settlement.ts";
import {
  forestArb,
  propertyParams,
  releaseConfigArb,
  type SettlementCase,
  settlementCaseArb,
} from "./testing/arbitraries.ts";

// ---- the naive reference -----------------------------------------------------------------

/** Ancestors of y, nearest first (y excluded). */
/** Micro-units of a whole number of units (`units(3)` = 3_000_000n). */
const units = (whole: number | bigint): bigint => BigInt(whole) * SCALE;

function* ancestors(parent: Int32Array, y: number): Generator<number> {
  for (let u = parent[y] as number; u >= 0; u = parent[u] as number) yield u;
}

/** docs/rules.md §3.3: X gets rate_g × (static releases of its generation g), summed exactly, rounded down. */
function referenceShare(
  parent: Int32Array,
  staticRel: readonly bigint[],
  rates: readonly bigint[],
): bigint[] {
  const exact = staticRel.map(() => 0n);
  staticRel.forEach((r, y) => {
    let generation = 0;
    for (const u of ancestors(parent, y)) {
      if (generation >= rates.length) break;
      exact[u] = (exact[u] as bigint) + r * (rates[generation] as bigint);
      generation++;
    }
  });
  return exact.map((e) => e / SCALE);
}

/**
 * docs/rules.md §3.4–3.5, literally: every static release r of a member Y travels up Y's
 * ancestors, nearest first, carrying m (the highest rate already paid, from 0),
 * V (the ancestor that set m) and whether V's first peer was paid on r.
 * - U whose rate exceeds m receives r × (rate(U) − m); m := rate(U), V := U, no peer paid yet.
 * - Otherwise, U with a star level equal to V's receives r × peer rate if V's
 *   first peer is not yet paid on r; then it is.
 * Members without a star level have rate 0 and get no peer bonus.
 */
function referenceTeamPeer(
  parent: Int32Array,
  staticRel: readonly bigint[],
  star: readonly number[],
  release: ReleaseConfig,
): { team: bigint[]; peer: bigint[] } {
  const rateOf = (level: number): bigint => (level >= 0 ? (release.starLevels[level]?.rate ?? 0n) : 0n);
  const team = staticRel.map(() => 0n);
  const peer = staticRel.map(() => 0n);
  staticRel.forEach((r, y) => {
    if (r === 0n) return;
    let m = 0n;
    let v = -1;
    let peerPaid = false;
    for (const u of ancestors(parent, y)) {
      const level = star[u] as number;
      const rate = rateOf(level);
      if (rate > m) {
        team[u] = (team[u] as bigint) + r * (rate - m);
        m = rate;
        v = u;
        peerPaid = false;
      } else if (v >= 0 && level >= 0 && level === star[v] && !peerPaid) {
        peer[u] = (peer[u] as bigint) + r * release.peerRate;
        peerPaid = true;
      }
    }
  });
  return { team: team.map((e) => e / SCALE), peer: peer.map((e) => e / SCALE) };
}

/** Team performance (the downline's own performance) and star level, member by member. */
function referenceStars(
  parent: Int32Array,
  own: BigInt64Array,
  release: ReleaseConfig,
): { perf: bigint[]; star: number[] } {
  const perf = Array.from(own, () => 0n);
  own.forEach((amount, y) => {
    for (const u of ancestors(parent, y)) perf[u] = (perf[u] as bigint) + amount;
  });
  const star = perf.map((p) => {
    let level = -1;
    release.starLevels.forEach((s, i) => {
      if (p >= s.minPerformance) level = i;
    });
    return level;
  });
  return { perf, star };
}

/** An exact non-negative rational. */
interface Ratio {
  num: bigint;
  den: bigint;
}
const addRatio = (a: Ratio, b: Ratio): Ratio => ({ num: a.num * b.den + b.num * a.den, den: a.den * b.den });

interface Reference {
  static: bigint[];
  share: bigint[];
  team: bigint[];
  peer: bigint[];
  dividend: bigint[];
  orderRemaining: bigint[];
  orderReleased: bigint[];
  quota: bigint[];
  star: number[];
  teamPerformance: bigint[];
  pools: { name: string; tier: string | undefined; amount: bigint; members: number }[];
  totals: SettlementResult["totals"];
}

/** One day, straight from the spec, member by member and order by order. */
function referenceSettle(input: SettlementInput, release: ReleaseConfig, cycle: CycleConfig): Reference {
  const n = input.memberCount;
  const zeros = () => new Array<bigint>(n).fill(0n);
  const { perf, star } = referenceStars(input.parent, input.ownPerformance, release);

  // docs/rules.md §3.2: every order releases min(b, remaining).
  const remaining = Array.from(input.orderRemaining);
  const released = remaining.map(() => 0n);
  const staticRel = zeros();
  remaining.forEach((rem, o) => {
    const m = input.orderMember[o] as number;
    const r = min(input.orderBase[o] as bigint, rem);
    remaining[o] = rem - r;
    released[o] = r;
    staticRel[m] = (staticRel[m] as bigint) + r;
  });
  // docs/rules.md §3.3–3.5 on the static releases only; §3.6: share, team, peer, each capped by the gift left.
  const shareEnt = referenceShare(input.parent, staticRel, release.shareRates);
  const { team: teamEnt, peer: peerEnt } = referenceTeamPeer(input.parent, staticRel, star, release);
  const share = zeros();
  const team = zeros();
  const peer = zeros();
  let forfeited = 0n;
  for (let i = 0; i < n; i++) {
    let left = 0n;
    remaining.forEach((rem, o) => {
      if (input.orderMember[o] === i) left += rem;
    });
    share[i] = min(shareEnt[i] as bigint, left);
    left -= share[i] as bigint;
    team[i] = min(teamEnt[i] as bigint, left);
    left -= team[i] as bigint;
    peer[i] = min(peerEnt[i] as bigint, left);
    forfeited +=
      (shareEnt[i] as bigint) +
      (teamEnt[i] as bigint) +
      (peerEnt[i] as bigint) -
      (share[i] as bigint) -
      (team[i] as bigint) -
      (peer[i] as bigint);
    // Deducted from the member's own orders, oldest first.
    let need = (share[i] as bigint) + (team[i] as bigint) + (peer[i] as bigint);
    remaining.forEach((rem, o) => {
      if (input.orderMember[o] !== i || need === 0n) return;
      const take = min(need, rem);
      remaining[o] = rem - take;
      released[o] = (released[o] as bigint) + take;
      need -= take;
    });
  }

  // docs/rules.md §2.1–2.2: pools are rates of D; weighted among members with quota > 0; tiers evenly.
  const d = input.cycleSales;
  const quota = Array.from(input.quota);
  const inPlay = (i: number) => (quota[i] as bigint) > 0n;
  const slices: Ratio[] = quota.map(() => ({ num: 0n, den: 1n }));
  const pools: Reference["pools"] = [];
  let totalWeight = 0n;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    if (inPlay(i) && (input.weight[i] as bigint) > 0n) {
      totalWeight += input.weight[i] as bigint;
      weighted++;
    }
  }
  for (const pool of cycle.pools) {
    if (pool.split === "weighted") {
      const amount = floorDiv(d * pool.rate, SCALE);
      pools.push({ name: pool.name, tier: undefined, amount, members: weighted });
      for (let i = 0; i < n; i++) {
        const w = input.weight[i] as bigint;
        if (inPlay(i) && w > 0n)
          slices[i] = addRatio(slices[i] as Ratio, { num: amount * w, den: totalWeight });
      }
      continue;
    }
    const tierOf = quota.map((q, i) => {
      if (q <= 0n) return -1;
      let t = -1;
      pool.tiers.forEach((tier, k) => {
        if ((input.weight[i] as bigint) >= tier.minWeight) t = k;
      });
      return t;
    });
    pool.tiers.forEach((tier, k) => {
      const amount = floorDiv(d * tier.rate, SCALE);
      const members = tierOf.filter((t) => t === k).length;
      pools.push({ name: pool.name, tier: tier.name, amount, members });
      tierOf.forEach((t, i) => {
        if (t === k) slices[i] = addRatio(slices[i] as Ratio, { num: amount, den: BigInt(members) });
      });
    });
  }
  const dividend = zeros();
  let paid = 0n;
  for (let i = 0; i < n; i++) {
    const q = quota[i] as bigint;
    if (q <= 0n) continue;
    const { num, den } = slices[i] as Ratio;
    // Capped at the remaining quota, then rounded down to the fen.
    const payout = num >= q * den ? floorDiv(q, FEN) * FEN : floorDiv(num, den * FEN) * FEN;
    dividend[i] = payout;
    quota[i] = q - payout;
    paid += payout;
  }
  const pooled = pools.reduce((s, p) => s + p.amount, 0n);
  const sum = (xs: bigint[]) => xs.reduce((s, x) => s + x, 0n);
  return {
    static: staticRel,
    share,
    team,
    peer,
    dividend,
    orderRemaining: remaining,
    orderReleased: released,
    quota,
    star,
    teamPerformance: perf,
    pools,
    totals: {
      static: sum(staticRel),
      share: sum(share),
      team: sum(team),
      peer: sum(peer),
      forfeited,
      dividend: paid,
      pooled,
      returned: pooled - paid,
    },
  };
}

function plain(result: SettlementResult): Reference {
  return {
    static: Array.from(result.static),
    share: Array.from(result.share),
    team: Array.from(result.team),
    peer: Array.from(result.peer),
    dividend: Array.from(result.dividend),
    orderRemaining: Array.from(result.orderRemaining),
    orderReleased: Array.from(result.orderReleased),
    quota: Array.from(result.quota),
    star: Array.from(result.star),
    teamPerformance: Array.from(result.teamPerformance),
    pools: result.pools.map((p) => ({ name: p.name, tier: p.tier, amount: p.amount, members: p.members })),
    totals: { ...result.totals },
  };
}

function describeCase(c: SettlementCase): string {
  return JSON.stringify(
    {
      parent: Array.from(c.input.parent),
      starLevels: c.release.starLevels,
      shareRates: c.release.shareRates,
      peerRate: c.release.peerRate,
    },
    (_k, v) => (typeof v === "bigint" ? v.toString() : v),
  );
}

// ---- properties ------------------------------------------------------------------------

test("property 8: the settlement does not depend on how members are labelled", () => {
  const arb = settlementCaseArb().chain((c) => {
    const n = c.input.memberCount;
    const labels = Array.from({ length: n }, (_, i) => i);
    return fc.shuffledSubarray(labels, { minLength: n, maxLength: n }).map((perm) => ({ c, perm }));
  });
  fc.assert(
    fc.property(arb, ({ c, perm }) => {
      const { input } = c;
      const n = input.memberCount;
      const to = (i: number) => perm[i] as number;
      const parent = new Int32Array(n);
      const own = new BigInt64Array(n);
      const quota = new BigInt64Array(n);
      const weight = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const p = input.parent[i] as number;
        parent[to(i)] = p >= 0 ? to(p) : -1;
        own[to(i)] = input.ownPerformance[i] as bigint;
        quota[to(i)] = input.quota[i] as bigint;
        weight[to(i)] = input.weight[i] as bigint;
      }
      const relabelled: SettlementInput = {
        ...input,
        parent,
        ownPerformance: own,
        quota,
        weight,
        orderMember: Int32Array.from(input.orderMember, (m) => to(m)),
      };
      const a = settleDay(input, c.release, c.cycle);
      const b = settleDay(relabelled, c.release, c.cycle);
      const columns = [
        "static",
        "share",
        "team",
        "peer",
        "dividend",
        "quota",
        "star",
        "teamPerformance",
      ] as const;
      for (const column of columns) {
        for (let i = 0; i < n; i++) {
          assert.equal(b[column][to(i)], a[column][i], `${column} of member ${i} (now ${to(i)})`);
        }
      }
      assert.deepEqual(Array.from(b.orderRemaining), Array.from(a.orderRemaining), "orderRemaining");
      assert.deepEqual(Array.from(b.orderReleased), Array.from(a.orderReleased), "orderReleased");
      assert.deepEqual(b.pools, a.pools, "pools");
      assert.deepEqual(b.totals, a.totals, "totals");
    }),
    propertyParams(300),
  );
});

test("property 9: team differential, peer bonus and share acceleration equal the per-release ancestor walk", () => {
  const arb = fc
    .record({ parent: forestArb(25, 60), release: releaseConfigArb })
    .chain(({ parent, release }) => {
      const n = parent.length;
      const levels = release.starLevels.length;
      return fc
        .record({
          star: fc.array(fc.integer({ min: -1, max: levels - 1 }), { minLength: n, maxLength: n }),
          staticRel: fc.array(
            fc.oneof(
              { weight: 1, arbitrary: fc.constant(0n) },
              { weight: 3, arbitrary: fc.bigInt({ min: 1n, max: 2_000_000_000n }) },
            ),
            { minLength: n, maxLength: n },
          ),
        })
        .map(({ star, staticRel }) => ({ parent, release, star, staticRel }));
    });
  fc.assert(
    fc.property(arb, ({ parent, release, star, staticRel }) => {
      const order = topDownOrder(parent);
      const statics = BigInt64Array.from(staticRel);
      const got = teamEntitlements(parent, statics, order, Int8Array.from(star), release);
      const want = referenceTeamPeer(parent, staticRel, star, release);
      assert.deepEqual(Array.from(got.team), want.team, "team differential (§3.4)");
      assert.deepEqual(Array.from(got.peer), want.peer, "peer bonus (§3.5)");
      const share = shareEntitlements(parent, statics, order, release.shareRates);
      assert.deepEqual(
        Array.from(share),
        referenceShare(parent, staticRel, release.shareRates),
        "share (§3.3)",
      );
    }),
    propertyParams(400),
  );
});

test("property 9b: a whole settleDay equals the reference (stars, releases, caps, FIFO deduction, dividends)", () => {
  fc.assert(
    fc.property(settlementCaseArb(), (c) => {
      const got = plain(settleDay(c.input, c.release, c.cycle));
      const want = referenceSettle(c.input, c.release, c.cycle);
      for (const key of Object.keys(want) as (keyof Reference)[]) {
        assert.deepEqual(got[key], want[key], `${key} of ${describeCase(c)}`);
      }
    }),
    propertyParams(300),
  );
});

// ---- the spec's examples and the sentences of docs/rules.md §3.5, one by one -----------------------------------

const DEFAULT_RELEASE = configFromInput({}).config.release;

/** Team and peer entitlements (in points) on a chain: ids[0] is the root; the last member releases `r` points. */
function chainEntitlements(stars: readonly number[], r: number, release = DEFAULT_RELEASE) {
  const n = stars.length;
  const parent = Int32Array.from({ length: n }, (_, i) => i - 1);
  const statics = new BigInt64Array(n);
  statics[n - 1] = units(r);
  const got = teamEntitlements(parent, statics, topDownOrder(parent), Int8Array.from(stars), release);
  const toPoints = (xs: BigInt64Array) => Array.from(xs, (x) => Number(x) / 1e6);
  return { team: toPoints(got.team), peer: toPoints(got.peer) };
}

test("example §3.4: A 50%, B 44%, C 10%; C's downline releases 10,000 → C 1,000, B 3,400, A 600", () => {
  // Default levels: index 0 一星 10%, 5 六星 44%, 6 七星 50%. Chain A → B → C → Y (Y releases, no level).
  const { team, peer } = chainEntitlements([6, 5, 0, -1], 10_000);
  assert.deepEqual(team, [600, 3400, 1000, 0]);
  assert.deepEqual(peer, [0, 0, 0, 0]);
});

test("example §3.5: A referred B, both 一星; B's downline releases 1,000 → B 100, A 30", () => {
  const { team, peer } = chainEntitlements([0, 0, -1], 1_000);
  assert.deepEqual(team, [0, 100, 0]);
  assert.deepEqual(peer, [30, 0, 0]);
});

test("§3.5: only the first peer above V is paid; members in between without a level do not block it", () => {
  // Chain root … Y: 一星, 一星, none, 一星, Y. Nearest first: 一星 takes 10%, the next 一星 above
  // (past the member without a level) gets the peer bonus, the root 一星 gets nothing.
  const { team, peer } = chainEntitlements([0, 0, -1, 0, -1], 1_000);
  assert.deepEqual(team, [0, 0, 0, 100, 0]);
  assert.deepEqual(peer, [0, 30, 0, 0, 0]);
});

test("§3.5: when a higher level takes over as V, its first peer can be paid too", () => {
  // Nearest first: 一星 (10%), 一星 (peer), 二星 (20% − 10%), 一星 (lower: nothing), 二星 (peer), 二星 (nothing).
  const { team, peer } = chainEntitlements([1, 1, 0, 1, 0, 0, -1], 1_000);
  assert.deepEqual(team, [0, 0, 0, 100, 0, 100, 0]);
  assert.deepEqual(peer, [0, 30, 0, 0, 30, 0, 0]);
});

test("§3.5: members without a star level get no peer bonus", () => {
  const { team, peer } = chainEntitlements([-1, -1, -1], 1_000);
  assert.deepEqual(team, [0, 0, 0]);
  assert.deepEqual(peer, [0, 0, 0]);
});

// ---- depth -------------------------------------------------------------------------------

test("property 10: a 10,000-deep chain settles without stack overflow (columns and the Engine)", () => {
  const n = 10_000;
  const release = DEFAULT_RELEASE;
  const cycle = configFromInput({}).config.cycle;
  for (const reversed of [false, true]) {
    // Member k is at depth k; labelled top-down or bottom-up.
    const label = (k: number) => (reversed ? n - 1 - k : k);
    const parent = new Int32Array(n);
    for (let k = 0; k < n; k++) parent[label(k)] = k === 0 ? -1 : label(k - 1);
    const own = new BigInt64Array(n).fill(units(3000));
    const input: SettlementInput = {
      memberCount: n,
      parent,
      ownPerformance: own,
      orderMember: Int32Array.from({ length: n }, (_, k) => label(k)),
      orderRemaining: new BigInt64Array(n).fill(units(7500)),
      orderBase: new BigInt64Array(n).fill(units(36)),
      quota: new BigInt64Array(n).fill(units(100)),
      weight: new BigInt64Array(n).fill(units(3)),
      cycleSales: units(30_000_000),
    };
    const result = settleDay(input, release, cycle);
    assert.equal(result.totals.static, units(36) * BigInt(n));
    assert.equal(result.teamPerformance[label(0)], units(3000) * BigInt(n - 1));
    // 29,997,000 of team performance: 六星 (≥ 15,000,000, < 30,000,000).
    assert.equal(result.star[label(0)], 5);
    assert.equal(result.star[label(n - 1)], -1);
    assert.ok(result.totals.team > 0n && result.totals.peer > 0n && result.totals.share > 0n);
    // The deepest 一星 member (team performance ≥ 50,000: 17 members below) takes 10% of the 16 … below it.
    const firstStar = n - 1 - 17;
    assert.equal(result.star[label(firstStar)], 0);
    assert.equal(result.star[label(firstStar + 1)], -1);
    assert.equal(result.team[label(firstStar)], (units(36) * 17n * 100_000n) / SCALE);
  }

  // The same depth through the Engine: join a chain, one package order each, settle.
  const engine = new Engine();
  for (let k = 0; k < n; k++) engine.join(`C${k}`, k === 0 ? undefined : `C${k - 1}`);
  for (let k = 0; k < n; k++) engine.order({ member: `C${k}`, amount: units(3000), plans: ["release"] });
  const settlement = engine.endOfDay();
  assert.equal(settlement.totals.static, units(36) * BigInt(n));
  assert.equal(engine.star("C0"), "六星");
  assert.equal(engine.networkPerformance("C0").cash, units(3000) * BigInt(n - 1));
});

// ---- the ledger's causes -------------------------------------------------------------------

test("property 11: the daily release's postings split it by rule, each naming the engine's figures (commands.ts)", () => {
  fc.assert(
    fc.property(settlementCaseArb(), (c) => {
      const result = settleDay(c.input, c.release, c.cycle);
      const n = c.input.memberCount;
      const G = c.release.shareRates.length;
      // Reference: who released from which orders, and which members make up each generation.
      const staticOrders = Array.from({ length: n }, () => [] as number[]);
      for (let o = 0; o < c.input.orderMember.length; o++) {
        const r = min(c.input.orderBase[o] as bigint, c.input.orderRemaining[o] as bigint);
        if (r > 0n) staticOrders[c.input.orderMember[o] as number]?.push(o);
      }
      const genMembers = Array.from({ length: n }, () => Array.from({ length: G }, () => new Set<number>()));
      for (let y = 0; y < n; y++) {
        if ((result.static[y] as bigint) === 0n) continue;
        let g = 0;
        for (const u of ancestors(c.input.parent, y)) {
          if (g >= G) break;
          genMembers[u]?.[g]?.add(y);
          g++;
        }
      }
      const memberIds = Array.from({ length: n }, (_, i) => `M${i}`);
      const pointsOwed = BigInt64Array.from(result.static, (s, i) => (i % 3 === 0 ? s / 2n + 1n : 0n));
      const orderIds = Array.from({ length: c.input.orderMember.length }, (_, o) => `o${o}`);
      const ledger = { memberIds, pointsOwed, cashOwed: new BigInt64Array(n), release: c.release, orderIds };
      const seen = new Set<number>();
      for (const t of settlementTransactions(1, result, ledger)) {
        if (t.kind !== "release.daily") continue;
        const i = Number(/^m:M(\d+):/.exec(t.postings[0]?.account ?? "")?.[1]);
        seen.add(i);
        const sums = { static: 0n, share: 0n, team: 0n, peer: 0n };
        const shareByGen = new Array<bigint>(G).fill(0n);
        let repaid = 0n;
        for (const p of t.postings) {
          if (p.account.endsWith(":gift")) {
            assert.equal(p.cause, undefined);
            continue;
          }
          const cause = p.cause;
          assert.ok(cause, `${p.account} names its rule`);
          if (p.account.includes(":debt:")) repaid += p.amount;
          const rule = cause.rule.slice("release.".length) as keyof typeof sums;
          sums[rule] += p.amount;
          if (cause.rule === "release.static") {
            assert.equal(cause.rate, c.release.dailyRate);
            const orders = staticOrders[i] as number[];
            assert.equal(cause.order, orders.length === 1 ? `o${orders[0]}` : undefined);
          } else if (cause.rule === "release.share") {
            const g = (cause.generation as number) - 1;
            assert.equal(cause.rate, c.release.shareRates[g]);
            shareByGen[g] = (shareByGen[g] as bigint) + p.amount;
            const members = genMembers[i]?.[g] as Set<number>;
            assert.ok(members.size > 0, "a generation paid has members who released");
            assert.equal(cause.counterpart, members.size === 1 ? `M${[...members][0]}` : undefined);
          } else {
            const level = c.release.starLevels[result.star[i] as number];
            assert.equal(cause.star, level?.name);
            assert.equal(cause.rate, cause.rule === "release.team" ? level?.rate : c.release.peerRate);
          }
        }
        assert.equal(sums.static, result.static[i]);
        assert.equal(sums.share, result.share[i]);
        assert.equal(sums.team, result.team[i]);
        assert.equal(sums.peer, result.peer[i]);
        const released = sums.static + sums.share + sums.team + sums.peer;
        assert.equal(repaid, min(pointsOwed[i] as bigint, released), "debt repaid first, no more than owed");
        // Each generation's part is its own rounded-down entitlement, less any cap, plus at most the rounding.
        for (let g = 0; g < G; g++) {
          let sum = 0n;
          for (const y of genMembers[i]?.[g] ?? []) sum += result.static[y] as bigint;
          const own = (sum * (c.release.shareRates[g] as bigint)) / SCALE;
          assert.ok(
            (shareByGen[g] as bigint) <= own + BigInt(G),
            `generation ${g + 1} part within its entitlement`,
          );
        }
      }
      for (let i = 0; i < n; i++) {
        const released =
          (result.static[i] as bigint) +
          (result.share[i] as bigint) +
          (result.team[i] as bigint) +
          (result.peer[i] as bigint);
        assert.equal(seen.has(i), released > 0n);
      }
    }),
    propertyParams(200),
  );
});
