#!/usr/bin/env node
// Re-tests the survivors of a Stryker JSON report by hand, one at a time: writes each surviving
// mutant into its source file, runs the given test files (node --import tsx --test), restores
// the file, and says whether the tests now fail (killed) or pass (still surviving). For
// checking that new tests kill the survivors of a run without a new Stryker run.
// The package is copied to a temporary folder first; the working tree is never changed.
// Usage (from packages/engine): node ../../scripts/mutation-check.mjs REPORT.json src/x.ts TEST.ts [TEST.ts ...]
// Same settings as `npm run test:mutation` (fixed seed, property tests at 0.1, no shrinking).
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const [reportPath, file, ...tests] = process.argv.slice(2);
if (!reportPath || !file || tests.length === 0) {
  console.error("usage: node mutation-check.mjs REPORT.json src/x.ts TEST.ts [TEST.ts ...]");
  process.exit(1);
}
const report = JSON.parse(readFileSync(reportPath, "utf8"));
const entry = report.files[file];
if (!entry) throw new Error(`${file} is not in ${reportPath}`);
// Works on a copy of the package (a Stryker run starting meanwhile must not copy a mutant).
const root = mkdtempSync(join(tmpdir(), "mutation-check-"));
const copy = join(root, "packages", "engine");
for (const dir of ["src", "test"]) cpSync(dir, join(copy, dir), { recursive: true });
cpSync("package.json", join(copy, "package.json"));
symlinkSync(resolve("../../node_modules"), join(root, "node_modules"));
const target = join(copy, file);
const original = readFileSync(target, "utf8");
if (original !== entry.source) throw new Error(`${file} changed since the run: re-run Stryker instead`);
const lines = original.split("\n");
const offset = ({ line, column }) =>
  lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
const env = {
  ...process.env,
  FC_SEED: "20261129",
  JIFEN_PROPERTY_SCALE: "0.1",
  JIFEN_PROPERTY_NO_SHRINK: "1",
};
let still = 0;
try {
  for (const m of entry.mutants.filter((x) => x.status === "Survived" || x.status === "NoCoverage")) {
    const from = offset(m.location.start);
    const to = offset(m.location.end);
    writeFileSync(target, original.slice(0, from) + m.replacement + original.slice(to));
    const run = spawnSync("node", ["--import", "tsx", "--test", "--test-reporter=dot", ...tests], {
      cwd: copy,
      env,
      timeout: 120000,
    });
    const killed = run.status !== 0;
    if (!killed) still++;
    console.log(
      `${killed ? "killed  " : "SURVIVES"} ${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} → ${m.replacement.replace(/\s+/g, " ").slice(0, 80)}`,
    );
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
console.log(`${still} still surviving`);
