/**
 * The reward steps (steps.ts, equity-steps.ts) over a store that holds them to the
 * server's locking contract (src/testing/locking-store.ts): each sequence reads and
 * posts only balance rows it locked, and locks exactly the rows listed here, in
 * this order of store calls. The replay's store ignores the lock lists (its book
 * is all in memory), so only these tests see them; the server relies on them.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { configFromInput } from "./config.ts";
import { initialEquityState } from "./equity.ts";
import { fromStableSteps, payStableSteps, redeemSteps, sellSteps, toStableSteps } from "./equity-steps.ts";
import {
  type AsyncRewardStore,
  dayOpenSteps,
  eligibleSteps,
  exitCheckSteps,
  type RewardOrder,
  refundSteps,
  runSteps,
  runStepsAsync,
} from "./steps.ts";
import { LockingStore, Refused } from "./testing/locking-store.ts";

const rich = configFromInput({
  equity: { referrerShare: "0.1", buyerShare: "0.6" },
  cycle: { referralWeightRatio: "0.5" },
  release: { packages: [{ name: "p", minAmount: "100", multiple: "2" }] },
}).config;
const plain = configFromInput({}).config;

const B_EQUITY = "m:B:equity/equity m:B:debt:equity/equity";
const A_EQUITY = "m:A:equity/equity m:A:debt:equity/equity";

test("an eligible order with every plan and a referrer: what each plan locks, appends and records", () => {
  const store = new LockingStore(initialEquityState(rich.equity), ["A", "B"], new Map([["B", "A"]]));
  const order: RewardOrder = {
    ref: "o1",
    memberId: "B",
    amount: 1000_000000n,
    plans: new Set(["equity", "cycle", "release"]),
  };
  store.begin();
  const effects = runSteps(eligibleSteps(order, rich), store);
  assert.deepEqual(store.log, [
    "referrerOf B",
    "lockEquityState",
    `lock ${B_EQUITY} m:B:exitQuota/exitQuota ${A_EQUITY}`,
    "append equity.grant o1",
    "refileExit B A",
    "nextExit",
    "saveEquityState",
    "lock m:B:quota/quota m:B:weight/weight m:B:debt:weight/weight m:A:weight/weight m:A:debt:weight/weight",
    "append cycle.grant o1",
    "lock m:B:gift/points",
    "append release.gift o1",
    "recordEligible o1",
  ]);
  assert.equal(effects.equity?.referrerPoints, 30_000000n);
  assert.equal(effects.cycle?.referrerWeight, 500000n);
  assert.equal(effects.release?.gift, 2000_000000n);

  // The refund reverses all of it in one transaction, after closing the open gift.
  store.begin();
  store.openGift = (gift) => ({ remaining: gift - 5_000000n, released: 5_000000n });
  assert.equal(runSteps(refundSteps(order, rich), store), true);
  assert.deepEqual(store.log, [
    "lockEquityState",
    `lock ${B_EQUITY} m:B:exitQuota/exitQuota m:B:quota/quota m:B:weight/weight m:B:debt:weight/weight m:B:cash/cny m:B:debt:cash/cny m:B:gift/points m:B:points/points m:B:debt:points/points ${A_EQUITY} m:A:weight/weight m:A:debt:weight/weight`,
    "takeOpenGift o1 2000000000",
    "append refund.reverse o1",
    "recordReversed o1",
    "refileExit B A",
    "saveEquityState",
  ]);
  const reversal = store.book.transactions.at(-1);
  assert.equal(reversal?.kind, "refund.reverse");
  // The 5 points released and no longer held become the buyer's debt.
  assert.equal(store.book.balance("m:B:debt:points", "points"), -5_000000n);
  assert.equal(store.state.supply, 0n);

  // A second refund finds nothing to reverse and touches nothing.
  store.begin();
  assert.equal(runSteps(refundSteps(order, rich), store), false);
  assert.deepEqual(store.log, []);
});

test("without a referrer only the buyer's rows are locked and re-filed", () => {
  const store = new LockingStore(initialEquityState(rich.equity), ["B"]);
  const order: RewardOrder = { ref: "o1", memberId: "B", amount: 1000_000000n, plans: ["equity", "cycle"] };
  store.begin();
  const effects = runSteps(eligibleSteps(order, rich), store);
  assert.deepEqual(store.log, [
    "referrerOf B",
    "lockEquityState",
    `lock ${B_EQUITY} m:B:exitQuota/exitQuota`,
    "append equity.grant o1",
    "refileExit B",
    "nextExit",
    "saveEquityState",
    "lock m:B:quota/quota m:B:weight/weight m:B:debt:weight/weight",
    "append cycle.grant o1",
    "recordEligible o1",
  ]);
  assert.equal(effects.release, undefined, "the release plan was not chosen");
  store.begin();
  assert.equal(runSteps(refundSteps(order, rich), store), true);
  assert.deepEqual(store.log, [
    "lockEquityState",
    `lock ${B_EQUITY} m:B:exitQuota/exitQuota m:B:quota/quota m:B:weight/weight m:B:debt:weight/weight m:B:cash/cny m:B:debt:cash/cny m:B:gift/points m:B:points/points m:B:debt:points/points`,
    "append refund.reverse o1",
    "recordReversed o1",
    "refileExit B",
    "saveEquityState",
  ]);
});

test("an order below every package gifts nothing and locks no gift row; a cycle-only refund leaves the equity state alone", () => {
  const store = new LockingStore(initialEquityState(rich.equity), ["B"]);
  const order: RewardOrder = { ref: "o1", memberId: "B", amount: 50_000000n, plans: ["cycle", "release"] };
  store.begin();
  const effects = runSteps(eligibleSteps(order, rich), store);
  assert.equal(effects.release, undefined);
  assert.deepEqual(store.log, [
    "referrerOf B",
    "lock m:B:quota/quota m:B:weight/weight m:B:debt:weight/weight",
    "append cycle.grant o1",
    "recordEligible o1",
  ]);
  store.begin();
  assert.equal(runSteps(refundSteps(order, rich), store), true);
  assert.deepEqual(store.log, [
    `lock ${B_EQUITY} m:B:exitQuota/exitQuota m:B:quota/quota m:B:weight/weight m:B:debt:weight/weight m:B:cash/cny m:B:debt:cash/cny m:B:gift/points m:B:points/points m:B:debt:points/points`,
    "append refund.reverse o1",
    "recordReversed o1",
  ]);
});

test("the exit check: a member whose holdings reach the exit quota sells everything at once", () => {
  const config = configFromInput({ equity: { exitQuotaMultiple: "0.01" } }).config;
  const store = new LockingStore(initialEquityState(config.equity), ["A", "B"]);
  const order: RewardOrder = { ref: "o2", memberId: "A", amount: 100_000000n, plans: ["equity"] };
  store.begin();
  runSteps(dayOpenSteps([order], config), store);
  assert.deepEqual(store.log, [
    "lockEquityState",
    "saveEquityState",
    "referrerOf A",
    "lockEquityState",
    "lock m:A:equity/equity m:A:debt:equity/equity m:A:exitQuota/exitQuota",
    "append equity.grant o2",
    "refileExit A",
    "nextExit",
    `lock ${A_EQUITY} m:A:cash/cny m:A:debt:cash/cny m:A:exitQuota/exitQuota`,
    "append equity.exit ref:A",
    "refileExit A",
    "saveEquityState",
    "recordEligible o2",
  ]);
  assert.equal(store.book.balance("m:A:equity", "equity"), 0n);
  assert.equal(store.book.balance("m:A:exitQuota", "exitQuota"), 0n);
  assert.ok(store.book.balance("m:A:cash", "cny") > 0n);
  assert.equal(store.state.supply, 0n);
});

test("with no exit multiple the exit check asks the store nothing", () => {
  const config = configFromInput({ equity: { exitQuotaMultiple: "0" } }).config;
  const store = new LockingStore(initialEquityState(config.equity), ["A"]);
  store.begin();
  runSteps(exitCheckSteps(config), store);
  assert.deepEqual(store.log, []);
  const order: RewardOrder = { ref: "o3", memberId: "A", amount: 100_000000n, plans: ["equity"] };
  runSteps(eligibleSteps(order, config), store);
  assert.deepEqual(store.log, [
    "referrerOf A",
    "lockEquityState",
    "lock m:A:equity/equity m:A:debt:equity/equity m:A:exitQuota/exitQuota",
    "append equity.grant o3",
    "refileExit A",
    "saveEquityState",
    "recordEligible o3",
  ]);
});

test("a member's equity commands: what each locks and appends", () => {
  const store = new LockingStore(initialEquityState(plain.equity), ["A", "B"], new Map([["B", "A"]]));
  store.begin();
  runSteps(
    eligibleSteps({ ref: "o1", memberId: "B", amount: 1000_000000n, plans: ["equity"] }, plain),
    store,
  );
  const run = (steps: Parameters<typeof runSteps>[0]) => {
    store.begin();
    runSteps(steps, store);
    return [...store.log];
  };
  const tail = (kind: string) => [`append ${kind} ref:B`, "refileExit B", "nextExit", "saveEquityState"];
  assert.deepEqual(run(sellSteps("B", 10_000000n, plain)), [
    "lockEquityState",
    `lock ${B_EQUITY} m:B:cash/cny m:B:debt:cash/cny`,
    ...tail("equity.sell"),
  ]);
  assert.deepEqual(run(toStableSteps("B", 10_000000n, plain)), [
    "lockEquityState",
    `lock ${B_EQUITY} m:B:stable/stable m:B:debt:stable/stable`,
    ...tail("equity.toStable"),
  ]);
  assert.deepEqual(run(fromStableSteps("B", 1_000000n, plain)), [
    "lockEquityState",
    `lock ${B_EQUITY} m:B:stable/stable m:B:debt:stable/stable p:treasury/equity`,
    ...tail("equity.fromStable"),
  ]);
  assert.deepEqual(run(payStableSteps("B", "A", 1_000000n)), [
    "lock m:B:stable/stable m:B:debt:stable/stable m:A:stable/stable m:A:debt:stable/stable",
    "append stable.pay ref:B->A",
  ]);
  assert.equal(store.book.balance("m:A:stable", "stable"), 1_000000n);
  assert.deepEqual(run(redeemSteps("B", 1_000000n, plain)), [
    "lockEquityState",
    `lock ${B_EQUITY}`,
    ...tail("equity.redeem"),
  ]);
  const moves = store.book.transactions.map((t) => t.kind);
  assert.deepEqual(moves, [
    "equity.grant",
    "equity.sell",
    "equity.toStable",
    "equity.fromStable",
    "stable.pay",
    "equity.redeem",
  ]);
});

test("a command needing more than is held is refused through the store with what was held and needed, and nothing is written", () => {
  const store = new LockingStore(initialEquityState(plain.equity), ["A", "B"]);
  const refused = (steps: Parameters<typeof runSteps>[0]) => {
    store.begin();
    const before = store.book.transactions.length;
    try {
      runSteps(steps, store);
    } catch (e) {
      assert.equal(store.book.transactions.length, before);
      if (e instanceof Refused) return e.shortage;
      throw e;
    }
    assert.fail("not refused");
  };
  // Nothing in circulation: a redeem has no price.
  assert.deepEqual(refused(redeemSteps("B", 5_000000n, plain)), {
    code: "INSUFFICIENT_EQUITY",
    field: "amount",
    memberId: "B",
    held: 0n,
    needed: 5_000000n,
  });
  store.begin();
  runSteps(
    eligibleSteps({ ref: "o1", memberId: "B", amount: 1000_000000n, plans: ["equity"] }, plain),
    store,
  );
  const held = store.book.balance("m:B:equity", "equity");
  assert.deepEqual(refused(sellSteps("B", held + 1n, plain)), {
    code: "INSUFFICIENT_EQUITY",
    field: "points",
    memberId: "B",
    held,
    needed: held + 1n,
  });
  assert.deepEqual(refused(toStableSteps("B", held + 1n, plain)), {
    code: "INSUFFICIENT_EQUITY",
    field: "points",
    memberId: "B",
    held,
    needed: held + 1n,
  });
  assert.equal(refused(redeemSteps("B", 100000_000000n, plain))?.field, "amount");
  assert.deepEqual(refused(fromStableSteps("B", 1n, plain)), {
    code: "INSUFFICIENT_STABLE",
    field: "stable",
    memberId: "B",
    held: 0n,
    needed: 1n,
  });
  assert.deepEqual(refused(payStableSteps("B", "A", 1n)), {
    code: "INSUFFICIENT_STABLE",
    field: "stable",
    memberId: "B",
    held: 0n,
    needed: 1n,
  });
  // Stable points bought with 10 equity points; the treasury then holds those 10.
  store.begin();
  runSteps(toStableSteps("B", 10_000000n, plain), store);
  const stable = store.book.balance("m:B:stable", "stable");
  assert.ok(stable > 0n);
  store.fund([
    { account: "m:A:stable", asset: "stable", amount: 10n * stable },
    { account: "issuance:stable", asset: "stable", amount: -10n * stable },
  ]);
  const s = refused(fromStableSteps("A", 2n * stable, plain));
  assert.equal(s?.code, "TREASURY_SHORT");
  assert.equal(s?.field, "stable");
  assert.equal(s?.memberId, "A");
  assert.equal(s?.held, 10_000000n);
  assert.ok((s?.needed ?? 0n) > 10_000000n);
  // Exactly what is held is allowed.
  store.begin();
  runSteps(sellSteps("B", store.book.balance("m:B:equity", "equity"), plain), store);
  assert.equal(store.book.balance("m:B:equity", "equity"), 0n);
});

test("runStepsAsync runs a sequence over a store answering with promises, with the same calls and result", async () => {
  const order: RewardOrder = {
    ref: "o1",
    memberId: "B",
    amount: 1000_000000n,
    plans: ["equity", "cycle", "release"],
  };
  const sync = new LockingStore(initialEquityState(rich.equity), ["A", "B"], new Map([["B", "A"]]));
  sync.begin();
  const expected = runSteps(eligibleSteps(order, rich), sync);
  const inner = new LockingStore(initialEquityState(rich.equity), ["A", "B"], new Map([["B", "A"]]));
  inner.begin();
  const asyncStore = new Proxy(inner, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      return typeof value === "function"
        ? (...args: unknown[]) =>
            new Promise((resolve) => setImmediate(() => resolve(value.apply(target, args))))
        : value;
    },
  }) as unknown as AsyncRewardStore;
  const actual = await runStepsAsync(eligibleSteps(order, rich), asyncStore);
  assert.deepEqual(actual, expected);
  assert.deepEqual(inner.log, sync.log);
  assert.deepEqual(inner.book.entries(), sync.book.entries());
});

test("a member command returns its transaction's id from the store and the postings it appended", () => {
  const store = new LockingStore(initialEquityState(plain.equity), ["A", "B"]);
  store.begin();
  runSteps(
    eligibleSteps({ ref: "o1", memberId: "B", amount: 1000_000000n, plans: ["equity"] }, plain),
    store,
  );
  store.begin();
  const sold = runSteps(sellSteps("B", 10_000000n, plain), store);
  assert.equal(sold.transactionId, undefined, "this store numbers no transactions");
  assert.ok(sold.postings.length > 0);
  assert.deepEqual(sold.postings, store.book.transactions.at(-1)?.postings);
  store.begin();
  runSteps(toStableSteps("B", 10_000000n, plain), store);
  store.begin();
  const paid = runSteps(payStableSteps("B", "A", 1_000000n), store);
  assert.deepEqual(paid.postings, store.book.transactions.at(-1)?.postings);
  assert.ok(paid.postings.length > 0);
});

test("the exit check stops with an invariant error when the store offers a member who does not qualify", () => {
  const config = configFromInput({ equity: { exitQuotaMultiple: "3" } }).config;
  class Wrong extends LockingStore {
    override nextExit(): string | undefined {
      return "A";
    }
  }
  const store = new Wrong(initialEquityState(config.equity), ["A"]);
  store.begin();
  assert.throws(
    () =>
      runSteps(
        eligibleSteps({ ref: "o1", memberId: "A", amount: 100_000000n, plans: ["equity"] }, config),
        store,
      ),
    (e: unknown) => e instanceof Error && e.message === "invariant violated: a ready member qualifies",
  );
});
