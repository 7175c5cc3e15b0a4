/**
 * The accounts the plans' movements post to, and what a grant records for its refund.
 * Account names are stored with every posting (the server's ledger, exported
 * ledgers), so they are fixed: a name changed in the code would split one account
 * into two. Figures by hand from shared/spec/models.md (§1.1 table, §1.4, §2).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Book, TxBuilder } from "./book.ts";
import {
  CYCLE_POOL_ACCOUNT,
  creditMember,
  DEBT_WALLETS,
  debitMember,
  equityToStable,
  grantCycle,
  reverseCycle,
  settlementTransactions,
  stableToEquity,
} from "./commands.ts";
import { configFromInput } from "./config.ts";
import type { EquityState } from "./equity.ts";
import { parseDecimal } from "./money.ts";
import type { SettlementResult } from "./settlement.ts";

const d = (text: string) => parseDecimal(text);
const defaults = configFromInput({}).config;

/** After the first order of §1.1's table: P = 30, S = I = 21 (price 30/21 ≈ 1.4286). */
const afterFirstOrder: EquityState = {
  pool: d("30"),
  supply: d("21"),
  issued: d("21"),
  priceNum: 0n,
  priceDen: 1n,
};

test("equity → stable (§1.4): the points go to the treasury, the stable points are issued", () => {
  const tx = new TxBuilder(new Book());
  // 7 points × 30/21 = 10 stable points exactly.
  assert.equal(equityToStable(tx, afterFirstOrder, "A", d("7")), d("10"));
  assert.deepEqual(tx.postings, [
    { account: "m:A:equity", asset: "equity", amount: -d("7") },
    { account: "p:treasury", asset: "equity", amount: d("7") },
    { account: "issuance:stable", asset: "stable", amount: -d("10") },
    { account: "m:A:stable", asset: "stable", amount: d("10") },
  ]);
});

test("stable → equity (§1.4): the stable points are burned, the points come from the treasury", () => {
  const tx = new TxBuilder(new Book());
  // 10 stable points / (30/21) = 7 points exactly; P and S unchanged (the treasury is in S).
  const state = stableToEquity(tx, afterFirstOrder, "M", d("10"));
  assert.deepEqual(tx.postings, [
    { account: "m:M:stable", asset: "stable", amount: -d("10") },
    { account: "burn:stable", asset: "stable", amount: d("10") },
    { account: "p:treasury", asset: "equity", amount: -d("7") },
    { account: "m:M:equity", asset: "equity", amount: d("7") },
  ]);
  assert.equal(state.pool, d("30"));
  assert.equal(state.supply, d("21"));
});

test("every wallet that can carry a debt has it repaid first by the next credit", () => {
  // The list is public: the server refuses withdrawals and reports liabilities from it.
  assert.deepEqual([...DEBT_WALLETS], ["cash", "points", "equity", "stable", "weight"]);
  const assets = {
    cash: "cny",
    points: "points",
    equity: "equity",
    stable: "stable",
    weight: "weight",
  } as const;
  for (const wallet of ["cash", "points", "equity", "stable", "weight"] as const) {
    const tx = new TxBuilder(new Book());
    const asset = assets[wallet];
    // Owes 3, then 5 is credited: 3 repays the debt, 2 reaches the wallet.
    assert.equal(debitMember(tx, "A", wallet, d("3"), "p:operator"), 0n, wallet);
    assert.equal(creditMember(tx, "A", wallet, d("5"), "p:adjustments"), d("3"), wallet);
    assert.equal(tx.balance(`m:A:debt:${wallet}`, asset), 0n, wallet);
    assert.equal(tx.balance(`m:A:${wallet}`, asset), d("2"), wallet);
  }
});

test("a cycle grant without a referrer records no referrer weight for its refund (§2)", () => {
  const tx = new TxBuilder(new Book());
  // Quota 2 × the amount, weight 1 per 1,000 yuan (§2's defaults); a referrer would get half.
  const cycle = configFromInput({ cycle: { referralWeightRatio: "0.5" } }).config.cycle;
  const effects = grantCycle(tx, cycle, "B", undefined, d("10000"));
  assert.deepEqual(effects, { quota: d("20000"), weight: d("10"), referrer: undefined, referrerWeight: 0n });
  assert.deepEqual(
    tx.postings.map((p) => [p.account, p.amount]),
    [
      ["issuance:quota", -d("20000")],
      ["m:B:quota", d("20000")],
      ["issuance:weight", -d("10")],
      ["m:B:weight", d("10")],
    ],
  );
  reverseCycle(tx, "B", effects);
  assert.equal(tx.balance("m:B:weight", "weight"), 0n);
  assert.equal(tx.balance("m:B:quota", "quota"), 0n);
  assert.equal(tx.balance("issuance:weight", "weight"), 0n);
});

test("the day's cycle pools are funded into and returned from the account p:cyclePool", () => {
  assert.equal(CYCLE_POOL_ACCOUNT, "p:cyclePool");
  const none = () => new BigInt64Array(1);
  const result = {
    static: none(),
    share: none(),
    team: none(),
    peer: none(),
    dividend: none(),
    staticOrder: Int32Array.from([-1]),
    shareByGeneration: new BigInt64Array(2),
    shareSource: Int32Array.from([-1, -1]),
    star: Int8Array.from([-1]),
    totals: { pooled: d("30"), returned: d("30") },
  } as unknown as SettlementResult;
  const ledger = {
    memberIds: ["A"],
    pointsOwed: new BigInt64Array(1),
    cashOwed: new BigInt64Array(1),
    release: defaults.release,
    orderIds: [],
  };
  const txs = [...settlementTransactions(1, result, ledger)];
  assert.deepEqual(
    txs.map((t) => [t.kind, t.postings.map((p) => [p.account, p.amount])]),
    [
      [
        "cycle.pools",
        [
          ["p:operator", -d("30")],
          ["p:cyclePool", d("30")],
        ],
      ],
      [
        "cycle.returns",
        [
          ["p:cyclePool", -d("30")],
          ["p:cycleReturns", d("30")],
        ],
      ],
    ],
  );
});
