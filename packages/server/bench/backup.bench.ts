/**
 * `npm run bench:backup`: `jifen backup` and `jifen restore` of the demo data
 * (the demo-data generator; the issue's size is 1,000,000 members) on the local
 * PostgreSQL, against `pg_dump -Fc` and `pg_restore` of the same schema measured
 * in the same run; prints wall times, file sizes and the ratios.
 *
 *   npm run bench:backup                         # 1,000,000 members
 *   npm run bench:backup -- --members 50000      # smaller
 *   npm run bench:backup -- --reuse              # keep the generated schema from an earlier run
 *
 * PostgreSQL: BENCH_DATABASE_URL, DATABASE_URL or TEST_DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/test. The data lives in schema
 * `jifen_bench_backup`; our restore goes to schema `jifen_bench_restored`,
 * pg_restore to the database `jifen_bench_pg_restore` (both dropped first).
 * Our restore includes what pg_restore does not do: the file checked before
 * (checksum, rows, totals) and `jifen verify`'s checks before the commit.
 * Figures, not a timed test: the process exits 0 either way.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { restoreBackup, writeBackup } from "../src/backup/index.ts";
import { migrate, openPg } from "../src/db/index.ts";
import { generateDemoData } from "../src/demo/index.ts";

const { values: args } = parseArgs({
  options: {
    members: { type: "string", default: "1000000" },
    seed: { type: "string", default: "20260105" },
    reuse: { type: "boolean", default: false },
  },
});
const MEMBERS = Number(args.members);
const URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";
const SOURCE = "jifen_bench_backup";
const RESTORED = "jifen_bench_restored";
const PG_RESTORE_DB = "jifen_bench_pg_restore";
const dir = mkdtempSync(join(tmpdir(), "jifen-bench-backup-"));

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function admin(sql: string, url = URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function urlOfDatabase(name: string): string {
  const u = new globalThis.URL(URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs a command; returns its wall time in ms (throws on failure). */
function timed(command: string, argv: string[]): number {
  const started = performance.now();
  const result = spawnSync(command, argv, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  return performance.now() - started;
}

async function generate(): Promise<void> {
  await admin(`drop schema if exists ${SOURCE} cascade; create schema ${SOURCE}`);
  const db = await openPg({ connectionString: URL, schema: SOURCE });
  await migrate(db);
  const started = performance.now();
  const result = await generateDemoData(db, {
    members: MEMBERS,
    seed: Number(args.seed),
    now: new Date("2026-03-01T04:00:00Z"),
    timeZone: "Asia/Shanghai",
  });
  process.stdout.write(
    `generated ${MEMBERS.toLocaleString("en-US")} members in ${seconds(performance.now() - started)}: ${result.rows.transactions.toLocaleString("en-US")} transactions, ${result.rows.postings.toLocaleString("en-US")} postings, ${result.rows.balances.toLocaleString("en-US")} balances\n`,
  );
  await db.close();
}

async function ours(): Promise<{ backupMs: number; restoreMs: number; verifyMs: number; bytes: number }> {
  const file = join(dir, "bench.jifen-backup");
  const source = await openPg({ connectionString: URL, schema: SOURCE });
  let started = performance.now();
  await writeBackup(source, file);
  const backupMs = performance.now() - started;
  await source.close();
  await admin(`drop schema if exists ${RESTORED} cascade; create schema ${RESTORED}`);
  const target = await openPg({ connectionString: URL, schema: RESTORED });
  await migrate(target);
  started = performance.now();
  const result = await restoreBackup(target, file);
  const restoreMs = performance.now() - started;
  await target.close();
  return { backupMs, restoreMs, verifyMs: result.verify.durationMs, bytes: statSync(file).size };
}

async function theirs(): Promise<{ dumpMs: number; restoreMs: number; bytes: number }> {
  const file = join(dir, "bench.dump");
  const dumpMs = timed("pg_dump", ["-Fc", "-n", SOURCE, "-f", file, URL]);
  await admin(`drop database if exists ${PG_RESTORE_DB}`);
  await admin(`create database ${PG_RESTORE_DB}`);
  const restoreMs = timed("pg_restore", ["-d", urlOfDatabase(PG_RESTORE_DB), file]);
  await admin(`drop database if exists ${PG_RESTORE_DB}`);
  return { dumpMs, restoreMs, bytes: statSync(file).size };
}

try {
  if (!args.reuse) await generate();
  const a = await ours();
  const b = await theirs();
  process.stdout.write(
    [
      `members ${MEMBERS.toLocaleString("en-US")} on PostgreSQL`,
      `  jifen backup   ${seconds(a.backupMs).padStart(9)}  ${mib(a.bytes)}`,
      `  pg_dump -Fc    ${seconds(b.dumpMs).padStart(9)}  ${mib(b.bytes)}`,
      `  backup ratio   ${(a.backupMs / b.dumpMs).toFixed(2)}× pg_dump`,
      `  jifen restore  ${seconds(a.restoreMs).padStart(9)}  (of which verify ${seconds(a.verifyMs)})`,
      `  pg_restore     ${seconds(b.restoreMs).padStart(9)}`,
      `  restore ratio  ${(a.restoreMs / b.restoreMs).toFixed(2)}× pg_restore`,
      "",
    ].join("\n"),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
