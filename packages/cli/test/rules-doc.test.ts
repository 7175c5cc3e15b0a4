/**
 * The worked examples of docs/rules.md are executed: each scenario block (after
 * `<!-- example: NAME -->`) is replayed and every figure of its expected block
 * (after `<!-- expected: NAME -->`) is compared by value with the replay's output.
 * An expected block lists only the figures that matter: objects match key by key
 * (an empty object `{}` only an empty one), lists element by element.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { runScenario } from "@jifen/engine";

const root = join(import.meta.dirname, "..", "..", "..");
const doc = readFileSync(join(root, "docs", "rules.md"), "utf8");
const fixtures = join(root, "packages", "engine", "test", "fixtures", "spec-examples");

/** The examples docs/rules.md must have: one for every plan and rule the brief names. */
const REQUIRED = [
  "equity-four-consumers",
  "equity-refund",
  "cycle-static-pool",
  "release-multiple-3",
  "team-differential",
  "peer-bonus",
  "order-no-plan",
];

/** Doc examples that are the specification's own example files (same scenario, figures a subset). */
const SPEC_FILE: Record<string, string> = { "equity-referrer": "replay-readme" };

type Blocks = Map<string, unknown[]>;

/** Every `<!-- KIND: NAME -->` marker and the JSON of the first ```json block after it. */
function blocks(kind: "example" | "expected"): Blocks {
  const out: Blocks = new Map();
  const marker = new RegExp(`<!-- ${kind}: ([a-z0-9-]+) -->`, "g");
  for (const match of doc.matchAll(marker)) {
    const name = match[1] as string;
    const start = doc.indexOf("```json\n", match.index);
    const end = doc.indexOf("\n```", start + 8);
    assert.ok(start >= 0 && end > start, `${kind} ${name}: no \`\`\`json block after the marker`);
    const between = doc.slice(match.index + match[0].length, start);
    assert.ok(!between.includes("```"), `${kind} ${name}: another code block comes before its json block`);
    let value: unknown;
    try {
      value = JSON.parse(doc.slice(start + 8, end));
    } catch (error) {
      assert.fail(`${kind} ${name}: the json block does not parse: ${(error as Error).message}`);
    }
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

/** Where `actual` differs from the figures `expected` lists (empty when it has them all). */
function differences(expected: unknown, actual: unknown, path = "$"): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected a list, got ${JSON.stringify(actual)}`];
    if (actual.length !== expected.length)
      return [`${path}: expected ${expected.length} entries, got ${actual.length}`];
    return expected.flatMap((e, i) => differences(e, actual[i], `${path}[${i}]`));
  }
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null || Array.isArray(actual))
      return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    const keys = Object.keys(expected);
    if (keys.length === 0 && Object.keys(actual).length > 0)
      return [`${path}: expected {}, got ${JSON.stringify(actual)}`];
    return keys.flatMap((key) =>
      key in actual
        ? differences(
            (expected as Record<string, unknown>)[key],
            (actual as Record<string, unknown>)[key],
            `${path}.${key}`,
          )
        : [`${path}.${key}: missing`],
    );
  }
  return expected === actual
    ? []
    : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

/** The replay output of a scenario, or the reason it was refused. */
function replay(scenario: unknown): { output: unknown } | { refused: string } {
  try {
    return { output: runScenario(scenario).output };
  } catch (error) {
    return { refused: (error as Error).message };
  }
}

const examples = blocks("example");
const expectations = blocks("expected");

test("docs/rules.md has one scenario and one expected block for every worked example", () => {
  for (const name of REQUIRED) assert.ok(examples.has(name), `example ${name} is missing`);
  for (const [name, list] of examples) {
    assert.equal(list.length, 1, `example ${name} appears ${list.length} times`);
    assert.equal(expectations.get(name)?.length, 1, `example ${name} needs exactly one expected block`);
  }
  for (const name of expectations.keys()) assert.ok(examples.has(name), `expected ${name} has no example`);
});

for (const [name, [scenario]] of examples) {
  const expected = expectations.get(name)?.[0];
  test(`rules.md example ${name} replays to the figures the document gives`, () => {
    const result = replay(scenario);
    assert.ok("output" in result, `${name} was refused: ${"refused" in result ? result.refused : ""}`);
    assert.deepEqual(differences(expected, result.output), []);
  });
}

test("rules.md examples taken from the specification's example files are the same scenarios and figures", () => {
  let compared = 0;
  for (const [name, [scenario]] of examples) {
    const file = SPEC_FILE[name] ?? name;
    if (!existsSync(join(fixtures, `${file}.json`))) continue;
    const specScenario = JSON.parse(readFileSync(join(fixtures, `${file}.json`), "utf8"));
    const specExpected = JSON.parse(readFileSync(join(fixtures, `${file}.expected.json`), "utf8"));
    assert.deepEqual(scenario, specScenario, `${name}: the scenario is the spec's ${file}.json`);
    assert.deepEqual(
      differences(expectations.get(name)?.[0], specExpected),
      [],
      `${name}: the figures are the spec's ${file}.expected.json`,
    );
    compared++;
  }
  assert.ok(compared >= 4, `only ${compared} examples compared with the spec's files`);
});

/** Headings of docs/rules.md that a `§` reference can name: "0", "1", "1.2", … */
function sections(): Set<string> {
  const out = new Set<string>();
  for (const match of doc.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)) out.add(match[1] as string);
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (["node_modules", "data", "dist", ".tmp", ".git"].includes(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|md|sql|mjs)$/.test(entry.name) ? [path] : [];
  });
}

test("every `rules.md §…` reference in the code and docs names a section of docs/rules.md", () => {
  const known = sections();
  for (const n of ["0", "1", "1.1", "1.6", "2", "2.2", "3", "3.6", "4", "5"])
    assert.ok(known.has(n), `§${n}`);
  const bad: string[] = [];
  let count = 0;
  for (const file of [
    ...sourceFiles(join(root, "packages")),
    ...sourceFiles(join(root, "docs")),
    join(root, "README.md"),
  ]) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/rules\.md §(\d+(?:\.\d+)?)(?:[–-]§?(\d+(?:\.\d+)?))?/g)) {
      count++;
      for (const n of [match[1], match[2]]) {
        if (n !== undefined && !known.has(n)) bad.push(`${relative(root, file)}: §${n}`);
      }
    }
  }
  assert.deepEqual(bad, []);
  assert.ok(count > 20, `only ${count} references found`);
});
