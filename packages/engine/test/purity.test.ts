/** The engine stays pure: no clock, randomness or I/O in packages/engine/src (beside the linter's import rules). */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const src = join(import.meta.dirname, "..", "src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name === "testing"
        ? []
        : sources(join(dir, e.name))
      : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")
        ? [join(dir, e.name)]
        : [],
  );
}

const FORBIDDEN: [RegExp, string][] = [
  [/Math\.random\s*\(/, "randomness"],
  [/\bnew Date\s*\(|\bDate\.now\s*\(/, "the clock"],
  [/\bprocess\./, "process state"],
  [/from\s+"node:(fs|net|http|https|child_process|crypto|worker_threads)/, "I/O"],
  [/\bparseFloat\s*\(|\.toFixed\s*\(/, "binary floating point"],
];

test("engine sources use no clock, randomness, I/O or float parsing", () => {
  const files = sources(src);
  assert.ok(files.length >= 10, "found the engine sources");
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const [pattern, what] of FORBIDDEN) assert.doesNotMatch(text, pattern, `${file} uses ${what}`);
  }
});
