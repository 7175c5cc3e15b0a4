#!/usr/bin/env node
// The import graph of a source folder (default packages/server/src), checked for
// two rules: no module cycles (type-only imports count: a cycle through types
// still ties two areas together), and a folder with an index.ts is entered from
// other folders only through that index.ts — except by the root's app.ts, which
// assembles the server from each area's route plugins (files named *routes.ts,
// kept out of the index.ts so that an area's routes never sit on another
// area's import path). Exits 1 and lists the breaches.
// Usage: node scripts/module-graph.mjs [folder]   (part of `npm run check`)
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/** Every .ts file under `root`, as absolute paths. */
export function sourceFiles(root) {
  const out = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;

/** The relative imports of one file's text, resolved against `file`. */
export function importsOf(file, text) {
  const out = [];
  for (const m of text.matchAll(IMPORT)) out.push(resolve(dirname(file), m[1] ?? m[2]));
  return out;
}

/** Map of file to the files it imports (only files inside the graph). */
export function importGraph(root) {
  const files = sourceFiles(resolve(root));
  const known = new Set(files);
  const graph = new Map();
  for (const file of files) {
    graph.set(
      file,
      importsOf(file, readFileSync(file, "utf8")).filter((f) => known.has(f)),
    );
  }
  return graph;
}

/** The strongly connected components with more than one file (or a self-import): the cycles. */
export function cycles(graph) {
  let index = 0;
  const stack = [];
  const onStack = new Set();
  const idx = new Map();
  const low = new Map();
  const found = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return found;
}

/**
 * Back doors known when the rule was written, in files other work owns at the
 * time (rewards/, settlement/, demo/, main.ts): listed so that no new one
 * appears; remove an entry when its import goes through the index.ts.
 */
export const KNOWN_BACK_DOORS = new Set([
  "demo/demo-data.ts -> settlement/copy-text.ts",
  "demo/demo-data.ts -> settlement/load.ts",
  "index.ts -> settlement/scheduler.ts",
  "main.ts -> settlement/scheduler.ts",
]);

/** Imports that enter another folder past its index.ts. */
export function backDoors(graph, root) {
  const top = resolve(root);
  const hasIndex = new Set(
    [...graph.keys()]
      .filter((f) => f.endsWith(`${sep}index.ts`))
      .map(dirname)
      .filter((d) => d !== top),
  );
  const assembler = join(top, "app.ts");
  const out = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const folder = dirname(to);
      if (from === assembler && to.endsWith("routes.ts")) continue;
      if (folder !== dirname(from) && hasIndex.has(folder) && !to.endsWith(`${sep}index.ts`))
        out.push([from, to]);
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.argv[2] ?? "packages/server/src";
  const graph = importGraph(root);
  const name = (f) => relative(resolve(root), f);
  const loops = cycles(graph);
  const doors = backDoors(graph, root).filter(
    ([from, to]) => !KNOWN_BACK_DOORS.has(`${name(from)} -> ${name(to)}`.replaceAll(sep, "/")),
  );
  for (const loop of loops) console.error(`module cycle: ${loop.map(name).join(" → ")}`);
  for (const [from, to] of doors)
    console.error(`${name(from)} imports ${name(to)}: import the folder's index.ts`);
  if (loops.length > 0 || doors.length > 0) process.exit(1);
  console.log(`${root}: ${graph.size} modules, no cycles, folders entered through index.ts`);
}
