import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { isRetryableConflict, isSqlError, migrate } from "../src/db/index.ts";
import { appendTransaction, lockBalances, memberWallets } from "../src/ledger/index.ts";
import { dbTargets, type TestDb } from "./support/db.ts";

const now = new Date("2026-01-05T02:00:00Z");

for (const target of dbTargets()) {
  describe(`storage on ${target.name}`, () => {
    let t: TestDb;
    before(async () => {
      t = await target.open();
    });
    after(async () => {
      await t?.cleanup();
    });

    test("migrations are recorded and not applied twice", async () => {
      assert.deepEqual(await migrate(t.db), []);
      const rows = await t.db.query<{ version: string }>("select version from schema_migrations");
      assert.ok(rows.rows.some((r) => r.version === "0001"));
    });

    test("array parameters of awkward text, numbers, bigints, booleans and nulls arrive exactly", async () => {
      // The pg driver passes flat arrays as literals of its own (arrayLiteral, issue 14): quotes,
      // backslashes, braces, commas, the word NULL, empty strings and JSON must survive unchanged.
      const texts = ['a"b', "c\\d", "{x,y}", "NULL", "", " sp ", '{"k":"v\\"}', "中文", null];
      const r = await t.db.query<{ t: string[]; n: string[]; b: boolean[] }>(
        "select $1::text[] as t, $2::numeric[]::text[] as n, $3::boolean[] as b",
        [texts, ["1.500000", 7, 12345678901234567890n, null], [true, false, null]],
      );
      assert.deepEqual(r.rows[0]?.t, texts);
      assert.deepEqual(r.rows[0]?.n, ["1.500000", "7", "12345678901234567890", null]);
      assert.deepEqual(r.rows[0]?.b, [true, false, null]);
    });

    test("int8, numeric, date and count come back as strings on both drivers", async () => {
      const r = await t.db.query<Record<string, unknown>>(
        "select 12::int8 as i, 1.5::numeric(30,6) as n, '2026-01-05'::date as d, count(*) as c, 3::int4 as small from (values (1)) v",
      );
      assert.deepEqual(r.rows[0], { i: "12", n: "1.500000", d: "2026-01-05", c: "1", small: 3 });
    });

    test("a balanced transaction updates the balances; an overdraft is refused whole", async () => {
      await t.db.transaction(async (tx) => {
        await appendTransaction(
          tx,
          {
            businessDay: "2026-01-05",
            kind: "adjustment",
            ref: "m:1",
            postings: [
              { account: "p:adjustments", asset: "cny", amount: -5_000_000n },
              { account: "m:1:cash", asset: "cny", amount: 5_000_000n },
            ],
          },
          now,
        );
      });
      const wallets = await memberWallets(t.db, "1");
      assert.equal(wallets.find((w) => w.wallet === "cash")?.balance, 5_000_000n);
      const before = await t.db.query<{ n: string }>("select count(*) as n from ledger_postings");
      await assert.rejects(
        t.db.transaction((tx) =>
          appendTransaction(
            tx,
            {
              businessDay: "2026-01-05",
              kind: "adjustment",
              ref: "m:1",
              postings: [
                { account: "m:1:cash", asset: "cny", amount: -6_000_000n },
                { account: "p:adjustments", asset: "cny", amount: 6_000_000n },
              ],
            },
            now,
          ),
        ),
        (error) => isSqlError(error, "23514"),
      );
      const afterRows = await t.db.query<{ n: string }>("select count(*) as n from ledger_postings");
      assert.equal(afterRows.rows[0]?.n, before.rows[0]?.n);
      const locked = await t.db.transaction((tx) =>
        lockBalances(tx, [
          { account: "m:1:cash", asset: "cny" },
          { account: "m:2:cash", asset: "cny" },
        ]),
      );
      assert.equal(locked.balance("m:1:cash", "cny"), 5_000_000n);
      assert.equal(locked.balance("m:2:cash", "cny"), 0n);
    });

    test("an unbalanced transaction is a programmer error", async () => {
      await assert.rejects(
        t.db.transaction((tx) =>
          appendTransaction(
            tx,
            {
              businessDay: "2026-01-05",
              kind: "adjustment",
              ref: "x",
              postings: [{ account: "m:1:points", asset: "points", amount: 1n }],
            },
            now,
          ),
        ),
        /invariant/,
      );
    });

    test("ledger rows are append-only", async () => {
      await assert.rejects(t.db.query("update ledger_postings set amount = 1"), /append-only/);
      await assert.rejects(t.db.query("delete from ledger_transactions"), /append-only/);
    });
  });
}

test("a deadlock or serialization failure is retryable; other SQL errors and non-errors are not", () => {
  const sql = (code: string) => Object.assign(new Error(code), { code });
  assert.equal(isRetryableConflict(sql("40P01")), true);
  assert.equal(isRetryableConflict(sql("40001")), true);
  assert.equal(isRetryableConflict(sql("23505")), false);
  assert.equal(isRetryableConflict(sql("55P03")), false);
  assert.equal(isRetryableConflict({ code: "40P01" }), false, "not an Error");
  assert.equal(isRetryableConflict(undefined), false);
});
