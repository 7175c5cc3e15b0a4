/**
 * Two server processes on one PostgreSQL (issue 14, writer/lease.ts and
 * writer/route.ts): exactly one writes the equity writer's batches, the other
 * forwards to it.
 *
 * - Both answer equity commands (with and without Idempotency-Keys); only the
 *   holder of the lease ever commits a batch, each command is applied once.
 * - The writer is killed (SIGKILL) while clients send to both processes: the
 *   other takes over and keeps answering; every acknowledged command is in the
 *   ledger exactly once, and after every command is sent again with its key
 *   none is applied twice.
 * - The writer stops (SIGSTOP) inside a batch: the other takes over once the
 *   lease ran out; when the old one resumes its batch is refused (nothing of
 *   it written) and its commands are answered by the new writer.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { Db } from "../src/db/index.ts";
import { signWebhook } from "../src/index.ts";
import { verifyLedger } from "../src/verify/index.ts";
import { type ChildAnswer, type ChildServer, http, startChild } from "./support/child.ts";
import { dbTargets } from "./support/db.ts";

const child = join(import.meta.dirname, "support", "server-child.ts");

type Server = ChildServer;
type Answer = ChildAnswer;

/** A server process with the writer's lease on the test's schema. */
function start(schema: string, env: Record<string, string> = {}): Promise<Server> {
  return startChild(child, {
    CHILD_DB_URL: process.env.TEST_DATABASE_URL,
    CHILD_SCHEMA: schema,
    CHILD_LEASE_MS: "5000",
    ...env,
  });
}

interface Stats {
  id: string;
  leader: boolean;
  writer: { batches: number; commands: number; failedBatches: number };
  lease: { takeovers: number; lost: number; fenced: number };
}

async function stats(server: Server): Promise<Stats> {
  return (await http(server.base, "GET", "/test/writer")).data as Stats;
}

async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

/** Five members with equity from a paid order each; their bearer tokens. */
async function members(base: string): Promise<string[]> {
  const admin = (
    await http(base, "POST", "/admin/auth/login", { username: "admin", password: "admin-password-1" })
  ).data.token as string;
  const products = (await http(base, "GET", "/products")).data;
  const equity = products.items.find((p: { plans: string[] }) => p.plans.includes("equity"));
  const tokens: string[] = [];
  for (let i = 0; i < 5; i++) {
    const phone = `1390000${String(i).padStart(4, "0")}`;
    await http(base, "POST", "/auth/sms-codes", { phone, purpose: "register" });
    const outbox = await http(base, "GET", `/admin/sms-outbox?phone=${phone}&limit=1`, undefined, {
      authorization: `Bearer ${admin}`,
    });
    const code = /(\d{6})/.exec(outbox.data.items[0].content)?.[1];
    const registered = await http(base, "POST", "/auth/register", { phone, code, password: "member-pass-1" });
    assert.equal(registered.status, 201, JSON.stringify(registered.data));
    tokens.push(registered.data.token);
    const body = JSON.stringify({
      event: "order.paid",
      externalId: `lease-${i}`,
      phone,
      productId: equity.id,
    });
    const paid = await fetch(`${base}/webhooks/payments`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-jifen-signature": signWebhook("webhook-secret", body),
      },
      body,
    });
    assert.equal(paid.status, 200, await paid.text());
  }
  return tokens;
}

interface Sell {
  readonly key: string | undefined;
  readonly token: string;
  readonly points: string;
}

function sells(tokens: string[], count: number, prefix: string, keyed: (i: number) => boolean): Sell[] {
  return Array.from({ length: count }, (_, i) => ({
    key: keyed(i) ? `${prefix}-${i}` : undefined,
    token: tokens[i % tokens.length] as string,
    points: i % 3 === 0 ? "0.01" : "0.02",
  }));
}

function send(base: string, s: Sell): Promise<Answer> {
  return http(
    base,
    "POST",
    "/me/equity/sell",
    { points: s.points },
    { authorization: `Bearer ${s.token}`, ...(s.key ? { "idempotency-key": s.key } : {}) },
  );
}

/** Every balance equals the sum of its postings, and `jifen verify` finds nothing. */
async function balanced(db: Db): Promise<void> {
  assert.equal((await verifyLedger(db)).ok, true, "jifen verify is clean");
  const mismatch = await db.query(
    `select b.account from balances b
     full join (select account, asset, sum(amount) as total from ledger_postings group by account, asset) p
       on p.account = b.account and p.asset = b.asset
     where coalesce(b.amount, 0) <> coalesce(p.total, 0)`,
  );
  assert.deepEqual(mismatch.rows, [], "every balance equals its postings");
}

async function count(db: Db, sql: string): Promise<number> {
  return Number((await db.query<{ n: string }>(sql)).rows[0]?.n);
}

for (const target of dbTargets()) {
  const skip = target.name === "pglite" ? "PGlite is one process: its lease is trivially held" : false;
  describe(`two server processes on one ${target.name}`, { skip }, () => {
    test("exactly one writes; the other forwards and answers, each command applied once", async () => {
      const testDb = await target.open();
      const schema = testDb.schema as string;
      const servers: Server[] = [];
      try {
        const a = await start(schema, { CHILD_SEED: "1" });
        servers.push(a);
        const b = await start(schema);
        servers.push(b);
        assert.equal((await stats(a)).leader, true, "the first process holds the lease");
        assert.equal((await stats(b)).leader, false);
        const tokens = await members(b.base);
        // The five paid-order webhooks were sent to b, which forwarded them to the writer.
        const paid = await stats(a);
        assert.equal(paid.writer.commands, 5, "the writer applied the webhooks b received");
        assert.equal((await stats(b)).writer.batches, 0);
        const before = await count(testDb.db, "select count(*)::text as n from ledger_transactions");
        // Half keyed, half not; sent to both at once.
        const all = sells(tokens, 200, "both", (i) => i % 4 < 2);
        const answers = await Promise.all(all.map((s, i) => send(i % 2 === 0 ? a.base : b.base, s)));
        for (const answer of answers) {
          assert.equal(answer.status, 200, JSON.stringify(answer.data));
          assert.equal(answer.replayed, false, "no answer says it was replayed");
        }
        const [sa, sb] = [await stats(a), await stats(b)];
        assert.equal(sb.writer.batches, 0, "the process without the lease committed no batch");
        assert.equal(sa.writer.commands - paid.writer.commands, 200, "the writer committed every command");
        assert.equal(sb.lease.takeovers, 0);
        assert.equal(
          await count(
            testDb.db,
            "select count(*)::text as n from ledger_transactions where kind = 'equity.sell'",
          ),
          200,
        );
        assert.equal(
          await count(testDb.db, "select count(*)::text as n from ledger_transactions"),
          before + 200,
          "nothing else was written",
        );
        // b's unkeyed commands were forwarded with a key of its own (stored with the answer).
        assert.equal(
          await count(
            testDb.db,
            "select count(*)::text as n from idempotency_keys where key like 'jifen-forward-%'",
          ),
          50,
        );
        await balanced(testDb.db);
      } finally {
        for (const s of servers) s.proc.kill("SIGKILL");
        await testDb.cleanup();
      }
    });

    test("the writer killed during a flood to both: the other takes over, nothing lost or doubled", async () => {
      const testDb = await target.open();
      const schema = testDb.schema as string;
      const servers: Server[] = [];
      try {
        const a = await start(schema, { CHILD_SEED: "1" });
        servers.push(a);
        const b = await start(schema);
        servers.push(b);
        const tokens = await members(b.base);
        const idOfB = (await stats(b)).id;
        const all = sells(tokens, 300, "kill", () => true);
        const acked = new Map<string, unknown>();
        let killedAt = 0;
        let slowestAfterKill = 0;
        let tookOver: Promise<number> = Promise.resolve(-1);
        const toB: Answer[] = [];
        await Promise.all(
          all.map(async (s, i) => {
            const target = i % 2 === 0 ? a : b;
            const sent = Date.now();
            try {
              const answer = await send(target.base, s);
              if (target === b) toB.push(answer);
              if (answer.status === 200) {
                acked.set(s.key as string, answer.data);
                if (killedAt > 0)
                  slowestAfterKill = Math.max(slowestAfterKill, Date.now() - Math.max(sent, killedAt));
                if (acked.size === 60) {
                  a.proc.kill("SIGKILL");
                  killedAt = Date.now();
                  // Read in the database (b's own answers wait behind its backlog).
                  tookOver = until("b's takeover", async () => {
                    const row = await testDb.db.query<{ holder: string }>("select holder from writer_lease");
                    return row.rows[0]?.holder === idOfB;
                  });
                }
              }
            } catch {
              // the connection to the killed process died: not acknowledged
            }
          }),
        );
        assert.ok(killedAt > 0, "the writer was killed");
        const takeover = await tookOver;
        assert.equal((await stats(b)).leader, true, "b writes now");
        assert.equal(toB.length, 150, "b answered every command sent to it");
        for (const answer of toB) assert.equal(answer.status, 200, JSON.stringify(answer.data));
        assert.ok(acked.size >= 150 && acked.size < 300, `acknowledged ${acked.size} of 300`);
        // Every acknowledged command is in the ledger exactly once, now.
        const keys = await testDb.db.query<{ key: string; id: string }>(
          "select key, response->>'transactionId' as id from idempotency_keys where key like 'kill-%'",
        );
        const stored = new Map(keys.rows.map((r) => [r.key, r.id]));
        for (const [key, body] of acked)
          assert.equal(
            stored.get(key),
            (body as { transactionId: string }).transactionId,
            `${key} stored as answered`,
          );

        // Everything again, with the same keys, to the survivor.
        const again = await Promise.all(all.map((s) => send(b.base, s)));
        again.forEach((answer, i) => {
          const s = all[i] as Sell;
          assert.equal(answer.status, 200, JSON.stringify(answer.data));
          if (acked.has(s.key as string)) {
            assert.ok(answer.replayed, `${s.key} was acknowledged: replayed`);
            assert.deepEqual(answer.data, acked.get(s.key as string));
          }
        });
        const counts = await testDb.db.query<{ sells: string; keys: string; ids: string }>(
          `select (select count(*) from ledger_transactions where kind = 'equity.sell')::text as sells,
                  (select count(*) from idempotency_keys where key like 'kill-%')::text as keys,
                  (select count(distinct response->>'transactionId') from idempotency_keys where key like 'kill-%')::text as ids`,
        );
        assert.deepEqual(counts.rows[0], { sells: "300", keys: "300", ids: "300" });
        await balanced(testDb.db);
        process.stdout.write(
          `# takeover after SIGKILL: b held the lease ${takeover} ms after the kill; its slowest answer came ${slowestAfterKill} ms after it\n`,
        );
      } finally {
        for (const s of servers) s.proc.kill("SIGKILL");
        await testDb.cleanup();
      }
    });

    test("the writer paused inside a batch: the other takes over, the old batch is refused on resuming", async () => {
      const testDb = await target.open();
      const schema = testDb.schema as string;
      const servers: Server[] = [];
      try {
        const a = await start(schema, { CHILD_SEED: "1", CHILD_LEASE_MS: "1000" });
        servers.push(a);
        const b = await start(schema, { CHILD_LEASE_MS: "1000" });
        servers.push(b);
        const tokens = await members(b.base);
        const before = await stats(a);
        assert.equal(before.leader, true);
        assert.equal((await http(a.base, "POST", "/test/stop-in-next-batch")).status, 200);
        const all = sells(tokens, 40, "stop", (i) => i % 2 === 0);
        const stoppedAt = Date.now();
        const pending = all.map((s, i) => send(i % 2 === 0 ? a.base : b.base, s));
        const tookOver = await until("b's takeover", async () => (await stats(b)).leader);
        a.proc.kill("SIGCONT");
        const answers = await Promise.all(pending);
        for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.data));
        const answered = Date.now() - stoppedAt;
        const [sa, sb] = [await stats(a), await stats(b)];
        assert.equal(sa.leader, false, "a knows it lost the lease");
        assert.equal(
          sa.writer.batches,
          before.writer.batches,
          "a committed no batch: the paused one was refused",
        );
        assert.ok(sa.writer.failedBatches > before.writer.failedBatches, "the paused batch failed");
        assert.equal(sb.writer.commands, 40, "b wrote every command");
        assert.equal(
          await count(
            testDb.db,
            "select count(*)::text as n from ledger_transactions where kind = 'equity.sell'",
          ),
          40,
        );
        await balanced(testDb.db);
        process.stdout.write(
          `# takeover from a writer paused in a batch (lease 1000 ms): ${tookOver} ms (every answer ${answered} ms after the flood began)\n`,
        );
      } finally {
        for (const s of servers) s.proc.kill("SIGKILL");
        await testDb.cleanup();
      }
    });
  });
}
