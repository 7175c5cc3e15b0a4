/**
 * The engine's tests in one process, for `npm run test:mutation` (stryker.config.mjs):
 * each mutant then costs one start of Node and tsx instead of one per test file, and
 * stops at the first failing test. Quick example tests first, property tests last.
 * The purity test is left out: it scans the sources, and the instrumented ones trip it.
 * Not a test file itself (no `.test.ts`): `npm test` runs the files directly.
 */
import "../src/pinned-rules.test.ts";
import "../src/money.test.ts";
import "../src/equity.test.ts";
import "../src/commands.test.ts";
import "../src/refusals.test.ts";
import "../src/models.test.ts";
import "../src/lifecycle.test.ts";
import "./examples.test.ts";
import "../src/limits.test.ts";
import "../src/config.test.ts";
import "../src/json.test.ts";
import "../src/risks.test.ts";
import "../src/split.property.test.ts";
import "../src/settlement.property.test.ts";
import "../src/engine.property.test.ts";
