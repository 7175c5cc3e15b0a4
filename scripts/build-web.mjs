#!/usr/bin/env node
// Builds the web apps (apps/admin, apps/h5) with Vite when their sources are newer
// than their last build (or always with --force), then prints the gzipped size of
// the JavaScript each app's first page loads (index.html's scripts and preloads).
// `npm start` and `npm test` call it; `npm run build:web` forces it.
// Usage: node scripts/build-web.mjs [--force] [app ...]
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const force = args.includes("--force");
const only = args.filter((a) => !a.startsWith("--"));
const apps = readdirSync(join(root, "apps")).filter(
  (name) =>
    existsSync(join(root, "apps", name, "vite.config.ts")) && (only.length === 0 || only.includes(name)),
);
// What an app's build reads besides its own folder.
const shared = [join(root, "packages/api-types/src"), join(root, "packages/web-kit/src")];
const STAMP = ".build-stamp";

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === "node_modules" || entry === "dist" || entry === "test") continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

/** The gzipped bytes of the JavaScript index.html loads before the first page shows. */
export function firstPageGzipBytes(distDir) {
  const html = readFileSync(join(distDir, "index.html"), "utf8");
  const files = new Set();
  for (const match of html.matchAll(/(?:src|href)="[^"]*?(assets\/[^"]+\.js)"/g)) files.add(match[1]);
  let bytes = 0;
  for (const file of files) bytes += gzipSync(readFileSync(join(distDir, file))).length;
  return { bytes, files: [...files] };
}

let failed = false;
for (const app of apps) {
  const dir = join(root, "apps", app);
  const dist = join(dir, "dist");
  const stamp = join(dist, STAMP);
  const sources = Math.max(newest(dir), ...shared.map(newest));
  const fresh = existsSync(stamp) && statSync(stamp).mtimeMs >= sources;
  if (fresh && !force) {
    console.log(`web: apps/${app} is up to date`);
  } else {
    console.log(`web: building apps/${app} …`);
    const vite = join(root, "node_modules/.bin/vite");
    const result = spawnSync(vite, ["build", "--logLevel", "warn"], { cwd: dir, stdio: "inherit" });
    if (result.status !== 0) {
      failed = true;
      continue;
    }
    writeFileSync(stamp, new Date().toISOString());
  }
  const { bytes } = firstPageGzipBytes(dist);
  console.log(`web: apps/${app} first page loads ${(bytes / 1024).toFixed(1)} KiB of gzipped JavaScript`);
}
process.exit(failed ? 1 : 0);
