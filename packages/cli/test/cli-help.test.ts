/** `jifen <command> --help` prints that command's usage with status 0, for every command (issue 8). */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";

import { JIFEN } from "./support.ts";

const bin = join(import.meta.dirname, "..", "bin", "jifen.js");

/**
 * `jifen …args`: the command's entry as the other process tests run it (bundled under `npm test`);
 * `viaBin` starts bin/jifen.js, the installed command (tsx compiling the sources), instead.
 */
function jifen(...args: string[]) {
  return run([...JIFEN, ...args]);
}

function viaBin(...args: string[]) {
  return run([bin, ...args]);
}

function run(args: string[]) {
  return spawnSync(process.execPath, args, {
    encoding: "utf8",
    // No database is opened for --help: point the settings at nothing usable to prove it.
    env: { ...process.env, DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" },
  });
}

for (const command of ["replay", "settle", "settlements", "demo-data", "verify", "compliance"]) {
  for (const flag of ["--help", "-h"]) {
    test(`jifen ${command} ${flag} prints its usage and exits 0`, () => {
      const result = jifen(command, flag);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stderr, "");
      assert.match(result.stdout, new RegExp(`^usage: jifen ${command}\\b`));
      assert.doesNotMatch(result.stdout, /Unknown option/);
    });
  }
}

test("--help after other options still prints the usage (jifen settle --date 2026-01-01 --help)", () => {
  const result = jifen("settle", "--date", "2026-01-01", "--help");
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^usage: jifen settle \[--date YYYY-MM-DD\]/);
});

test("jifen --help prints every command (bin/jifen.js, the installed command)", () => {
  const result = viaBin("--help");
  assert.equal(result.status, 0);
  for (const command of ["replay", "settle", "settlements", "demo-data", "verify", "compliance"])
    assert.match(result.stdout, new RegExp(command));
});
