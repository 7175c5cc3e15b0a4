// Mutation testing of the engine (issue 15): `npm run test:mutation` at the root.
// Stryker 9.6.1 (10 needs Node 22); the tap runner runs node:test through tsx.
// Not part of `npm test` and not run by CI: the whole engine takes hours on 2 busy cores.
// One file: `npm run test:mutation -- --mutate src/money.ts`. See docs/mutation.md.

import { readdirSync } from "node:fs";

// A fixed fast-check seed keeps the property tests, and so the score, repeatable. Each
// surviving mutant runs the whole suite, so the property tests run at a
// tenth of their usual runs (JIFEN_PROPERTY_SCALE=1 npm run test:mutation for all of them).
process.env.FC_SEED ??= "20261129";
process.env.JIFEN_PROPERTY_SCALE ??= "0.1";
// A failing property stops at its first counterexample (no shrinking): only kill or survive counts.
process.env.JIFEN_PROPERTY_NO_SHRINK ??= "1";

// The tests named after a mutated file (src/X.test.ts, src/X.property.test.ts, src/X-*.test.ts for
// src/X.ts, given with --mutate) run first: a mutant runs its covering files in the dry run's order
// until one fails, and a file's own tests usually kill its mutants soonest.
const argv = process.argv;
const flagAt = argv.findIndex((a) => a === "--mutate" || a === "-m");
const mutateArg =
  flagAt >= 0 ? (argv[flagAt + 1] ?? "") : (argv.find((a) => a.startsWith("--mutate="))?.slice(9) ?? "");
const ownTests = mutateArg
  .split(",")
  .map((f) => f.trim().replace(/:.*$/, ""))
  .filter((f) => /^src\/[^/]+\.ts$/.test(f))
  .flatMap((f) => {
    const stem = f.slice("src/".length, -".ts".length);
    return readdirSync("src")
      .filter(
        (name) =>
          name === `${stem}.test.ts` ||
          name === `${stem}.property.test.ts` ||
          (name.startsWith(`${stem}-`) && name.endsWith(".test.ts")),
      )
      .sort((a, b) => a.length - b.length)
      .map((name) => `src/${name}`);
  });

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "tap",
  plugins: ["@stryker-mutator/tap-runner"],
  tap: {
    // A mutant runs the files that reach it in this order until one fails: quick example
    // tests first, property tests last. The purity test is left out: it scans the sources,
    // and the instrumented ones trip it.
    testFiles: [
      ...ownTests,
      "src/pinned-rules.test.ts",
      "src/money.test.ts",
      "src/equity.test.ts",
      "src/commands.test.ts",
      "src/commands-accounts.test.ts",
      "src/book.test.ts",
      "src/refusals.test.ts",
      "src/models.test.ts",
      "src/lifecycle.test.ts",
      "test/examples.test.ts",
      "src/limits.test.ts",
      "src/config.test.ts",
      "src/json.test.ts",
      "src/risks.test.ts",
      "src/split.property.test.ts",
      "src/settlement.property.test.ts",
      "src/engine.property.test.ts",
      "src/**/*.test.ts",
    ],
    nodeArgs: ["--import", "tsx", "--test-reporter=tap", "-r", "{{hookFile}}", "{{testFile}}"],
  },
  mutate: ["src/**/*.ts", "!src/**/*.test.ts", "!src/testing/**", "!src/index.ts"],
  coverageAnalysis: "perTest",
  incremental: true,
  // Kept out of the repository (packages/engine/reports/ is ignored): it only speeds up reruns.
  incrementalFile: "reports/stryker-incremental.json",
  concurrency: 2,
  timeoutMS: 60000,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
