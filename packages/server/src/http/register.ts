import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, RegisterOptions } from "fastify";
import type { App, AppContext } from "./context.ts";

/** A route plugin of one business area: it receives the TypeBox-typed app and the shared context. */
export type RoutePlugin = (app: App, ctx: AppContext) => Promise<void>;

/**
 * Registers `plugin` in its own Fastify scope (optionally under a prefix) and
 * hands it that scope with the TypeBox type provider, so route handlers see
 * their request types without a cast.
 */
export async function registerRoutes(
  app: FastifyInstance,
  ctx: AppContext,
  plugin: RoutePlugin,
  options: Pick<RegisterOptions, "prefix"> = {},
): Promise<void> {
  await app.register(async (scope) => plugin(scope.withTypeProvider<TypeBoxTypeProvider>(), ctx), options);
}
