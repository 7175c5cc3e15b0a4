/** The plans' ledger movements (commands.ts) checked posting by posting, edges included. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Book, TxBuilder } from "./book.ts";
import {
  adjustWallet,
  CYCLE_POOL_ACCOUNT,
  creditMember,
  debitMember,
  releaseGiftFor,
  type SettlementLedgerInput,
  settlementTransactions,
} from "./commands.ts";
import { configFromInput } from "./config.ts";
import { Engine } from "./engine.ts";
import { parseDecimal } from "./money.ts";
import type { SettlementResult } from "./settlement.ts";

const d = (text: string) => parseDecimal(text);
const release = configFromInput({}).config.release;

/** A settlement result of two members (G = 2 generations) with only the given columns set. */
function result(patch: Partial<Record<keyof SettlementResult, unknown>>): SettlementResult {
  const zeros = () => new BigInt64Array(2);
  return {
    static: zeros(),
    share: zeros(),
    team: zeros(),
    peer: zeros(),
    dividend: zeros(),
    staticOrder: Int32Array.from([-1, -1]),
    shareByGeneration: new BigInt64Array(4),
    shareSource: Int32Array.from([-1, -1, -1, -1]),
    orderRemaining: new BigInt64Array(0),
    orderReleased: new BigInt64Array(0),
    quota: zeros(),
    star: Int8Array.from([-1, -1]),
    teamPerformance: zeros(),
    pools: [],
    totals: {
      static: 0n,
      share: 0n,
      team: 0n,
      peer: 0n,
      forfeited: 0n,
      dividend: 0n,
      pooled: 0n,
      returned: 0n,
    },
    ...patch,
  } as SettlementResult;
}

function ledger(patch: Partial<SettlementLedgerInput> = {}): SettlementLedgerInput {
  return {
    memberIds: ["A", "B"],
    pointsOwed: new BigInt64Array(2),
    cashOwed: new BigInt64Array(2),
    release,
    orderIds: ["o1", undefined, 7],
    ...patch,
  };
}

test("a day with nothing released or paid posts nothing", () => {
  assert.deepEqual([...settlementTransactions(3, result({}), ledger())], []);
});

test("release postings: one credit per rule with its cause (order, generation, counterpart, star)", () => {
  const r = result({
    static: BigInt64Array.from([d("10"), d("5")]),
    staticOrder: Int32Array.from([0, -2]),
    share: BigInt64Array.from([d("4"), d("1")]),
    shareByGeneration: BigInt64Array.from([d("3"), d("1"), 0n, d("1")]),
    shareSource: Int32Array.from([1, -2, -1, 0]),
    team: BigInt64Array.from([d("2"), 0n]),
    peer: BigInt64Array.from([d("1"), d("0.5")]),
    star: Int8Array.from([1, 0]),
  });
  const txs = [...settlementTransactions(3, r, ledger())];
  assert.deepEqual(
    txs.map((t) => [t.day, t.kind, t.ref]),
    [
      [3, "release.daily", "day:3"],
      [3, "release.daily", "day:3"],
    ],
  );
  assert.deepEqual(txs[0]?.postings, [
    { account: "m:A:gift", asset: "points", amount: -d("17") },
    {
      account: "m:A:points",
      asset: "points",
      amount: d("10"),
      cause: { rule: "release.static", rate: d("0.012"), order: "o1" },
    },
    {
      account: "m:A:points",
      asset: "points",
      amount: d("3"),
      cause: { rule: "release.share", rate: d("0.5"), generation: 1, counterpart: "B" },
    },
    {
      account: "m:A:points",
      asset: "points",
      amount: d("1"),
      cause: { rule: "release.share", rate: d("0.3"), generation: 2 },
    },
    {
      account: "m:A:points",
      asset: "points",
      amount: d("2"),
      cause: { rule: "release.team", rate: d("0.2"), star: "二星" },
    },
    {
      account: "m:A:points",
      asset: "points",
      amount: d("1"),
      cause: { rule: "release.peer", rate: d("0.03"), star: "二星" },
    },
  ]);
  assert.deepEqual(txs[1]?.postings, [
    { account: "m:B:gift", asset: "points", amount: -d("6.5") },
    {
      account: "m:B:points",
      asset: "points",
      amount: d("5"),
      cause: { rule: "release.static", rate: d("0.012") },
    },
    {
      account: "m:B:points",
      asset: "points",
      amount: d("1"),
      cause: { rule: "release.share", rate: d("0.3"), generation: 2, counterpart: "A" },
    },
    {
      account: "m:B:points",
      asset: "points",
      amount: d("0.5"),
      cause: { rule: "release.peer", rate: d("0.03"), star: "一星" },
    },
  ]);
});

test("a static release from an order without an id, and from order index 2 (a numeric id), names what it can", () => {
  const r = result({ static: BigInt64Array.from([d("1"), d("2")]), staticOrder: Int32Array.from([1, 2]) });
  const txs = [...settlementTransactions(1, r, ledger())];
  assert.deepEqual(txs[0]?.postings[1]?.cause, { rule: "release.static", rate: d("0.012") });
  assert.deepEqual(txs[1]?.postings[1]?.cause, { rule: "release.static", rate: d("0.012"), order: "7" });
});

test("points owed are repaid first, rule by rule, the rest credited", () => {
  const r = result({
    static: BigInt64Array.from([d("10"), 0n]),
    staticOrder: Int32Array.from([0, -1]),
    team: BigInt64Array.from([d("5"), 0n]),
    star: Int8Array.from([0, -1]),
  });
  const owed = ledger({ pointsOwed: BigInt64Array.from([d("12"), 0n]) });
  const [tx] = [...settlementTransactions(2, r, owed)];
  assert.deepEqual(
    tx?.postings.map((p) => [p.account, p.amount, p.cause?.rule]),
    [
      ["m:A:gift", -d("15"), undefined],
      ["m:A:debt:points", d("10"), "release.static"],
      ["m:A:debt:points", d("2"), "release.team"],
      ["m:A:points", d("3"), "release.team"],
    ],
  );
  const exact = ledger({ pointsOwed: BigInt64Array.from([d("15"), 0n]) });
  const [all] = [...settlementTransactions(2, r, exact)];
  assert.deepEqual(
    all?.postings.map((p) => p.account),
    ["m:A:gift", "m:A:debt:points", "m:A:debt:points"],
  );
});

test("a team or peer release needs a star level", () => {
  const r = result({ team: BigInt64Array.from([d("1"), 0n]) });
  assert.throws(() => [...settlementTransactions(1, r, ledger())], {
    message: "invariant violated: a team or peer release goes to a member with a star level",
  });
});

test("dividends: pools funded, cash debt repaid first, quota burned, the rest returned", () => {
  const r = result({
    dividend: BigInt64Array.from([d("30"), d("20")]),
    totals: { ...result({}).totals, pooled: d("60"), returned: d("10") },
  });
  const owed = ledger({ cashOwed: BigInt64Array.from([d("30"), d("5")]) });
  const txs = [...settlementTransactions(4, r, owed)];
  assert.deepEqual(
    txs.map((t) => [t.kind, t.ref, t.day]),
    [
      ["cycle.pools", "day:4", 4],
      ["cycle.dividend", "day:4", 4],
      ["cycle.dividend", "day:4", 4],
      ["cycle.returns", "day:4", 4],
    ],
  );
  assert.deepEqual(txs[0]?.postings, [
    { account: "p:operator", asset: "cny", amount: -d("60") },
    { account: CYCLE_POOL_ACCOUNT, asset: "cny", amount: d("60") },
  ]);
  assert.deepEqual(txs[1]?.postings, [
    { account: CYCLE_POOL_ACCOUNT, asset: "cny", amount: -d("30") },
    { account: "m:A:debt:cash", asset: "cny", amount: d("30") },
    { account: "m:A:quota", asset: "quota", amount: -d("30") },
    { account: "burn:quota", asset: "quota", amount: d("30") },
  ]);
  assert.deepEqual(txs[2]?.postings, [
    { account: CYCLE_POOL_ACCOUNT, asset: "cny", amount: -d("20") },
    { account: "m:B:debt:cash", asset: "cny", amount: d("5") },
    { account: "m:B:cash", asset: "cny", amount: d("15") },
    { account: "m:B:quota", asset: "quota", amount: -d("20") },
    { account: "burn:quota", asset: "quota", amount: d("20") },
  ]);
  assert.deepEqual(txs[3]?.postings, [
    { account: CYCLE_POOL_ACCOUNT, asset: "cny", amount: -d("10") },
    { account: "p:cycleReturns", asset: "cny", amount: d("10") },
  ]);
});

test("creditMember and debitMember: zero moves nothing, a credit is not negative, debt is repaid first", () => {
  const book = new Book();
  const tx = new TxBuilder(book);
  assert.equal(creditMember(tx, "A", "cash", 0n, "p:adjustments"), 0n);
  assert.equal(debitMember(tx, "A", "cash", 0n, "p:adjustments"), 0n);
  assert.deepEqual(tx.postings, []);
  assert.throws(() => creditMember(tx, "A", "cash", -1n, "p:adjustments"), {
    message: "invariant violated: a credit is not negative",
  });
  assert.equal(
    debitMember(tx, "A", "cash", d("5"), "p:operator"),
    0n,
    "nothing held: all of it becomes debt",
  );
  assert.equal(creditMember(tx, "A", "cash", d("8"), "p:adjustments"), d("5"));
  assert.equal(tx.balance("m:A:cash", "cny"), d("3"));
  assert.equal(tx.balance("m:A:debt:cash", "cny"), 0n);
  // Gift points carry no debt: a credit goes straight to the wallet.
  assert.equal(creditMember(tx, "A", "gift", d("2"), "issuance:points"), 0n);
  assert.equal(tx.balance("m:A:gift", "points"), d("2"));
});

test("adjustWallet credits through the debt, debits from the wallet", () => {
  const tx = new TxBuilder(new Book());
  debitMember(tx, "A", "points", d("4"), "burn:points");
  adjustWallet(tx, "A", "points", d("10"));
  assert.equal(tx.balance("m:A:debt:points", "points"), 0n);
  assert.equal(tx.balance("m:A:points", "points"), d("6"));
  adjustWallet(tx, "A", "points", -d("6"));
  assert.equal(tx.balance("m:A:points", "points"), 0n);
  assert.equal(tx.balance("p:adjustments", "points"), -d("4"));
});

test("releaseGiftFor: the highest package whose minimum the amount reaches, from exactly the minimum", () => {
  assert.equal(releaseGiftFor(release, d("2999.99")), undefined);
  assert.deepEqual(releaseGiftFor(release, d("3000")), {
    grade: "初级会员",
    gradeMin: d("3000"),
    gift: d("7500"),
    base: d("36"),
  });
  assert.equal(releaseGiftFor(release, d("8999.99"))?.grade, "初级会员");
  assert.deepEqual(releaseGiftFor(release, d("9000")), {
    grade: "中级会员",
    gradeMin: d("9000"),
    gift: d("27000"),
    base: d("108"),
  });
  assert.equal(releaseGiftFor(release, d("100000"))?.grade, "VIP会员");
});

test("an operator credit repays cash debt first; stable points converted back repay equity debt", () => {
  const engine = new Engine({ equity: { exitQuotaMultiple: "0" } });
  engine.join("A");
  engine.join("B");
  engine.order({ member: "A", amount: d("100"), plans: ["equity"], id: "a" }); // 21
  engine.order({ member: "B", amount: d("100"), plans: ["equity"], id: "b" });
  engine.toStable("A", d("10"));
  engine.sell("A", d("11"));
  engine.refund("a"); // A owes 21 equity points
  assert.deepEqual(engine.debts("A"), { equity: d("21") });
  const supply = engine.equity.supply;
  const stable = engine.balance("A", "stable");
  engine.fromStable("A", stable); // the points bought back from the treasury repay the debt and are burned
  const repaid = d("21") - (engine.debts("A").equity ?? 0n);
  assert.ok(repaid > 0n);
  assert.equal(engine.balance("A", "equity"), 0n);
  assert.equal(engine.equity.supply, supply - repaid, "points repaying a debt leave circulation");
  assert.equal(engine.balance("A", "stable"), 0n);
});

test("a refund after an exit removes no exit quota below zero; a refund before takes back only the order's", () => {
  const engine = new Engine({ equity: { exitQuotaMultiple: "1" } });
  engine.join("A");
  engine.join("B");
  engine.order({ member: "A", amount: d("100"), plans: ["equity"], id: "a1" });
  engine.order({ member: "A", amount: d("100"), plans: ["equity"], id: "a2" });
  assert.equal(engine.balance("A", "exitQuota"), d("200"));
  engine.refund("a2");
  assert.equal(engine.balance("A", "exitQuota"), d("100"));
  for (let i = 0; i < 200 && engine.balance("A", "exitQuota") > 0n; i++) {
    engine.order({ member: "B", amount: d("1000"), plans: ["equity"] });
  }
  // A's holdings came to be worth its quota: A was sold out and its quota burned.
  assert.equal(engine.balance("A", "exitQuota"), 0n);
  assert.equal(engine.balance("A", "equity"), 0n);
  engine.refund("a1");
  assert.equal(engine.balance("A", "exitQuota"), 0n);
  assert.equal(engine.book.balance("burn:exitQuota", "exitQuota"), d("200"));
});

test("a dividend to a member who owes nothing goes to cash whole; no pools, no returns posted", () => {
  const r = result({ dividend: BigInt64Array.from([0n, d("20")]) });
  const txs = [...settlementTransactions(5, r, ledger())];
  assert.deepEqual(
    txs.map((t) => [t.kind, t.postings.map((p) => [p.account, p.amount])]),
    [
      [
        "cycle.dividend",
        [
          [CYCLE_POOL_ACCOUNT, -d("20")],
          ["m:B:cash", d("20")],
          ["m:B:quota", -d("20")],
          ["burn:quota", d("20")],
        ],
      ],
    ],
  );
});
