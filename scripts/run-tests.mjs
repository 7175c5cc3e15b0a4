#!/usr/bin/env node
// Runs every *.test.ts under packages/ and apps/ with node:test through tsx.
// Node 20 does not expand globs in `node --test`, so the files are listed here.
// Usage: node scripts/run-tests.mjs [path-filter ...]
// The test files run as bundles built for this run (scripts/test-bundles.mjs);
// JIFEN_TEST_SOURCE=1 runs them from their sources through tsx instead.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
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
const concurrency = process.env.TEST_CONCURRENCY ?? "3";
const fromSource = process.env.JIFEN_TEST_SOURCE === "1";
const started = Date.now();
const runnable = fromSource ? selected : await buildTestBundles(selected);
if (!fromSource) console.log(`tests: ${selected.length} files bundled in ${Date.now() - started} ms`);
const result = spawnSync(
  process.execPath,
  [
    ...(fromSource ? ["--import", "tsx"] : ["--enable-source-maps"]),
    "--test",
    `--test-concurrency=${concurrency}`,
    ...runnable,
  ],
  { stdio: "inherit", env: fromSource ? process.env : { ...process.env, JIFEN_TEST_BUNDLES: BUNDLE_DIR } },
);
process.exit(result.status ?? 1);
