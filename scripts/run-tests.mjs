#!/usr/bin/env node
// Runs every *.test.ts under packages/ and apps/ with node:test, each file in a
// process of its own, TEST_CONCURRENCY files at once (3).
// Usage: node scripts/run-tests.mjs [path-filter ...]
// The test files run as bundles built for this run (scripts/test-bundles.mjs);
// JIFEN_TEST_SOURCE=1 runs them from their sources through tsx instead.
//
// The longest files start first (their last measured wall time, from
// scripts/test-durations.json; a file not listed there counts as the mean), so
// that the run does not end waiting for one long file started late. A file's
// report is printed when it ends; the run ends with each file's wall time and
// CPU (user + system of the file's process and the processes it started, from
// /usr/bin/time when present). TEST_DURATIONS_OUT=<file> writes the measured
// wall times in the durations file's form (to refresh it after a full run).
//
// Test processes run with V8's `--liftoff-only`: WebAssembly (PGlite's
// PostgreSQL) is compiled by the baseline compiler only, without the optimizing
// tier's background compiles, which a test process or a `jifen` command it
// starts rarely runs long enough to earn back (docs/decisions.md, "CI time: V8
// flags for test processes"). Processes started through
// test/support/node-entry.ts get the same flag.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLE_DIR, buildTestBundles } from "./test-bundles.mjs";

const roots = ["packages", "apps"];
const skip = new Set(["node_modules", "data", "dist", ".tmp", ".stryker-tmp"]);
const files = [];
function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith(".test.ts")) files.push(path);
  }
}
for (const root of roots) walk(root);
const filters = process.argv.slice(2);
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (selected.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
const concurrency = Math.max(1, Number(process.env.TEST_CONCURRENCY ?? "3"));
const fromSource = process.env.JIFEN_TEST_SOURCE === "1";
const started = Date.now();
const runnable = fromSource ? selected : await buildTestBundles(selected);
if (!fromSource) console.log(`tests: ${selected.length} files bundled in ${Date.now() - started} ms`);

/** Last measured wall seconds per file; the longest first, ties by name. */
function longestFirst(indexes) {
  const known = JSON.parse(readFileSync(new URL("./test-durations.json", import.meta.url), "utf8"));
  const listed = Object.values(known);
  const mean = listed.reduce((a, b) => a + b, 0) / Math.max(1, listed.length);
  const weight = (i) => known[selected[i].replaceAll("\\", "/")] ?? mean;
  return indexes.sort((a, b) => weight(b) - weight(a) || selected[a].localeCompare(selected[b]));
}

const timeBin = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
const scratch = mkdtempSync(join(tmpdir(), "jifen-run-tests-"));
const env = fromSource ? process.env : { ...process.env, JIFEN_TEST_BUNDLES: BUNDLE_DIR };

/** Runs one file; resolves with its status, counts, wall and CPU seconds and its report. */
function runFile(i) {
  const nodeArgs = [
    "--liftoff-only",
    ...(fromSource ? ["--import", "tsx"] : ["--enable-source-maps"]),
    "--test-reporter=spec",
    runnable[i],
  ];
  const cpuFile = join(scratch, `${i}.cpu`);
  const [command, args] = timeBin
    ? [timeBin, ["-f", "%U %S", "-o", cpuFile, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const fileStarted = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const out = [];
    child.stdout.on("data", (chunk) => out.push(chunk));
    child.stderr.on("data", (chunk) => out.push(chunk));
    child.on("close", (code, signal) => {
      const report = Buffer.concat(out).toString("utf8");
      const count = (name) => Number(new RegExp(`^ℹ ${name} (\\d+)$`, "m").exec(report)?.[1] ?? 0);
      let cpu;
      if (timeBin && existsSync(cpuFile)) {
        const parts = readFileSync(cpuFile, "utf8").trim().split("\n").at(-1).split(" ").map(Number);
        if (parts.length === 2 && parts.every(Number.isFinite)) cpu = parts[0] + parts[1];
      }
      resolve({
        file: selected[i],
        ok: code === 0 && count("fail") === 0 && count("cancelled") === 0 && /^ℹ tests \d+$/m.test(report),
        code: signal ?? code,
        tests: count("tests"),
        pass: count("pass"),
        fail: count("fail") + count("cancelled"),
        skipped: count("skipped") + count("todo"),
        wallS: (Date.now() - fileStarted) / 1000,
        cpuS: cpu,
        report,
      });
    });
  });
}

const queue = longestFirst(selected.map((_, i) => i));
const results = [];
async function worker() {
  for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
    const result = await runFile(i);
    results.push(result);
    const mark = result.ok ? "✔" : "✖";
    const cpu = result.cpuS === undefined ? "" : `, ${result.cpuS.toFixed(1)} s CPU`;
    process.stdout.write(`\n## ${mark} ${result.file} (${result.wallS.toFixed(1)} s wall${cpu})\n`);
    process.stdout.write(result.report.endsWith("\n") ? result.report : `${result.report}\n`);
  }
}
const testsStarted = Date.now();
await Promise.all(Array.from({ length: Math.min(concurrency, selected.length) }, worker));
rmSync(scratch, { recursive: true, force: true });
printSummary();

function printSummary() {
  const sum = (key) => results.reduce((a, r) => a + (r[key] ?? 0), 0);
  const failed = results.filter((r) => !r.ok);
  console.log("\nfiles by wall time (s wall, s CPU):");
  for (const r of [...results].sort((a, b) => b.wallS - a.wallS)) {
    const cpu = r.cpuS === undefined ? "" : r.cpuS.toFixed(1).padStart(7);
    console.log(`${r.wallS.toFixed(1).padStart(7)} ${cpu}  ${r.ok ? "" : "FAILED "}${r.file}`);
  }
  const cpu = timeBin ? `, ${sum("cpuS").toFixed(0)} s CPU` : "";
  const wall = ((Date.now() - testsStarted) / 1000).toFixed(0);
  console.log(
    `tests ${sum("tests")}, pass ${sum("pass")}, fail ${sum("fail")}, skipped ${sum("skipped")}; ` +
      `${results.length} files, ${concurrency} at once: ${wall} s wall${cpu}`,
  );
  if (process.env.TEST_DURATIONS_OUT) {
    const durations = Object.fromEntries(
      [...results]
        .sort((a, b) => a.file.localeCompare(b.file))
        .map((r) => [r.file.replaceAll("\\", "/"), Math.round(r.wallS * 10) / 10]),
    );
    writeFileSync(process.env.TEST_DURATIONS_OUT, `${JSON.stringify(durations, null, 2)}\n`);
  }
  for (const r of failed) console.log(`FAILED: ${r.file} (exit ${r.code}, ${r.fail} failed)`);
  process.exitCode = failed.length > 0 ? 1 : 0;
}
