/**
 * No sequence of reward steps outside packages/engine (issue 9): the first grep
 * of docs/engine.md "Checking that no sequence of reward steps lives outside
 * the engine", run over the same folders. A call of a grant, a reversal, a
 * member's equity command or the exit check outside the engine fails here.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const STEP_CALL =
  /\b(grantEquity|reverseEquity|grantCycle|reverseCycle|grantRelease|reverseRelease|sellEquity|redeemEquity|equityToStable|stableToEquity|payStable|exitSteps|exitCheckSteps)\(/;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (/\.(ts|tsx|mjs|js)$/.test(entry.name)) out.push(path);
  }
  return out;
}

test("no reward step is called outside packages/engine", () => {
  const folders = [
    join(ROOT, "packages", "server", "src"),
    join(ROOT, "packages", "cli", "src"),
    ...readdirSync(join(ROOT, "apps")).map((app) => join(ROOT, "apps", app, "src")),
  ];
  const hits: string[] = [];
  for (const folder of folders) {
    let files: string[];
    try {
      files = sources(folder);
    } catch {
      continue; // an app without src/ yet
    }
    for (const file of files) {
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (STEP_CALL.test(line)) hits.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
        });
    }
  }
  assert.ok(folders.length >= 3);
  assert.deepEqual(hits, []);
});

test("the pattern sees a call and not an operation id", () => {
  assert.ok(STEP_CALL.test("  sellEquity(b, state, config.equity, memberId, points, false);"));
  assert.ok(!STEP_CALL.test('        operationId: "sellEquity",'));
});
