/**
 * Response serializers compiled once per process: Fastify's own compiler
 * (fast-json-stringify), its result kept by schema text. Route schemas are
 * built afresh by every `buildApp` (new objects, the same text), so a process
 * that builds many apps (the tests build one per test) compiled every
 * response schema each time. A serializer keeps no state between calls.
 */
import { SerializerSelector } from "@fastify/fast-json-stringify-compiler";

type SerializerFactory = ReturnType<typeof SerializerSelector>;
type Serializer = ReturnType<ReturnType<SerializerFactory>>;

const compiled = new Map<string, Serializer>();

/** Fastify's `schemaController.compilersFactory.buildSerializer`, with the compiled serializers shared. */
export const buildSerializer: SerializerFactory = (externalSchemas, options) => {
  const compile = SerializerSelector()(externalSchemas, options);
  const context = JSON.stringify([externalSchemas ?? null, options ?? null]);
  return (route) => {
    const key = `${context} ${JSON.stringify(route.schema)}`;
    let serialize = compiled.get(key);
    if (!serialize) {
      serialize = compile(route);
      compiled.set(key, serialize);
    }
    return serialize;
  };
};
