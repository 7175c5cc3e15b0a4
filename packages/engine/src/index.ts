/** @jifen/engine — the pure reward engine: one public surface. */
export * from "./book.ts";
export * from "./commands.ts";
export * from "./config.ts";
export * from "./engine.ts";
export * from "./equity.ts";
export * from "./errors.ts";
export * from "./heap.ts";
export * from "./json.ts";
export * from "./ledger.ts";
export * from "./limits.ts";
export * from "./money.ts";
export * from "./prng.ts";
export * from "./replay.ts";
export * from "./risks.ts";
export * from "./settlement.ts";
export * from "./split.ts";
export * from "./steps.ts";
