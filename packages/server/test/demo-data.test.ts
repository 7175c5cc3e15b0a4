/**
 * `jifen demo-data` writes a ledger the audit accepts: every transaction
 * balances per asset, every balance row equals the sum of its account's
 * postings, and the accounts are the engine's (no literal names of its own).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import {
  accountMember,
  burnAccount,
  CYCLE_POOL_ACCOUNT,
  debtAccount,
  issuanceAccount,
  memberAccount,
  PlatformAccount,
} from "@jifen/engine";
import { generateDemoData } from "../src/demo/index.ts";
import { dbTargets } from "./support/db.ts";

const PLATFORM = new Set<string>([
  ...Object.values(PlatformAccount),
  CYCLE_POOL_ACCOUNT,
  ...(["cny", "points", "equity", "stable", "quota", "exitQuota", "weight"] as const).flatMap((a) => [
    issuanceAccount(a),
    burnAccount(a),
  ]),
]);

test("demo-data names accounts through the engine's functions, never as literals", () => {
  const source = readFileSync(new URL("../src/demo/demo-data.ts", import.meta.url), "utf8");
  const literals = source.match(/["'`](?:m|p|issuance|burn|world):[^"'`]*["'`]/g) ?? [];
  assert.deepEqual(literals, [], "no literal account names");
  assert.equal(accountMember(memberAccount("42", "gift")), "42");
  assert.equal(accountMember(debtAccount("42", "cash")), "42");
  assert.equal(accountMember(PlatformAccount.operator), null);
  assert.equal(accountMember(issuanceAccount("points")), null);
});

for (const target of dbTargets()) {
  describe(`demo data on ${target.name}`, () => {
    test("the ledger it writes passes the audit and uses the engine's accounts", async () => {
      const testDb = await target.open();
      try {
        const db = testDb.db;
        const result = await generateDemoData(db, {
          members: 300,
          seed: 7,
          chains: [20, 10],
          historyDays: 10,
          now: new Date("2026-01-05T02:00:00.000Z"),
          timeZone: "Asia/Shanghai",
        });
        assert.ok(result.rows.postings > 0, "it wrote postings");
        const unbalanced = await db.query<{ transaction_id: string; asset: string }>(
          "select transaction_id, asset from ledger_postings group by transaction_id, asset having sum(amount) <> 0",
        );
        assert.deepEqual(unbalanced.rows, [], "every transaction balances per asset");
        const mismatch = await db.query<{ account: string; asset: string }>(
          `select coalesce(b.account, p.account) as account, coalesce(b.asset, p.asset) as asset
           from balances b
           full join (select account, asset, sum(amount) as total from ledger_postings group by account, asset) p
             on p.account = b.account and p.asset = b.asset
           where coalesce(b.amount, 0) <> coalesce(p.total, 0)`,
        );
        assert.deepEqual(mismatch.rows, [], "every balance equals the sum of its postings");
        const accounts = await db.query<{ account: string; member_id: string | null }>(
          "select distinct account, member_id::text as member_id from ledger_postings",
        );
        for (const { account, member_id } of accounts.rows) {
          if (member_id === null)
            assert.ok(PLATFORM.has(account), `${account} is an engine platform account`);
          else
            assert.match(
              account,
              new RegExp(`^m:${member_id}:[a-zA-Z]+$`),
              "a member's wallet of that member",
            );
        }
      } finally {
        await testDb.cleanup();
      }
    });
  });
}
