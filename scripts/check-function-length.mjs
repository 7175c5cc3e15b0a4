#!/usr/bin/env node
// Fails when a function in packages/*/src (test files aside) is over
// MAX_LINES lines, unless docs/server.md's "Long functions" section names it.
// An allow-list entry is a list item starting with a path or a path prefix in
// backticks, optionally followed by a function name in backticks:
//   - `packages/server/src/admin/` — why
//   - `packages/engine/src/settlement.ts` `settleDay` — why
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const MAX_LINES = 80;
const ROOT = new URL("..", import.meta.url).pathname;

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|mjs|js)$/.test(name) && !/\.(d|test)\.ts$/.test(name)) out.push(path);
  }
  return out;
}

/** A function's own name, or undefined for an anonymous one. */
function ownName(node) {
  if (node.name && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) return node.name.text;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return undefined;
}

/** Every function over the limit: { file, name, line, lines }. */
export function longFunctions(root = ROOT) {
  const found = [];
  for (const pkg of readdirSync(join(root, "packages"))) {
    const src = join(root, "packages", pkg, "src");
    let files;
    try {
      files = sourceFiles(src);
    } catch {
      continue; // a package without src/ has no functions to check
    }
    for (const path of files) {
      const text = readFileSync(path, "utf8");
      const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
      // An anonymous function (a route handler, a callback) goes by the name of
      // the named function around it.
      const visit = (node, enclosing) => {
        let name = enclosing;
        if (ts.isFunctionLike(node) && node.body) {
          name = ownName(node) ?? enclosing ?? "(anonymous)";
          const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
          const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
          const lines = end - start + 1;
          if (lines > MAX_LINES) {
            found.push({ file: relative(root, path), name, line: start + 1, lines });
          }
        }
        ts.forEachChild(node, (child) => visit(child, name));
      };
      visit(source, undefined);
    }
  }
  return found;
}

/** The allow-list: [{ path, name? }] from docs/server.md's "Long functions" section. */
export function allowList(root = ROOT) {
  const doc = readFileSync(join(root, "docs/server.md"), "utf8");
  const section = doc.split(/^## Long functions\s*$/m)[1]?.split(/^## /m)[0] ?? "";
  const entries = [];
  for (const line of section.split("\n")) {
    const m = /^\s*[-*] `([^`]+)`(?:\s+`([^`]+)`)?/.exec(line);
    if (m) entries.push({ path: m[1], name: m[2] });
  }
  return entries;
}

/** `*` in an entry's path stands for any part of one path segment; a path ending in `/` is a folder. */
function pathPattern(path) {
  const escaped = path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*");
  return new RegExp(`^${escaped}${path.endsWith("/") ? "" : "$"}`);
}

function allowed(fn, entries) {
  return entries.some(
    (e) => pathPattern(e.path).test(fn.file) && (e.name === undefined || e.name === fn.name),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const entries = allowList();
  const over = longFunctions().filter((fn) => !allowed(fn, entries));
  for (const fn of over) {
    console.error(
      `${fn.file}:${fn.line} ${fn.name} is ${fn.lines} lines (over ${MAX_LINES}); split it or list it under "Long functions" in docs/server.md`,
    );
  }
  if (over.length > 0) process.exit(1);
}
