/** The book's cells and kept columns (the simulation's speed work): same balances, same refusals. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BalanceColumn, Book, TxBuilder } from "./book.ts";
import { Engine } from "./engine.ts";
import { EngineError } from "./errors.ts";
import { FEN, parseDecimal } from "./money.ts";

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

test("an engine's member accounts are kept in the book's columns, not in slots of their own", () => {
  const engine = new Engine({}, { keepTransactions: false });
  engine.join("A");
  const slots = engine.book.slotCount;
  assert.equal(engine.balance("A", "stable"), 0n);
  engine.adjust("A", "stable", d("2"), "seed");
  assert.equal(engine.balance("A", "stable"), d("2"));
  assert.equal(engine.book.memberColumn("stable").read(0), d("2"), "in the column, at the member's index");
  assert.equal(engine.book.slotCount, slots + 1, "one slot made: the platform's adjustments account");
  assert.equal(engine.book.cell("m:A:stable", "stable").value, d("2"));
});

test("a member whose account names read as debts is kept by name, as any book keeps those names", () => {
  // `m:x:debt:cash` names member x's cash debt: member `x:debt`'s cash cannot sit in x's column. Such a name
  // holds only debt (its sign is a debt's), in columns or not, so a credit to it fails as it always has.
  const engine = new Engine({}, { keepTransactions: false });
  for (const id of ["x", "x:debt", "debt:y"]) engine.join(id);
  assert.equal(engine.balance("x:debt", "cash"), 0n);
  assert.equal(engine.balanceAt(2, "cash"), 0n);
  assert.throws(() => engine.adjust("x:debt", "cash", d("1"), "seed"), /m:x:debt:cash holds only debt/);
  assert.throws(() => engine.adjust("debt:y", "cash", d("1"), "seed"), /m:debt:y:cash holds only debt/);
  assert.equal(engine.book.memberColumn("debt:cash").read(0), 0n, "x's debt untouched by the refusal");
  engine.adjust("x", "cash", d("1"), "seed");
  assert.equal(engine.book.balance("m:x:cash", "cny"), d("1"));
  assert.equal(engine.balance("x:debt", "cash"), 0n);
});

test("a balance past 64 bits is kept exactly, in and out of the book's column", () => {
  const book = new Book({ keepTransactions: false });
  const huge = 2n ** 63n + 5n;
  const post = (amount: bigint) =>
    book.post({
      day: 1,
      kind: "adjustment",
      ref: "A",
      postings: [
        { account: "p:adjustments", asset: "cny", amount: -amount },
        { account: "m:A:cash", asset: "cny", amount },
      ],
    });
  post(huge);
  assert.equal(book.balance("m:A:cash", "cny"), huge, "not wrapped to a negative 64-bit value");
  assert.equal(book.balance("p:adjustments", "cny"), -huge);
  post(-(huge - 7n));
  assert.equal(book.balance("m:A:cash", "cny"), 7n, "back inside 64 bits");
  const batch = book.batch();
  batch.addCell(book.cell("m:A:cash", "cny"), huge);
  batch.add("p:adjustments", "cny", -huge);
  batch.commit();
  assert.equal(book.balance("m:A:cash", "cny"), huge + 7n);
  assert.equal(book.memberTotal("cash"), huge + 7n);
});

test("balanceAt and adjustManyAt: balance and adjustMany by join-order index, with the same refusals", () => {
  const byId = new Engine({}, { keepTransactions: false });
  const byIndex = new Engine({}, { keepTransactions: false });
  for (const e of [byId, byIndex]) {
    for (const id of ["A", "B", "C"]) e.join(id);
    e.adjust("A", "cash", d("10"), "seed");
    e.adjust("C", "cash", d("4"), "seed");
  }
  assert.equal(byIndex.balanceAt(0, "cash"), d("10"));
  assert.equal(byIndex.balanceAt(1, "cash"), 0n, "a wallet never used reads 0");
  assert.equal(byIndex.balanceAt(2, "cash"), byIndex.balance("C", "cash"));
  const code = (f: () => void) => {
    try {
      f();
    } catch (error) {
      if (error instanceof EngineError) return error.code;
      throw error;
    }
    return undefined;
  };
  assert.equal(
    code(() => byIndex.balanceAt(3, "cash")),
    "UNKNOWN_MEMBER",
  );
  assert.equal(
    code(() => byIndex.adjustManyAt("cash", [0, 5], [d("-1"), d("-1")], "w")),
    "UNKNOWN_MEMBER",
  );
  assert.equal(
    code(() => byIndex.adjustManyAt("cash", [0, 0], [d("-1"), d("-1")], "w")),
    "INVALID_FIELD",
  );
  assert.equal(
    code(() => byIndex.adjustManyAt("cash", [0, 2], [d("-1"), d("-5")], "w")),
    "ADJUST_BELOW_ZERO",
  );
  assert.equal(
    code(() => byIndex.adjustManyAt("cash", [0], [d("-1")], " ")),
    "MISSING_REASON",
  );
  assert.equal(byIndex.balanceAt(0, "cash"), d("10"), "a refused batch changed nothing");
  byId.adjustMany(
    "cash",
    [
      { member: "A", amount: d("-5") },
      { member: "C", amount: d("-1.5") },
      { member: "B", amount: d("2") },
    ],
    "withdrawal",
  );
  byIndex.adjustManyAt("cash", [0, 2, 1], [d("-5"), d("-1.5"), d("2")], "withdrawal");
  for (const id of ["A", "B", "C"]) assert.equal(byIndex.balance(id, "cash"), byId.balance(id, "cash"));
  assert.deepEqual(byIndex.book.entries(), byId.book.entries());
  assert.equal(byIndex.book.memberTotal("cash"), d("9.5"));
});

test("adjustEachAt: adjustManyAt with amounts from the balances read, the same refusals, nothing changed when refused", () => {
  for (const keepTransactions of [false, true]) {
    const engines = [0, 1].map(() => new Engine({}, { keepTransactions }));
    for (const e of engines) {
      for (const id of ["A", "B", "C", "D"]) e.join(id);
      e.adjust("A", "cash", d("10"), "seed");
      e.adjust("C", "cash", d("4"), "seed");
      e.adjust("D", "cash", d("0.01"), "seed");
    }
    const [reference, each] = engines as [Engine, Engine];
    const code = (f: () => void) => {
      try {
        f();
      } catch (error) {
        if (error instanceof EngineError) return error.code;
        throw error;
      }
      return undefined;
    };
    const seenBalances: bigint[] = [];
    const half = (_: number, cash: bigint) => {
      seenBalances.push(cash);
      return -((cash / 2n / FEN) * FEN);
    };
    assert.equal(
      code(() => each.adjustEachAt("cash", [0, 7], half, "w")),
      "UNKNOWN_MEMBER",
    );
    assert.equal(
      code(() => each.adjustEachAt("cash", [0, 2, 0], half, "w")),
      "INVALID_FIELD",
    );
    assert.equal(
      code(() => each.adjustEachAt("cash", [0, 2], () => d("-5"), "w")),
      "ADJUST_BELOW_ZERO",
    );
    assert.equal(
      code(() => each.adjustEachAt("cash", [0], half, " ")),
      "MISSING_REASON",
    );
    assert.equal(
      code(() => each.adjustEachAt("equity", [0], half, "w")),
      "ADJUST_ASSET",
    );
    assert.equal(
      code(() => each.adjustEachAt("cash", [0], () => d("-0.001"), "w")),
      "TOO_MANY_PLACES",
    );
    assert.deepEqual(each.book.entries(), reference.book.entries(), "a refused batch changed nothing");
    seenBalances.length = 0;
    // B holds nothing and D too little: both left out (amount 0). C is credited, not only debited.
    const count = each.adjustEachAt(
      "cash",
      [0, 1, 2, 3],
      (i, cash) => (i === 2 ? d("1.25") : half(i, cash)),
      "withdrawal",
    );
    assert.equal(count, 2);
    assert.deepEqual(seenBalances, [d("10"), 0n, d("0.01")], "each balance as it was before the batch");
    reference.adjustManyAt("cash", [0, 2], [d("-5"), d("1.25")], "withdrawal");
    assert.deepEqual(each.book.entries(), reference.book.entries());
    assert.equal(each.book.memberTotal("cash"), reference.book.memberTotal("cash"));
    assert.equal(each.book.transactions.length, reference.book.transactions.length);
  }
});

test("a batch's sum past 64 bits is kept exactly; moves apply as they come and check the day's balance", () => {
  const book = new Book({ keepTransactions: false });
  const big = 2n ** 62n + 3n;
  const batch = book.batch();
  // Each amount fits in 64 bits, their sum does not (a column of 64-bit sums would wrap it).
  batch.add("world:a", "cny", big);
  batch.add("world:a", "cny", big);
  batch.add("world:b", "cny", -big);
  batch.add("world:b", "cny", -big);
  batch.add("world:a", "cny", -5n);
  batch.add("world:b", "cny", 5n);
  batch.commit();
  assert.equal(book.balance("world:a", "cny"), 2n * big - 5n);
  assert.equal(book.balance("world:b", "cny"), -(2n * big - 5n));

  const moves = book.moves();
  moves.move("p:operator", "cny", -10n);
  moves.moveCell(book.cell("m:A:cash", "cny"), 10n);
  assert.equal(book.balance("m:A:cash", "cny"), 10n, "applied at once");
  moves.close();
  assert.equal(book.memberTotal("cash"), 10n);
  const unbalanced = book.moves();
  unbalanced.moveCell(book.cell("m:A:cash", "cny"), 1n);
  assert.throws(() => unbalanced.close(), /balance per asset/);
  assert.throws(() => book.moves().moveCell(book.cell("m:A:gift", "points"), -1n), /stays ≥ 0/);
});

test("a builder over a book's member cells posts the same postings as by name, each with the book's cell", () => {
  const members = ["A", "B"];
  const options = {
    indexOf: (id: string) => (members.includes(id) ? members.indexOf(id) : undefined),
    idAt: (i: number) => members[i] as string,
  };
  const lean = new Book({ keepTransactions: false, members: options });
  const kept = new Book({ keepTransactions: true, members: options });
  assert.ok(
    lean.memberCells !== undefined && kept.memberCells === undefined,
    "cells only where postings are not kept",
  );
  const build = (book: Book) => {
    const tx = new TxBuilder(book);
    tx.moveToMember("issuance:weight", "A", "weight", 5n);
    tx.add("m:B:weight", "weight", 2n); // by name, to a member the book keeps in its column
    tx.add("issuance:weight", "weight", -2n);
    tx.addMember("B", "weight", 3n);
    tx.add("issuance:weight", "weight", -3n);
    tx.addMember("C", "weight", 1n); // not a member: by name
    tx.add("issuance:weight", "weight", -1n);
    return tx;
  };
  const fast = build(lean);
  const named = build(kept);
  const plain = (tx: TxBuilder) =>
    tx.postings.map(({ account, asset, amount }) => ({ account, asset, amount }));
  assert.deepEqual(plain(fast), plain(named));
  assert.deepEqual(
    fast.postings.map((p) => p.cell !== undefined),
    [false, true, false, false, true, false, false, false],
    "a cell on each posting by member to a member of the book's columns",
  );
  assert.ok(
    named.postings.every((p) => !("cell" in p)),
    "no cell property at all on a book that keeps postings",
  );
  for (const tx of [fast, named]) {
    assert.equal(tx.memberBalance("A", "weight"), 5n);
    assert.equal(tx.memberBalance("B", "weight"), 5n, "the posting by name and the one by cell, both");
    assert.equal(tx.memberBalance("C", "weight"), 1n);
    assert.equal(tx.balance("m:B:weight", "weight"), 5n);
  }
  lean.post({ day: 1, kind: "cycle.grant", ref: "o", postings: fast.postings });
  kept.post({ day: 1, kind: "cycle.grant", ref: "o", postings: named.postings });
  assert.deepEqual(lean.entries(), kept.entries());
  assert.equal(lean.memberColumn("weight").read(1), 5n, "B's weight in its column");
  assert.equal(new TxBuilder(lean).memberBalance("B", "weight"), 5n);
});

test("a debt column counts who owes: a read answers 0 while nobody does, the balance once someone does", () => {
  const members = ["A", "B"];
  const book = new Book({
    keepTransactions: false,
    members: {
      indexOf: (id) => (members.includes(id) ? members.indexOf(id) : undefined),
      idAt: (i) => members[i] as string,
    },
  });
  const debt = book.memberColumn("debt:cash");
  const move = (amount: bigint) => {
    const tx = new TxBuilder(book);
    tx.addMember("B", "debt:cash", amount);
    tx.add("p:operator", "cny", -amount);
    book.post({ day: 1, kind: "adjustment", ref: "B", postings: tx.postings });
  };
  assert.equal(debt.read(1), 0n);
  move(-7n);
  assert.equal(debt.read(1), -7n);
  assert.equal(new TxBuilder(book).memberBalance("B", "debt:cash"), -7n);
  assert.equal(debt.read(0), 0n);
  move(3n);
  assert.equal(debt.read(1), -4n, "still owed: still counted");
  move(4n);
  assert.equal(debt.read(1), 0n);
  move(-1n);
  assert.equal(
    new TxBuilder(book).memberBalance("B", "debt:cash"),
    -1n,
    "owed again after the count fell to 0",
  );
  assert.equal(book.memberTotal("debt:cash"), -1n);
});

test("an engine without kept transactions repays members' debts as one that keeps them", () => {
  const drive = (engine: Engine) => {
    engine.join("A");
    engine.join("B", "A");
    engine.order({ member: "B", amount: d("500"), plans: ["equity", "cycle"], id: "b1" });
    engine.endOfDay();
    // A sells the referral points the order gave; the refund then takes them back: A owes equity points.
    engine.sell("A", engine.balance("A", "equity"));
    engine.refund("b1");
    const owed = engine.debts("A").equity ?? 0n;
    engine.order({ member: "B", amount: d("500"), plans: ["equity", "cycle"] });
    engine.endOfDay();
    return { engine, owed };
  };
  const config = { equity: { referrerShare: "0.3" }, cycle: { referralWeightRatio: "0.5" } };
  const kept = drive(new Engine(config));
  const lean = drive(new Engine(config, { keepSettlements: false, keepTransactions: false }));
  assert.ok(kept.owed > 0n, "a debt to repay");
  assert.equal(lean.owed, kept.owed);
  assert.ok((lean.engine.debts("A").equity ?? 0n) < kept.owed, "the next referral repaid some of it");
  assert.deepEqual(lean.engine.book.entries(), kept.engine.book.entries());
});
