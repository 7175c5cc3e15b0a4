/**
 * `jifen backup` / `jifen restore` (docs/server.md, "Backups") on both
 * databases: a shop with members, orders in every plan, settled days and
 * equity trades is backed up and restored into an empty database — every
 * table identical (balances, ledger rows, parameter versions, settlement
 * reports), `jifen verify` passes, and a backup of the copy has the same
 * checksum; a backup taken while orders are being paid restores to a
 * consistent state; a truncated, altered or newer file, and a non-empty
 * target without --replace, are refused with nothing written; PGlite →
 * PostgreSQL → PGlite gives identical data.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { schemaTables } from "../src/backup/catalog.ts";
import { TEXT_SETTINGS } from "../src/backup/format.ts";
import { type BackupManifest, inspectBackup, restoreBackup, writeBackup } from "../src/backup/index.ts";
import type { Db } from "../src/db/index.ts";
import { AppError } from "../src/errors/index.ts";
import { verifyLedger } from "../src/verify/index.ts";
import { openTestApp, type TestApp } from "./support/app.ts";
import { type DbTarget, dbTargets, openTestPglite, openTestPostgres, type TestDb } from "./support/db.ts";
import { type DrivenScenario, driveScenario, type ServerScenario } from "./support/scenario.ts";
import { SETTLED_SHOP } from "./support/scenario-gen.ts";

/** The settled shop of the verify tests and an order of the open third day. */
export const SHOP: ServerScenario = {
  ...SETTLED_SHOP,
  events: [
    ...SETTLED_SHOP.events,
    { type: "order", member: "C", amount: "700", plans: ["release"], id: "c3" },
  ],
};

const dir = mkdtempSync(join(tmpdir(), "jifen-backup-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = () => join(dir, `b${++files}.jifen-backup`);

/** Every backed-up table's rows as text, in order (timestamps at UTC): equal snapshots are identical data. */
export async function contents(db: Db): Promise<Record<string, string[]>> {
  return db.transaction(async (tx) => {
    for (const setting of TEXT_SETTINGS) await tx.query(setting);
    const out: Record<string, string[]> = {};
    for (const t of await schemaTables(tx)) {
      const rows = await tx.query<{ r: string }>(`select x::text as r from "${t.table}" x order by x`);
      out[t.table] = rows.rows.map((r) => r.r);
    }
    return out;
  });
}

/** The coded error `run` fails with. */
async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof AppError, String(error));
    assert.match(error.zh, /[\u4e00-\u9fff]/);
    return error.code;
  }
  assert.fail("expected a refusal");
}

/** The uncompressed text of a backup, and a way to write it back (optionally with a new manifest). */
function edit(file: string, change: (text: string) => string): string {
  const out = newFile();
  writeFileSync(out, gzipSync(change(gunzipSync(readFileSync(file)).toString("utf8"))));
  return out;
}

function manifestOf(text: string): BackupManifest {
  const lines = text.trimEnd().split("\n");
  return JSON.parse(lines[lines.length - 1] as string).manifest;
}

function withManifest(text: string, patch: (m: BackupManifest) => BackupManifest): string {
  const lines = text.trimEnd().split("\n");
  lines[lines.length - 1] = JSON.stringify({ manifest: patch(manifestOf(text)) });
  return `${lines.join("\n")}\n`;
}

/** The sha256 a manifest should carry for `text` (every byte before its last line). */
async function sha256Of(text: string): Promise<string> {
  const { createHash } = await import("node:crypto");
  const body = text.slice(0, text.trimEnd().lastIndexOf("\n") + 1);
  return createHash("sha256").update(body).digest("hex");
}

for (const target of dbTargets()) {
  describe(`backup and restore on ${target.name}`, () => {
    let t: TestApp;
    let shop: DrivenScenario;
    let file: string;
    let manifest: BackupManifest;
    let empty: TestDb;
    before(async () => {
      t = await openTestApp(target);
      shop = await driveScenario(t, SHOP);
      file = newFile();
      manifest = await writeBackup(t.db, file);
      empty = await target.open();
    });
    after(async () => {
      await t.cleanup();
      await empty.cleanup();
    });

    test("the manifest states the schema, the last transaction, the totals and the rows", async () => {
      assert.equal(shop.settlements.length, 2);
      const last = await t.db.query<{ id: string }>("select max(id)::text as id from ledger_transactions");
      assert.equal(manifest.lastTransactionId, last.rows[0]?.id);
      // The highest migration in the repository (not a fixed number, so a new migration does not break this).
      const newest = readdirSync(new URL("../migrations/", import.meta.url))
        .filter((f) => /^\d{4}_.*\.sql$/.test(f))
        .sort()
        .at(-1)
        ?.slice(0, 4);
      assert.equal(manifest.schemaVersion, newest);
      assert.equal(manifest.driver, target.name === "pglite" ? "pglite" : "pg");
      const members = await t.db.query<{ n: string }>("select count(*)::text as n from members");
      assert.equal(manifest.tables.members, Number(members.rows[0]?.n));
      assert.ok(
        Object.keys(manifest.tables).some((name) => /^ledger_postings_d\d{8}$/.test(name)),
        "day partitions",
      );
      const cash = await t.db.query<{ s: string }>(
        "select sum(amount)::text as s from balances where asset = 'cny' and member_id is not null",
      );
      assert.equal(manifest.totals.cny?.members, cash.rows[0]?.s);
      const inspected = await inspectBackup(file);
      assert.deepEqual(inspected.manifest, manifest);
    });

    test("restored into an empty database: every table identical, verify passes, the same checksum again", async () => {
      const result = await restoreBackup(empty.db, file);
      assert.equal(result.verify.ok, true);
      assert.deepEqual(await contents(empty.db), await contents(t.db));
      assert.equal((await verifyLedger(empty.db)).ok, true);
      const again = await writeBackup(empty.db, newFile());
      assert.equal(again.sha256, manifest.sha256);
      assert.deepEqual(again.tables, manifest.tables);
      // The sequences go on after the restored ids: a new member gets the next id.
      const next = await empty.db.query<{ id: string }>("select nextval('members_id_seq')::text as id");
      const max = await t.db.query<{ id: string }>("select max(id)::text as id from members");
      assert.ok(BigInt(next.rows[0]?.id as string) > BigInt(max.rows[0]?.id as string));
    });

    test("a target holding a shop is refused without replace, and replaced with it", async () => {
      const before = await contents(empty.db);
      assert.equal(await refusal(() => restoreBackup(empty.db, file)), "RESTORE_TARGET_NOT_EMPTY");
      assert.deepEqual(await contents(empty.db), before);
      await empty.db.query(
        "update members set password_hash = 'changed' where id = (select min(id) from members)",
      );
      await restoreBackup(empty.db, file, { replace: true });
      assert.deepEqual(await contents(empty.db), await contents(t.db));
    });

    test("a truncated, altered or newer file is refused and the target is unchanged", async () => {
      const before = await contents(empty.db);
      const bytes = readFileSync(file);
      const truncated = newFile();
      writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      assert.equal(
        await refusal(() => restoreBackup(empty.db, truncated, { replace: true })),
        "BACKUP_CORRUPT",
      );
      const noManifest = edit(file, (text) => text.slice(0, text.trimEnd().lastIndexOf("\n") + 1));
      assert.equal(
        await refusal(() => restoreBackup(empty.db, noManifest, { replace: true })),
        "BACKUP_CORRUPT",
      );
      // One digit of one balance changed: the checksum no longer matches.
      const altered = edit(file, (text) => {
        const changed = text.replace(
          /^(m:\d+:cash\tcny\t\d+\t)(\d)/m,
          (_, a, d) => `${a}${(Number(d) + 1) % 10}`,
        );
        assert.notEqual(changed, text, "a member's cash balance in the file");
        return changed;
      });
      assert.equal(
        await refusal(() => restoreBackup(empty.db, altered, { replace: true })),
        "BACKUP_CHECKSUM_MISMATCH",
      );
      // The manifest's totals changed: they no longer match the rows.
      const totals = edit(file, (text) =>
        withManifest(text, (m) => ({
          ...m,
          totals: { ...m.totals, cny: { members: "1.000000", platform: "0.000000" } },
        })),
      );
      assert.equal(
        await refusal(() => restoreBackup(empty.db, totals, { replace: true })),
        "BACKUP_MANIFEST_MISMATCH",
      );
      const newer = edit(file, (text) => withManifest(text, (m) => ({ ...m, schemaVersion: "9999" })));
      assert.equal(
        await refusal(() => restoreBackup(empty.db, newer, { replace: true })),
        "BACKUP_SCHEMA_NEWER",
      );
      const garbage = newFile();
      writeFileSync(garbage, "not a backup\n");
      assert.equal(
        await refusal(() => restoreBackup(empty.db, garbage, { replace: true })),
        "BACKUP_NOT_A_BACKUP",
      );
      assert.deepEqual(await contents(empty.db), before);
    });

    test("a consistent file whose ledger does not verify is rolled back entirely", async () => {
      const before = await contents(empty.db);
      // A member's cash balance raised by 1 with the totals and checksum made to match: only verify can tell.
      const altered = edit(file, (text) => {
        let changed = false;
        const body = text.replace(/^(m:\d+:cash\tcny\t\d+\t)(\d+)\./m, (_, a, d) => {
          changed = true;
          return `${a}${BigInt(d) + 1n}.`;
        });
        assert.ok(changed, "a member's cash balance in the file");
        const m = manifestOf(text);
        const cny = m.totals.cny as { members: string; platform: string };
        const members = (BigInt(cny.members.replace(".", "")) + 1_000_000n).toString().padStart(7, "0");
        return withManifest(body, (x) => ({
          ...x,
          totals: { ...x.totals, cny: { ...cny, members: `${members.slice(0, -6)}.${members.slice(-6)}` } },
        }));
      });
      const fixed = edit(altered, (text) => text);
      const text = gunzipSync(readFileSync(fixed)).toString("utf8");
      const withSha = edit(fixed, () => withManifest(text, (m) => ({ ...m, sha256: "" })));
      const sha = await sha256Of(gunzipSync(readFileSync(withSha)).toString("utf8"));
      const consistent = edit(withSha, (x) => withManifest(x, (m) => ({ ...m, sha256: sha })));
      assert.equal(
        await refusal(() => restoreBackup(empty.db, consistent, { replace: true })),
        "RESTORE_CHECK_FAILED",
      );
      assert.deepEqual(await contents(empty.db), before);
    });

    test("a backup taken while orders are being paid restores to a consistent state", async () => {
      const firstTx = await lastTx(t.db);
      // Members joining and paying orders in every plan, one after another (each yields to the event loop,
      // as a server between requests does, so that the backups' file writes go on meanwhile).
      const paying = (async () => {
        for (let i = 0; i < 30; i++) {
          const plans = i % 2 ? ["cycle"] : ["release", "equity"];
          const events = [
            { type: "join", member: "P" },
            { type: "order", member: "P", amount: "100", plans },
            { type: "order", member: "P", amount: "300", plans: ["equity", "cycle"] },
          ];
          await driveScenario(t, { events }, { phoneFrom: 13700000000 + i });
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      const taken: BackupManifest[] = [];
      const backups: string[] = [];
      let paid = false;
      void paying.then(() => {
        paid = true;
      });
      // Backups one after another while the payments go on (no timer: PGlite's queries never yield to one).
      while (!paid && backups.length < 4) {
        const f = newFile();
        backups.push(f);
        taken.push(await writeBackup(t.db, f));
      }
      await paying;
      const finalTx = await lastTx(t.db);
      for (const [i, f] of backups.entries()) {
        const target2 = await target.open();
        try {
          const result = await restoreBackup(target2.db, f);
          assert.equal(result.verify.ok, true);
          assert.equal(String(await lastTx(target2.db)), taken[i]?.lastTransactionId);
        } finally {
          await target2.cleanup();
        }
      }
      assert.ok(
        taken.some(
          (m) =>
            BigInt(m.lastTransactionId as string) > firstTx &&
            BigInt(m.lastTransactionId as string) < finalTx,
        ),
        `a backup fell between ${firstTx} and ${finalTx}: ${taken.map((m) => m.lastTransactionId).join(", ")}`,
      );
    });
  });
}

async function lastTx(db: Db): Promise<bigint> {
  const rows = await db.query<{ id: string }>("select max(id)::text as id from ledger_transactions");
  return BigInt(rows.rows[0]?.id ?? "0");
}

const url = process.env.TEST_DATABASE_URL;
const postgres: DbTarget | undefined = url
  ? { name: "postgres", open: () => openTestPostgres(url) }
  : process.env.CI === "true"
    ? { name: "postgres", open: () => Promise.reject(new Error("CI=true but TEST_DATABASE_URL is not set")) }
    : undefined;

if (postgres) {
  test("PGlite → PostgreSQL → PGlite: identical data and the same checksum", async () => {
    const t = await openTestApp({ name: "pglite", open: openTestPglite });
    const pg = await postgres.open();
    const back = await openTestPglite();
    try {
      await driveScenario(t, SHOP);
      const first = await writeBackup(t.db, newFile().replace(/$/, ""));
      const one = join(dir, "one.jifen-backup");
      rmSync(one, { force: true });
      const m1 = await writeBackup(t.db, one);
      assert.equal(m1.sha256, first.sha256);
      await restoreBackup(pg.db, one);
      assert.deepEqual(await contents(pg.db), await contents(t.db));
      const two = join(dir, "two.jifen-backup");
      const m2 = await writeBackup(pg.db, two);
      assert.equal(m2.driver, "pg");
      assert.equal(m2.sha256, m1.sha256);
      await restoreBackup(back.db, two);
      assert.deepEqual(await contents(back.db), await contents(t.db));
      assert.equal((await verifyLedger(back.db)).ok, true);
    } finally {
      await t.cleanup();
      await pg.cleanup();
      await back.cleanup();
    }
  });
}
