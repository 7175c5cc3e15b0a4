#!/usr/bin/env node
// Runs every *.test.ts under packages/ and apps/ with node:test through tsx.
// Node 20 does not expand globs in `node --test`, so the files are listed here.
// Usage: node scripts/run-tests.mjs [path-filter ...]
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

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
const concurrency = process.env.TEST_CONCURRENCY ?? "2";
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, ...selected],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
