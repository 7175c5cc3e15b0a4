// Bundles the test files (and the processes tests start) once per test run, so
// that each test process loads one JavaScript file instead of compiling and
// resolving every TypeScript module through tsx's loader hooks (≈2 s of CPU a
// process on this machine). esbuild is what tsx compiles with; the bundle holds
// the workspace's own sources (`@jifen/*` and relative imports) and the packages
// under node_modules, except EXTERNAL_PACKAGES. `import.meta.url`, `.dirname` and `.filename`
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
  "packages/server/test/support/server-child.ts",
];

/**
 * Worker threads started from a source file's `new URL("./x.mjs", import.meta.url)`, where x.mjs
 * registers tsx and imports x.ts: in the bundles they start x.ts's own bundle instead.
 */
export const WORKER_ENTRIES = ["packages/server/src/settlement/day-rows-worker.ts"];

/**
 * Packages left as imports: they read files beside their own modules (PGlite's wasm and data,
 * TypeScript's lib files, the Swagger UI's assets, pino's transports, playwright's driver), load
 * native code (argon2, pg-native) or run a binary (esbuild). The others are bundled: a process
 * then loads a few JavaScript files instead of resolving, reading and (for CommonJS) scanning
 * hundreds of modules under node_modules.
 */
const EXTERNAL_PACKAGES = [
  "@electric-sql/pglite",
  "typescript",
  "@fastify/swagger",
  "@fastify/swagger-ui",
  "pino",
  "playwright-core",
  "playwright",
  "@node-rs/argon2",
  "pg-native",
  "esbuild",
  "tsx",
];

/** The bundle of the source file `file` (relative to the repository or absolute). */
export function bundlePath(file) {
  const rel = relative(REPO_ROOT, join(REPO_ROOT, file)).replace(/\.[cm]?tsx?$/, "");
  return join(BUNDLE_DIR, `${rel}.mjs`);
}

const sourceMeta = {
  name: "source-meta",
  setup(build) {
    // Packages are bundled too, except those that find files of their own next to their modules.
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      EXTERNAL_PACKAGES.some((name) => args.path === name || args.path.startsWith(`${name}/`))
        ? { path: args.path, external: true }
        : undefined,
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
    // Stack traces name the source files and lines; the maps need not carry the sources' text
    // (smaller maps: each process reads the maps of what it loads, --enable-source-maps).
    sourcesContent: false,
    // CommonJS packages in the bundle `require` Node's own modules and the external packages.
    banner: {
      js: 'import { createRequire as __jifenRequire } from "node:module"; const require = __jifenRequire(import.meta.url);',
    },
    jsx: "automatic",
    logLevel: "warning",
    plugins: [sourceMeta],
  });
  return files.map(bundlePath);
}
