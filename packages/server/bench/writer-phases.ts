/**
 * Where the writer alone spends a batch (issue 14): runs `writer-alone.ts`'s
 * member commands or paid orders on a fresh database (created and dropped
 * here) with the writer's database handle wrapped so that every batch (one
 * transaction of the writer) is measured: its wall time, the process's CPU
 * (`process.cpuUsage`; nothing else runs in this process while the writer
 * works, so it is the writer's, the pg driver included), the CPU spent inside
 * statement calls (the driver: serialising the parameters, parsing the rows)
 * and each statement's wall time in the client, by kind; and the process's
 * garbage collections (a `PerformanceObserver`). Prints per-batch means and
 * medians. Profile with `node --cpu-prof` on top.
 *
 *   node --import tsx packages/server/bench/writer-phases.ts <admin url> members|orders [commands] [maxBatch]
 *
 * `<admin url>`: a database to connect to for create/drop
 * (e.g. postgres://postgres@127.0.0.1:5432/postgres).
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { PerformanceObserver } from "node:perf_hooks";
import pg from "pg";
import type { Db, Queryable, Tx } from "../src/db/index.ts";
import { writerAlone, writerAloneOrders } from "./writer-alone.ts";

/** A statement's kind (the writer's statements by name, anything else by its first words), once per distinct text. */
function labelOf(sql: string): string {
  let label = labelCache.get(sql);
  if (label === undefined) {
    label = labelOfText(sql);
    labelCache.set(sql, label);
  }
  return label;
}
const labelCache = new Map<string, string>();

function labelOfText(sql: string): string {
  const s = sql.replace(/\s+/g, " ").trim();
  if (s.startsWith("with t as ( insert into ledger_transactions")) return "write";
  if (s.includes("from balances b join unnest")) return "lock balances";
  if (s.includes("nextval('ledger_transactions_id_seq')")) return "numbering";
  if (s.includes("from idempotency_keys i")) return "stored keys";
  if (s.includes("from exit_queue")) return "exit queue";
  if (s === "begin" || s === "commit" || s === "rollback") return s;
  return s.slice(0, 48);
}

interface Batch {
  startedAt: number;
  wallMs: number;
  cpuMs: number;
  driverCpuMs: number;
  statements: Map<string, number>;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** WRITER_PHASES_EXPLAIN=1: prints EXPLAIN ANALYZE of one batch's write (the 10th), run under a savepoint and rolled back first. */
const EXPLAIN = process.env.WRITER_PHASES_EXPLAIN === "1";
const EXPLAIN_BATCH = 10;
let explained = 0;

async function explain(q: Queryable, sql: string, params?: readonly unknown[]): Promise<void> {
  await q.query("savepoint writer_phases_explain");
  const plan = await q.query<{ "QUERY PLAN": string }>(`explain (analyze, costs off) ${sql}`, params);
  await q.query("rollback to savepoint writer_phases_explain");
  process.stderr.write(`${plan.rows.map((r) => r["QUERY PLAN"]).join("\n")}\n`);
}

/**
 * WRITER_PHASES_HEAP=<file>: a sampling heap profile of what the writer allocates, garbage
 * included (V8's sampling heap profiler keeping objects collected by minor and major GCs),
 * from its first batch to its `expected`-th (open in Chrome's DevTools, Memory tab).
 */
const HEAP = process.env.WRITER_PHASES_HEAP;
let session: Session | undefined;

async function heapStart(): Promise<void> {
  if (!HEAP || session) return;
  session = new Session();
  session.connect();
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
}

async function heapStop(): Promise<void> {
  if (!HEAP || !session) return;
  const { profile } = await session.post("HeapProfiler.stopSampling");
  writeFileSync(HEAP, JSON.stringify(profile));
  session.disconnect();
  session = undefined;
}

/** Wraps the writer's handle: each transaction is one batch; its statements timed. */
function instrument(batches: Batch[], expected: number): (db: Db) => Db {
  return (db) => {
    const timed = (q: Queryable, batch: Batch): Queryable["query"] =>
      async function query<R>(sql: string, params?: readonly unknown[]) {
        if (EXPLAIN && labelOf(sql) === "write" && explained++ === EXPLAIN_BATCH)
          await explain(q, sql, params);
        const t = performance.now();
        const c = cpuMs();
        try {
          return await q.query<R>(sql, params);
        } finally {
          batch.driverCpuMs += cpuMs() - c;
          const label = labelOf(sql);
          batch.statements.set(label, (batch.statements.get(label) ?? 0) + performance.now() - t);
        }
      };
    return {
      ...db,
      query: db.query.bind(db),
      exec: db.exec.bind(db),
      close: db.close.bind(db),
      async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
        if (batches.length === 0) await heapStart();
        const batch: Batch = {
          startedAt: performance.now(),
          wallMs: 0,
          cpuMs: 0,
          driverCpuMs: 0,
          statements: new Map(),
        };
        const t = performance.now();
        const c = cpuMs();
        let inner = 0;
        try {
          return await db.transaction(async (tx) => {
            // BEGIN (and taking the pooled connection) is what passed before fn runs.
            batch.statements.set("begin", performance.now() - t);
            try {
              return await fn({ ...tx, query: timed(tx, batch) });
            } finally {
              inner = performance.now();
            }
          });
        } finally {
          batch.statements.set("commit", performance.now() - inner);
          batch.wallMs = performance.now() - t;
          batch.cpuMs = cpuMs() - c;
          batches.push(batch);
          if (batches.length === expected) await heapStop();
        }
      },
    };
  };
}

/** A performance.now() instant on process.hrtime's clock, µs (what a --cpu-prof's timestamps count). */
const hrOffsetMs = Number(process.hrtime.bigint()) / 1e6 - performance.now();
const hr = (at: number) => Math.round((at + hrOffsetMs) * 1000);

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};
const f = (x: number) => x.toFixed(1);

async function main(): Promise<void> {
  const [adminUrl, kind = "members", commandsText = "6000", maxBatchText = "200"] = process.argv.slice(2);
  if (!adminUrl) throw new Error("usage: writer-phases.ts <admin url> members|orders [commands] [maxBatch]");
  const commands = Number(commandsText);
  const maxBatch = Number(maxBatchText);
  const name = `jifen_phases_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const batches: Batch[] = [];
  const gcEntries: { at: number; ms: number; kind: number }[] = [];
  let measuring = false;
  const observer = new PerformanceObserver((list) => {
    if (!measuring) return;
    for (const e of list.getEntries())
      gcEntries.push({
        at: e.startTime,
        ms: e.duration,
        kind: (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0,
      });
  });
  observer.observe({ entryTypes: ["gc"] });
  let line: string;
  let cpuFrom = 0;
  let cpuTo = 0;
  try {
    const wrap = instrument(batches, Math.ceil(commands / maxBatch));
    const measured = (db: Db) => {
      measuring = true;
      cpuFrom = cpuMs();
      return wrap(db);
    };
    line =
      kind === "orders"
        ? await writerAloneOrders(url.toString(), commands, maxBatch, measured)
        : await writerAlone(url.toString(), commands, maxBatch, measured);
    cpuTo = cpuMs();
  } finally {
    measuring = false;
    observer.disconnect();
  }
  // The collections while the writer ran: from its first batch's start to its last batch's end.
  const from = batches[0]?.startedAt ?? 0;
  const last = batches[batches.length - 1];
  const to = last ? last.startedAt + last.wallMs : 0;
  const gcs = { count: 0, ms: 0, byKind: new Map<number, number>() };
  for (const e of gcEntries) {
    if (e.at < from || e.at > to) continue;
    gcs.count++;
    gcs.ms += e.ms;
    gcs.byKind.set(e.kind, (gcs.byKind.get(e.kind) ?? 0) + 1);
  }
  const col = (get: (b: Batch) => number) => {
    const xs = batches.map(get);
    return `${f(mean(xs))} / ${f(median(xs))}`;
  };
  const labels = new Map<string, number>();
  for (const b of batches) for (const [l, ms] of b.statements) labels.set(l, (labels.get(l) ?? 0) + ms);
  const out = [
    line,
    // With the overlap, a batch's speculative work runs outside its transaction: the whole span's CPU counts it.
    `process CPU from the writer's start to its last answer: ${f(cpuTo - cpuFrom)} ms (${f((cpuTo - cpuFrom) / commands)} ms a command)`,
    `${batches.length} batches (transactions of the writer); per batch, mean / median ms:`,
    `  wall ${col((b) => b.wallMs)}; writer CPU ${col((b) => b.cpuMs)} (inside statement calls, the driver: ${col((b) => b.driverCpuMs)}; outside: ${col((b) => b.cpuMs - b.driverCpuMs)})`,
    ...[...labels]
      .sort((a, b) => b[1] - a[1])
      .map(([l, _]) => `  ${l}: ${col((b) => b.statements.get(l) ?? 0)}`),
    `  GCs while the writer ran: ${gcs.count} (${f(gcs.ms)} ms; by kind ${[...gcs.byKind].map(([k, n]) => `${k}:${n}`).join(" ")}; 1 = minor, 4 = major, 8 = incremental)`,
    // For a --cpu-prof of this run: the writer's span on the profile's clock (µs, process.hrtime).
    `writer span (hrtime µs): ${hr(from)}–${hr(to)}`,
    `load average ${(await import("node:os"))
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  ];
  process.stdout.write(`${out.join("\n")}\n`);
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

await main();
