/**
 * `jifen backup` and `jifen restore` as processes: a generated and settled
 * shop on an embedded database (DATA_DIR) is backed up, restored into another
 * data directory (verify passes, the same checksum when backed up again);
 * a non-empty target without --replace, a damaged file and a data directory
 * held by a running server are refused with a coded message and status 1.
 * With TEST_DATABASE_URL: the move PGlite → PostgreSQL → PGlite with the
 * commands themselves gives the same checksum at every step.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import pg from "pg";
import { daysAgo, runJifen, seedDataDir } from "./support.ts";

const root = mkdtempSync(join(tmpdir(), "jifen-backup-cli-"));
after(() => rmSync(root, { recursive: true, force: true }));

function jifen(env: { DATA_DIR?: string; DATABASE_URL?: string }, ...args: string[]) {
  return runJifen({ ...env, DATA_DIR: env.DATA_DIR ?? join(root, "unused"), INIT_CWD: root }, args);
}

const sha = (stdout: string) => /sha256 ([0-9a-f]{64})/.exec(stdout)?.[1];
const source = { DATA_DIR: join(root, "source") };
const target = { DATA_DIR: join(root, "target") };
const back = { DATA_DIR: join(root, "back") };
before(() => Promise.all([source, target, back].map((env) => seedDataDir(env.DATA_DIR))));
const backupFile = join(root, "shop.jifen-backup");
let sourceSha: string | undefined;

test("backup of a settled embedded shop restores into another data directory; verify passes", () => {
  assert.equal(jifen(source, "demo-data", "--members", "150", "--seed", "7", "--day", daysAgo(2)).status, 0);
  assert.equal(jifen(source, "settle").status, 0);
  const written = jifen(source, "backup", backupFile);
  assert.equal(written.status, 0, written.stderr);
  assert.match(written.stdout, /^备份完成 \/ backup written: /);
  sourceSha = sha(written.stdout);
  assert.ok(sourceSha);
  const again = jifen(source, "backup", backupFile);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /^jifen backup: BACKUP_FILE_EXISTS: 备份文件已存在/);

  const restored = jifen(target, "restore", backupFile);
  assert.equal(restored.status, 0, restored.stderr);
  assert.match(restored.stdout, /^恢复完成 \/ restored /);
  assert.match(restored.stdout, /全部一致.*Everything agrees/);
  assert.equal(jifen(target, "verify").status, 0);
  const copy = jifen(target, "backup", join(root, "copy.jifen-backup"));
  assert.equal(sha(copy.stdout), sourceSha);

  const refused = jifen(target, "restore", backupFile);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^jifen restore: RESTORE_TARGET_NOT_EMPTY: 目标数据库已有数据.*--replace/);
  assert.equal(jifen(target, "restore", backupFile, "--replace").status, 0);

  const bytes = readFileSync(backupFile);
  const cut = join(root, "cut.jifen-backup");
  writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
  const damaged = jifen(target, "restore", cut, "--replace");
  assert.equal(damaged.status, 1);
  assert.match(damaged.stderr, /^jifen restore: BACKUP_CORRUPT: 备份文件已损坏或不完整/);
  assert.equal(jifen(target, "restore").status, 2, "no file: usage");
});

test("an embedded database held by a running server is refused with a coded message", () => {
  const held = { DATA_DIR: join(root, "held") };
  mkdirSync(held.DATA_DIR, { recursive: true });
  // The lock of a live process (this test's own): what a running server leaves.
  writeFileSync(join(held.DATA_DIR, "pglite.lock"), String(process.pid));
  for (const args of [
    ["backup", join(root, "held.jifen-backup")],
    ["restore", backupFile],
  ]) {
    const r = jifen(held, ...args);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `^jifen ${args[0]}: BACKUP_DATA_DIR_IN_USE: 内置数据库正由运行中的服务使用.*立即备份.*POST /admin/backups.*进程 ${process.pid}`,
      ),
    );
  }
});

const url = process.env.TEST_DATABASE_URL;
if (url || process.env.CI === "true") {
  test("PGlite → PostgreSQL → PGlite with the commands: the same checksum at every step", async () => {
    assert.ok(url, "CI=true but TEST_DATABASE_URL is not set");
    assert.ok(sourceSha, "the first test wrote the backup");
    const schema = `jifen_cli_${process.pid}_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    try {
      const postgres = { DATABASE_URL: `${url}?options=${encodeURIComponent(`-c search_path=${schema}`)}` };
      const intoPg = jifen(postgres, "restore", backupFile);
      assert.equal(intoPg.status, 0, intoPg.stderr);
      const pgFile = join(root, "from-pg.jifen-backup");
      const fromPg = jifen(postgres, "backup", pgFile);
      assert.equal(fromPg.status, 0, fromPg.stderr);
      assert.equal(sha(fromPg.stdout), sourceSha);
      assert.equal(jifen(back, "restore", pgFile).status, 0);
      assert.equal(sha(jifen(back, "backup", join(root, "back.jifen-backup")).stdout), sourceSha);
    } finally {
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  });
}
