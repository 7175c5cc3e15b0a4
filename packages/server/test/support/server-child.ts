/**
 * A Jifen server process with the equity writer (small batches), for the tests
 * with processes on one PostgreSQL (equity-writer-kill.test.ts,
 * writer-lease-processes.test.ts): PostgreSQL at CHILD_DB_URL, schema
 * CHILD_SCHEMA; CHILD_SEED=1 seeds it. CHILD_LEASE_MS set: the writer runs
 * under the writer's lease of that length (several processes, one writer);
 * not set: no lease (the process writes alone).
 * POST /test/stop-in-next-batch makes the process stop itself (SIGSTOP) inside
 * its next batch, after the fence and before the writes. GET /test/writer
 * answers the writer's and the lease's counters.
 * Prints `{"address": …}` once it listens (and has read the lease).
 */
import { buildApp } from "../../src/app.ts";
import { openPg } from "../../src/db/index.ts";
import { seed } from "../../src/seed.ts";
import { DEFAULT_LEASE_SETTINGS, type EquityWriter, WriterLease } from "../../src/writer/index.ts";
import { CHEAP_PASSWORDS } from "./app.ts";

const db = await openPg({
  connectionString: process.env.CHILD_DB_URL as string,
  schema: process.env.CHILD_SCHEMA as string,
});
if (process.env.CHILD_SEED === "1")
  await seed(db, {
    adminUsername: "admin",
    adminPassword: "admin-password-1",
    passwords: CHEAP_PASSWORDS,
    products: true,
    now: new Date(),
  });
const leaseMs = process.env.CHILD_LEASE_MS;
const lease = leaseMs
  ? new WriterLease(db, { ...DEFAULT_LEASE_SETTINGS, ttlMs: Number(leaseMs), tickMs: 50 })
  : undefined;
let stopInNextBatch = false;
let writer: EquityWriter | undefined;
const app = await buildApp({
  db,
  secret: "test-secret-0123456789",
  passwords: CHEAP_PASSWORDS,
  smsLimits: { perAddressPerHour: 10_000 },
  webhookSecret: "webhook-secret",
  equityWriter: { windowMs: 5, maxBatch: 20 },
  ...(lease ? { writerLease: lease } : {}),
  web: null,
  onEquityWriter: (w) => {
    writer = w;
    w.beforeWrite = () => {
      if (!stopInNextBatch) return;
      stopInNextBatch = false;
      process.kill(process.pid, "SIGSTOP");
    };
  },
});
app.get("/test/writer", async () => ({
  id: lease?.id,
  leader: lease?.isLeader() ?? true,
  writer: writer?.stats,
  lease: lease?.stats,
}));
app.post("/test/stop-in-next-batch", async () => {
  stopInNextBatch = true;
  return { armed: true };
});
const address = await app.listen({ port: 0, host: "127.0.0.1" });
await lease?.start(address);
process.stdout.write(`${JSON.stringify({ address })}\n`);
