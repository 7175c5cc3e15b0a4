/**
 * `npm run bench:settle`: the daily settlement of one business day on a
 * database filled by the demo-data generator (default 1,000,000 members,
 * 2,000,000 open release-plan orders, cycle-plan quotas for 30% of members,
 * equity orders, deep chains), on the local PostgreSQL; prints the settlement's
 * wall time, rows written, peak memory, and the ratio to a plain COPY of the
 * same ledger rows into empty tables measured in the same run.
 *
 *   npm run bench:settle                                   # 1,000,000 members on PostgreSQL
 *   npm run bench:settle -- --members 100000               # smaller
 *   npm run bench:settle -- --reuse                        # keep the generated schema, settle its next day
 *   npm run bench:settle -- --pglite --members 50000       # embedded PGlite (in memory)
 *   npm run bench:settle -- --live --members 100000 --rate 2
 *       # live traffic (issue 17): the database is copied (`create database <db>_quiet
 *       # template <db>`), the copy's open day settled alone, then the same day of the
 *       # original while payments arrive at --rate per second, from --outside-seconds
 *       # before to --outside-seconds after; prints p50 / p99 / max latency during and
 *       # outside the settlement, the settlement's time against the quiet one and the
 *       # lock waits sampled meanwhile (--rate 0: one client paying again when answered)
 *   npm run bench:settle -- --live --payments main ...
 *       # the payments on the settlement's own thread (as HTTP requests in the server),
 *       # not in a worker thread: their latency includes the settlement's JavaScript
 *   npm run bench:settle -- --live --settle-nice 10 ...
 *       # the settlement's own thread (this process's main thread; the payments in their worker)
 *       # at nice 10 while the day settles under traffic: a model of the settlement in a process
 *       # of its own at a low priority (the server runs it on its request thread at nice 0)
 *   JIFEN_SETTLE_NICE=0 npm run bench:settle ...
 *       # the compute worker at the caller's priority (default: nice 10)
 *   JIFEN_SETTLE_COMPUTE=inline npm run bench:settle ...
 *       # the engine step and the rows' text on the settlement's thread (default: a worker)
 *
 * PostgreSQL: BENCH_DATABASE_URL, DATABASE_URL or TEST_DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/test; the data lives in schema
 * `jifen_bench` (dropped and refilled unless --reuse). Generating a million
 * members takes several minutes and is not part of the measured time.
 *
 * The settlement runs as the server runs it (`settleBusinessDay`: one
 * transaction, lock, load, compute, COPY, updates, the next day opened, the
 * report stored) with a simulated clock at 00:05 of the day after the open day.
 * Figures, not a timed test: PASS/FAIL lines compare with the issue's targets
 * (< 60 s, ratio < 2, < 2 GiB peak) but the process exits 0 either way.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { availableParallelism, loadavg, setPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import pg from "pg";
import { addDays } from "../src/clock/index.ts";
import { type Db, migrate, openPg, openPglite } from "../src/db/index.ts";
import { generateDemoData } from "../src/demo/index.ts";
import { readCopyRows, settleBusinessDay } from "../src/settlement/index.ts";
import { insertProduct } from "../src/shop/index.ts";
import {
  countersLine,
  formatCounts,
  type Sched,
  type ServerCounters,
  serverCounters,
  threadScheds,
  watchActivity,
} from "./activity-watch.ts";
import { type Payments, type PaymentsResult, startPayments } from "./live-traffic.ts";
import { formatWaits, watchLocks } from "./lock-watch.ts";

const GIB = 1024 ** 3;
const TARGET_SECONDS = 60;
const TARGET_RATIO = 2;
const TZ = "Asia/Shanghai";

const { values: args } = parseArgs({
  options: {
    members: { type: "string", default: "1000000" },
    orders: { type: "string" },
    seed: { type: "string", default: "20260105" },
    schema: { type: "string", default: "jifen_bench" },
    reuse: { type: "boolean", default: false },
    pglite: { type: "boolean", default: false },
    "generate-only": { type: "boolean", default: false },
    live: { type: "boolean", default: false },
    rate: { type: "string", default: "5" },
    "outside-seconds": { type: "string", default: "15" },
    payments: { type: "string", default: "worker" },
    "settle-nice": { type: "string", default: "0" },
  },
});
const PGLITE_DIR = join(tmpdir(), "jifen-bench-pglite");
const MEMBERS = Number(args.members);
const ORDERS = args.orders ? Number(args.orders) : 2 * MEMBERS;
const SCHEMA = args.schema as string;
if (!/^[a-z_][a-z0-9_]*$/.test(SCHEMA)) throw new Error("--schema: a lower-case identifier");
const URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";

const fmtInt = (x: number): string => Math.round(x).toLocaleString("en-US");
const fmtS = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const fmtMiB = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
const line = (label: string, value: string): void => console.log(`${label.padEnd(46)}${value}`);

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);
sampler.unref();
/** Peak resident set size of this process so far (kernel's figure and samples). */
function peak(): number {
  return Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
}

/** Opens the bench database (PGlite in a temp directory, or the PostgreSQL schema). */
async function openBench(schema = SCHEMA, url = URL): Promise<Db> {
  const db = args.pglite
    ? await openPglite({ dataDir: PGLITE_DIR })
    : await openPg({ connectionString: url, schema, maxConnections: 4 });
  await migrate(db);
  return db;
}

/** Whether the data must be generated (again): not --reuse, or no data of this size. */
async function needsData(schema = SCHEMA): Promise<boolean> {
  if (!args.reuse) return true;
  if (args.pglite) {
    try {
      const db = await openBench();
      const n = (await db.query<{ n: number }>("select count(*)::int as n from members")).rows[0]?.n;
      await db.close();
      return n !== MEMBERS;
    } catch {
      return true;
    }
  }
  const admin = new pg.Client({ connectionString: URL });
  await admin.connect();
  const count = await admin
    .query(`select count(*)::int as n from ${schema}.members`)
    .then((r) => r.rows[0]?.n as number)
    .catch(() => -1);
  await admin.end();
  return count !== MEMBERS;
}

/** Empties the bench database (drops the schema, or the PGlite directory). */
async function resetData(schema = SCHEMA): Promise<void> {
  if (args.pglite) {
    rmSync(PGLITE_DIR, { recursive: true, force: true });
    rmSync(`${PGLITE_DIR}.lock`, { force: true });
    return;
  }
  const admin = new pg.Client({ connectionString: URL });
  await admin.connect();
  await admin.query(`drop schema if exists ${schema} cascade; create schema ${schema}`);
  await admin.end();
}

/** The child process of `--generate-only`: fills the database and prints what it made. */
async function generateOnly(): Promise<void> {
  const db = await openBench();
  const genStarted = performance.now();
  let last = "";
  const result = await generateDemoData(db, {
    members: MEMBERS,
    releaseOrders: ORDERS,
    seed: Number(args.seed),
    now: new Date("2026-03-01T04:00:00Z"),
    timeZone: TZ,
    progress: (phase, done, total) => {
      if (phase !== last && done === total) {
        last = phase;
        process.stderr.write(`  ${phase} ${fmtS(performance.now() - genStarted)}\n`);
      }
    },
  });
  line("generated in", fmtS(performance.now() - genStarted));
  line(
    "  network",
    `${fmtInt(result.members)} members, deepest chain ${fmtInt(result.deepestChain)}, largest referral count ${fmtInt(
      result.largestReferralCount,
    )}`,
  );
  line(
    "  orders",
    `${fmtInt(result.orders.release)} release, ${fmtInt(result.orders.cycle)} cycle, ${fmtInt(result.orders.equity)} equity`,
  );
  line(
    "  ledger history",
    `${fmtInt(result.rows.transactions)} transactions, ${fmtInt(result.rows.postings)} postings, ${fmtInt(
      result.rows.balances,
    )} balances`,
  );
  await db.close();
}

/** The day's ledger rows as COPY text, read back after the settlement (for the plain-COPY baseline). */
async function dayRows(db: Db, day: string): Promise<{ tx: string[]; postings: string[]; count: number }> {
  return db.transaction(async (tx) => {
    const txText: string[] = [];
    const postingText: string[] = [];
    for await (const chunk of tx.copyTo(
      `select id, business_day, kind, ref, memo, created_at from ledger_transactions
       where business_day = '${day}' and ref = 'day:${day}' order by id`,
    ))
      txText.push(chunk);
    for await (const chunk of tx.copyTo(
      `select p.transaction_id, p.account, p.asset, p.amount, p.member_id from ledger_postings p
       join ledger_transactions t on t.id = p.transaction_id
       where t.business_day = '${day}' and t.ref = 'day:${day}' order by p.id`,
    ))
      postingText.push(chunk);
    let count = 0;
    await readCopyRows(
      (async function* () {
        yield* txText;
        yield* postingText;
      })(),
      () => {
        count++;
      },
    );
    return { tx: txText, postings: postingText, count };
  });
}

/**
 * COPYs the rows into fresh tables shaped like the ledger (bare, or with the ledger's indexes):
 * ordinary logged tables as the settlement's own, created, filled and dropped in one transaction.
 */
async function plainCopy(
  db: Db,
  rows: { tx: string[]; postings: string[] },
  withIndexes: boolean,
): Promise<number> {
  return db.transaction(async (tx) => {
    // The live partitions carry the ledger's indexes; ids come from the parent's sequence.
    const like = withIndexes ? "including all" : "including defaults";
    await tx.exec(
      `create table bench_copy_tx (like ledger_transactions_live ${like});
       create table bench_copy_postings (like ledger_postings_live ${like});
       alter table bench_copy_postings alter column id set default nextval('ledger_postings_id_seq');`,
    );
    const started = performance.now();
    await tx.copyFrom("bench_copy_tx (id, business_day, kind, ref, memo, created_at)", rows.tx);
    await tx.copyFrom(
      "bench_copy_postings (transaction_id, account, asset, amount, member_id)",
      rows.postings,
    );
    const ms = performance.now() - started;
    await tx.exec("drop table bench_copy_tx; drop table bench_copy_postings;");
    return ms;
  });
}

if (args["generate-only"]) {
  await generateOnly();
  process.exit(0);
}
console.log(
  `settlement bench: ${fmtInt(MEMBERS)} members, ${fmtInt(ORDERS)} release-plan orders, on ${
    args.pglite
      ? `PGlite (${PGLITE_DIR})`
      : `PostgreSQL (${URL.replace(/\/\/[^@]*@/, "//")}, schema ${SCHEMA})`
  }`,
);
/** Generates the data of `schema` unless it is there (--reuse). */
async function ensureData(schema: string): Promise<void> {
  if (await needsData(schema)) {
    // Generated in a child process, so that this process's peak memory is the settlement's own.
    await resetData(schema);
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, ...process.argv.slice(1), "--generate-only", "--schema", schema],
      {
        stdio: "inherit",
      },
    );
    if (child.status !== 0) throw new Error(`data generation failed (status ${child.status})`);
  } else line("reusing data", args.pglite ? PGLITE_DIR : `schema ${schema}`);
}

await ensureData(SCHEMA);
if (args.live) {
  if (args.pglite) throw new Error("--live needs PostgreSQL (PGlite has one connection)");
  await liveBench();
  process.exit(0);
}
const db = await openBench();
if (db.driver === "pg") {
  const started = performance.now();
  await db.exec("vacuum analyze");
  await db.exec("checkpoint").catch(() => {});
  line("vacuum analyze + checkpoint (setup)", fmtS(performance.now() - started));
}

const day = (await db.query<{ d: string }>("select open_day as d from reward_clock where id = 1")).rows[0]
  ?.d as string;
const now = new Date(`${addDays(day, 1)}T00:05:00+08:00`);
const memoryBefore = peak();
let phaseLast = "";
const started = performance.now();
const outcome = await settleBusinessDay(db, day, {
  now,
  timeZone: TZ,
  owner: "bench",
  progress: (phase, done, total) => {
    if (phase !== phaseLast && done === total && total > 0) {
      phaseLast = phase;
      process.stderr.write(`  ${phase} ${fmtS(performance.now() - started)}\n`);
    }
  },
});
const wallMs = performance.now() - started;
const memoryPeak = peak();
if (outcome.status !== "settled") throw new Error(`settlement did not run: ${JSON.stringify(outcome)}`);
const report = outcome.report;
const rows = report.rows;
const ledgerRows = rows.transactions + rows.postings;

const copyRows = await dayRows(db, day);
if (copyRows.count !== ledgerRows)
  throw new Error(`read back ${copyRows.count} of ${ledgerRows} ledger rows`);
const bareMs = await plainCopy(db, copyRows, false);
const shapedMs = await plainCopy(db, copyRows, true);
await db.close();

console.log("");
line("business day settled", `${day} (config version ${report.configVersionId ?? "defaults"})`);
line(
  "members / paid / open orders",
  `${fmtInt(report.members)} / ${fmtInt(report.membersPaid)} / ${fmtInt(report.openOrders)}`,
);
line(
  "released (static+share+team+peer)",
  `${report.totals.released} points (forfeited ${report.totals.forfeited})`,
);
line(
  "dividends / pooled / returned",
  `${report.totals.dividends} / ${report.totals.pooled} / ${report.totals.returned}`,
);
line(
  "rows written",
  `${fmtInt(rows.transactions)} transactions + ${fmtInt(rows.postings)} postings = ${fmtInt(ledgerRows)} ledger rows; ` +
    `${fmtInt(rows.balances)} balances, ${fmtInt(rows.orders)} orders, ${fmtInt(rows.stars)} stars`,
);
console.log("phases (ms):");
for (const [phase, ms] of Object.entries(report.phasesMs)) line(`  ${phase}`, fmtInt(ms));
line("settlement wall time", `${fmtS(wallMs)} (${loadLine()})`);
line("peak memory (RSS, this process)", `${fmtMiB(memoryPeak)} (before the run ${fmtMiB(memoryBefore)})`);
line("plain COPY, same ledger rows, bare tables", fmtS(bareMs));
line("plain COPY, same rows, ledger's indexes", fmtS(shapedMs));
line("ratio to the bare COPY", `${(wallMs / bareMs).toFixed(2)}×`);
line("ratio to the COPY with the ledger's indexes", `${(wallMs / shapedMs).toFixed(2)}×`);
console.log("");
const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");
line(`target wall time < ${TARGET_SECONDS} s`, verdict(wallMs < TARGET_SECONDS * 1000));
line(`target ratio < ${TARGET_RATIO} (bare COPY)`, verdict(wallMs / bareMs < TARGET_RATIO));
line("target peak memory < 2 GiB", verdict(memoryPeak < 2 * GIB));

/** Vacuums the schema, then the open day and the simulated 00:05 after it. */
async function prepareDay(db: Db): Promise<{ day: string; now: Date }> {
  await db.exec("vacuum analyze");
  await db.exec("checkpoint").catch(() => {});
  const day = (await db.query<{ d: string }>("select open_day as d from reward_clock where id = 1")).rows[0]
    ?.d as string;
  return { day, now: new Date(`${addDays(day, 1)}T00:05:00+08:00`) };
}

/** p50 / p99 / max of `ms`, as one line. */
function latencyLine(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))] ?? 0;
  return `${fmtInt(ms.length)} payments: p50 ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms, max ${(
    sorted[sorted.length - 1] ?? 0
  ).toFixed(1)} ms`;
}

/** The machine's load averages (1, 5, 15 min) and cores, as `uptime` prints them: figures depend on them. */
function loadLine(): string {
  return `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(", ")} (${availableParallelism()} cores)`;
}

/** `url` with `application_name` set (the activity sampler tells the backends apart by it). */
function named(url: string, name: string): string {
  const u = new globalThis.URL(url);
  u.searchParams.set("application_name", name);
  return u.toString();
}

/** `URL` with another database name. */
function databaseUrl(name: string): string {
  const url = new globalThis.URL(URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A copy of the bench database as it is now (`create database … template`, a
 * file copy: the same data without generating it twice); no session may be
 * connected to it meanwhile.
 */
async function copyDatabase(): Promise<string> {
  const source = new globalThis.URL(URL).pathname.slice(1);
  const copy = `${source}_quiet`;
  const admin = new pg.Client({ connectionString: databaseUrl("postgres") });
  await admin.connect();
  await admin.query(`drop database if exists ${copy}`);
  await admin.query(`create database ${copy} template ${source}`);
  await admin.end();
  return copy;
}

async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl("postgres") });
  await admin.connect();
  await admin.query(`drop database if exists ${name}`);
  await admin.end();
}

/**
 * --live: copies the database, settles the copy's open day alone, then the
 * same day of the original while payments arrive at --rate per second (open
 * loop: one starts every 1/rate s whether or not the last has answered; 0:
 * one client, closed loop), from --outside-seconds before the settlement to
 * --outside-seconds after it. Lock waits are sampled throughout (pg_locks,
 * pg_stat_activity) and the longest printed.
 */
async function liveBench(): Promise<void> {
  const copy = await copyDatabase();
  const quiet = await openPg({
    connectionString: named(databaseUrl(copy), "bench_settle"),
    schema: SCHEMA,
    maxConnections: 4,
  });
  const q = await prepareDay(quiet);
  const quietLoad = loadLine();
  const quietStarted = performance.now();
  const quietOutcome = await settleBusinessDay(quiet, q.day, { now: q.now, timeZone: TZ, owner: "bench" });
  const quietMs = performance.now() - quietStarted;
  await quiet.close();
  await dropDatabase(copy);
  if (quietOutcome.status !== "settled") throw new Error(`quiet settlement: ${JSON.stringify(quietOutcome)}`);
  line("settlement without traffic", `${fmtS(quietMs)} (${quietLoad})`);

  const db = await openBench(SCHEMA, named(URL, "bench_settle"));
  const traffic = await openPg({ connectionString: URL, schema: SCHEMA, maxConnections: 8 });
  const { day, now } = await prepareDay(db);
  const product = await traffic.transaction((tx) =>
    insertProduct(
      tx,
      {
        name: "bench payment",
        description: "",
        price: 100_000_000n,
        plans: ["release", "cycle", "equity"],
        membershipPackage: true,
        active: true,
      },
      now,
    ),
  );
  const members = Number(
    (await db.query<{ n: string }>("select max(id)::text as n from members")).rows[0]?.n,
  );
  const outsideMs = Number(args["outside-seconds"]) * 1000;
  const watch = await watchLocks(URL, { intervalMs: 100, minMs: 200 });
  // Every backend's state, wait event and scheduler figures every 50 ms; the cluster's WAL and checkpoints.
  const activity = await watchActivity(URL, 50);
  const countersClient = new pg.Client({ connectionString: URL });
  await countersClient.connect();
  const counters: ServerCounters[] = [await serverCounters(countersClient)];
  const outsideStartedAt = Date.now();
  // Before the settlement the payments are D's own (23:58 of D: eligible at once, none due on D + 1).
  const payments = await paymentsOn(args.payments as string, {
    url: URL,
    schema: SCHEMA,
    product,
    members,
    rate: Number(args.rate),
    timeZone: TZ,
    now: new Date(`${day}T23:58:00+08:00`),
  });
  await new Promise((resolve) => setTimeout(resolve, outsideMs));
  const due = await db.query<{ n: string }>(
    `select count(*)::text as n from orders o where o.status = 'paid' and o.eligible_day = $1::date
       and not exists (select 1 from order_rewards r where r.order_id = o.id)`,
    [addDays(day, 1)],
  );
  const liveLoad = loadLine();
  counters.push(await serverCounters(countersClient));
  const cpuBefore = process.cpuUsage();
  const threadsBefore = threadScheds();
  payments.phase({ now, settling: true });
  // The settlement's own thread: how long its JavaScript kept the event loop (a server's requests) waiting.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const settleNice = Number(args["settle-nice"]);
  if (settleNice > 0) setPriority(settleNice); // this thread only (Linux: the nice value is per thread)
  const started = performance.now();
  const startedAt = Date.now();
  // When each phase of the settlement began (its first progress report), to place the slowest payments.
  const phases: { at: number; phase: string }[] = [];
  const outcome = await settleBusinessDay(db, day, {
    now,
    timeZone: TZ,
    owner: "bench",
    progress: (phase) => {
      if (phases[phases.length - 1]?.phase !== phase) phases.push({ at: Date.now(), phase });
    },
  });
  const liveMs = performance.now() - started;
  const endedAt = Date.now();
  if (settleNice > 0) setPriority(0);
  loopDelay.disable();
  payments.phase({ settling: false });
  const cpuSettling = process.cpuUsage(cpuBefore);
  const threadsAfter = threadScheds();
  counters.push(await serverCounters(countersClient));
  await new Promise((resolve) => setTimeout(resolve, outsideMs));
  const load = await payments.stop();
  counters.push(await serverCounters(countersClient));
  const afterEndedAt = Date.now();
  await countersClient.end();
  await activity.stop();
  const waits = await watch.stop();
  await traffic.close();
  await db.close();
  if (outcome.status !== "settled") throw new Error(`settlement under traffic: ${JSON.stringify(outcome)}`);
  const rate = Number(args.rate);
  console.log("");
  line("business day settled", `${day}, ${fmtInt(outcome.report.members)} members`);
  line(
    "compute / payments",
    `${process.env.JIFEN_SETTLE_COMPUTE ?? "worker"} (JIFEN_SETTLE_COMPUTE, nice ${
      process.env.JIFEN_SETTLE_NICE ?? "10"
    }) / ${args.payments} thread; the settlement's thread at nice ${settleNice}`,
  );
  console.log("phases under traffic (ms):");
  for (const [phase, ms] of Object.entries(outcome.report.phasesMs)) line(`  ${phase}`, fmtInt(ms));
  line("settlement without traffic", `${fmtS(quietMs)} (${quietLoad})`);
  line(
    `settlement with ${rate > 0 ? `${rate} payments/s` : "one paying client"}`,
    `${fmtS(liveMs)} (${liveLoad})`,
  );
  line("ratio (with / without traffic)", `${(liveMs / quietMs).toFixed(2)}×`);
  line(
    "settlement thread's event-loop delay",
    `max ${(loopDelay.max / 1e6).toFixed(0)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms`,
  );
  line(
    "close (clock held; opens D + 1)",
    `${fmtInt(outcome.report.phasesMs.close ?? 0)} ms, ${due.rows[0]?.n} orders due on D + 1 made eligible`,
  );
  line("latency during the settlement", latencyLine(load.during));
  line("latency outside it (before and after)", latencyLine(load.outside));
  line("failed payments", String(load.failures));
  line("load at the end", loadLine());
  console.log("slowest payments (start from the settlement's start, latency, the settlement's phase then):");
  for (const p of load.slowest) {
    const phase =
      p.at < startedAt
        ? "before"
        : p.at > endedAt
          ? "after"
          : ([...phases].reverse().find((x) => x.at <= p.at)?.phase ?? "close");
    console.log(
      `  ${((p.at - startedAt) / 1000).toFixed(1).padStart(7)} s  ${fmtInt(p.ms).padStart(6)} ms  ${phase}`,
    );
  }
  // Where the slowest payment's time went: its longest statements and the longest gaps between them.
  const worst = load.slowest[0];
  if (worst) {
    const inCalls = worst.trace.reduce((sum, t) => sum + t.ms, 0);
    console.log(
      `the slowest payment: ${worst.trace.length} statements, ${fmtInt(inCalls)} ms in database calls, ${fmtInt(
        worst.ms - inCalls,
      )} ms between them (and the commit); the longest:`,
    );
    for (const t of [...worst.trace]
      .sort((a, b) => Math.max(b.ms, b.gap) - Math.max(a.ms, a.gap))
      .slice(0, 6))
      console.log(
        `  call ${fmtInt(t.ms).padStart(6)} ms, before it ${fmtInt(t.gap).padStart(6)} ms: ${t.sql}`,
      );
  }
  printActivity({
    load,
    activity,
    counters,
    cpuSettling,
    threads: [threadsBefore, threadsAfter],
    startedAt,
    endedAt,
    outsideStartedAt,
    afterEndedAt,
  });
  console.log("lock waits of 200 ms or more (sampled every 100 ms; longest first):");
  console.log(formatWaits(waits));
  const p99 = [...load.during].sort((a, b) => a - b)[Math.floor(0.99 * load.during.length)] ?? 0;
  const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");
  line("target p99 during the settlement < 200 ms", verdict(p99 < 200));
  line("target settlement ≤ 1.3× slower under traffic", verdict(liveMs / quietMs <= 1.3));
}

/** Where the time went (activity-watch.ts): the cluster's WAL and checkpoints, the backends' states and CPU. */
function printActivity(x: {
  load: PaymentsResult;
  activity: Awaited<ReturnType<typeof watchActivity>>;
  counters: ServerCounters[];
  cpuSettling: NodeJS.CpuUsage;
  threads: [Map<number, Sched>, Map<number, Sched>];
  startedAt: number;
  endedAt: number;
  outsideStartedAt: number;
  afterEndedAt: number;
}): void {
  const { load, activity, counters, startedAt, endedAt } = x;
  const [c0, c1, c2, c3] = counters;
  console.log(
    "the cluster's WAL, checkpoints and the machine's pressure stall (other databases' work included):",
  );
  if (c0 && c1 && c2 && c3) {
    line("  before the settlement", countersLine(c0, c1));
    line("  during it", countersLine(c1, c2));
    line("  after it", countersLine(c2, c3));
  }
  const pct = (part: number, whole: number) => `${((100 * part) / Math.max(1e-9, whole)).toFixed(0)}%`;
  for (const [label, sum, n] of [
    ["during", load.sums.during, load.during.length],
    ["outside", load.sums.outside, load.outside.length],
  ] as const) {
    const rest = sum.latencyMs - sum.backendCpuMs - sum.backendWaitMs - sum.clientCpuMs - sum.clientWaitMs;
    line(
      `payments ${label} (${n}): of ${fmtInt(sum.latencyMs)} ms`,
      `backend on a CPU ${fmtInt(sum.backendCpuMs)} (${pct(sum.backendCpuMs, sum.latencyMs)}), backend runnable waiting for a CPU ${fmtInt(
        sum.backendWaitMs,
      )} (${pct(sum.backendWaitMs, sum.latencyMs)}); paying thread on a CPU ${fmtInt(sum.clientCpuMs)} (${pct(
        sum.clientCpuMs,
        sum.latencyMs,
      )}), waiting for one ${fmtInt(sum.clientWaitMs)} (${pct(sum.clientWaitMs, sum.latencyMs)}); the rest (asleep: I/O, locks, network) ${fmtInt(
        rest,
      )} (${pct(rest, sum.latencyMs)})`,
    );
  }
  const outside = activity.byApp("bench_payment", x.outsideStartedAt, startedAt);
  for (const [k, v] of activity.byApp("bench_payment", endedAt, x.afterEndedAt))
    outside.set(k, (outside.get(k) ?? 0) + v);
  line(
    "payment backends sampled (50 ms), during",
    formatCounts(activity.byApp("bench_payment", startedAt, endedAt)),
  );
  line("payment backends sampled, outside", formatCounts(outside));
  line(
    "settlement backends sampled, during",
    formatCounts(activity.byApp("bench_settle", startedAt, endedAt), 10),
  );
  console.log(
    `  by statement: ${formatCounts(activity.byApp("bench_settle", startedAt, endedAt, true), 12)}`,
  );
  const settle = activity.schedByApp("bench_settle", startedAt, endedAt);
  const pay = activity.schedByApp("bench_payment", startedAt, endedAt);
  const seconds = (endedAt - startedAt) / 1000;
  line(
    "CPU during the settlement (ms; per s of it)",
    `settlement backends ${fmtInt(settle.cpuMs)} (${(settle.cpuMs / 1000 / seconds).toFixed(2)} cores), their wait for a CPU ${fmtInt(
      settle.waitMs,
    )}; payment backends ${fmtInt(pay.cpuMs)}, their wait ${fmtInt(pay.waitMs)}; this process (all threads) ${fmtInt(
      (x.cpuSettling.user + x.cpuSettling.system) / 1000,
    )} (${((x.cpuSettling.user + x.cpuSettling.system) / 1e6 / seconds).toFixed(2)} cores)`,
  );
  const payingTid = Number(load.thread?.split("/").pop() ?? 0);
  const perThread = [...x.threads[1]]
    .map(([tid, b]) => {
      const a = x.threads[0].get(tid) ?? { cpuNs: 0, waitNs: 0 };
      return { tid, cpuMs: (b.cpuNs - a.cpuNs) / 1e6, waitMs: (b.waitNs - a.waitNs) / 1e6 };
    })
    .sort((a, b) => b.cpuMs - a.cpuMs)
    .slice(0, 5)
    .map((t) => {
      const who = t.tid === process.pid ? "main" : t.tid === payingTid ? "paying" : `thread ${t.tid}`;
      return `${who} ${fmtInt(t.cpuMs)} / ${fmtInt(t.waitMs)}`;
    });
  line("this process's threads, CPU / wait for one (ms)", perThread.join("; "));
  console.log(
    "the slowest payments' time (backend CPU / runnable wait; paying thread CPU / wait; sampled states):",
  );
  for (const p of load.slowest.slice(0, 6)) {
    const s = p.split;
    console.log(
      `  ${((p.at - startedAt) / 1000).toFixed(1).padStart(7)} s ${fmtInt(p.ms).padStart(6)} ms: backend ${fmtInt(
        s.backendCpuMs,
      )} / ${fmtInt(s.backendWaitMs)} ms, client ${fmtInt(s.clientCpuMs)} / ${fmtInt(s.clientWaitMs)} ms; ${formatCounts(
        activity.during(p.pid, p.at, p.at + p.ms),
      )}`,
    );
  }
}

/**
 * The payments (live-traffic.ts): in a worker thread of their own (`worker`), or on this,
 * the settlement's, thread (`main`), as the server answers HTTP requests beside it.
 */
async function paymentsOn(where: string, input: Parameters<typeof startPayments>[0]): Promise<Payments> {
  if (where === "main") return startPayments(input);
  if (where !== "worker") throw new Error("--payments: worker or main");
  const worker = new Worker(new globalThis.URL("./live-traffic-worker.mjs", import.meta.url), {
    execArgv: process.execArgv.filter((a) => !a.startsWith("--max-old-space-size")),
    workerData: input,
  });
  const results = new Promise<PaymentsResult>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  return {
    phase: (message) => worker.postMessage(message),
    async stop() {
      worker.postMessage("stop");
      const result = await results;
      await worker.terminate();
      return result;
    },
  };
}
