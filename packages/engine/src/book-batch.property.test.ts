/**
 * Property: an engine that keeps no transactions (a simulation's: the day's
 * releases and dividends, and `adjustMany`, posted as one aggregated book
 * batch) ends every day with the same balances, wallet totals and daily
 * figures as the engine of the replay and the server (one ledger transaction
 * per movement), on random scenarios of the scenario generator — with debts
 * from refunds, star levels, cycle pools and adjustments among them.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Book } from "./book.ts";
import { Engine } from "./engine.ts";
import { EngineError } from "./errors.ts";
import { WALLETS } from "./ledger.ts";
import { FEN, parseDecimal } from "./money.ts";
import { applyEvent } from "./replay.ts";
import { acceptedOnly, propertyParams, scenarioArb } from "./testing/arbitraries.ts";

type Event = Record<string, unknown> & { type: string };

const TOTALS = [...WALLETS, "debt:cash", "debt:points", "debt:equity", "debt:stable", "debt:weight"];

/** What must match between the two engines after each day: balances, totals, the day's figures. */
function stateOf(engine: Engine) {
  return {
    entries: engine.book.entries(),
    totals: TOTALS.map((w) => engine.book.memberTotal(w)),
    settlements: engine.settlements,
    equity: engine.equity,
    burned: engine.equityBurned(),
  };
}

/** Runs `a` and `b`: both succeed, or both are refused with the same code. */
function sameOutcome(a: () => void, b: () => void): void {
  const code = (run: () => void) => {
    try {
      run();
      return null;
    } catch (error) {
      if (error instanceof EngineError) return error.code;
      throw error;
    }
  };
  assert.equal(code(b), code(a));
}

/** Consecutive `adjust` events of one asset and reason, each of another member: one `adjustMany`. */
function adjustRun(events: readonly Event[], from: number): Event[] {
  const first = events[from] as Event;
  const run = [first];
  const members = new Set([first.member]);
  for (let k = from + 1; k < events.length; k++) {
    const e = events[k] as Event;
    if (e.type !== "adjust" || e.asset !== first.asset || e.reason !== first.reason || members.has(e.member))
      break;
    members.add(e.member);
    run.push(e);
  }
  return run;
}

const seen = { batchedDays: 0, debtRepaid: 0, adjustBatches: 0, eachAtDays: 0 };

/**
 * A simulator's day of withdrawals before the day closes: each member with
 * cash takes out half of it (to the fen), `adjust` by `adjust` on the full
 * engine, one `adjustMany` or one `adjustEachAt` on the lean one.
 */
function withdrawHalf(full: Engine, lean: Engine): void {
  const entries = full
    .memberIds()
    .map((member) => ({ member, amount: -((full.balance(member, "cash") / 2n / FEN) * FEN) }))
    .filter((e) => e.amount < 0n);
  for (const e of entries) full.adjust(e.member, "cash", e.amount, "withdrawal");
  // The lean engine batches them (on alternate days `adjustMany` with the amounts read first, or
  // `adjustEachAt` reading each balance as it goes); the full engine above posted one adjustment after another.
  if (seen.batchedDays % 2 === 0) {
    if (entries.length > 0) lean.adjustMany("cash", entries, "withdrawal");
  } else {
    const everyone = Int32Array.from(lean.memberIds(), (_, i) => i);
    const count = lean.adjustEachAt("cash", everyone, (_, cash) => -((cash / 2n / FEN) * FEN), "withdrawal");
    assert.equal(count, entries.length, "adjustEachAt leaves out the members whose amount is 0");
    seen.eachAtDays++;
  }
  if (entries.length > 1) seen.adjustBatches++;
}

test("a book batch leaves the balances and daily figures of one transaction per movement", () => {
  const params = propertyParams(120);
  fc.assert(
    fc.property(scenarioArb({ maxSteps: 80 }), (generated) => {
      const scenario = acceptedOnly(generated);
      const full = new Engine(scenario.config);
      const lean = new Engine(scenario.config, { keepTransactions: false });
      const events = scenario.events as Event[];
      for (let k = 0; k < events.length; ) {
        const event = events[k] as Event;
        if (event.type === "adjust") {
          // A run of adjustments: one adjustMany on each engine (the full engine posts one transaction per entry).
          const run = adjustRun(events, k);
          const asset = String(event.asset);
          const entries = run.map((e) => ({
            member: String(e.member),
            amount: parseDecimal(e.amount, asset === "cash" ? 2 : 6),
          }));
          const reason = String(event.reason ?? "");
          sameOutcome(
            () => full.adjustMany(asset, entries, reason),
            () => lean.adjustMany(asset, entries, reason),
          );
          if (run.length > 1) seen.adjustBatches++;
          k += run.length;
        } else {
          if (event.type === "endOfDay") {
            if (full.book.memberTotal("debt:points") + full.book.memberTotal("debt:cash") < 0n)
              seen.debtRepaid++;
            seen.batchedDays++;
            withdrawHalf(full, lean);
          }
          // The withdrawals change what later events find, so an event may now be refused: by both alike.
          sameOutcome(
            () => applyEvent(full, event),
            () => applyEvent(lean, event),
          );
          k++;
        }
        assert.deepEqual(stateOf(lean), stateOf(full), `after event ${k - 1} (${event.type})`);
      }
      assert.equal(lean.book.transactions.length, 0, "the lean engine keeps no transaction");
    }),
    params,
  );
  // The scenarios reached what the batch changes: settled days, debts owed at a settlement, batched adjustments
  // (the counts scale with the runs: JIFEN_PROPERTY_SCALE=0.1 makes 12 runs of the 120).
  assert.ok(seen.batchedDays > (100 * params.numRuns) / 120, `settled days: ${seen.batchedDays}`);
  assert.ok(seen.debtRepaid > 0, "a day settled while a member owed points or cash");
  assert.ok(
    seen.eachAtDays > (40 * params.numRuns) / 120,
    `days withdrawn with adjustEachAt: ${seen.eachAtDays}`,
  );
  assert.ok(
    seen.adjustBatches > Math.floor((10 * params.numRuns) / 120),
    `adjustMany with more than one entry: ${seen.adjustBatches}`,
  );
});

test("adjustMany refuses a whole batch when one entry is refused, with nothing changed", () => {
  for (const keepTransactions of [true, false]) {
    const engine = new Engine({}, { keepTransactions });
    engine.join("A");
    engine.join("B");
    engine.adjust("A", "cash", parseDecimal("10"), "seed");
    const before = engine.book.entries();
    const refused = (entries: { member: string; amount: bigint }[], code: string) =>
      assert.throws(
        () => engine.adjustMany("cash", entries, "withdrawal"),
        (e: unknown) => e instanceof EngineError && e.code === code,
      );
    refused(
      [
        { member: "A", amount: parseDecimal("-5") },
        { member: "B", amount: parseDecimal("-1") },
      ],
      "ADJUST_BELOW_ZERO",
    );
    refused(
      [
        { member: "A", amount: parseDecimal("-5") },
        { member: "A", amount: parseDecimal("-1") },
      ],
      "INVALID_FIELD",
    );
    refused([{ member: "A", amount: parseDecimal("-0.001") }], "TOO_MANY_PLACES");
    assert.deepEqual(engine.book.entries(), before, `nothing changed (keepTransactions ${keepTransactions})`);
    engine.adjustMany(
      "cash",
      [
        { member: "A", amount: parseDecimal("-4") },
        { member: "B", amount: parseDecimal("2") },
      ],
      "withdrawal",
    );
    assert.equal(engine.balance("A", "cash"), parseDecimal("6"));
    assert.equal(engine.balance("B", "cash"), parseDecimal("2"));
    assert.equal(engine.book.balance("p:adjustments", "cny"), parseDecimal("-8"));
    assert.equal(engine.book.transactions.length, keepTransactions ? 3 : 0);
  }
});

test("a batch that would take an account below zero is refused whole; a book that keeps transactions has none", () => {
  const book = new Book({ keepTransactions: false });
  const batch = book.batch();
  batch.add("p:adjustments", "cny", parseDecimal("-3"));
  batch.add("m:A:cash", "cny", parseDecimal("3"));
  batch.commit();
  const refused = book.batch();
  refused.add("m:A:cash", "cny", parseDecimal("-2"));
  refused.add("m:A:cash", "cny", parseDecimal("-2"));
  refused.add("p:adjustments", "cny", parseDecimal("4"));
  assert.throws(() => refused.commit(), /stays ≥ 0/);
  const unbalanced = book.batch();
  unbalanced.add("m:A:cash", "cny", parseDecimal("-1"));
  assert.throws(() => unbalanced.commit(), /balances per asset/);
  assert.equal(book.balance("m:A:cash", "cny"), parseDecimal("3"), "refused batches changed nothing");
  assert.equal(book.memberTotal("cash"), parseDecimal("3"));
  const again = book.batch();
  again.add("m:A:cash", "cny", parseDecimal("-1"));
  again.add("p:adjustments", "cny", parseDecimal("1"));
  again.commit();
  assert.equal(
    book.balance("m:A:cash", "cny"),
    parseDecimal("2"),
    "a slot of a refused batch is usable again",
  );
  assert.throws(() => new Book().batch(), /one by one/);
});
