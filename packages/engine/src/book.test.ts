/**
 * The in-memory double-entry book (book.ts) and the ledger's names (ledger.ts):
 * what a posting may do to each kind of account, and the names every stored
 * posting carries. Figures are whole units chosen by hand.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Book, balanceKey, balancesFromTransactions, isBalanced, signFree, TxBuilder } from "./book.ts";
import {
  ASSETS,
  accountMember,
  CAUSE_RULES,
  cyclePoolAccount,
  PlatformAccount,
  type Posting,
  type Transaction,
  WALLET_ASSET,
  WALLETS,
} from "./ledger.ts";

const u = (units: number) => BigInt(units) * 1_000_000n;
const tx = (postings: Posting[], ref = "r1"): Transaction => ({ day: 1, kind: "adjustment", ref, postings });

test("only the outside, issuance, the operator, adjustments and debts may go below zero", () => {
  for (const free of [
    "world:payments",
    "world:withdrawals",
    "issuance:points",
    "p:operator",
    "p:adjustments",
    "m:A:debt:cash",
  ]) {
    assert.equal(signFree(free), true, free);
  }
  for (const fixed of [
    "m:A:cash",
    "m:A:gift",
    "p:equityPool",
    "p:treasury",
    "p:feeIncome",
    "p:cycleReturns",
    "p:pointsReceived",
    "p:cyclePool",
    "burn:points",
    "operator",
    "world",
  ]) {
    assert.equal(signFree(fixed), false, fixed);
  }
});

test("a posting that takes a fixed-sign account below zero is refused, naming it, and changes nothing", () => {
  const book = new Book();
  book.post(
    tx([
      { account: "world:payments", asset: "cny", amount: -u(5) },
      { account: "m:A:cash", asset: "cny", amount: u(5) },
    ]),
  );
  const before = book.entries();
  assert.throws(
    () =>
      book.post(
        tx(
          [
            { account: "p:operator", asset: "cny", amount: u(6) },
            { account: "m:A:cash", asset: "cny", amount: -u(6) },
          ],
          "r2",
        ),
      ),
    { message: "invariant violated: m:A:cash (cny) stays ≥ 0, got -1000000 in adjustment r2" },
  );
  assert.deepEqual(book.entries(), before, "the operator's +6 was not applied either");
  assert.equal(book.transactions.length, 1);
  assert.equal(book.memberTotal("cash"), u(5));
  // The sign-free side of the same movement is allowed: the operator may go negative.
  book.post(
    tx([
      { account: "p:operator", asset: "cny", amount: -u(2) },
      { account: "m:A:cash", asset: "cny", amount: u(2) },
    ]),
  );
  assert.equal(book.balance("p:operator", "cny"), -u(2));
  assert.equal(book.balance("m:A:cash", "cny"), u(7));
});

test("a debt account holds only debt: it may not go above zero", () => {
  const book = new Book();
  book.post(
    tx([
      { account: "m:A:debt:cash", asset: "cny", amount: -u(3) },
      { account: "p:operator", asset: "cny", amount: u(3) },
    ]),
  );
  assert.equal(book.balance("m:A:debt:cash", "cny"), -u(3));
  assert.throws(
    () =>
      book.post(
        tx([
          { account: "p:operator", asset: "cny", amount: -u(4) },
          { account: "m:A:debt:cash", asset: "cny", amount: u(4) },
        ]),
      ),
    { message: "invariant violated: m:A:debt:cash holds only debt" },
  );
  // Repaying exactly the debt brings it to 0, which is allowed.
  book.post(
    tx([
      { account: "p:operator", asset: "cny", amount: -u(3) },
      { account: "m:A:debt:cash", asset: "cny", amount: u(3) },
    ]),
  );
  assert.equal(book.balance("m:A:debt:cash", "cny"), 0n);
  assert.equal(book.memberTotal("debt:cash"), 0n);
});

test("a transaction must balance in each asset on its own", () => {
  assert.equal(isBalanced([]), true);
  assert.equal(
    isBalanced([
      { account: "a", asset: "cny", amount: u(1) },
      { account: "b", asset: "points", amount: -u(1) },
    ]),
    false,
    "one yuan against one point sums to zero but balances in neither",
  );
  assert.equal(
    isBalanced([
      { account: "a", asset: "cny", amount: u(1) },
      { account: "b", asset: "cny", amount: -u(1) },
      { account: "c", asset: "points", amount: u(2) },
      { account: "d", asset: "points", amount: -u(2) },
    ]),
    true,
  );
  const book = new Book();
  assert.throws(
    () =>
      book.post(
        tx([
          { account: "world:payments", asset: "cny", amount: -u(1) },
          { account: "m:A:points", asset: "points", amount: u(1) },
        ]),
      ),
    { message: "invariant violated: a transaction balances per asset" },
  );
  assert.deepEqual(book.entries(), []);
});

test("two postings to one account in a transaction: the second builds on the first", () => {
  const book = new Book();
  book.post(
    tx([
      { account: "world:payments", asset: "cny", amount: -u(5) },
      { account: "m:A:cash", asset: "cny", amount: u(5) },
      { account: "m:A:cash", asset: "cny", amount: -u(3) },
      { account: "p:operator", asset: "cny", amount: u(3) },
    ]),
  );
  assert.equal(book.balance("m:A:cash", "cny"), u(2));
  assert.equal(book.memberTotal("cash"), u(2));
  assert.equal(book.balance("p:operator", "cny"), u(3));
});

test("zero postings are dropped; a transaction of zeros is not recorded; without keeping, balances still move", () => {
  const book = new Book();
  book.post(tx([{ account: "m:A:cash", asset: "cny", amount: 0n }]));
  assert.equal(book.transactions.length, 0);
  book.post(
    tx([
      { account: "world:payments", asset: "cny", amount: -u(1) },
      { account: "m:B:cash", asset: "cny", amount: 0n },
      { account: "m:A:cash", asset: "cny", amount: u(1) },
    ]),
  );
  assert.deepEqual(book.transactions, [
    tx([
      { account: "world:payments", asset: "cny", amount: -u(1) },
      { account: "m:A:cash", asset: "cny", amount: u(1) },
    ]),
  ]);
  const whole = tx([
    { account: "world:payments", asset: "cny", amount: -u(1) },
    { account: "m:A:cash", asset: "cny", amount: u(1) },
  ]);
  book.post(whole);
  assert.equal(book.transactions[1], whole, "a transaction without zeros is kept as it was posted");

  assert.deepEqual(
    book.entries().map((e) => e.account),
    ["m:A:cash", "world:payments"],
    "a zero posting leaves no balance behind",
  );

  const light = new Book({ keepTransactions: false });
  light.post(whole);
  assert.deepEqual(light.transactions, []);
  assert.equal(light.balance("m:A:cash", "cny"), u(1));
  assert.equal(new Book({ keepTransactions: true }).transactions.length, 0);
});

test("member totals sum each wallet and each debt over members; platform accounts are not in them", () => {
  const book = new Book();
  book.post(
    tx([
      { account: "issuance:points", asset: "points", amount: -u(10) },
      { account: "m:A:gift", asset: "points", amount: u(6) },
      { account: "m:Bob:gift", asset: "points", amount: u(4) },
    ]),
  );
  book.post(
    tx([
      { account: "m:A:debt:points", asset: "points", amount: -u(2) },
      { account: "p:treasury", asset: "points", amount: u(1) },
      { account: "p:cyclePool", asset: "points", amount: u(1) },
    ]),
  );
  // Only "m:" names a member: an account merely starting with "m" is not one.
  book.post(
    tx([
      { account: "issuance:points", asset: "points", amount: -u(5) },
      { account: "mx:A:gift", asset: "points", amount: u(5) },
    ]),
  );
  assert.equal(book.memberTotal("gift"), u(10));
  assert.equal(book.memberTotal("debt:points"), -u(2));
  assert.equal(book.memberTotal("points"), 0n, "a debt is not the wallet");
  assert.equal(book.memberTotal("treasury"), 0n);
  assert.equal(book.memberTotal("cyclePool"), 0n);
  assert.equal(book.memberTotal("debt:treasury"), 0n);
});

test("entries: every non-zero balance, sorted by account then asset; the transactions alone give the same", () => {
  const book = new Book();
  book.post(
    tx([
      { account: "world:payments", asset: "cny", amount: -u(3) },
      { account: "m:B:cash", asset: "cny", amount: u(3) },
      { account: "issuance:points", asset: "points", amount: -u(2) },
      { account: "m:B:points", asset: "points", amount: u(2) },
      { account: "issuance:equity", asset: "equity", amount: -u(1) },
      { account: "m:B:points", asset: "equity", amount: u(1) },
    ]),
  );
  book.post(
    tx([
      { account: "m:B:cash", asset: "cny", amount: -u(3) },
      { account: "m:A:cash", asset: "cny", amount: u(3) },
    ]),
  );
  assert.deepEqual(book.entries(), [
    { account: "issuance:equity", asset: "equity", balance: -u(1) },
    { account: "issuance:points", asset: "points", balance: -u(2) },
    { account: "m:A:cash", asset: "cny", balance: u(3) },
    { account: "m:B:points", asset: "equity", balance: u(1) },
    { account: "m:B:points", asset: "points", balance: u(2) },
    { account: "world:payments", asset: "cny", balance: -u(3) },
  ]);
  // Within one account the assets sort the same whichever was used first.
  const both = new Book();
  both.post(
    tx([
      { account: "issuance:equity", asset: "equity", amount: -u(1) },
      { account: "m:C:x", asset: "equity", amount: u(1) },
      { account: "issuance:points", asset: "points", amount: -u(1) },
      { account: "m:C:x", asset: "points", amount: u(1) },
      { account: "m:D:x", asset: "points", amount: u(1) },
      { account: "issuance:points", asset: "points", amount: -u(1) },
      { account: "m:D:x", asset: "equity", amount: u(1) },
      { account: "issuance:equity", asset: "equity", amount: -u(1) },
    ]),
  );
  assert.deepEqual(
    both.entries().map((e) => `${e.account} ${e.asset}`),
    [
      "issuance:equity equity",
      "issuance:points points",
      "m:C:x equity",
      "m:C:x points",
      "m:D:x equity",
      "m:D:x points",
    ],
  );
  const derived = balancesFromTransactions(book.transactions);
  assert.equal(derived.get(balanceKey("m:B:cash", "cny")), 0n);
  assert.equal(derived.get(balanceKey("m:A:cash", "cny")), u(3));
  assert.equal(derived.get(balanceKey("m:B:points", "equity")), u(1));
  assert.equal(derived.get(balanceKey("m:B:points", "points")), u(2));
  assert.notEqual(balanceKey("m:B:points", "equity"), balanceKey("m:B:points", "points"));
  assert.equal(derived.size, 7);
});

test("the ledger's names are fixed: assets, wallets, the asset each wallet holds, causes, platform accounts", () => {
  assert.deepEqual([...ASSETS], ["cny", "points", "equity", "stable", "quota", "exitQuota", "weight"]);
  assert.deepEqual(
    [...WALLETS],
    ["cash", "points", "gift", "equity", "stable", "quota", "exitQuota", "weight"],
  );
  assert.deepEqual(WALLET_ASSET, {
    cash: "cny",
    points: "points",
    gift: "points",
    equity: "equity",
    stable: "stable",
    quota: "quota",
    exitQuota: "exitQuota",
    weight: "weight",
  });
  assert.deepEqual([...CAUSE_RULES], ["release.static", "release.share", "release.team", "release.peer"]);
  assert.deepEqual(PlatformAccount, {
    worldPayments: "world:payments",
    worldWithdrawals: "world:withdrawals",
    operator: "p:operator",
    equityPool: "p:equityPool",
    treasury: "p:treasury",
    feeIncome: "p:feeIncome",
    cycleReturns: "p:cycleReturns",
    pointsReceived: "p:pointsReceived",
    adjustments: "p:adjustments",
  });
  assert.equal(cyclePoolAccount("static"), "p:cyclePool:static");
});

test("accountMember reads the member of a wallet or debt account, null for anything else", () => {
  assert.equal(accountMember("m:A:cash"), "A");
  assert.equal(accountMember("m:会员7:debt:points"), "会员7");
  assert.equal(accountMember("p:operator"), null);
  assert.equal(accountMember("world:payments"), null);
  assert.equal(accountMember("m:A"), null, "no wallet: not an account");
  assert.equal(accountMember("xm:A:cash"), null);
});

test("a move is of a non-negative amount: a negative one is refused", () => {
  const builder = new TxBuilder(new Book());
  assert.throws(() => builder.move("p:operator", "m:A:cash", "cny", -1n), {
    message: "invariant violated: a move is of a non-negative amount",
  });
  builder.move("p:operator", "m:A:cash", "cny", 0n);
  assert.deepEqual(builder.postings, [], "a move of 0 posts nothing");
});

test("a transaction being built reads its own pending postings, with few postings and with many", () => {
  const book = new Book();
  book.post({
    day: 1,
    kind: "adjustment",
    ref: "seed",
    postings: [
      { account: "p:operator", asset: "cny", amount: -100n },
      { account: "m:A:cash", asset: "cny", amount: 100n },
    ],
  });
  const builder = new TxBuilder(book);
  const expected = new Map<string, bigint>([["m:A:cash", 100n]]);
  for (let k = 0; k < 40; k++) {
    const to = `m:M${k % 7}:cash`;
    builder.move("m:A:cash", to, "cny", 1n);
    builder.add("m:A:cash", "points", 0n);
    expected.set("m:A:cash", (expected.get("m:A:cash") ?? 0n) - 1n);
    expected.set(to, (expected.get(to) ?? 0n) + 1n);
    for (const [account, balance] of expected)
      assert.equal(builder.balance(account, "cny"), balance, `${k} ${account}`);
    assert.equal(builder.balance("m:A:cash", "points"), 0n, "another asset of the same account");
  }
  assert.equal(builder.postings.length, 80);
});
