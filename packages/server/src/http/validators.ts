/**
 * Request validation: one Ajv for bodies and one for the URL (querystring,
 * path parameters, headers). Bodies are JSON read losslessly (numbers arrive
 * as their decimal text), so they are validated without type coercion: a
 * boolean is `true`/`false`, never "1" or `0`, and an amount or a count is
 * text matched by its pattern. Text from the URL is coerced where a schema
 * says boolean or number, and integer parameters (page sizes) are strict
 * patterns too (see http/schemas.ts).
 */
import { Ajv, type ValidateFunction } from "ajv";
import formats from "ajv-formats";

// ajv-formats is CommonJS with its plugin as `default`.
const addFormats = formats as unknown as typeof formats.default;

function buildAjv(coerceTypes: boolean | "array") {
  const ajv = new Ajv({
    coerceTypes,
    useDefaults: true,
    removeAdditional: true,
    addUsedSchema: false,
    allErrors: false,
    // The failing schema travels with each error: error-body.ts maps amount,
    // count, text and date fields to their own codes.
    verbose: true,
  });
  addFormats(ajv);
  return ajv;
}

const bodyAjv = buildAjv(false);
const urlAjv = buildAjv("array");

/**
 * Compiled validators by Ajv and schema text. Route schemas are built afresh
 * by every `buildApp` (new objects, the same text), and Ajv caches by object:
 * without this a process that builds many apps (the tests build one per test)
 * compiled every route's schemas each time. A validator keeps no state between
 * calls, so two apps can share one.
 */
const compiled = new Map<string, ValidateFunction>();

/** Fastify's validator compiler: bodies without coercion, URL parts with. */
export function validatorCompiler({
  schema,
  httpPart,
}: {
  schema: object;
  httpPart?: string;
}): ValidateFunction {
  const part = httpPart === "body" ? "body" : "url";
  const key = `${part} ${JSON.stringify(schema)}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = (part === "body" ? bodyAjv : urlAjv).compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}
