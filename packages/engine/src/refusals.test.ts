/** Every refusal of the in-memory engine with its code, detail and field (the API shows all three), and the limits exactly at the edge. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "./engine.ts";
import { EngineError } from "./errors.ts";
import { parseDecimal } from "./money.ts";

const d = (text: string) => parseDecimal(text);

function refused(fn: () => void, code: string, detail: string, field: string | undefined): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EngineError, String(e));
    assert.deepEqual([e.code, e.detail, e.field], [code, detail, field]);
    return true;
  });
}

function engineWithA(config: unknown = {}): Engine {
  const engine = new Engine(config);
  engine.join("A");
  return engine;
}

test("join refusals", () => {
  const engine = engineWithA();
  refused(() => engine.join(""), "INVALID_FIELD", "member id must be a non-empty string", "member");
  refused(
    () => engine.join(7 as unknown as string),
    "INVALID_FIELD",
    "member id must be a non-empty string",
    "member",
  );
  refused(() => engine.join("A"), "DUPLICATE_MEMBER", "A", "member");
  refused(() => engine.join("B", "Z"), "UNKNOWN_REFERRER", "Z", "referrer");
  assert.deepEqual(engine.memberIds(), ["A"]);
  assert.equal(engine.hasMember("B"), false);
});

test("order refusals, each leaving the engine as it was", () => {
  const engine = engineWithA({ release: { pointsPayRatio: "0.5" } });
  engine.adjust("A", "points", d("100"), "gift");
  const tx = engine.book.transactions.length;
  const order = (patch: Record<string, unknown>) => () =>
    engine.order({ member: "A", amount: d("100"), plans: ["equity"], ...patch } as never);
  refused(order({ member: "Z" }), "UNKNOWN_MEMBER", "Z", "member");
  refused(order({ amount: 100 }), "INVALID_AMOUNT", "amount", "amount");
  refused(order({ amount: 0n }), "AMOUNT_NOT_POSITIVE", "amount", "amount");
  refused(
    order({ amount: d("1.001") }),
    "TOO_MANY_PLACES",
    "amount: yuan amounts have at most 2 decimals",
    "amount",
  );
  refused(
    order({ amount: d("100000000.01") }),
    "AMOUNT_TOO_LARGE",
    "amount: an order is at most 100000000 yuan",
    "amount",
  );
  refused(order({ points: -1n }), "AMOUNT_NEGATIVE", "points", "points");
  refused(order({ plans: "equity" }), "INVALID_FIELD", "plans must be a list", "plans");
  refused(order({ plans: ["lottery"] }), "UNKNOWN_PLAN", "lottery", "plans");
  refused(order({ plans: ["cycle", "cycle"] }), "INVALID_FIELD", "plan cycle listed twice", "plans");
  refused(order({ id: "" }), "INVALID_FIELD", "order id must be a non-empty string", "id");
  refused(order({ id: 5 }), "INVALID_FIELD", "order id must be a non-empty string", "id");
  refused(order({ amount: d("10"), points: d("10.01") }), "POINTS_OVER_AMOUNT", "points", "points");
  refused(order({ points: d("50.000001") }), "POINTS_OVER_RATIO", "points", "points");
  assert.equal(engine.book.transactions.length, tx);
  // At the edges: exactly the ratio, then exactly what is held.
  engine.order({ member: "A", amount: d("100"), plans: [], points: d("50"), id: "o1" });
  refused(order({ id: "o1" }), "DUPLICATE_ORDER", "o1", "id");
  refused(order({ amount: d("200"), points: d("50.000001") }), "INSUFFICIENT_POINTS", "A", "points");
  engine.order({ member: "A", amount: d("200"), plans: [], points: d("50") });
  assert.equal(engine.balance("A", "points"), 0n);
  engine.order({ member: "A", amount: d("100000000"), plans: [] });
  engine.order({ member: "A", amount: d("10"), plans: [], points: 0n });
});

test("points may pay the whole order when the ratio is 1", () => {
  const engine = engineWithA();
  engine.adjust("A", "points", d("10"), "gift");
  engine.order({ member: "A", amount: d("10"), plans: [], points: d("10") });
  assert.equal(engine.balance("A", "points"), 0n);
});

test("refund and member command refusals", () => {
  const engine = engineWithA();
  engine.join("B");
  refused(() => engine.refund("zz"), "UNKNOWN_ORDER", "zz", "order");
  engine.order({ member: "A", amount: d("100"), plans: ["equity"], id: "a" });
  engine.refund("a");
  refused(() => engine.refund("a"), "ORDER_REFUNDED", "a", "order");
  refused(() => engine.sell("A", 0n), "AMOUNT_NOT_POSITIVE", "points", "points");
  refused(() => engine.sell("A", 1 as unknown as bigint), "INVALID_AMOUNT", "points", "points");
  refused(() => engine.sell("A", 1n), "INSUFFICIENT_EQUITY", "A", "points");
  refused(() => engine.toStable("A", -1n), "AMOUNT_NOT_POSITIVE", "points", "points");
  refused(() => engine.fromStable("A", 0n), "AMOUNT_NOT_POSITIVE", "stable", "stable");
  refused(() => engine.fromStable("A", 1n), "INSUFFICIENT_STABLE", "A", "stable");
  refused(
    () => engine.redeem("A", d("0.001")),
    "TOO_MANY_PLACES",
    "amount: yuan amounts have at most 2 decimals",
    "amount",
  );
  refused(() => engine.redeem("A", d("1")), "INSUFFICIENT_EQUITY", "A", "amount");
  refused(() => engine.pay("A", "A", 1n), "SELF_PAYMENT", "A", "to");
  refused(() => engine.pay("A", "B", 0n), "AMOUNT_NOT_POSITIVE", "stable", "stable");
  refused(() => engine.pay("A", "B", 1n), "INSUFFICIENT_STABLE", "A", "stable");
  refused(() => engine.pay("A", "Z", 1n), "UNKNOWN_MEMBER", "Z", "member");
});

test("the treasury short refusal names what is needed and held", () => {
  const engine = engineWithA({ equity: { exitQuotaMultiple: "0" } });
  engine.order({ member: "A", amount: d("100"), plans: ["equity"], id: "a" });
  engine.toStable("A", d("7"));
  engine.adjust("A", "stable", d("10"), "gift");
  refused(
    () => engine.fromStable("A", engine.balance("A", "stable")),
    "TREASURY_SHORT",
    "needs 14000000 µ, holds 7000000 µ",
    "stable",
  );
});

test("adjustment refusals and limits", () => {
  const engine = engineWithA();
  refused(() => engine.adjust("A", "equity", d("1"), "x"), "ADJUST_ASSET", "equity", "asset");
  refused(
    () => engine.adjust("A", "cash", 0n, "x"),
    "AMOUNT_NOT_POSITIVE",
    "amount must not be zero",
    "amount",
  );
  const tooLarge = "amount: an adjustment is at most 100000000";
  refused(() => engine.adjust("A", "cash", d("100000000.01"), "x"), "AMOUNT_TOO_LARGE", tooLarge, "amount");
  refused(() => engine.adjust("A", "cash", -d("100000000.01"), "x"), "AMOUNT_TOO_LARGE", tooLarge, "amount");
  refused(
    () => engine.adjust("A", "cash", d("0.001"), "x"),
    "TOO_MANY_PLACES",
    "cash is held to the fen",
    "amount",
  );
  refused(() => engine.adjust("A", "cash", d("1"), " "), "MISSING_REASON", "reason", "reason");
  refused(
    () => engine.adjust("A", "cash", d("1"), undefined as unknown as string),
    "MISSING_REASON",
    "reason",
    "reason",
  );
  refused(() => engine.adjust("A", "points", -1n, "x"), "ADJUST_BELOW_ZERO", "A", "amount");
  engine.adjust("A", "cash", d("100000000"), "the most");
  engine.adjust("A", "cash", -d("100000000"), "the most", "ops");
  assert.equal(engine.balance("A", "cash"), 0n);
  const memos = engine.book.transactions.map((t) => [t.kind, t.ref, t.memo]);
  assert.deepEqual(memos, [
    ["adjustment", "A", "operator: the most"],
    ["adjustment", "A", "ops: the most"],
  ]);
});
