/**
 * The migrated schema says what it holds (issue 9, migration hygiene): every
 * trigger's name contains its table's name (day partitions included), no table
 * keeps a fill factor it no longer needs, and no status check allows a value
 * that no code writes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { settleDue } from "../src/settlement/index.ts";
import { openTestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

const SERVER = new URL("../", import.meta.url);

/**
 * Each status column's values, and the file that writes each one (the test
 * checks the value is written there as a SQL literal or a TS string).
 */
const WRITTEN_STATUSES: Record<string, Record<string, string>> = {
  members: { active: "migrations/0001_init.sql" },
  sms_outbox: { sent: "src/sms/codes.ts", failed: "src/sms/codes.ts" },
  orders: {
    pending: "src/shop/orders.ts",
    paid: "src/shop/orders.ts",
    refunded: "src/shop/orders.ts",
    cancelled: "src/shop/orders.ts",
  },
  withdrawals: {
    pending: "src/wallets/withdrawals.ts",
    approved: "src/wallets/withdrawals.ts",
    rejected: "src/wallets/withdrawals.ts",
    paying: "src/wallets/payouts.ts",
    paid: "src/wallets/payouts.ts",
    failed: "src/wallets/payouts.ts",
  },
  payments: {
    pending: "src/payments/store.ts",
    paid: "src/payments/store.ts",
    closed: "src/payments/store.ts",
  },
  payment_refunds: {
    pending: "src/payments/refunds.ts",
    succeeded: "src/payments/refunds.ts",
    failed: "src/payments/refunds.ts",
  },
  settlement_runs: {
    running: "src/settlement/run.ts",
    done: "src/settlement/report.ts",
    failed: "src/settlement/run.ts",
  },
  backup_runs: {
    running: "src/backup/service.ts",
    ok: "src/backup/service.ts",
    failed: "src/backup/service.ts",
    removed: "src/backup/service.ts",
  },
};

/** Tables whose rows the daily settlement rewrites in place (docs/server.md), so room on each page pays. */
const FILL_FACTOR = new Set(["balances"]);

for (const target of dbTargets()) {
  describe(`migrated schema on ${target.name}`, () => {
    test("trigger names say their table; fill factors only where rows are rewritten; only written statuses", async () => {
      const t = await openTestApp(target);
      try {
        // A settled day: its ledger partitions (and their triggers) exist.
        t.clock.advance(86_400_000);
        await settleDue(t.db, { now: t.clock.now(), timeZone: "Asia/Shanghai" });

        const triggers = await t.db.query<{ table: string; trigger: string }>(
          `select c.relname as table, g.tgname as trigger from pg_trigger g join pg_class c on c.oid = g.tgrelid
           where not g.tgisinternal and c.relnamespace = current_schema()::regnamespace order by 1, 2`,
        );
        assert.ok(
          triggers.rows.some((r) => /^ledger_postings_d\d{8}$/.test(r.table)),
          "a day partition's triggers are among those checked",
        );
        for (const { table, trigger } of triggers.rows) {
          assert.ok(trigger.includes(table), `trigger ${trigger} on ${table} says its table`);
        }

        const options = await t.db.query<{ table: string; options: string[] }>(
          `select relname as table, reloptions as options from pg_class
           where reloptions is not null and relkind in ('r', 'p')
             and relnamespace = current_schema()::regnamespace`,
        );
        for (const { table, options: o } of options.rows) {
          if (o.some((x) => x.startsWith("fillfactor="))) {
            assert.ok(
              FILL_FACTOR.has(table),
              `${table} has a fill factor (${o.join(", ")}) it does not need`,
            );
          }
        }

        const checks = await t.db.query<{ table: string; definition: string }>(
          `select c.relname as table, pg_get_constraintdef(k.oid) as definition
           from pg_constraint k join pg_class c on c.oid = k.conrelid
           where k.contype = 'c' and c.relnamespace = current_schema()::regnamespace
        `,
        );
        const seen = new Set<string>();
        for (const { table, definition } of checks.rows.filter((r) => /\(status\b/.test(r.definition))) {
          const allowed = [...definition.matchAll(/'([^']+)'::text/g)].map((m) => m[1] as string).sort();
          const written = WRITTEN_STATUSES[table];
          assert.ok(written, `status check on ${table} (${definition}) is listed here`);
          assert.deepEqual(allowed, Object.keys(written).sort(), `${table} allows only the statuses written`);
          seen.add(table);
          for (const [value, file] of Object.entries(written)) {
            const text = readFileSync(new URL(file, SERVER), "utf8");
            assert.ok(
              text.includes(`'${value}'`) || text.includes(`"${value}"`),
              `${file} writes ${table}.status '${value}'`,
            );
          }
        }
        assert.deepEqual([...seen].sort(), Object.keys(WRITTEN_STATUSES).sort());
      } finally {
        await t.cleanup();
      }
    });
  });
}
