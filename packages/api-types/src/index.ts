/**
 * The types of Jifen's HTTP API for the web console and the member site,
 * generated from the server's OpenAPI document by `npm run api:types`
 * (schema.d.ts; never edit it by hand). `Ok<"sellEquity">` is the success body
 * of an operation, `Body<"sellEquity">` its request body, `ErrorCode<"sellEquity">`
 * the error codes it can answer with.
 */
import type { components, operations, paths } from "./schema.d.ts";

export type { components, operations, paths };

/** Every operation's id. */
export type OperationId = keyof operations;

type Responses<K extends OperationId> = operations[K]["responses"];

type JsonOf<R> = R extends { content: { "application/json": infer B } } ? B : never;
/** A success body: JSON, or the text of a CSV export (`text/csv`). */
type SuccessOf<R> = R extends { content: { "text/csv": infer C } } ? C : JsonOf<R>;

/** The success (200 or 201) body of operation `K`. */
export type Ok<K extends OperationId> = SuccessOf<
  200 extends keyof Responses<K>
    ? Responses<K>[200]
    : 201 extends keyof Responses<K>
      ? Responses<K>[201]
      : never
>;

/** The JSON request body of operation `K` (never when it takes none). */
export type Body<K extends OperationId> = operations[K] extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? B
  : never;

type ErrorsOf<R> = { [S in keyof R]: S extends 200 | 201 ? never : JsonOf<R[S]> }[keyof R];

/** The error body of operation `K` under any error status. */
export type ErrorBody<K extends OperationId> = ErrorsOf<Responses<K>>;

/** The error codes operation `K` can answer with. */
export type ErrorCode<K extends OperationId> = ErrorBody<K> extends { code: infer C } ? C : never;

// Compile-time check (npm run check): every operation has a usable success body
// — neither `unknown` nor `never` — and a non-empty list of error codes.
type Unusable<T> = [T] extends [never] ? true : unknown extends T ? true : false;
type WithoutOk = { [K in OperationId]: Unusable<Ok<K>> extends true ? K : never }[OperationId];
type WithoutErrors = { [K in OperationId]: [ErrorCode<K>] extends [never] ? K : never }[OperationId];
/** Names the operations whose success body is unusable (an error here names them). */
export const everyOperationHasASuccessBody: [WithoutOk] extends [never] ? true : WithoutOk = true;
/** Names the operations that list no error codes. */
export const everyOperationListsItsErrors: [WithoutErrors] extends [never] ? true : WithoutErrors = true;
