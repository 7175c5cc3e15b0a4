/**
 * A Jifen server with the equity writer in a process of its own, for the
 * SIGKILL test (equity-writer-kill.test.ts): PostgreSQL at CHILD_DB_URL, schema
 * CHILD_SCHEMA; prints `{"address": …}` once it listens.
 */
import { buildApp } from "../../src/app.ts";
import { openPg } from "../../src/db/index.ts";
import { seed } from "../../src/seed.ts";
import { CHEAP_PASSWORDS } from "./app.ts";

const db = await openPg({
  connectionString: process.env.CHILD_DB_URL as string,
  schema: process.env.CHILD_SCHEMA as string,
});
await seed(db, {
  adminUsername: "admin",
  adminPassword: "admin-password-1",
  passwords: CHEAP_PASSWORDS,
  products: true,
  now: new Date(),
});
const app = await buildApp({
  db,
  secret: "test-secret-0123456789",
  passwords: CHEAP_PASSWORDS,
  smsLimits: { perAddressPerHour: 10_000 },
  webhookSecret: "webhook-secret",
  equityWriter: { windowMs: 5, maxBatch: 20 },
  web: null,
});
const address = await app.listen({ port: 0, host: "127.0.0.1" });
process.stdout.write(`${JSON.stringify({ address })}\n`);
