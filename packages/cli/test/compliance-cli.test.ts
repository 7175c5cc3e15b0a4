/**
 * `jifen compliance` as a process: a parameter file (text in Chinese, English
 * with --lang en, JSON), a refused file, and the set in force in an embedded
 * database (DATA_DIR) after a parameter version that caps share acceleration.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { openPglite } from "@jifen/server";
import { runJifen, seedDataDir } from "./support.ts";

const dir = mkdtempSync(join(tmpdir(), "jifen-compliance-"));
before(() => seedDataDir(dir));
after(() => rmSync(dir, { recursive: true, force: true }));

function jifen(...args: string[]) {
  return runJifen({ DATA_DIR: dir }, ["compliance", ...args]);
}

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

test("a parameter file: Chinese first, English with --lang en, the disclaimer in both", () => {
  const path = file("defaults.json", {});
  const zh = jifen("--params", path);
  assert.equal(zh.status, 0, zh.stderr);
  assert.match(zh.stdout, /^合规报告/);
  assert.match(zh.stdout, /分享加速释放 +2 +是 +是 +是（≥ 3000 元）/);
  assert.match(zh.stdout, /团队级差 +不限/);
  assert.match(zh.stdout, /《禁止传销条例》第七条/);
  assert.match(zh.stdout, /不构成法律意见/);
  const en = jifen("--params", path, "--lang", "en");
  assert.equal(en.status, 0, en.stderr);
  assert.match(en.stdout, /^Compliance report/);
  assert.match(en.stdout, /Team differential +unbounded/);
  assert.match(en.stdout, /not legal advice/);
});

test("--json: generations, flags and amounts as decimal strings; a withdrawal section is ignored", () => {
  const path = file("capped.json", {
    release: { shareRates: ["0.5"], peerRate: 0.0 },
    withdrawal: { feeRate: "0.006" },
  });
  const out = jifen("--params", path, "--json");
  assert.equal(out.status, 0, out.stderr);
  const report = JSON.parse(out.stdout);
  const byCode = Object.fromEntries(report.rules.map((r: { code: string }) => [r.code, r]));
  assert.equal(byCode["release.share"].generations, 1);
  assert.equal(byCode["release.team"].generations, null);
  assert.equal(byCode["release.peer"].applies, false);
  assert.equal(byCode["release.team"].entryMinAmount, "3000");
  assert.equal(report.largestReturnMultiple, "4");
});

test("a refused parameter file exits 1 naming the key; a bad --lang is a usage error", () => {
  const bad = jifen("--params", file("bad.json", { release: { peerRate: "1.5" } }));
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /release\.peerRate/);
  assert.equal(bad.stdout, "");
  assert.equal(jifen("--params", file("ok.json", {}), "--lang", "fr").status, 2);
  assert.equal(jifen("--params", join(dir, "missing.json")).status, 1);
});

test("without --params: the set in force in the database (a version capping share at 1 generation)", async () => {
  const first = jifen("--json");
  assert.equal(first.status, 0, first.stderr);
  assert.equal(
    JSON.parse(first.stdout).rules.find((r: { code: string }) => r.code === "release.share").generations,
    2,
  );
  const db = await openPglite({ dataDir: join(dir, "pglite") });
  try {
    await db.query(
      `insert into config_versions (params, effective_day, operator_id, note, created_at)
       values ('{"release":{"shareRates":["0.5"]}}'::jsonb, '2000-01-01', null, 'test', now())`,
    );
  } finally {
    await db.close();
  }
  const after = jifen("--json");
  assert.equal(after.status, 0, after.stderr);
  const report = JSON.parse(after.stdout);
  assert.match(report.source, /version \d+/);
  assert.equal(report.rules.find((r: { code: string }) => r.code === "release.share").generations, 1);
});
