/**
 * The worked examples of the spec's models.md (docs/rules.md), pinned. Each figure here is the spec's own
 * (or derived by hand from its text in a comment), never produced by the engine.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { configFromInput } from "./config.ts";
import { Engine } from "./engine.ts";
import { formatPrice, parseDecimal } from "./money.ts";
import { renderState } from "./replay.ts";
import { settleDay, shareEntitlements, teamEntitlements, topDownOrder } from "./settlement.ts";

const d = (text: string) => parseDecimal(text);

test("§1.1 four consumers: points, supply, pool and price after each order", () => {
  const engine = new Engine();
  const rows = [
    ["A", "21", "21", "30", "1.4286"],
    ["B", "14.7", "35.7", "60", "1.6807"],
    ["C", "12.495", "48.195", "90", "1.8674"],
    ["D", "11.2455", "59.4405", "120", "2.0188"],
  ] as const;
  for (const [member, points, supply, pool, price] of rows) {
    engine.join(member);
    engine.order({ member, amount: d("100"), plans: ["equity"] });
    assert.equal(engine.balance(member, "equity"), d(points), `${member}'s points`);
    assert.equal(engine.equity.supply, d(supply));
    assert.equal(engine.equity.pool, d(pool));
    assert.equal(formatPrice(engine.equity.pool, engine.equity.supply), price);
    assert.equal(engine.balance(member, "exitQuota"), d("300"));
  }
});

test("§1.1 the referrer's share is priced before the contribution (replay.md example)", () => {
  const engine = new Engine({ equity: { referrerShare: "0.1" } });
  engine.join("A");
  engine.join("B", "A");
  engine.order({ member: "B", amount: d("100"), plans: ["equity"] });
  // c = 30; B gets 21 at price 1, A gets 3 at price 1; P = 30, S = 24, price 1.25.
  assert.equal(engine.balance("B", "equity"), d("21"));
  assert.equal(engine.balance("A", "equity"), d("3"));
  assert.equal(renderState(engine).equity.price, "1.2500");
});

test("§1.1 issuance stops at the cap, the buyer's grant first; the contribution still enters", () => {
  const engine = new Engine({ equity: { totalSupply: "25", referrerShare: "0.1" } });
  engine.join("A");
  engine.join("B", "A");
  engine.order({ member: "B", amount: d("100"), plans: ["equity"] }); // B 21, A 3 → I = 24
  engine.order({ member: "B", amount: d("100"), plans: ["equity"] }); // room 1: B gets 1, A 0
  assert.equal(engine.equity.issued, d("25"));
  assert.equal(engine.balance("B", "equity"), d("22"));
  assert.equal(engine.balance("A", "equity"), d("3"));
  assert.equal(engine.equity.pool, d("60"));
});

test("§1.2 selling burns the points, pays g − fee down to the fen, and the price rises", () => {
  const engine = new Engine();
  for (const m of ["A", "B"]) {
    engine.join(m);
    engine.order({ member: m, amount: d("100"), plans: ["equity"] });
  }
  // P = 60, S = 35.7; A sells 10: g = 10 × 60 / 35.7 = 16.806722…, × 0.9 = 15.12605… → 15.12.
  engine.sell("A", d("10"));
  assert.equal(engine.balance("A", "cash"), d("15.12"));
  assert.equal(engine.equity.pool, d("44.88"));
  assert.equal(engine.equity.supply, d("25.7"));
  assert.equal(engine.equityBurned(), d("10"));
  assert.ok(44_880_000n * 35_700_000n > 60_000_000n * 25_700_000n, "price rose");
});

test("§1.3 redeeming burns ceil(a × (1 + fee) / p) points and takes a from the pool", () => {
  const engine = new Engine({ equity: { redeemFeeRate: "0.05" } });
  engine.join("A");
  engine.order({ member: "A", amount: d("100"), plans: ["equity"] }); // P 30, S 21
  engine.redeem("A", d("10"));
  // n = 10 × 1.05 × 21 / 30 = 7.35 exactly.
  assert.equal(engine.balance("A", "equity"), d("13.65"));
  assert.equal(engine.equity.pool, d("20"));
  engine.redeem("A", d("1"));
  // n = 1.05 × 13.65 / 20 = 0.716625 exactly → 13.65 − 0.716625.
  assert.equal(engine.balance("A", "equity"), d("12.933375"));
});

test("§1.4 stable points: to stable at n × p via the treasury, back at s / p, merchant payments", () => {
  const engine = new Engine();
  engine.join("A");
  engine.join("M");
  engine.order({ member: "A", amount: d("100"), plans: ["equity"] }); // P 30, S 21
  engine.toStable("A", d("7")); // 7 × 30 / 21 = 10
  assert.equal(engine.balance("A", "stable"), d("10"));
  assert.equal(engine.book.balance("p:treasury", "equity"), d("7"));
  assert.equal(engine.equity.supply, d("21"), "the treasury's points stay in S");
  engine.pay("A", "M", d("4"));
  assert.equal(engine.balance("M", "stable"), d("4"));
  engine.fromStable("M", d("3")); // 3 × 21 / 30 = 2.1 points from the treasury
  assert.equal(engine.balance("M", "equity"), d("2.1"));
  assert.equal(engine.book.balance("p:treasury", "equity"), d("4.9"));
  // 10 stable points buy 7 equity points; the treasury holds 4.9: refused, nothing changes.
  engine.adjust("M", "stable", d("10"), "test");
  const txCount = engine.book.transactions.length;
  assert.throws(() => engine.fromStable("M", d("10")), /treasury/);
  assert.equal(engine.book.transactions.length, txCount);
  assert.equal(engine.balance("M", "stable"), d("11"));
});

test("§1.5 a member whose holdings reach the exit quota is sold out, fee applied, quota to 0", () => {
  // Multiple 0.4: each 100-yuan buyer's quota is 40. A's 21 points are worth
  // 21 × 1.8674 = 39.2 after C's order and 21 × 2.0188 = 42.4 after D's: A exits then.
  const engine = new Engine({ equity: { exitQuotaMultiple: "0.4" } });
  for (const m of ["A", "B", "C"]) {
    engine.join(m);
    engine.order({ member: m, amount: d("100"), plans: ["equity"] });
  }
  assert.equal(engine.balance("A", "equity"), d("21"));
  engine.join("D");
  engine.order({ member: "D", amount: d("100"), plans: ["equity"] });
  // Sale at P 120, S 59.4405: 21 × 120 / 59.4405 × 0.9 = 38.1558… → 38.15.
  assert.equal(engine.balance("A", "equity"), 0n);
  assert.equal(engine.balance("A", "cash"), d("38.15"));
  assert.equal(engine.balance("A", "exitQuota"), 0n);
  assert.equal(engine.equity.pool, d("81.85"));
  assert.equal(engine.equity.supply, d("38.4405"));
  assert.equal(engine.balance("B", "equity"), d("14.7"), "B (worth 31.3) stays");
});

test("§1.5 when several qualify the earliest joined is sold first, then the check starts again", () => {
  const engine = new Engine({ equity: { exitQuotaMultiple: "0.5" } });
  engine.join("B"); // B joins first but buys second
  engine.join("A");
  engine.join("C");
  engine.order({ member: "A", amount: d("100"), plans: ["equity"] }); // 21 points, quota 50
  engine.order({ member: "B", amount: d("100"), plans: ["equity"] }); // 14.7 points, quota 50
  engine.setConfig({ equity: { exitQuotaMultiple: "0" } });
  engine.endOfDay();
  // Mechanism off on day 2: the price climbs past both thresholds (A 50/21, B 50/14.7), nobody is sold.
  while (engine.equity.pool * 147n < 50n * 10n * engine.equity.supply) {
    engine.order({ member: "C", amount: d("1000"), plans: ["equity"] });
  }
  assert.equal(engine.balance("C", "exitQuota"), 0n, "multiple 0 adds no quota");
  assert.equal(engine.balance("A", "equity"), d("21"));
  engine.setConfig({ equity: { exitQuotaMultiple: "0.5" } });
  engine.endOfDay(); // day 3: both qualify; B joined first
  const exits = engine.book.transactions.filter((t) => t.kind === "equity.exit").map((t) => t.ref);
  assert.deepEqual(exits, ["B", "A"]);
  assert.equal(engine.balance("A", "exitQuota"), 0n);
  assert.equal(engine.balance("B", "exitQuota"), 0n);
});

test("§1.5 multiple 0 turns the mechanism off; at S = 0 the last price prices the next points", () => {
  const off = new Engine({ equity: { exitQuotaMultiple: "0" } });
  off.join("A");
  off.order({ member: "A", amount: d("100"), plans: ["equity"] });
  assert.equal(off.balance("A", "exitQuota"), 0n);
  const engine = new Engine({ equity: { exitQuotaMultiple: "0.01" } });
  engine.join("A");
  engine.join("B");
  // A's quota 1 is met at once (21 × 1.43 ≥ 1): A exits on its own order.
  engine.order({ member: "A", amount: d("100"), plans: ["equity"] });
  // Sold at P 30, S 21: 30 × 0.9 = 27; the fee's 3 stays in the pool with S = 0.
  assert.equal(engine.balance("A", "cash"), d("27"));
  assert.equal(engine.equity.pool, d("3"));
  assert.equal(engine.equity.supply, 0n);
  // B is priced at the last price 30/21: 21 × 21 / 30 = 14.7 points; then P = 33, S = 14.7,
  // and B's own quota 1 is met too: sold for 33 × 0.9 = 29.7.
  engine.order({ member: "B", amount: d("100"), plans: ["equity"] });
  assert.equal(engine.equity.issued, d("35.7"));
  assert.equal(engine.balance("B", "cash"), d("29.7"));
  const exits = engine.book.transactions.filter((t) => t.kind === "equity.exit").map((t) => t.ref);
  assert.deepEqual(exits, ["A", "B"]);
});

test("§2.2 worked example: weight 10 of 100, D = 10,000, static pool 30% → 300", () => {
  const engine = new Engine({
    cycle: { pools: [{ name: "static", rate: "0.3", split: "weighted" }], weightPerYuan: "0.001" },
  });
  engine.join("X");
  engine.join("Y");
  // Weights 10 and 90 (1 per 1,000 yuan): orders of 1,000 and 9,000 give D = 10,000.
  engine.setConfig({ cycle: { weightPerYuan: "0.01" } }); // not yet: effective next day
  engine.order({ member: "X", amount: d("1000"), plans: ["cycle"] });
  engine.order({ member: "Y", amount: d("9000"), plans: ["cycle"] });
  assert.equal(engine.balance("X", "weight"), d("1"));
  const day1 = engine.endOfDay();
  // weights 1 and 9 of W = 10; pool 3,000 → X 300, Y 2,700.
  assert.equal(day1.members.find((m) => m.member === "X")?.dividend, d("300"));
  assert.equal(engine.balance("X", "quota"), d("1700"));
});

test("§2.1 tiers split evenly, an empty tier returns its amount, caps cut at the quota", () => {
  const engine = new Engine({
    cycle: {
      quotaMultiple: "0.01",
      pools: [
        {
          name: "dynamic",
          split: "tiers",
          tiers: [
            { name: "V1", minWeight: "1", rate: "0.01" },
            { name: "V2", minWeight: "5", rate: "0.02" },
            { name: "V3", minWeight: "50", rate: "0.03" },
          ],
        },
      ],
    },
  });
  for (const m of ["A", "B", "C"]) engine.join(m);
  engine.order({ member: "A", amount: d("1000"), plans: ["cycle"] }); // weight 1 → V1, quota 10
  engine.order({ member: "B", amount: d("6000"), plans: ["cycle"] }); // weight 6 → V2, quota 60
  engine.order({ member: "C", amount: d("7000"), plans: ["cycle"] }); // weight 7 → V2, quota 70
  const day = engine.endOfDay();
  // D = 14,000: V1 140 → A alone, capped at quota 10; V2 280 → 140 each, capped at 60 and 70; V3 420 returns.
  const get = (m: string) => day.members.find((x) => x.member === m)?.dividend;
  assert.equal(get("A"), d("10"));
  assert.equal(get("B"), d("60"));
  assert.equal(get("C"), d("70"));
  assert.equal(day.totals.pooled, d("840"));
  assert.equal(day.totals.returned, d("700"));
  assert.equal(engine.book.balance("p:cycleReturns", "cny"), d("700"));
});

test("§3.6 worked example (multiple 3): 36 a day, then 144, share 18 from the first order", () => {
  const engine = new Engine({
    release: {
      packages: [
        { name: "初级会员", minAmount: "3000", multiple: "3" },
        { name: "中级会员", minAmount: "9000", multiple: "3" },
      ],
    },
  });
  engine.join("A");
  engine.join("B", "A");
  engine.order({ member: "A", amount: d("3000"), plans: ["release"] });
  engine.order({ member: "B", amount: d("3000"), plans: ["release"] });
  const day1 = engine.endOfDay();
  assert.deepEqual(
    day1.members.map((m) => [m.member, m.static, m.share]),
    [
      ["A", d("36"), d("18")],
      ["B", d("36"), 0n],
    ],
  );
  engine.order({ member: "A", amount: d("9000"), plans: ["release"] });
  const day2 = engine.endOfDay();
  assert.equal(day2.members[0]?.static, d("144"));
  assert.equal(engine.balance("A", "points"), d("216"));
  assert.equal(engine.balance("A", "gift"), d("35784"));
  assert.equal(engine.grade("A"), "中级会员");
  // 144 a day until the first order's 9,000 is used up, then 108: the first
  // order has 9,000 − 36 − 18 − 36 − 18 = 8,892 left after day 2.
});

test("§3.2 an order releases min(b, remaining) until its gift is used up, then the grade stays", () => {
  const engine = new Engine({
    release: { packages: [{ name: "P", minAmount: "100", multiple: "0.05" }], dailyRate: "0.02" },
  });
  engine.join("A");
  engine.order({ member: "A", amount: d("100"), plans: ["release"] }); // gift 5, base 2
  const released = [0, 1, 2, 3].map(() => engine.endOfDay().members[0]?.static ?? 0n);
  assert.deepEqual(released, [d("2"), d("2"), d("1"), 0n]);
  assert.equal(engine.balance("A", "points"), d("5"));
  assert.equal(engine.balance("A", "gift"), 0n);
});

test("§3.4 team differential example: C 1,000, B 3,400, A 600 on 10,000 from C's downline", () => {
  // A → B → C → D; D releases 10,000 today. Levels: A 七星 (50%), B 六星 (44%), C 一星 (10%).
  const { release } = configFromInput().config;
  const parent = Int32Array.from([-1, 0, 1, 2]);
  const staticRel = BigInt64Array.from([0n, 0n, 0n, d("10000")]);
  const star = Int8Array.from([6, 5, 0, -1]);
  const { team, peer } = teamEntitlements(parent, staticRel, topDownOrder(parent), star, release);
  assert.deepEqual([...team], [d("600"), d("3400"), d("1000"), 0n]);
  assert.deepEqual([...peer], [0n, 0n, 0n, 0n]);
});

test("§3.5 peer bonus example: A and B both 一星, B's downline 1,000 → B 100, A 30", () => {
  const { release } = configFromInput().config;
  // A → B → X → Y; Y releases 1,000; X has no star level (does not block).
  const parent = Int32Array.from([-1, 0, 1, 2]);
  const staticRel = BigInt64Array.from([0n, 0n, 0n, d("1000")]);
  const star = Int8Array.from([0, 0, -1, -1]);
  const { team, peer } = teamEntitlements(parent, staticRel, topDownOrder(parent), star, release);
  assert.deepEqual([team[0], team[1], peer[0], peer[1]], [0n, d("100"), d("30"), 0n]);
});

test("§3.5 only the first peer above each V is paid; a higher level takes over and its peer is paid", () => {
  const { release } = configFromInput().config;
  // chain root … leaf: P4 (二星) ← P3 (二星) ← P2 (一星) ← P1 (一星) ← P0 (一星) ← Y (releases 1,000)
  // Y's release: P0 10% (100) → V = P0; P1 peer 3% (30); P2 same level, peer already paid: 0;
  // P3 二星: 20% − 10% = 10% (100) → V = P3; P4 peer of P3: 30.
  const parent = Int32Array.from([-1, 0, 1, 2, 3, 4]); // 0 = P4, 1 = P3, 2 = P2, 3 = P1, 4 = P0, 5 = Y
  const staticRel = BigInt64Array.from([0n, 0n, 0n, 0n, 0n, d("1000")]);
  const star = Int8Array.from([1, 1, 0, 0, 0, -1]);
  const { team, peer } = teamEntitlements(parent, staticRel, topDownOrder(parent), star, release);
  assert.deepEqual([...team], [0n, d("100"), 0n, 0n, d("100"), 0n]);
  assert.deepEqual([...peer], [d("30"), 0n, 0n, d("30"), 0n, 0n]);
});

test("§3.3 share acceleration: 50% of generation 1 and 30% of generation 2", () => {
  const parent = Int32Array.from([-1, 0, 0, 1, 3]); // A; B, C under A; D under B; E under D
  const staticRel = BigInt64Array.from([0n, d("10"), d("20"), d("40"), d("80")]);
  const share = shareEntitlements(parent, staticRel, topDownOrder(parent), [500_000n, 300_000n]);
  // A: 50% × (10 + 20) + 30% × 40 = 27; B: 50% × 40 + 30% × 80 = 44; D: 50% × 80 = 40.
  assert.deepEqual([...share], [d("27"), d("44"), 0n, d("40"), 0n]);
});

test("§3.6 accelerations are capped by the gift left: share, then team, then peer; the rest is lost", () => {
  const { release, cycle } = configFromInput().config;
  // A (一星) above B; B's order releases 100 static; A has 20 gift left on a fully based order.
  const result = settleDay(
    {
      memberCount: 2,
      parent: Int32Array.from([-1, 0]),
      ownPerformance: BigInt64Array.from([0n, d("60000")]),
      orderMember: Int32Array.from([0, 1]),
      orderRemaining: BigInt64Array.from([d("25"), d("1000")]),
      orderBase: BigInt64Array.from([d("5"), d("100")]),
      quota: new BigInt64Array(2),
      weight: new BigInt64Array(2),
      cycleSales: 0n,
    },
    release,
    cycle,
  );
  // A: static 5, left 20; share 50 → 20 paid, team 10 → 0, everything else lost.
  assert.equal(result.star[0], 0);
  assert.deepEqual(
    [result.static[0], result.share[0], result.team[0], result.peer[0]],
    [d("5"), d("20"), 0n, 0n],
  );
  assert.equal(result.totals.forfeited, d("40"));
  assert.equal(result.orderRemaining[0], 0n);
});

test("§3.4 end to end: star levels from team performance pay the differential in a replay", () => {
  const engine = new Engine({
    release: {
      starLevels: [
        { name: "一星", minPerformance: "3000", rate: "0.1" },
        { name: "二星", minPerformance: "10000", rate: "0.2" },
      ],
      shareRates: [],
    },
  });
  engine.join("A");
  engine.join("B", "A");
  engine.join("C", "B");
  engine.order({ member: "A", amount: d("3000"), plans: ["release"] }); // A: gift 7,500, base 36
  engine.order({ member: "B", amount: d("3000"), plans: ["release"] }); // B: 36 a day
  engine.order({ member: "C", amount: d("9000"), plans: ["release"] }); // C: gift 27,000, base 108
  const day = engine.endOfDay();
  // Team performance: B 9,000 → 一星; A 12,000 → 二星. C's 108: B 10.8, A 10.8;
  // B's 36: A 20% = 7.2. A's team = 18.
  assert.equal(engine.star("A"), "二星");
  assert.equal(engine.star("B"), "一星");
  const get = (m: string) => day.members.find((x) => x.member === m);
  assert.equal(get("B")?.team, d("10.8"));
  assert.equal(get("A")?.team, d("18"));
});
