#!/usr/bin/env node
// Regenerates the committed screenshots of the web apps (docs/screenshots/<app>/):
// builds the apps, then runs each app's screenshots.ts, which drives the real server
// on a fresh embedded database with Debian's chromium.
// Usage: node scripts/screenshots.mjs [app ...]
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const only = process.argv.slice(2);
const run = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" }).status === 0;
if (spawnSync("bash", ["scripts/ensure-browser.sh"], { cwd: root, stdio: "inherit" }).status !== 0)
  process.exit(1);
if (!run(["scripts/build-web.mjs", ...only])) process.exit(1);
let ok = true;
for (const app of readdirSync(join(root, "apps"))) {
  const script = join(root, "apps", app, "screenshots.ts");
  if ((only.length > 0 && !only.includes(app)) || !existsSync(script)) continue;
  console.log(`screenshots: apps/${app}`);
  ok = run(["--import", "tsx", script]) && ok;
}
process.exit(ok ? 0 : 1);
