/**
 * `jifen demo-data`, `jifen settle` and `jifen settlements` as processes on an
 * embedded database (DATA_DIR): the server's settings, plain progress lines
 * when stderr is not a terminal, a second run that does nothing and says so.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { daysAgo, runJifen, seedDataDir } from "./support.ts";

const dataDir = mkdtempSync(join(tmpdir(), "jifen-cli-"));
before(() => seedDataDir(dataDir));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function jifen(...args: string[]) {
  return jifenIn(dataDir, ...args);
}

/** `jifen` on the embedded database in `dir` (the second test's is created by the process itself). */
function jifenIn(dir: string, ...args: string[]) {
  return runJifen({ DATA_DIR: dir }, args);
}

test("demo-data, a dry run, settle (catching up two days), a second settle, settlements", () => {
  const first = daysAgo(2);
  const demo = jifen("demo-data", "--members", "300", "--seed", "7", "--day", first);
  assert.equal(demo.status, 0, demo.stderr);
  assert.match(demo.stdout, /300 members/);
  assert.match(demo.stdout, new RegExp(`open business day ${first}`));
  assert.match(demo.stderr, /demo:members/, "plain progress lines when stderr is not a terminal");

  const dry = jifen("settle", "--dry-run", "--json");
  assert.equal(dry.status, 0, dry.stderr);
  const [outcome] = JSON.parse(dry.stdout);
  assert.equal(outcome.status, "dry-run");
  assert.equal(outcome.day, first);
  assert.equal(outcome.report.members, 300);
  const none = jifen("settlements", "--json");
  assert.equal(none.status, 0, none.stderr);
  assert.deepEqual(JSON.parse(none.stdout), [], "a dry run stores nothing");

  const settled = jifen("settle");
  assert.equal(settled.status, 0, settled.stderr);
  assert.match(settled.stdout, new RegExp(`${first}: settled`));
  assert.match(settled.stdout, new RegExp(`${daysAgo(1)}: settled`));
  assert.match(settled.stderr, /write:postings/);
  const again = jifen("settle");
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /already settled .*nothing to do/);

  const list = jifen("settlements");
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`${daysAgo(1)}  done`));
  assert.match(list.stdout, new RegExp(`${first}  done`));
  const one = jifen("settlements", "--date", first);
  assert.equal(one.status, 0, one.stderr);
  assert.equal(JSON.parse(one.stdout).report.members, 300);

  const today = jifen("settle", "--date", daysAgo(0));
  assert.equal(today.status, 1, "today is not over");
  assert.match(today.stdout, /not-due/);
  const bad = jifen("settle", "--date", "tomorrow");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /YYYY-MM-DD/);
  const missing = jifen("settlements", "--date", "2020-01-01");
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no settlement/);
});

test("settle on a fresh database: nothing is over yet, the first day and when; then the README demo sequence settles a day", () => {
  const fresh = mkdtempSync(join(tmpdir(), "jifen-cli-fresh-"));
  try {
    const today = daysAgo(0);
    const tomorrow = daysAgo(-1);
    const text = jifenIn(fresh, "settle");
    assert.equal(text.status, 0, text.stderr);
    assert.doesNotMatch(text.stdout, /already settled/);
    assert.match(
      text.stdout,
      new RegExp(
        `nothing is over yet: the first business day to settle, ${today}, is still open and can be settled from ${tomorrow} 00:00 \\(Asia/Shanghai\\)`,
      ),
    );
    assert.match(text.stdout, new RegExp(`尚无结束的营业日：第一个待日结的营业日 ${today} 仍在进行`));
    const json = jifenIn(fresh, "settle", "--json");
    assert.equal(json.status, 0, json.stderr);
    const [outcome] = JSON.parse(json.stdout);
    assert.deepEqual(
      [outcome.status, outcome.day, outcome.openDay, outcome.dueAt],
      ["nothing-due", daysAgo(1), today, new Date(`${tomorrow}T00:00:00+08:00`).toISOString()],
    );
    const runs = jifenIn(fresh, "settlements", "--json");
    assert.deepEqual(JSON.parse(runs.stdout), []);

    // The README's demo sequence: demo-data on a database without a ledger opens yesterday, settle settles it.
    const demo = jifenIn(fresh, "demo-data", "--members", "50", "--seed", "3");
    assert.equal(demo.status, 0, demo.stderr);
    assert.match(demo.stdout, new RegExp(`open business day ${daysAgo(1)}`));
    const settled = jifenIn(fresh, "settle");
    assert.equal(settled.status, 0, settled.stderr);
    assert.match(settled.stdout, new RegExp(`${daysAgo(1)}: settled in .*\\n  members 50 `));
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
});
