// Bundles the test files (and the processes tests start) once per test run, so
// that each test process loads one JavaScript file instead of compiling and
// resolving every TypeScript module through tsx's loader hooks (≈2 s of CPU a
// process on this machine). esbuild is what tsx compiles with; the bundle holds
// the workspace's own sources (`@jifen/*` and relative imports), the packages
// under node_modules stay imports. `import.meta.url`, `.dirname` and `.filename`
// are replaced by the source file's own values, so files found next to a source
// (migrations, the built web apps, fixtures) are found as before.
import { readFileSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BUNDLE_DIR = join(REPO_ROOT, ".tmp", "test-bundles");

/** Entry points started as processes by tests (see packages/server/test/support/node-entry.ts). */
export const PROCESS_ENTRIES = [
  "packages/cli/src/cli.ts",
  "packages/server/src/main.ts",
  "packages/server/test/support/settle-child.ts",
  "packages/server/test/support/writer-child.ts",
  "packages/server/test/support/lease-child.ts",
];

/**
 * Worker threads started from a source file's `new URL("./x.mjs", import.meta.url)`, where x.mjs
 * registers tsx and imports x.ts: in the bundles they start x.ts's own bundle instead.
 */
export const WORKER_ENTRIES = ["packages/server/src/settlement/day-rows-worker.ts"];

/** The bundle of the source file `file` (relative to the repository or absolute). */
export function bundlePath(file) {
  const rel = relative(REPO_ROOT, join(REPO_ROOT, file)).replace(/\.[cm]?tsx?$/, "");
  return join(BUNDLE_DIR, `${rel}.mjs`);
}

const sourceMeta = {
  name: "source-meta",
  setup(build) {
    // Packages stay imports, except the workspace's own (bundled from their sources).
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@jifen/") ? undefined : { path: args.path, external: true },
    );
    build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
      let text = readFileSync(args.path, "utf8");
      text = text.replace(/new URL\("(\.[^"]+)\.mjs", import\.meta\.url\)/g, (whole, name) => {
        const source = relative(REPO_ROOT, join(dirname(args.path), `${name}.ts`));
        if (!WORKER_ENTRIES.includes(source)) return whole;
        return `new URL(${JSON.stringify(pathToFileURL(bundlePath(source)).href)})`;
      });
      if (text.includes("import.meta.")) {
        text = text
          .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll("import.meta.dirname", JSON.stringify(dirname(args.path)))
          .replaceAll("import.meta.filename", JSON.stringify(args.path));
      }
      const loader = /\.[cm]?tsx$/.test(args.path) ? "tsx" : /\.[cm]?ts$/.test(args.path) ? "ts" : "js";
      return { contents: text, loader };
    });
  },
};

/** Bundles `files` (paths relative to the repository) into BUNDLE_DIR; returns the bundles' paths. */
export async function buildTestBundles(files) {
  const entries = [...new Set([...files, ...PROCESS_ENTRIES, ...WORKER_ENTRIES])];
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: Object.fromEntries(
      entries.map((file) => [
        relative(BUNDLE_DIR, bundlePath(file)).replace(/\.mjs$/, ""),
        join(REPO_ROOT, file),
      ]),
    ),
    outdir: BUNDLE_DIR,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: "linked",
    jsx: "automatic",
    logLevel: "warning",
    plugins: [sourceMeta],
  });
  return files.map(bundlePath);
}
