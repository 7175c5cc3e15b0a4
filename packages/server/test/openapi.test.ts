/**
 * The OpenAPI document is what the web console and the member site are
 * generated from. Every operation must have an operationId (camelCase,
 * unique), a description, a success schema with an example, a request example
 * where it takes a body, and one error body per error status whose `code` is
 * an enum of catalogue codes of that status, each listed with its meaning.
 * openapi-typescript must turn the document into types with a usable success
 * body for every operation, and the committed packages/api-types/src/schema.d.ts
 * must be what `npm run api:types` writes now.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Type } from "@fastify/type-provider-typebox";
import ts from "typescript";
import { API_TYPES_PATH, apiTypesSource } from "../../../scripts/api-types.ts";
import { CATALOGUE, fail } from "../src/errors/index.ts";
import { responses } from "../src/http/schemas.ts";
import { call, openTestApp, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

const pglite = dbTargets()[0] as ReturnType<typeof dbTargets>[0];

interface Media {
  schema?: {
    properties?: Record<string, { enum?: string[] }>;
    required?: string[];
  };
  example?: unknown;
  examples?: Record<string, unknown>;
}
interface Operation {
  operationId?: string;
  description?: string;
  summary?: string;
  requestBody?: { content?: Record<string, Media> };
  responses: Record<string, { description?: string; content?: Record<string, Media> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

const METHODS = new Set(["get", "post", "put", "patch", "delete"]);

function operationsOf(doc: Doc): [string, Operation][] {
  const out: [string, Operation][] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (METHODS.has(method)) out.push([`${method.toUpperCase()} ${path}`, operation]);
    }
  }
  return out;
}

/** Everything wrong with one operation's documentation (empty when complete). */
export function problemsOf(name: string, op: Operation): string[] {
  const problems: string[] = [];
  if (!op.operationId) problems.push(`${name}: no operationId`);
  else if (!/^[a-z][A-Za-z0-9]*$/.test(op.operationId))
    problems.push(`${name}: operationId ${op.operationId} is not camelCase`);
  if (!op.description || op.description.trim().length < 20) problems.push(`${name}: no description`);
  if (!op.summary) problems.push(`${name}: no summary`);
  if (op.requestBody) {
    const media = op.requestBody.content?.["application/json"];
    if (media?.example === undefined && media?.examples === undefined)
      problems.push(`${name}: request body without an example`);
  }
  const statuses = Object.keys(op.responses);
  const ok = statuses.filter((s) => /^2\d\d$/.test(s));
  if (ok.length !== 1) problems.push(`${name}: ${ok.length} success statuses (want one 200 or 201)`);
  for (const status of ok) {
    const content = op.responses[status]?.content;
    const media = content?.["application/json"] ?? content?.["text/csv"]; // CSV exports answer text/csv
    if (!media?.schema) problems.push(`${name}: ${status} without a schema`);
    if (media?.example === undefined) problems.push(`${name}: ${status} without an example`);
  }
  const errors = statuses.filter((s) => !/^2/.test(s));
  if (errors.length === 0) problems.push(`${name}: no error responses`);
  for (const status of errors) {
    if (!/^[45]\d\d$/.test(status)) {
      problems.push(`${name}: error status ${status} is not one status (list codes per status)`);
      continue;
    }
    const response = op.responses[status];
    const codes = response?.content?.["application/json"]?.schema?.properties?.code?.enum;
    if (!codes || codes.length === 0) {
      problems.push(`${name}: ${status} does not list its error codes`);
      continue;
    }
    for (const code of codes) {
      const spec = (CATALOGUE as Record<string, { status: number; zh: string; en: string }>)[code];
      if (!spec) problems.push(`${name}: ${status} lists ${code}, which is not in the catalogue`);
      else {
        if (String(spec.status) !== status)
          problems.push(`${name}: ${code} is answered with ${spec.status}, listed under ${status}`);
        if (!response?.description?.includes(`\`${code}\`: ${spec.zh} / ${spec.en}`))
          problems.push(`${name}: ${status}'s description does not explain ${code} in both languages`);
      }
    }
  }
  return problems;
}

describe("the OpenAPI document is complete enough to generate clients from", () => {
  let t: TestApp;
  let doc: Doc;
  const warnings: string[] = [];
  before(async () => {
    t = await openTestApp(pglite, {
      logger: {
        level: "warn",
        stream: { write: (line: string) => void warnings.push(line) },
      },
    });
    // A route that answers a code its document does not list (added before the app is ready).
    t.app.get(
      "/test-probe/undocumented",
      {
        schema: {
          hide: true,
          security: [],
          response: responses(Type.Object({ ok: Type.Boolean() }), {
            errors: ["ORDER_NOT_FOUND"],
            example: { ok: true },
          }),
        },
      },
      async () => fail("PHONE_TAKEN"),
    );
    const response = await call(t, "GET", "/docs/json");
    assert.equal(response.statusCode, 200);
    doc = response.data as Doc;
  });
  after(() => t.cleanup());

  test("every operation: operationId, description, success schema and example, errors with their codes", () => {
    const operations = operationsOf(doc).filter(([name]) => !name.includes(" /docs"));
    assert.ok(operations.length >= 55, `${operations.length} operations`);
    const problems = operations.flatMap(([name, op]) => problemsOf(name, op));
    assert.deepEqual(problems, []);
  });

  test("operationIds are unique", () => {
    const ids = operationsOf(doc).map(([, op]) => op.operationId);
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
    assert.deepEqual(repeated, []);
  });

  test("the check catches what is missing (a route documented the old way)", () => {
    const bare: Operation = {
      responses: {
        200: { content: { "application/json": { schema: {} } } },
        "4XX": { content: { "application/json": { schema: { properties: { code: {} } } } } },
      },
      requestBody: { content: { "application/json": { schema: {} } } },
    };
    const problems = problemsOf("POST /bare", bare).join("\n");
    for (const missing of [
      "no operationId",
      "no description",
      "request body without an example",
      "200 without an example",
      "error status 4XX is not one status",
    ])
      assert.ok(problems.includes(missing), missing);
    const wrong: Operation = {
      operationId: "x",
      summary: "x",
      description: "a description long enough to count",
      responses: {
        200: { content: { "application/json": { schema: {}, example: {} } } },
        404: {
          description: "",
          content: {
            "application/json": { schema: { properties: { code: { enum: ["NOPE", "PHONE_TAKEN"] } } } },
          },
        },
      },
    };
    const said = problemsOf("GET /wrong", wrong).join("\n");
    assert.ok(said.includes("NOPE, which is not in the catalogue"));
    assert.ok(said.includes("PHONE_TAKEN is answered with 409, listed under 404"));
  });

  test("a route's own errors and the common ones are listed (sell: INSUFFICIENT_EQUITY, sign-in, validation, idempotency)", () => {
    const sell = doc.paths["/me/equity/sell"]?.post as Operation;
    const codes = (status: string) =>
      sell.responses[status]?.content?.["application/json"]?.schema?.properties?.code?.enum ?? [];
    assert.ok(codes("409").includes("INSUFFICIENT_EQUITY"));
    assert.ok(codes("409").includes("IDEMPOTENCY_KEY_REUSED"));
    assert.ok(codes("400").includes("VALIDATION_FAILED"));
    assert.deepEqual(codes("401"), ["SESSION_EXPIRED", "UNAUTHENTICATED"]);
    assert.deepEqual(codes("500"), ["INTERNAL_ERROR"]);
    const products = doc.paths["/products"]?.get as Operation;
    assert.equal(products.responses["401"], undefined, "a public route answers no 401");
    const admin = doc.paths["/admin/liabilities"]?.get as Operation;
    assert.ok(admin.responses["403"], "an operator route can answer 403");
  });

  test("the payment webhook lists SETTLEMENT_RUNNING under 409 (an order.refunded delivery while the order's day settles)", () => {
    const hook = doc.paths["/webhooks/payments"]?.post as Operation;
    const codes = hook.responses["409"]?.content?.["application/json"]?.schema?.properties?.code?.enum ?? [];
    assert.ok(codes.includes("SETTLEMENT_RUNNING"), codes.join(", "));
  });

  test("an error answered with a code the route's document does not list is logged as a warning", async () => {
    const response = await call(t, "GET", "/test-probe/undocumented");
    assert.equal(response.data.code, "PHONE_TAKEN");
    const warned = warnings.filter((l) => l.includes("error code missing from the route's OpenAPI document"));
    assert.equal(warned.length, 1, warnings.join(""));
    assert.match(warned[0] as string, /"code":"PHONE_TAKEN"/);
    const documented = await call(t, "GET", "/products/999999");
    assert.equal(documented.data.code, "PRODUCT_NOT_FOUND");
    assert.equal(
      warnings.filter((l) => l.includes("OpenAPI document")).length,
      1,
      "a listed code is not warned",
    );
  });

  test("openapi-typescript makes a usable success type for every operation, and the committed types are current", async () => {
    const source = await apiTypesSource(doc as unknown as Record<string, unknown>);
    // Compile the generated types with the checks of packages/api-types/src/index.ts:
    // an operation whose success body is unknown/never, or that lists no error codes, is a type error.
    const dir = mkdtempSync(join(tmpdir(), "jifen-api-types-"));
    try {
      writeFileSync(join(dir, "schema.d.ts"), source);
      writeFileSync(join(dir, "index.ts"), readFileSync(join(API_TYPES_PATH, "..", "index.ts"), "utf8"));
      const program = ts.createProgram([join(dir, "index.ts")], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        allowImportingTsExtensions: true,
        skipLibCheck: false,
        types: [],
      });
      const diagnostics = ts
        .getPreEmitDiagnostics(program)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      assert.deepEqual(diagnostics, []);
      assert.match(source, /export interface operations/);
      const ids = operationsOf(doc).map(([, op]) => op.operationId as string);
      for (const id of ids) assert.ok(source.includes(`    ${id}: {`), `${id} in the generated types`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const committed = readFileSync(API_TYPES_PATH, "utf8");
    assert.ok(
      committed === source,
      "packages/api-types/src/schema.d.ts is stale: run `npm run api:types` and commit the result",
    );
  });
});
