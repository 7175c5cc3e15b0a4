/**
 * `verifyLedger` (jifen verify, docs/server.md "Verify") on both databases: a
 * shop with members, orders in every plan (and in none), settled days with
 * releases and dividends, and equity trades (sell, stable points both ways, a
 * payment, a redemption, a refund) passes; then one thing at a time is
 * corrupted with raw SQL — a balance, a posting's amount, an equity figure, a
 * settlement total — and exactly that difference is reported, then undone.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Db } from "../src/db/index.ts";
import { formatVerifyReport, type VerifyResult, verifyLedger } from "../src/verify/index.ts";
import { openTestApp, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import { type DrivenScenario, driveScenario } from "./support/scenario.ts";
import { SETTLED_SHOP as SHOP } from "./support/scenario-gen.ts";

const check = (r: VerifyResult, name: string) => {
  const found = r.checks.find((c) => c.name === name);
  assert.ok(found, name);
  return found;
};

/** The differences of every check, as `name: subject stored→recomputed`. */
function differences(r: VerifyResult): string[] {
  return r.checks.flatMap((c) => c.samples.map((d) => `${c.name}: ${d.subject} ${d.stored}→${d.recomputed}`));
}

/** Runs `sql` on the ledger's live partition with its append-only trigger off (what a corruption would take). */
async function onLedger(db: Db, sql: string, params: unknown[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query("alter table ledger_postings_live disable trigger user");
    await tx.query(sql, params);
    await tx.query("alter table ledger_postings_live enable trigger user");
  });
}

for (const target of dbTargets()) {
  describe(`jifen verify on ${target.name}`, () => {
    let t: TestApp;
    let shop: DrivenScenario;
    before(async () => {
      t = await openTestApp(target);
      shop = await driveScenario(t, SHOP);
    });
    after(() => t.cleanup());

    test("a shop with every plan, settled days and equity trades passes every check", async () => {
      assert.equal(shop.settlements.length, 2);
      const r = await verifyLedger(t.db);
      assert.deepEqual(differences(r), []);
      assert.equal(r.ok, true);
      const balances = await t.db.query<{ n: string }>("select count(*)::text as n from balances");
      assert.equal(check(r, "balances").checked >= Number(balances.rows[0]?.n), true);
      const txs = await t.db.query<{ n: string }>("select count(*)::text as n from ledger_transactions");
      assert.equal(check(r, "transactions").checked, Number(txs.rows[0]?.n));
      assert.equal(check(r, "equity").checked, 5);
      assert.equal(check(r, "settlements").checked, 2 * 4);
      // The settled days paid dividends and funded pools: the settlement check compared real figures.
      const paid = await t.db.query<{ d: string }>(
        "select sum((report->'totals'->>'dividends')::numeric)::text as d from settlement_runs",
      );
      assert.ok(Number(paid.rows[0]?.d) > 0, "dividends were paid");
      const text = formatVerifyReport(r);
      assert.match(
        text,
        /^OK {3}余额与流水重算一致：\d+ 项一致 \/ balances recomputed from the postings: \d+ balances agree \(\d+\.\d s\)$/m,
      );
      assert.match(
        text,
        /^OK {3}增值积分数据与流水一致：5 项一致 \/ equity figures against the ledger: 5 figures agree \(\d+\.\d s\)$/m,
      );
      assert.match(text, /全部一致.*Everything agrees/);
    });

    test("a changed balance is reported with its account, stored and recomputed amounts", async () => {
      const a = shop.members.get("A") as string;
      const account = `m:${a}:exitQuota`;
      const before = await t.db.query<{ amount: string }>(
        "select amount::text from balances where account = $1 and asset = 'exitQuota'",
        [account],
      );
      const amount = before.rows[0]?.amount as string;
      await t.db.query("update balances set amount = amount + 7 where account = $1 and asset = 'exitQuota'", [
        account,
      ]);
      const r = await verifyLedger(t.db);
      assert.equal(r.ok, false);
      const stored = await t.db.query<{ amount: string }>(
        "select amount::text from balances where account = $1 and asset = 'exitQuota'",
        [account],
      );
      assert.deepEqual(differences(r), [
        `balances: ${account}/exitQuota ${stored.rows[0]?.amount}→${amount}`,
      ]);
      assert.equal(check(r, "balances").differing, 1);
      assert.match(
        formatVerifyReport(r),
        /^FAIL 余额与流水重算一致：\d+ 项中 1 项不一致 \/ balances recomputed from the postings: 1 of \d+ balances differ \(\d+\.\d s\)$/m,
      );
      await t.db.query("update balances set amount = amount - 7 where account = $1 and asset = 'exitQuota'", [
        account,
      ]);
      assert.equal((await verifyLedger(t.db)).ok, true);
    });

    test("a posting's changed amount: its transaction no longer balances and its account differs", async () => {
      const b = shop.members.get("B") as string;
      const rows = await t.db.query<{ id: string; transaction_id: string; amount: string }>(
        `select p.id::text, p.transaction_id::text, p.amount::text from ledger_postings p
         join ledger_transactions t on t.id = p.transaction_id
         where t.kind = 'equity.sell' and p.account = $1 and p.asset = 'cny'`,
        [`m:${b}:cash`],
      );
      const posting = rows.rows[0];
      assert.ok(posting, "B's sale credited cash");
      const balance = await t.db.query<{ amount: string }>(
        "select amount::text from balances where account = $1 and asset = 'cny'",
        [`m:${b}:cash`],
      );
      const stored = balance.rows[0]?.amount as string;
      await onLedger(t.db, "update ledger_postings_live set amount = amount + 0.01 where id = $1", [
        posting.id,
      ]);
      const r = await verifyLedger(t.db);
      assert.equal(r.ok, false);
      const recomputed = await t.db.query<{ amount: string }>("select ($1::numeric + 0.01)::text as amount", [
        stored,
      ]);
      assert.deepEqual(differences(r), [
        `balances: m:${b}:cash/cny ${stored}→${recomputed.rows[0]?.amount}`,
        `transactions: transaction ${posting.transaction_id} equity.sell cny 0→0.010000`,
      ]);
      await onLedger(t.db, "update ledger_postings_live set amount = amount - 0.01 where id = $1", [
        posting.id,
      ]);
      assert.equal((await verifyLedger(t.db)).ok, true);
    });

    test("a posting whose transaction does not exist is reported (and the balance it moves)", async () => {
      await onLedger(
        t.db,
        `insert into ledger_postings_live (id, transaction_id, account, asset, amount)
         values (nextval('ledger_postings_id_seq'), (select max(id) + 1000 from ledger_transactions), 'p:feeIncome', 'cny', 2)`,
        [],
      );
      const r = await verifyLedger(t.db);
      const fee = await t.db.query("select 1 from balances where account = 'p:feeIncome'");
      assert.equal(fee.rows.length, 0, "no withdrawal fee in this shop: the account has no balance row");
      const [orphan] = check(r, "postings").samples;
      assert.match(orphan?.subject ?? "", /^posting \d+ of missing transaction \d+: p:feeIncome\/cny$/);
      assert.equal(check(r, "postings").differing, 1);
      assert.equal(check(r, "transactions").differing, 1, "its missing transaction does not balance either");
      assert.deepEqual(check(r, "balances").samples, [
        { subject: "p:feeIncome/cny", stored: null, recomputed: "2.000000" },
      ]);
      await onLedger(
        t.db,
        "delete from ledger_postings_live where account = 'p:feeIncome' and amount = 2",
        [],
      );
      assert.equal((await verifyLedger(t.db)).ok, true);
    });

    test("a changed equity figure is reported as that figure alone", async () => {
      const state = await t.db.query<{ pool: string; supply: string }>(
        "select pool::text, supply::text from equity_state",
      );
      const { pool } = state.rows[0] as { pool: string };
      await t.db.query("update equity_state set pool = pool + 1.5");
      const r = await verifyLedger(t.db);
      const now = await t.db.query<{ pool: string }>("select pool::text from equity_state");
      assert.deepEqual(differences(r), [`equity: equity.pool ${now.rows[0]?.pool}→${pool}`]);
      assert.match(formatVerifyReport(r), /^FAIL 增值积分数据与流水一致：5 项中 1 项不一致/m);
      await t.db.query("update equity_state set pool = pool - 1.5");
      // Supply too: circulating and burned (= issued − circulating) both move.
      await t.db.query("update equity_state set supply = supply - 1");
      const r2 = await verifyLedger(t.db);
      assert.deepEqual(
        check(r2, "equity").samples.map((d) => d.subject),
        ["equity.circulating", "equity.burned"],
      );
      assert.equal(differences(r2).length, 2);
      await t.db.query("update equity_state set supply = supply + 1");
      assert.equal((await verifyLedger(t.db)).ok, true);
    });

    test("a settlement report's total that disagrees with its day's ledger is reported", async () => {
      const runs = await t.db.query<{ day: string; dividends: string }>(
        `select to_char(business_day, 'YYYY-MM-DD') as day, report->'totals'->>'dividends' as dividends
         from settlement_runs where (report->'totals'->>'dividends')::numeric > 0 order by business_day limit 1`,
      );
      const run = runs.rows[0];
      assert.ok(run, "a day paid dividends");
      await t.db.query(
        `update settlement_runs set report = jsonb_set(report, '{totals,dividends}', '"999.99"')
         where business_day = $1::date`,
        [run.day],
      );
      const r = await verifyLedger(t.db);
      assert.equal(differences(r).length, 1);
      const [d] = check(r, "settlements").samples;
      assert.equal(d?.subject, `settlement ${run.day} dividends`);
      assert.equal(d?.stored, "999.99");
      assert.equal(Number(d?.recomputed), Number(run.dividends));
      await t.db.query(
        `update settlement_runs set report = jsonb_set(report, '{totals,dividends}', to_jsonb($2::text))
         where business_day = $1::date`,
        [run.day, run.dividends],
      );
      assert.equal((await verifyLedger(t.db)).ok, true);
    });

    test("the limit bounds the listed differences, not the count", async () => {
      await t.db.query("update balances set amount = amount + 1 where member_id is not null and amount > 0");
      const changed = await t.db.query<{ n: string }>(
        "select count(*)::text as n from balances where member_id is not null and amount > 1",
      );
      const r = await verifyLedger(t.db, { limit: 2 });
      assert.equal(check(r, "balances").samples.length, 2);
      assert.ok(check(r, "balances").differing >= Number(changed.rows[0]?.n));
      await t.db.query("update balances set amount = amount - 1 where member_id is not null and amount > 1");
    });
  });
}
