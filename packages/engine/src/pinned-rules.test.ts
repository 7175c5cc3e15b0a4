/**
 * Rules no test pinned before the mutation run of issue 15 (docs/mutation.md): each
 * test here fails when the named rule is broken in the code (checked by hand
 * against the mutant the issue lists).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "./engine.ts";
import { meetsExitQuota, priceRatio } from "./equity.ts";
import { EngineError } from "./errors.ts";
import { formatFixed, parseDecimal } from "./money.ts";

const d = (text: string) => parseDecimal(text);

function refusedWith(code: string, fn: () => void): void {
  assert.throws(fn, (e: unknown) => e instanceof EngineError && e.code === code, `expected ${code}`);
}

test("1. a normal sale (§1.2) keeps the seller's exit quota; only an exit burns it", () => {
  const engine = new Engine();
  engine.join("A");
  engine.order({ member: "A", amount: d("100"), plans: ["equity"], id: "a" });
  assert.equal(engine.balance("A", "exitQuota"), d("300"));
  engine.sell("A", d("1"));
  assert.equal(engine.balance("A", "exitQuota"), d("300"));
  assert.equal(engine.balance("A", "equity"), d("20"));
});

test("2. the referrer's cycle weight is the buyer's weight × referralWeightRatio (§2)", () => {
  const engine = new Engine({ cycle: { referralWeightRatio: "0.5" } });
  engine.join("R");
  engine.join("B", "R");
  engine.order({ member: "B", amount: d("10000"), plans: ["cycle"], id: "b" });
  assert.equal(engine.balance("B", "weight"), d("10"));
  assert.equal(engine.balance("R", "weight"), d("5"));
  engine.refund("b");
  assert.equal(engine.balance("R", "weight"), 0n, "the refund takes the referrer's weight back");
  assert.deepEqual(engine.debts("R"), {});
});

test("3a. a daily release to a member who owes points repays the debt first", () => {
  const engine = new Engine();
  engine.join("A");
  engine.order({ member: "A", amount: d("3000"), plans: ["release"], id: "g1" }); // gift 7,500, 36 a day
  engine.order({ member: "A", amount: d("3000"), plans: ["release"], id: "g2" });
  engine.endOfDay(); // 36 + 36 released
  assert.equal(engine.balance("A", "points"), d("72"));
  engine.order({ member: "A", amount: d("100"), plans: [], points: d("72"), id: "spend" });
  engine.refund("g1"); // 36 released from g1 taken back: A holds 0, owes 36
  assert.deepEqual(engine.debts("A"), { points: d("36") });
  engine.endOfDay(); // g2 releases 36: all of it repays the debt
  assert.deepEqual(engine.debts("A"), {});
  assert.equal(engine.balance("A", "points"), 0n);
  engine.endOfDay();
  assert.equal(engine.balance("A", "points"), d("36"));
  const day2 = engine.book.transactions.filter((t) => t.day === 2 && t.kind === "release.daily");
  assert.equal(day2.length, 1);
  const debtPosting = day2[0]?.postings.find((p) => p.account === "m:A:debt:points");
  assert.equal(debtPosting?.amount, d("36"));
  assert.equal(debtPosting?.cause?.rule, "release.static");
});

test("3b. a release larger than the points owed repays the debt and credits the rest", () => {
  const engine = new Engine();
  engine.join("A");
  engine.order({ member: "A", amount: d("3000"), plans: ["release"], id: "g1" }); // 36 a day
  engine.endOfDay();
  engine.order({ member: "A", amount: d("9000"), plans: ["release"], id: "g2" }); // 108 a day
  engine.order({ member: "A", amount: d("100"), plans: [], points: d("36"), id: "spend" });
  engine.refund("g1"); // owes 36
  assert.deepEqual(engine.debts("A"), { points: d("36") });
  engine.endOfDay(); // 108 released: 36 repay, 72 credited
  assert.deepEqual(engine.debts("A"), {});
  assert.equal(engine.balance("A", "points"), d("72"));
});

test("3c. a dividend to a member who owes cash repays the debt first, then credits the rest", () => {
  const config = { cycle: { pools: [{ name: "static", rate: "0.03", split: "weighted" }] } };
  const engine = new Engine(config);
  engine.join("A");
  engine.join("B");
  engine.order({ member: "A", amount: d("10000"), plans: ["cycle"], id: "a" });
  engine.order({ member: "B", amount: d("90000"), plans: ["cycle"], id: "b" });
  engine.endOfDay(); // A: cash 300
  assert.equal(engine.balance("A", "cash"), d("300"));
  engine.adjust("A", "cash", d("-300"), "withdrawn");
  engine.refund("a"); // 300 of quota was paid out: A owes 300 cash
  assert.deepEqual(engine.debts("A"), { cash: d("300") });
  engine.order({ member: "A", amount: d("10000"), plans: ["cycle"], id: "a2" });
  // D = 10,000, static pool 300: A's weight 10 of 100 → 30, all to the debt.
  engine.endOfDay();
  assert.deepEqual(engine.debts("A"), { cash: d("270") });
  assert.equal(engine.balance("A", "cash"), 0n);
  assert.equal(engine.balance("A", "quota"), d("19970"));
  engine.order({ member: "B", amount: d("1000000"), plans: ["cycle"], id: "b2" });
  // D = 1,000,000, pool 30,000: A's weight 10 of 1,100 → 272.72 (to the fen): 270 repays the rest
  // of the debt, 2.72 reaches the cash wallet.
  engine.endOfDay();
  assert.deepEqual(engine.debts("A"), {});
  assert.equal(engine.balance("A", "cash"), d("2.72"));
  const dividend = engine.book.transactions.filter((t) => t.day === 3 && t.kind === "cycle.dividend");
  const toA = dividend.flatMap((t) => t.postings).filter((p) => p.account.startsWith("m:A:"));
  assert.deepEqual(
    toA.map((p) => [p.account, p.amount]),
    [
      ["m:A:debt:cash", d("270")],
      ["m:A:cash", d("2.72")],
      ["m:A:quota", -d("272.72")],
    ],
  );
});

test("4. the remembered price survives a supply going 0 → 0 (a refund after everyone sold)", () => {
  const engine = new Engine();
  engine.join("A");
  engine.join("B");
  engine.order({ member: "A", amount: d("100"), plans: ["equity"], id: "a" }); // 21 at 1 → P 30, S 21
  engine.sell("A", d("21")); // everything sold: S = 0, the price 30 / 21 remembered
  assert.equal(engine.equity.supply, 0n);
  const [num, den] = priceRatio(engine.equity);
  engine.refund("a"); // the 21 points are owed, none taken: S stays 0
  assert.deepEqual(engine.debts("A"), { equity: d("21") });
  assert.equal(engine.equity.supply, 0n);
  assert.deepEqual(priceRatio(engine.equity), [num, den], "the remembered price is kept");
  engine.order({ member: "B", amount: d("100"), plans: ["equity"], id: "b" });
  // 30 × 0.7 = 21 yuan of points at the remembered price 30 / 21: 14.7 points.
  assert.equal(engine.balance("B", "equity"), d("14.7"));
});

test("5. the points-paid part of an order counts in team and network performance", () => {
  const engine = new Engine();
  engine.join("R");
  engine.join("A", "R");
  engine.adjust("A", "points", d("20000"), "gift");
  engine.order({ member: "A", amount: d("50000"), plans: [], points: d("20000"), id: "o" });
  assert.deepEqual(engine.networkPerformance("R"), { cash: d("30000"), points: d("20000") });
  engine.endOfDay();
  assert.equal(engine.star("R"), "一星", "50,000 of team performance, 20,000 of it paid in points");
  engine.refund("o");
  assert.deepEqual(engine.networkPerformance("R"), { cash: 0n, points: 0n });
  engine.endOfDay();
  assert.equal(engine.star("R"), null);
});

test("5b. after a refund the points-paid part of the orders left still counts in team performance", () => {
  const engine = new Engine();
  engine.join("R");
  engine.join("A", "R");
  engine.adjust("A", "points", d("40000"), "gift");
  engine.order({ member: "A", amount: d("50000"), plans: [], points: d("20000"), id: "kept" });
  engine.order({ member: "A", amount: d("50000"), plans: [], points: d("20000"), id: "refunded" });
  engine.refund("refunded");
  assert.deepEqual(engine.networkPerformance("R"), { cash: d("30000"), points: d("20000") });
  engine.endOfDay();
  // Counted as cash − points (30,000 − 20,000) it would fall short of 一星's 50,000.
  assert.equal(engine.star("R"), "一星", "50,000 left after the refund, 20,000 of it paid in points");
});

test("6. a cash adjustment is refused below one fen; points and stable points take 6 places", () => {
  const engine = new Engine();
  engine.join("A");
  refusedWith("TOO_MANY_PLACES", () => engine.adjust("A", "cash", d("0.001"), "dust"));
  refusedWith("TOO_MANY_PLACES", () => engine.adjust("A", "cash", d("1.005"), "dust"));
  assert.equal(engine.book.transactions.length, 0);
  engine.adjust("A", "cash", d("0.01"), "one fen");
  engine.adjust("A", "points", d("0.000001"), "one micro-point");
  engine.adjust("A", "stable", d("0.000001"), "one micro-point");
  assert.equal(engine.balance("A", "cash"), d("0.01"));
  assert.equal(engine.balance("A", "points"), 1n);
  assert.equal(engine.balance("A", "stable"), 1n);
  refusedWith("TOO_MANY_PLACES", () => engine.adjust("A", "cash", d("-0.005"), "dust"));
  engine.adjust("A", "cash", d("-0.01"), "all of it");
  assert.equal(engine.balance("A", "cash"), 0n);
});

test("7. selling, redeeming and converting exactly the whole holding is allowed", () => {
  const engine = new Engine({ equity: { exitQuotaMultiple: "0" } });
  for (const m of ["A", "B"]) engine.join(m);
  for (const m of ["A", "B"]) engine.order({ member: m, amount: d("100"), plans: ["equity"], id: m });
  engine.sell("A", engine.balance("A", "equity"));
  assert.equal(engine.balance("A", "equity"), 0n);
  refusedWith("INSUFFICIENT_EQUITY", () => engine.sell("A", 1n));
  engine.toStable("B", engine.balance("B", "equity"));
  assert.equal(engine.balance("B", "equity"), 0n);
  const stable = engine.balance("B", "stable");
  engine.fromStable("B", stable);
  assert.equal(engine.balance("B", "stable"), 0n);
  refusedWith("INSUFFICIENT_STABLE", () => engine.fromStable("B", 1n));
});

test("7b. redeeming goods that cost exactly the whole holding is allowed", () => {
  const engine = new Engine({ equity: { exitQuotaMultiple: "0" } });
  engine.join("A");
  engine.order({ member: "A", amount: d("100"), plans: ["equity"], id: "a" }); // P 30, S 21, all A's
  // At fee 0, goods worth the whole pool cost exactly the whole supply.
  engine.redeem("A", d("30"));
  assert.equal(engine.balance("A", "equity"), 0n);
  assert.equal(engine.equity.supply, 0n);
  assert.equal(engine.equity.pool, 0n);
});

test("8. after a refund the referrer is re-filed in the exit queue with what it still holds", () => {
  const engine = new Engine({ equity: { referrerShare: "0.3" } });
  engine.join("R");
  engine.join("B", "R");
  engine.join("C");
  engine.order({ member: "R", amount: d("100"), plans: ["equity"], id: "r" });
  engine.order({ member: "B", amount: d("1000"), plans: ["equity"], id: "b" });
  const before = engine.balance("R", "equity");
  engine.refund("b"); // R's referrer points are taken back
  assert.ok(engine.balance("R", "equity") < before);
  // With the referrer points R would qualify from a price of 300 / 84 ≈ 3.6; with what it holds
  // now, 21 points, from 300 / 21 ≈ 14.3. The price rises with each order by C up to 5: R must not exit.
  const held = engine.balance("R", "equity");
  const priceBelow5 = () => {
    const [num, den] = priceRatio(engine.equity);
    return num < 5n * den;
  };
  for (let i = 0; i < 100 && priceBelow5(); i++) {
    engine.order({ member: "C", amount: d("10000"), plans: ["equity"] });
  }
  assert.equal(priceBelow5(), false, "the price reached 5");
  assert.equal(engine.balance("R", "equity"), held, "R still holds its own points");
  assert.equal(engine.balance("R", "exitQuota"), d("300"));
  assert.equal(meetsExitQuota(engine.equity, held, d("300")), false);
});

test("9. formatFixed pads the fraction on the left and prints zero unsigned", () => {
  assert.equal(formatFixed(d("1.05"), 2), "1.05");
  assert.equal(formatFixed(d("-1.05"), 2), "-1.05");
  assert.equal(formatFixed(0n, 2), "0.00");
  assert.equal(formatFixed(d("0.000001"), 6), "0.000001");
  assert.equal(formatFixed(d("12.345678"), 4), "12.3456");
  assert.equal(formatFixed(d("7.5"), 0), "7");
});
