/**
 * The equity writer alone (no HTTP), for `npm run bench:api` (issue 14): member
 * equity commands (sells and conversions of 0.001 points, alternating, over
 * the demo network's equity holders) queued all at once and written in
 * batches of `maxBatch`, against a floor measured in the same run on the same
 * database — the same number of ledger transactions and postings written in
 * batches of the same size by plain COPY (one per table), one transaction each,
 * with no engine, no reads and no locks. Prints figures only.
 */
import { PlatformAccount, runStepsAsync, sellSteps, toStableSteps, walletKeys } from "@jifen/engine";
import type { FastifyRequest } from "fastify";
import type { Db } from "../src/db/index.ts";
import { DEFAULT_PASSWORD_OPTIONS, generateDemoData, migrate, openPg, seed } from "../src/index.ts";
import { webhookOrderJob } from "../src/shop/webhook-batched.ts";
import { EquityWriter, type WriterJob } from "../src/writer/index.ts";

const POINTS = 1000n; // 0.001 equity points
const TIME_ZONE = "Asia/Shanghai";
const LOG = { error: (d: object, m: string) => console.error(m, d), warn: () => {} };

/**
 * The floor: `txs` ledger transactions of `perTx` postings each written by plain
 * batched COPY (one per table, batches of `maxBatch`, one transaction each),
 * nothing read, nothing locked. Returns its milliseconds.
 */
async function copyFloor(db: Db, txs: number, perTx: number, maxBatch: number, now: Date): Promise<number> {
  const day = now.toISOString().slice(0, 10);
  const at = now.toISOString();
  const floorStarted = performance.now();
  for (let done = 0; done < txs; done += maxBatch) {
    const n = Math.min(maxBatch, txs - done);
    await db.transaction(async (tx) => {
      const ids = (
        await tx.query<{ id: string }>(
          "select nextval('ledger_transactions_id_seq')::text as id from generate_series(1, $1::int)",
          [n],
        )
      ).rows.map((r) => r.id);
      await tx.copyFrom("ledger_transactions (id, business_day, kind, ref, created_at)", [
        ids.map((id) => `${id}\t${day}\tbench.floor\tbench\t${at}\n`).join(""),
      ]);
      const rows: string[] = [];
      for (const id of ids)
        for (let k = 0; k < perTx; k++)
          rows.push(`${id}\t${PlatformAccount.treasury}\tequity\t${k % 2 === 0 ? "0.001" : "-0.001"}\t\\N\n`);
      await tx.copyFrom("ledger_postings (transaction_id, account, asset, amount, member_id)", [
        rows.join(""),
      ]);
    });
  }
  return performance.now() - floorStarted;
}

/** A database with the demo network (4,000 members, 4,000 equity orders) for the writer alone. */
async function demoDatabase(databaseUrl: string, now: Date): Promise<Db> {
  const db = await openPg({ connectionString: databaseUrl });
  await migrate(db);
  await seed(db, {
    adminUsername: "admin",
    adminPassword: "bench-admin-pass-1",
    passwords: DEFAULT_PASSWORD_OPTIONS,
    products: true,
    now,
  });
  await generateDemoData(db, { members: 4000, equityOrders: 4000, now, timeZone: TIME_ZONE });
  return db;
}

/** What the writer's database handle is wrapped in (writer-phases.ts times its statements); the setup is not. */
export type Instrument = (db: Db) => Db;

const count = async (db: Db, sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]?.n);

/** How many ledger transactions, postings and order rewards the database holds. */
const counts = async (db: Db) => [
  await count(db, "select count(*) as n from ledger_transactions"),
  await count(db, "select count(*) as n from ledger_postings"),
  await count(db, "select count(*) as n from order_rewards"),
];

/**
 * The writer alone with a flash sale's paid orders (webhook deliveries of the
 * shop's own equity-plan orders, issue 14) queued all at once, against the
 * same COPY floor of the ledger rows they wrote (the floor writes no order,
 * stock or reward row: it is lower than the orders' own floor).
 */
export async function writerAloneOrders(
  databaseUrl: string,
  orders: number,
  maxBatch: number,
  instrument: Instrument = (db) => db,
): Promise<string> {
  const now = new Date();
  const db = await demoDatabase(databaseUrl, now);
  try {
    const { product, phones } = await orderTargets(db);
    const writer = new EquityWriter(instrument(db), () => new Date(), LOG, { windowMs: 2, maxBatch });
    const before = await counts(db);
    const started = performance.now();
    const answers = await Promise.allSettled(
      Array.from({ length: orders }, (_, i) =>
        writer.submit(orderJob(`alone-${i}`, phones[i % phones.length] as string, product)),
      ),
    );
    const writerMs = performance.now() - started;
    const refused = answers.filter((a) => a.status === "rejected").length;
    const after = await counts(db);
    const [txs, postings, grants] = [0, 1, 2].map((k) => (after[k] as number) - (before[k] as number));
    const perTx = Math.max(1, Math.round((postings as number) / Math.max(1, txs as number)));
    const floorMs = await copyFloor(db, txs as number, perTx, maxBatch, now);
    const rate = (n: number, ms: number) => (n / (ms / 1000)).toFixed(0);
    return (
      `writer alone (PostgreSQL, no HTTP): ${orders} paid equity orders (webhook deliveries) queued at once, batches of ≤ ${maxBatch}: ` +
      `${rate(orders, writerMs)} orders/s (${writer.stats.batches} batches, ${refused} refused, ${grants} grants, ` +
      `${txs} ledger transactions, ${postings} postings); plain batched COPY of the same ledger rows: ` +
      `${rate(orders, floorMs)} orders' worth/s; writer / floor = ${(floorMs / writerMs).toFixed(2)}`
    );
  } finally {
    await db.close();
  }
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

/**
 * Where a paid order's time goes at `clients` concurrent clients without HTTP
 * (issue 14's p99 target): each client submits its next order to the writer
 * as soon as its last is answered, for `seconds`; each answer's time is split
 * into the wait before its batch began (the batch in flight, the window) and
 * its batch (from its start to its commit).
 */
export async function writerLatency(databaseUrl: string, clients: number, seconds: number): Promise<string> {
  const now = new Date();
  const db = await demoDatabase(databaseUrl, now);
  try {
    const { product, phones } = await orderTargets(db);
    const writer = new EquityWriter(db, () => new Date(), LOG, { windowMs: 2, maxBatch: 200 });
    const waits: number[] = [];
    const runs: number[] = [];
    const sizes: number[] = [];
    writer.onBatch = ({ queuedAt, startedAt, committedAt }) => {
      for (const q of queuedAt) waits.push(startedAt - q);
      runs.push(committedAt - startedAt);
      sizes.push(queuedAt.length);
    };
    const latencies: number[] = [];
    let serial = 0;
    const end = performance.now() + seconds * 1000;
    const client = async () => {
      while (performance.now() < end) {
        const i = serial++;
        const t = performance.now();
        await writer.submit(orderJob(`lat-${i}`, phones[i % phones.length] as string, product));
        latencies.push(performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: clients }, client));
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const [l, w, r] = [sorted(latencies), sorted(waits), sorted(runs)];
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const ms = (x: number) => x.toFixed(0);
    return (
      `writer latency (PostgreSQL, no HTTP), ${clients} clients, ${seconds} s: ${(latencies.length / seconds).toFixed(0)} orders/s; ` +
      `answer p50 ${ms(percentile(l, 50))} / p99 ${ms(percentile(l, 99))} ms = wait before its batch p50 ${ms(percentile(w, 50))} / p99 ${ms(percentile(w, 99))} ms ` +
      `+ its batch p50 ${ms(percentile(r, 50))} / p99 ${ms(percentile(r, 99))} ms (${runs.length} batches, mean ${mean(sizes).toFixed(0)} orders)`
    );
  } finally {
    await db.close();
  }
}

/** The product of the bench's orders (equity plan, unlimited stock) and the first 1,000 members' phones. */
async function orderTargets(db: Db): Promise<{ product: string; phones: string[] }> {
  const product = (
    await db.query<{ id: string }>(
      "update products set stock = null where id = (select min(id) from products where 'equity' = any(plans) and active) returning id::text",
    )
  ).rows[0]?.id as string;
  const phones = (
    await db.query<{ phone: string }>("select phone from members order by id limit 1000")
  ).rows.map((r) => r.phone);
  return { product, phones };
}

/** The writer's job for one webhook delivery of a new equity-plan order. */
function orderJob(externalId: string, phone: string, productId: string) {
  const body = { event: "order.paid", externalId, phone, productId };
  const request = { method: "POST", url: "/webhooks/payments", body } as unknown as FastifyRequest;
  const delivery = { ...body, quantity: undefined, amount: undefined };
  return webhookOrderJob(request, delivery, { now: new Date(), timeZone: TIME_ZONE });
}

export async function writerAlone(
  databaseUrl: string,
  commands: number,
  maxBatch: number,
  instrument: Instrument = (db) => db,
): Promise<string> {
  const now = new Date();
  const db = await demoDatabase(databaseUrl, now);
  try {
    const holders = (
      await db.query<{ member_id: string }>(
        "select member_id::text from balances where account like 'm:%:equity' and amount > 1 order by member_id",
      )
    ).rows.map((r) => r.member_id);
    if (holders.length === 0) throw new Error("writer bench: no equity holders in the demo data");
    const writer = new EquityWriter(instrument(db), () => new Date(), LOG, { windowMs: 2, maxBatch });
    const job = (i: number): WriterJob<null> => {
      const id = holders[i % holders.length] as string;
      return {
        claim: { scope: "bench", key: undefined, hash: "", reused: () => process.exit(1) },
        status: 200,
        keys: walletKeys(id, ["cash", "equity", "stable", "exitQuota"]),
        async apply(view, { config }) {
          const steps = i % 2 === 0 ? sellSteps(id, POINTS, config) : toStableSteps(id, POINTS, config);
          await runStepsAsync(steps, view.store());
          return null;
        },
        finalize: (body) => body,
      };
    };
    const before = Number(
      (await db.query<{ n: string }>("select count(*) as n from ledger_postings")).rows[0]?.n,
    );
    const started = performance.now();
    const answers = await Promise.allSettled(
      Array.from({ length: commands }, (_, i) => writer.submit(job(i))),
    );
    const writerMs = performance.now() - started;
    const refused = answers.filter((a) => a.status === "rejected").length;
    const txs = writer.stats.commands - refused;
    const postings =
      Number((await db.query<{ n: string }>("select count(*) as n from ledger_postings")).rows[0]?.n) -
      before;

    const floorMs = await copyFloor(
      db,
      txs,
      Math.max(1, Math.round(postings / Math.max(1, txs))),
      maxBatch,
      now,
    );
    const rate = (count: number, ms: number) => (count / (ms / 1000)).toFixed(0);
    return (
      `writer alone (PostgreSQL, no HTTP): ${commands} member equity commands queued at once, batches of ≤ ${maxBatch}: ` +
      `${rate(commands, writerMs)} commands/s (${writer.stats.batches} batches, ${refused} refused, ${txs} written, ` +
      `${postings} postings); plain batched COPY of the same rows: ${rate(txs, floorMs)} transactions/s; ` +
      `writer / floor = ${(commands / writerMs / (txs / floorMs)).toFixed(2)}`
    );
  } finally {
    await db.close();
  }
}

// Alone, for profiling: `node --import tsx --cpu-prof packages/server/bench/writer-alone.ts <database url> [commands] [maxBatch] [members|orders]`;
// `… <database url> <clients> <seconds> latency`: where an order's time goes at that many clients.
if (process.argv[1]?.endsWith("writer-alone.ts")) {
  const [url, commands, maxBatch, kind] = process.argv.slice(2);
  const run =
    kind === "orders"
      ? writerAloneOrders
      : kind === "latency"
        ? (u: string, c: number, s: number) => writerLatency(u, c, s)
        : writerAlone;
  process.stdout.write(`${await run(url as string, Number(commands ?? 20_000), Number(maxBatch ?? 200))}\n`);
}
