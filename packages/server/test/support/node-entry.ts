/**
 * How a test starts a Node process on one of the workspace's TypeScript entry
 * points. `npm test` (scripts/run-tests.mjs) bundles the test files and the
 * entries listed in scripts/test-bundles.mjs once per run and names the folder
 * in JIFEN_TEST_BUNDLES; a process then loads that one JavaScript file. Without
 * it (a test file run by hand), or for an entry not bundled, the process
 * compiles the source through tsx as before.
 */
import { existsSync } from "node:fs";
import { join, relative } from "node:path";

const REPO_ROOT = join(import.meta.dirname, "..", "..", "..", "..");

/**
 * V8 flags a started process takes over from the test process
 * (scripts/run-tests.mjs): `--liftoff-only` compiles PGlite's WebAssembly with
 * the baseline compiler only; a test file run by hand runs without it, as
 * production does.
 */
const INHERITED_FLAGS = process.execArgv.filter((flag) => flag === "--liftoff-only");

/** The arguments for `node` that run the TypeScript file `entry` (an absolute path). */
export function nodeArgs(entry: string): string[] {
  const dir = process.env.JIFEN_TEST_BUNDLES;
  if (dir) {
    const bundle = join(dir, `${relative(REPO_ROOT, entry).replace(/\.ts$/, "")}.mjs`);
    if (existsSync(bundle)) return [...INHERITED_FLAGS, "--enable-source-maps", bundle];
  }
  return [...INHERITED_FLAGS, "--import", "tsx", entry];
}
