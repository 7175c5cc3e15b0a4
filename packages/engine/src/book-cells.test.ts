/** The book's cells and kept columns (the simulation's speed work): same balances, same refusals. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BalanceColumn, Book } from "./book.ts";
import { Engine } from "./engine.ts";
import { EngineError } from "./errors.ts";
import { parseDecimal } from "./money.ts";

const d = (text: string) => parseDecimal(text);

test("a posting carrying another book's cell moves this book's account, not the other's", () => {
  const mine = new Book();
  const other = new Book();
  const foreign = other.cell("m:A:cash", "cny");
  mine.post({
    day: 1,
    kind: "adjustment",
    ref: "A",
    postings: [
      { account: "p:adjustments", asset: "cny", amount: d("-5") },
      { account: "m:A:cash", asset: "cny", amount: d("5"), cell: foreign },
    ],
  });
  assert.equal(mine.balance("m:A:cash", "cny"), d("5"));
  assert.equal(foreign.value, 0n, "the other book is untouched");
  assert.equal(mine.cell("m:A:cash", "cny").value, d("5"), "a cell follows its account");
  assert.equal(mine.memberTotal("cash"), d("5"));
});

test("a column outside 64 bits is flagged, not wrapped", () => {
  const column = new BalanceColumn();
  column.set(3, 2n ** 63n);
  assert.equal(column.outOfRange, true);
  assert.equal(column.values[3], 0n);
  column.set(5000, 7n);
  assert.equal(column.values[5000], 7n, "it grows");
});

test("an engine without kept settlements or transactions ends in the same state", () => {
  const drive = (engine: Engine) => {
    engine.join("A");
    engine.join("B", "A");
    engine.join("C", "B");
    for (let day = 0; day < 12; day++) {
      engine.order({ member: "B", amount: d("3000"), plans: ["release", "cycle"] });
      engine.order({ member: "C", amount: d("299"), plans: ["cycle", "equity"], id: `c${day}` });
      if (day === 4) engine.refund("c2");
      engine.endOfDay();
    }
    return engine;
  };
  const kept = drive(new Engine());
  const lean = drive(new Engine({}, { keepSettlements: false, keepTransactions: false }));
  assert.equal(lean.settlements.length, 0);
  assert.equal(lean.daysSettled, kept.daysSettled);
  assert.ok(kept.book.transactions.length > 0 && lean.book.transactions.length === 0);
  assert.deepEqual(lean.book.entries(), kept.book.entries());
  for (const id of ["A", "B", "C"]) assert.equal(lean.grade(id), kept.grade(id));
  assert.ok((kept.settlements.at(-1)?.totals.static ?? 0n) > 0n, "the release plan released");
  assert.ok((kept.settlements.at(-1)?.totals.dividend ?? 0n) > 0n, "the cycle plan paid dividends");
});

test("an order without an id cannot be refunded by its sequence key; one with an id still collides", () => {
  const engine = new Engine();
  engine.join("A");
  engine.order({ member: "A", amount: d("100"), plans: ["equity"] });
  engine.order({ member: "A", amount: d("100"), plans: ["equity"], id: "x" });
  assert.throws(
    () => engine.order({ member: "A", amount: d("100"), plans: ["equity"], id: "x" }),
    (e: unknown) => e instanceof EngineError && e.code === "DUPLICATE_ORDER",
  );
  assert.throws(
    () => engine.refund("seq:1"),
    (e: unknown) => e instanceof EngineError && e.code === "UNKNOWN_ORDER",
  );
});

test("reading a wallet never used makes no slot in the book; a used one is read through its cell", () => {
  const engine = new Engine({}, { keepTransactions: false });
  engine.join("A");
  assert.equal(engine.balance("A", "stable"), 0n);
  assert.equal(engine.book.existingCell("m:A:stable", "stable"), undefined, "no slot made by a read");
  engine.adjust("A", "stable", d("2"), "seed");
  assert.equal(engine.balance("A", "stable"), d("2"));
  assert.equal(engine.book.existingCell("m:A:stable", "stable")?.value, d("2"));
});
