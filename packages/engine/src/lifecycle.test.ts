/** Refunds, debt, cooling-off, parameter versions and refusals (docs/rules.md §0, §4). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "./engine.ts";
import { priceRatio } from "./equity.ts";
import { EngineError } from "./errors.ts";
import { formatPrice, parseDecimal } from "./money.ts";

const d = (text: string) => parseDecimal(text);

function refusedWith(code: string, fn: () => void): void {
  assert.throws(fn, (e: unknown) => e instanceof EngineError && e.code === code, `expected ${code}`);
}

test("cooling-off: eligible at the start of day d + k; a refund before that moves no reward", () => {
  const engine = new Engine({ coolingOffDays: 1 });
  engine.join("A");
  engine.order({ member: "A", amount: d("100"), plans: ["equity"], id: "o1" });
  engine.order({ member: "A", amount: d("100"), plans: ["equity"], id: "o2" });
  assert.equal(engine.balance("A", "equity"), 0n);
  engine.refund("o2");
  engine.endOfDay();
  assert.equal(engine.balance("A", "equity"), d("21"), "only o1 became eligible on day 2");
  assert.equal(engine.equity.pool, d("30"));
  const kinds = engine.book.transactions.filter((t) => t.ref === "o2").map((t) => t.kind);
  assert.deepEqual(kinds, ["order.pay", "order.refund"]);
});

test("refund after eligibility (equity): the points are burned, the pool pays their value back to the operator", () => {
  const engine = new Engine();
  engine.join("A");
  engine.join("B");
  engine.order({ member: "A", amount: d("100"), plans: ["equity"], id: "a" });
  engine.order({ member: "B", amount: d("100"), plans: ["equity"], id: "b" });
  engine.refund("a");
  assert.equal(engine.balance("A", "equity"), 0n);
  assert.equal(engine.balance("A", "exitQuota"), 0n);
  // 21 points at the price just before the refund, 60 / 35.7: 35.294117… → 35.294117 back to the
  // operator; the price stays 1.6807 (the dust 0.000000647 stays in the pool).
  assert.equal(engine.equity.pool, d("24.705883"));
  assert.equal(engine.equity.supply, d("14.7"));
  assert.equal(engine.equityBurned(), d("21"));
  const reverse = engine.book.transactions.find((t) => t.ref === "a" && t.kind === "refund.reverse");
  assert.equal(reverse?.postings.find((p) => p.account === "p:operator")?.amount, d("35.294117"));
  refusedWith("ORDER_REFUNDED", () => engine.refund("a"));
  refusedWith("UNKNOWN_ORDER", () => engine.refund("zzz"));
});

test("refund after eligibility: points the member no longer holds become equity debt, repaid by new grants", () => {
  const engine = new Engine();
  engine.join("A");
  engine.order({ member: "A", amount: d("100"), plans: ["equity"], id: "a1" }); // 21
  engine.sell("A", d("20"));
  engine.refund("a1"); // takes 1 held, owes 20
  assert.equal(engine.balance("A", "equity"), 0n);
  assert.deepEqual(engine.debts("A"), { equity: d("20") });
  assert.equal(engine.equityBurned(), d("21"), "burned = 20 sold + 1 taken; the 20 owed is not yet burned");
  engine.order({ member: "A", amount: d("1000"), plans: ["equity"], id: "a2" });
  // P = 300 − cash paid out; the new grant first repays the 20 owed.
  const grant = engine.book.transactions.find((t) => t.ref === "a2" && t.kind === "equity.grant");
  const issued = grant?.postings.find((p) => p.account === "issuance:equity")?.amount ?? 0n;
  assert.equal(engine.balance("A", "equity"), -issued - d("20"));
  assert.deepEqual(engine.debts("A"), {});
  assert.equal(engine.equity.supply, engine.balance("A", "equity"));
  assert.equal(engine.equityBurned(), d("41"));
});

test("refund after eligibility (cycle): quota and weight removed, dividends already paid clawed back from cash", () => {
  const config = { cycle: { pools: [{ name: "static", rate: "0.03", split: "weighted" }] } };
  const engine = new Engine(config);
  engine.join("A");
  engine.join("B");
  engine.order({ member: "A", amount: d("10000"), plans: ["cycle"], id: "a" });
  engine.order({ member: "B", amount: d("90000"), plans: ["cycle"], id: "b" });
  engine.endOfDay(); // A: cash 300, quota 19,700
  engine.adjust("A", "cash", d("-100"), "withdrawn elsewhere"); // A keeps 200
  engine.refund("a");
  assert.equal(engine.balance("A", "quota"), 0n);
  assert.equal(engine.balance("A", "weight"), 0n);
  assert.equal(engine.balance("A", "cash"), 0n);
  assert.deepEqual(engine.debts("A"), { cash: d("100") });
  engine.adjust("A", "cash", d("30"), "goodwill"); // a new credit pays the debt first
  assert.deepEqual(engine.debts("A"), { cash: d("70") });
  assert.equal(engine.balance("A", "cash"), 0n);
});

test("a cycle refund on the day the order became eligible also leaves that day's sales", () => {
  const config = { cycle: { pools: [{ name: "static", rate: "0.1", split: "weighted" }] } };
  const engine = new Engine(config);
  engine.join("A");
  engine.join("B");
  engine.order({ member: "A", amount: d("1000"), plans: ["cycle"], id: "a" });
  engine.order({ member: "B", amount: d("1000"), plans: ["cycle"], id: "b" });
  engine.refund("b");
  const day = engine.endOfDay();
  // D = 1,000 (B's order left it): pool 100, all to A.
  assert.equal(day.totals.pooled, d("100"));
  assert.equal(engine.balance("A", "cash"), d("100"));
  assert.equal(engine.balance("B", "cash"), 0n);
});

test("refund after eligibility (release): remaining gift cancelled, released points taken back, debt if spent", () => {
  const engine = new Engine();
  engine.join("A");
  engine.order({ member: "A", amount: d("3000"), plans: ["release"], id: "r" }); // gift 7,500, base 36
  engine.endOfDay();
  engine.endOfDay(); // 72 released
  engine.order({ member: "A", amount: d("100"), plans: ["equity"], points: d("50"), id: "spend" });
  assert.equal(engine.balance("A", "points"), d("22"));
  engine.refund("r");
  assert.equal(engine.balance("A", "gift"), 0n);
  assert.equal(engine.balance("A", "points"), 0n);
  assert.deepEqual(engine.debts("A"), { points: d("50") });
  assert.equal(engine.grade("A"), null, "the grade is recomputed without the refunded order");
  engine.refund("spend"); // returns the 50 points paid: they repay the debt
  assert.deepEqual(engine.debts("A"), {});
  assert.equal(engine.balance("A", "points"), 0n);
});

test("points pay part of an order up to the pay ratio and count in the order's amount", () => {
  const engine = new Engine({ release: { pointsPayRatio: "0.5" } });
  engine.join("A");
  engine.adjust("A", "points", d("80"), "gift");
  refusedWith("POINTS_OVER_RATIO", () =>
    engine.order({ member: "A", amount: d("100"), plans: ["equity"], points: d("50.000001") }),
  );
  engine.order({ member: "A", amount: d("100"), plans: ["equity"], points: d("50") });
  assert.equal(engine.balance("A", "points"), d("30"));
  assert.equal(engine.balance("A", "equity"), d("21"), "rewards on the whole 100");
  refusedWith("INSUFFICIENT_POINTS", () =>
    engine.order({ member: "A", amount: d("100"), plans: ["equity"], points: d("31") }),
  );
});

test("setConfig takes effect from the next business day; changes of one day combine key by key", () => {
  const engine = new Engine();
  engine.join("A");
  engine.setConfig({ equity: { contributionRate: "0.5" } });
  engine.setConfig({ equity: { buyerShare: "0.5" } });
  engine.order({ member: "A", amount: d("100"), plans: ["equity"] });
  assert.equal(engine.balance("A", "equity"), d("21"), "day 1 still on the old parameters");
  engine.endOfDay();
  engine.order({ member: "A", amount: d("100"), plans: ["equity"] });
  // c = 50, v = 25 at price 30/21: 25 × 21 / 30 = 17.5.
  assert.equal(engine.balance("A", "equity"), d("38.5"));
  assert.equal(engine.configVersions.length, 2);
  assert.equal(engine.configVersions[1]?.effectiveDay, 2);
  refusedWith("INVALID_CONFIG", () =>
    engine.setConfig({ equity: { buyerShare: "0.9", referrerShare: "0.2" } }),
  );
});

test("refused input changes nothing", () => {
  const engine = new Engine();
  engine.join("A");
  engine.order({ member: "A", amount: d("100"), plans: ["equity"], id: "x" });
  const before = JSON.stringify(engine.book.entries(), (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  const txs = engine.book.transactions.length;
  const attempts: [string, () => void][] = [
    ["UNKNOWN_MEMBER", () => engine.order({ member: "Z", amount: d("1"), plans: ["equity"] })],
    ["AMOUNT_NOT_POSITIVE", () => engine.order({ member: "A", amount: 0n, plans: ["equity"] })],
    ["TOO_MANY_PLACES", () => engine.order({ member: "A", amount: d("1.001"), plans: ["equity"] })],
    ["UNKNOWN_PLAN", () => engine.order({ member: "A", amount: d("1"), plans: ["lottery" as never] })],
    ["INVALID_FIELD", () => engine.order({ member: "A", amount: d("1"), plans: "equity" as never })],
    ["DUPLICATE_ORDER", () => engine.order({ member: "A", amount: d("1"), plans: ["equity"], id: "x" })],
    ["INSUFFICIENT_EQUITY", () => engine.sell("A", d("21.000001"))],
    ["AMOUNT_NOT_POSITIVE", () => engine.sell("A", d("-1"))],
    ["INSUFFICIENT_EQUITY", () => engine.redeem("A", d("31"))],
    ["SELF_PAYMENT", () => engine.pay("A", "A", d("1"))],
    ["ADJUST_ASSET", () => engine.adjust("A", "equity", d("1"), "no")],
    ["ADJUST_BELOW_ZERO", () => engine.adjust("A", "cash", d("-0.01"), "no")],
    ["MISSING_REASON", () => engine.adjust("A", "cash", d("1"), " ")],
    ["DUPLICATE_MEMBER", () => engine.join("A")],
    ["UNKNOWN_REFERRER", () => engine.join("B", "nobody")],
  ];
  for (const [code, attempt] of attempts) refusedWith(code, attempt);
  assert.equal(engine.book.transactions.length, txs);
  assert.equal(
    JSON.stringify(engine.book.entries(), (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
    before,
  );
  assert.equal(engine.hasMember("B"), false);
});

test("issue 8: X and Y buy 99 each, X 9,900 more, the operator refunds X's big order: nobody is paid", () => {
  // Before the 2026-11-28 rule the burned points raised the price, both members were force-exited
  // with 1,603.80 and 1,283.04 yuan of cash and the operator's account ended at −2,831.40.
  const engine = new Engine();
  engine.join("X");
  engine.join("Y");
  engine.order({ member: "X", amount: d("99"), plans: ["equity"] });
  engine.order({ member: "Y", amount: d("99"), plans: ["equity"] });
  engine.order({ member: "X", amount: d("9900"), plans: ["equity"], id: "big" });
  const [bn, bd] = priceRatio(engine.equity);
  const txsBefore = engine.book.transactions.length;
  engine.refund("big");
  const [an, ad] = priceRatio(engine.equity);
  assert.ok(an * bd >= bn * ad, "the price did not fall");
  assert.ok(an * bd - bn * ad < bd, "the price moved by rounding dust at most");
  assert.equal(formatPrice(an, ad), formatPrice(bn, bd));
  const kinds = engine.book.transactions.slice(txsBefore).map((t) => t.kind);
  assert.deepEqual(kinds, ["order.refund", "refund.reverse"], "nobody was force-exited");
  assert.equal(engine.balance("X", "cash"), 0n);
  assert.equal(engine.balance("Y", "cash"), 0n);
  // The operator received 10,098, put 3,029.40 into the pool and paid X's 9,900 back; the pool paid
  // the burned points' value back (1,237.005 points at 3,029.4 / 1,272.348 = 2,945.25): 113.85 ≥ 0,
  // where the old rule left −2,831.40.
  const operator = engine.book.balance("p:operator", "cny");
  assert.equal(operator, d("113.85"), "the operator's account after the refund");
  assert.deepEqual(engine.debts("X"), {});
  assert.equal(engine.balance("X", "exitQuota"), d("297"), "the big order's 29,700 of exit quota removed");
});

test("an order in no plan earns nothing of its own, counts in performance, and is refunded like any other", () => {
  const engine = new Engine();
  engine.join("A");
  engine.join("B", "A");
  engine.order({ member: "A", amount: d("3000"), plans: ["release"] });
  engine.endOfDay();
  engine.adjust("B", "points", d("10"), "test");
  engine.order({ member: "B", amount: d("60000"), plans: [], id: "plain", points: d("10") });
  const kinds = engine.book.transactions.filter((t) => t.ref === "plain").map((t) => t.kind);
  assert.deepEqual(kinds, ["order.pay"], "no reward movement");
  assert.deepEqual(engine.networkPerformance("A"), { cash: d("59990"), points: d("10") });
  engine.endOfDay();
  assert.equal(engine.star("A"), "一星");
  engine.refund("plain");
  assert.equal(engine.balance("B", "points"), d("10"), "the points it was paid with are returned");
  assert.deepEqual(engine.networkPerformance("A"), { cash: 0n, points: 0n });
  engine.endOfDay();
  assert.equal(engine.star("A"), null);
});
