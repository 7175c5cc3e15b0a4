/** The mutation run's suite (test/mutation-suite.ts) imports every engine test file but the purity test. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

test("test/mutation-suite.ts imports every engine test file but the purity test", () => {
  const suite = readFileSync(join(import.meta.dirname, "mutation-suite.ts"), "utf8");
  const imported = new Set([...suite.matchAll(/^import "\.\.?\/(?:src\/)?([^"]+)";$/gm)].map((m) => m[1]));
  const files = [
    ...readdirSync(join(import.meta.dirname, "..", "src")),
    ...readdirSync(import.meta.dirname).filter(
      (f) => !["purity.test.ts", "mutation-suite.test.ts"].includes(f),
    ),
  ].filter((f) => f.endsWith(".test.ts"));
  assert.ok(files.length >= 15);
  for (const file of files) assert.ok(imported.has(file), `test/mutation-suite.ts does not import ${file}`);
});
