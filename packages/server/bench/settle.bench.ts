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
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { addDays } from "../src/clock/index.ts";
import { type Db, migrate, openPg, openPglite } from "../src/db/index.ts";
import { generateDemoData } from "../src/demo/index.ts";
import { readCopyRows, settleBusinessDay } from "../src/settlement/index.ts";

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
async function openBench(): Promise<Db> {
  const db = args.pglite
    ? await openPglite({ dataDir: PGLITE_DIR })
    : await openPg({ connectionString: URL, schema: SCHEMA, maxConnections: 4 });
  await migrate(db);
  return db;
}

/** Whether the data must be generated (again): not --reuse, or no data of this size. */
async function needsData(): Promise<boolean> {
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
    .query(`select count(*)::int as n from ${SCHEMA}.members`)
    .then((r) => r.rows[0]?.n as number)
    .catch(() => -1);
  await admin.end();
  return count !== MEMBERS;
}

/** Empties the bench database (drops the schema, or the PGlite directory). */
async function resetData(): Promise<void> {
  if (args.pglite) {
    rmSync(PGLITE_DIR, { recursive: true, force: true });
    rmSync(`${PGLITE_DIR}.lock`, { force: true });
    return;
  }
  const admin = new pg.Client({ connectionString: URL });
  await admin.connect();
  await admin.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
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
if (await needsData()) {
  // Generated in a child process, so that this process's peak memory is the settlement's own.
  await resetData();
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, ...process.argv.slice(1), "--generate-only"],
    {
      stdio: "inherit",
    },
  );
  if (child.status !== 0) throw new Error(`data generation failed (status ${child.status})`);
} else line("reusing data", args.pglite ? PGLITE_DIR : `schema ${SCHEMA}`);
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
line("settlement wall time", fmtS(wallMs));
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
