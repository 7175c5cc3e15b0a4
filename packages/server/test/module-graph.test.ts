import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
// @ts-expect-error: a plain .mjs script without type declarations
import { backDoors, cycles, importGraph, KNOWN_BACK_DOORS } from "../../../scripts/module-graph.mjs";

const SRC = join(import.meta.dirname, "..", "src");

test("the server's modules import no cycle, type-only imports included", () => {
  assert.deepEqual(cycles(importGraph(SRC)), []);
});

test("other folders enter an area only through its index.ts (app.ts: route plugins)", () => {
  const doors = backDoors(importGraph(SRC), SRC).map(([from, to]: [string, string]) =>
    `${from.slice(SRC.length + 1)} -> ${to.slice(SRC.length + 1)}`.replaceAll("\\", "/"),
  );
  assert.deepEqual(
    doors.filter((d: string) => !KNOWN_BACK_DOORS.has(d)),
    [],
  );
});

test("the check sees a cycle through type imports and an import past index.ts", () => {
  const dir = mkdtempSync(join(tmpdir(), "module-graph-"));
  try {
    mkdirSync(join(dir, "shop"));
    mkdirSync(join(dir, "rewards"));
    writeFileSync(join(dir, "shop", "index.ts"), 'export * from "./orders.ts";\n');
    writeFileSync(join(dir, "shop", "orders.ts"), 'import { openDay } from "../rewards/index.ts";\n');
    writeFileSync(join(dir, "rewards", "index.ts"), 'export * from "./hooks.ts";\n');
    writeFileSync(join(dir, "rewards", "hooks.ts"), 'import type { Order } from "../shop/orders.ts";\n');
    const graph = importGraph(dir);
    assert.equal(cycles(graph).length, 1);
    assert.deepEqual(
      backDoors(graph, dir).map(([from, to]: [string, string]) => [
        from.slice(dir.length + 1),
        to.slice(dir.length + 1),
      ]),
      [[join("rewards", "hooks.ts"), join("shop", "orders.ts")]],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
