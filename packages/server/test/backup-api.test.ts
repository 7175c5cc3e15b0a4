/**
 * The server's backups (docs/server.md, "Backups") on both databases: POST
 * /admin/backups starts one in the background (one at a time, audited), GET
 * /admin/backups lists the runs newest first, paginated, with the schedule;
 * each file is read back and checked before it counts as ok, and restores;
 * beyond BACKUP_KEEP the oldest good files are removed. Admin role only.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { inspectBackup, restoreBackup } from "../src/backup/index.ts";
import { call, count, openTestApp, operatorToken, operatorWithRole, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import { driveScenario } from "./support/scenario.ts";

const root = mkdtempSync(join(tmpdir(), "jifen-backup-api-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Polls the list until no run is running; returns the newest page. */
// biome-ignore lint/suspicious/noExplicitAny: tests read response fields one by one
async function settled(t: TestApp, token: string): Promise<any> {
  for (let i = 0; i < 600; i++) {
    const list = await call(t, "GET", "/admin/backups", { token });
    assert.equal(list.statusCode, 200, list.body);
    if (!list.data.items.some((r: { status: string }) => r.status === "running")) return list.data;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail("the backup did not finish");
}

for (const target of dbTargets()) {
  describe(`backups in the admin API on ${target.name}`, () => {
    let t: TestApp;
    let token: string;
    const dir = join(root, target.name);
    before(async () => {
      t = await openTestApp(target, { backups: { dir, time: "03:30", keep: 2 } });
      await driveScenario(t, {
        events: [
          { type: "join", member: "A" },
          { type: "join", member: "B", referrer: "A" },
          { type: "order", member: "B", amount: "500", plans: ["release", "cycle", "equity"] },
          { type: "endOfDay" },
        ],
      });
      token = await operatorToken(t);
    });
    after(() => t.cleanup());

    test("back up now: running at once, then ok with size, last transaction and checksum; the file restores", async () => {
      const started = await call(t, "POST", "/admin/backups", { token });
      assert.equal(started.statusCode, 201, started.body);
      assert.equal(started.data.status, "running");
      assert.equal(started.data.trigger, "manual");
      assert.match(started.data.fileName, /^jifen-\d{8}T\d{6}Z-\d+\.jifen-backup$/);
      const page = await settled(t, token);
      const [run] = page.items;
      assert.equal(run.id, started.data.id);
      assert.equal(run.status, "ok", run.error);
      assert.equal(run.progress, null);
      const last = await t.db.query<{ id: string }>("select max(id)::text as id from ledger_transactions");
      assert.equal(run.lastTransactionId, last.rows[0]?.id);
      assert.ok(Number(run.sizeBytes) > 0);
      assert.deepEqual(page.schedule.time, "03:30");
      assert.equal(page.schedule.keep, 2);
      assert.equal(page.schedule.dir, dir);
      assert.ok(page.schedule.nextRunAt);
      const file = join(dir, run.fileName);
      const contents = await inspectBackup(file);
      assert.equal(contents.manifest.sha256, run.sha256);
      const copy = await target.open();
      try {
        assert.equal((await restoreBackup(copy.db, file)).verify.ok, true);
      } finally {
        await copy.cleanup();
      }
      assert.equal(await count(t, "audit_log", "action = 'backup.run'"), 1);
    });

    test("one at a time: a second request while one runs is refused", async () => {
      const [a, b] = await Promise.all([
        call(t, "POST", "/admin/backups", { token }),
        call(t, "POST", "/admin/backups", { token }),
      ]);
      assert.deepEqual([a.statusCode, b.statusCode].sort(), [201, 409]);
      const refused = a.statusCode === 409 ? a : b;
      assert.equal(refused.data.code, "BACKUP_RUNNING");
      await settled(t, token);
    });

    test("beyond BACKUP_KEEP the oldest good files are removed; the list pages", async () => {
      assert.equal((await call(t, "POST", "/admin/backups", { token })).statusCode, 201);
      const page = await settled(t, token);
      const statuses = page.items.map((r: { status: string }) => r.status);
      assert.deepEqual(statuses, ["ok", "ok", "removed"]);
      for (const r of page.items) assert.equal(existsSync(join(dir, r.fileName)), r.status === "ok");
      const first = await call(t, "GET", "/admin/backups?limit=2", { token });
      assert.equal(first.data.items.length, 2);
      assert.ok(first.data.nextCursor);
      const second = await call(t, "GET", `/admin/backups?limit=2&cursor=${first.data.nextCursor}`, {
        token,
      });
      assert.deepEqual(
        second.data.items.map((r: { id: string }) => r.id),
        [page.items[2].id],
      );
      assert.equal(second.data.nextCursor, null);
    });

    test("admin role only", async () => {
      const finance = await operatorWithRole(t, "finance");
      assert.equal((await call(t, "GET", "/admin/backups", { token: finance })).statusCode, 403);
      assert.equal((await call(t, "POST", "/admin/backups", { token: finance })).statusCode, 403);
      assert.equal((await call(t, "GET", "/admin/backups")).statusCode, 401);
    });
  });
}

test("without backups set up the routes answer BACKUPS_OFF", async () => {
  const [target] = dbTargets();
  assert.ok(target);
  const t = await openTestApp(target);
  try {
    const token = await operatorToken(t);
    const answer = await call(t, "GET", "/admin/backups", { token });
    assert.equal(answer.statusCode, 503);
    assert.equal(answer.data.code, "BACKUPS_OFF");
  } finally {
    await t.cleanup();
  }
});
