/**
 * Issue 17: a day between its compute and its last apply batch (its ledger
 * committed, some members' deltas not applied yet), on both databases.
 * - `jifen verify` agrees: a stored balance not yet marked with the day is
 *   read with its pending delta (docs/server.md "Verify");
 * - a backup taken then restores (the deltas' table with it) and verifies,
 *   and the restored shop finishes the day to the same balances as the
 *   original;
 * - the rules of docs/rules.md "While a day settles": a refund of an order
 *   the day settles is refused with SETTLEMENT_RUNNING and changes nothing
 *   (it goes through once the day is done); a withdrawal sees the member's
 *   cash as it is before the member's batch (the day's credit cannot be
 *   withdrawn yet) and after it (it can).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { formatDecimal, parseDecimal } from "@jifen/engine";
import pg from "pg";
import { restoreBackup, writeBackup } from "../src/backup/index.ts";
import type { Db } from "../src/db/index.ts";
import { AppError } from "../src/errors/index.ts";
import { REWARD_HOOKS } from "../src/rewards/index.ts";
import { settleDue } from "../src/settlement/index.ts";
import { lockOrder, markRefunded } from "../src/shop/index.ts";
import { verifyLedger } from "../src/verify/index.ts";
import { requestWithdrawal } from "../src/wallets/withdrawals.ts";
import { SHOP } from "./backup.test.ts";
import { openTestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import { driveScenario, SCENARIO_TZ, type ServerScenario } from "./support/scenario.ts";

const dir = mkdtempSync(join(tmpdir(), "jifen-pending-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** SHOP with 5 yuan of cash for each member (a withdrawal above the minimum), cycle sales on day 3, which is left open. */
const SCENARIO: ServerScenario = {
  config: SHOP.config,
  events: [
    ...SHOP.events.slice(0, 3),
    ...["A", "B", "C"].map((member) => ({ type: "adjust", member, asset: "cash", amount: "5", reason: "t" })),
    ...SHOP.events.slice(3),
    // Cycle sales of the day left open: its settlement pays dividends in cash.
    { type: "order", member: "A", amount: "2000", plans: ["cycle"], id: "a3" },
    { type: "order", member: "C", amount: "1500", plans: ["cycle"], id: "c4" },
  ],
};

/** Every balance row with its mark, and the ledger's size: what a refusal must leave unchanged. */
async function state(db: Db): Promise<string> {
  const balances = await db.query(
    "select account, asset, amount::text, settled_day::text from balances order by account, asset",
  );
  const ledger = await db.query("select count(*)::text as n from ledger_postings");
  return JSON.stringify([balances.rows, ledger.rows]);
}

/** The coded error `run` fails with. */
async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof AppError, String(error));
    return error.code;
  }
  assert.fail("expected a refusal");
}

for (const target of dbTargets()) {
  describe(`a day between its compute and its last batch, on ${target.name}`, () => {
    test("verify agrees, a backup restores and finishes the day, refunds of its orders wait, withdrawals see the balance before the member's batch", async () => {
      const t = await openTestApp(target);
      const restored = await target.open();
      try {
        await driveScenario(t, SCENARIO);
        const day = (await t.db.query<{ d: string }>("select open_day::text as d from reward_clock")).rows[0]
          ?.d as string;
        t.clock.advance(86_400_000);
        const file = join(dir, `${target.name}.jifen-backup`);
        const seen: { refund?: string; withdrawal?: string; member?: string; amount?: bigint } = {};
        const refund = async (orderId: string) =>
          t.db.transaction(async (tx) =>
            markRefunded(
              tx,
              await lockOrder(tx, orderId),
              { hooks: REWARD_HOOKS, now: t.clock.now(), timeZone: SCENARIO_TZ },
              "while settling",
            ),
          );
        const withdraw = (memberId: string, amount: bigint) =>
          t.db.transaction((tx) =>
            requestWithdrawal(tx, { memberId, amount, now: t.clock.now(), timeZone: SCENARIO_TZ }),
          );
        // An order the day settles (eligible on it or before) that can be refunded.
        const order = (
          await t.db.query<{ id: string }>(
            `select r.order_id::text as id from order_rewards r join orders o on o.id = r.order_id
             where r.eligible_on <= $1::date and r.reversed_on is null and o.status = 'paid'
             order by r.order_id desc limit 1`,
            [day],
          )
        ).rows[0]?.id as string;
        assert.ok(order, "an eligible order");

        const outcomes = await settleDue(t.db, {
          now: t.clock.now(),
          timeZone: SCENARIO_TZ,
          applyRows: 1,
          afterBatch: async (phase, batch) => {
            if (phase !== "apply" || batch !== 0) return;
            const table = `settlement_deltas_d${day.replaceAll("-", "")}`;
            const unapplied = await t.db.query<{ member_id: string; pending: string; before: string }>(
              `select d.member_id::text, d.amount::text as pending, b.amount::text as before
               from ${table} d join balances b on b.account = d.account and b.asset = d.asset
               where d.member_id is not null and d.account like 'm:%:cash' and d.amount > 0
                 and (b.settled_day is null or b.settled_day < $1::date)
               order by d.member_id limit 1`,
              [day],
            );
            const member = unapplied.rows[0];
            assert.ok(member, "a member's cash credit of the day not applied yet");

            // 1. verify: the ledger holds the day, the balances not all; read with the pending deltas.
            const verify = await verifyLedger(t.db);
            assert.deepEqual(
              verify.checks.filter((c) => c.differing > 0).map((c) => [c.name, c.samples]),
              [],
              "verify agrees while the day is pending",
            );
            // 2. a backup of this moment.
            await writeBackup(t.db, file);

            // 3. the rules: a refund of an order the day settles waits; nothing changes.
            const before = await state(t.db);
            seen.refund = await refusal(() => refund(order));
            // A withdrawal sees the cash before the member's batch: the day's credit is not there yet.
            const amount = parseDecimal(member.before) + parseDecimal(member.pending);
            seen.withdrawal = await refusal(() => withdraw(member.member_id, amount));
            assert.equal(await state(t.db), before, "the refusals changed nothing");
            seen.member = member.member_id;
            seen.amount = amount;
          },
        });
        assert.deepEqual(
          outcomes.map((o) => o.status),
          ["settled"],
        );
        assert.equal(seen.refund, "SETTLEMENT_RUNNING");
        assert.equal(seen.withdrawal, "INSUFFICIENT_CASH");
        assert.equal((await verifyLedger(t.db)).ok, true, "verify after the day");

        // The backup of the pending day: restored, verified, and the day finished by the next run.
        const result = await restoreBackup(restored.db, file);
        assert.equal(result.verify.ok, true, "the restore's verify");
        const pending = await restored.db.query("select phase from settlement_open");
        assert.deepEqual(pending.rows, [{ phase: "computed" }], "the restored day is pending");
        const resumed = await settleDue(restored.db, { now: t.clock.now(), timeZone: SCENARIO_TZ });
        assert.deepEqual(
          resumed.map((o) => [o.day, o.status]),
          [[day, "settled"]],
        );
        assert.equal(await state(restored.db), await state(t.db), "the restored shop finished the same day");
        assert.equal((await verifyLedger(restored.db)).ok, true);

        // After the day: the credit can be withdrawn, the order refunded.
        const w = await withdraw(seen.member as string, seen.amount as bigint);
        assert.equal(formatDecimal(w.amount), formatDecimal(seen.amount as bigint));
        await refund(order);
        assert.equal((await verifyLedger(t.db)).ok, true);
      } finally {
        await t.cleanup();
        await restored.cleanup();
      }
    });
  });
}

/** PostgreSQL only (PGlite has one connection): what the 55.9 s payment waited for. */
for (const target of dbTargets().filter((t) => t.name === "postgres")) {
  describe(`the settlement's close beside a long reader of release progress, on ${target.name}`, () => {
    test("a payment does not wait for a backup's snapshot through the settlement", async () => {
      const t = await openTestApp(target);
      const reader = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      try {
        const driven = await driveScenario(t, {
          config: SCENARIO.config,
          events: SCENARIO.events.slice(0, 12),
        });
        t.clock.advance(86_400_000);
        // A backup's snapshot: release_progress read in a transaction that stays open.
        const schema = (await t.db.query<{ s: string }>("select current_schema() as s")).rows[0]?.s as string;
        await reader.connect();
        await reader.query(`set search_path = ${schema}; begin; select count(*) from release_progress`);
        const settling = settleDue(t.db, { now: t.clock.now(), timeZone: SCENARIO_TZ });
        // Before the fix the close locked the clock, then queued behind the reader to attach D + 1's
        // partition: the payment waited on the clock until the reader ended.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const paying = driveScenario(
          t,
          {
            events: [
              {
                type: "order",
                member: "A",
                amount: "300",
                plans: ["release", "equity", "cycle"],
                id: "live",
              },
            ],
          },
          { from: driven },
        ).then(() => "paid");
        const first = await Promise.race([
          paying,
          new Promise((resolve) => setTimeout(() => resolve("still waiting"), 15_000)),
        ]);
        await reader.query("commit");
        assert.equal(first, "paid", "the payment went through while the reader held its snapshot");
        assert.deepEqual(
          (await settling).map((o) => o.status),
          ["settled"],
        );
        assert.equal((await verifyLedger(t.db)).ok, true);
      } finally {
        await reader.end().catch(() => {});
        await t.cleanup();
      }
    });
  });
}
