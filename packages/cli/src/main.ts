/**
 * The `jifen` command. `jifen replay <scenario.json>` prints the final state of
 * a scenario as JSON (docs/rules.md "Replay"); a refused event or config exits with status 1
 * and one line on stderr. `settle`, `settlements`, `demo-data` and `verify` work on the
 * server's database, with the server's settings (DATA_DIR or DATABASE_URL).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ReplayError, replayText } from "@jifen/engine";
import { complianceOutput, configFromFile } from "./compliance.ts";
import { type ProgressReporter, progressReporter } from "./progress.ts";
import { runSimulate } from "./simulate.ts";

/** Each command's usage, as `jifen <command> --help` prints it. */
const COMMAND_USAGE: Readonly<Record<string, string>> = {
  replay: `  replay <scenario.json>
           run a scenario of events through the engine in memory and print the
           final state as JSON (see docs/rules.md "Replay"); numbers in the
           file are read as exact decimals, never as binary floats`,
  simulate: `  simulate <plan.json> [--out DIR] [--events out.json] [--compare params.json] [--seed N]
           run a shop forward day by day through the engine (growth, referrers,
           purchases, behaviour from the plan; see docs/simulate.md) and write
           the daily series (days.csv, days.json), an offline report.html and
           summary.txt into DIR (default ./simulation); --compare runs a second
           parameter set on the same members and orders beside the first;
           --events writes the generated events as a replay scenario; a plan
           with "params": "database" uses the set in force in the database`,
  settle: `  settle [--date YYYY-MM-DD] [--dry-run] [--json]
           run the daily settlement: every business day that is over and not
           settled yet, up to --date (default: yesterday), one transaction per
           day; --dry-run computes the open day and writes nothing`,
  settlements: `  settlements [--date YYYY-MM-DD] [--limit N] [--json]
           list the settlement runs, or print one day's report`,
  "demo-data": `  demo-data --members N [--orders N] [--seed N] [--day YYYY-MM-DD]
           fill the database with a generated network (demos, benchmarks);
           --day opens an earlier business day on a fresh database, so that
           \`jifen settle\` has days to settle at once`,
  verify: `  verify [--limit N] [--json]
           check the ledger (校验账本): recompute every balance from the ledger
           postings and compare with the stored balances; check that every
           ledger transaction balances per asset; check the equity figures
           (pool, circulating, issued, burned, treasury) and the settled days'
           totals against the ledger. One line per check; exit status 0 when
           everything agrees, 1 on any difference (the first N differences
           per check listed: account, stored, recomputed; default 10). The
           checks write nothing (one snapshot; on PostgreSQL it can run beside the
           server); run it after a restore or a crash`,
  reconcile: `  reconcile --date YYYY-MM-DD [--provider alipay|wechat] [--file statement] [--json]
           对账 / reconcile: read the provider's statement of day D (Beijing
           time) — downloaded with the shop's settings (WeChat Pay's trade bill
           through /v3/bill/tradebill, SHA1-checked; Alipay's bill URL) or the
           file given (Alipay's zip or 业务明细 CSV, WeChat Pay's trade bill)
           — and list every difference with our payments and refunds: paid
           there but not here, here but not there, different amounts. Exit
           status 0 when everything agrees, 1 on any difference`,
  backup: `  backup <file>
           write a backup of the whole database (备份) to <file>: one consistent
           snapshot (PostgreSQL: one read-only REPEATABLE READ transaction, safe
           beside the running server), gzip-compressed COPY text with a manifest
           (schema version, last ledger transaction id, balance totals per
           asset, rows per table, SHA-256). The same file restores into PGlite
           or PostgreSQL. An embedded database held by a running server is
           backed up by the server (admin console 数据备份, POST /admin/backups)`,
  restore: `  restore <file> [--replace]
           restore a backup (恢复) into the configured database: the whole file
           is checked first (manifest, checksum, schema version); then, in one
           transaction, the tables are loaded, the sequences set and the
           ledger verified against the manifest (\`jifen verify\`'s checks);
           any failure leaves the database unchanged (exit status 1). A
           database holding a shop is refused unless --replace. Stop the
           server first`,
  compliance: `  compliance [--params file.json] [--lang zh|en] [--json]
           the compliance report (合规报告, docs/compliance.md) of a parameter
           set: per reward rule the referral generations it reaches, whether it
           is paid on others' purchases (团队计酬), on recruiting (拉人头), or
           needs a purchase first (入门费), with notes naming the PRC rules —
           information for your own legal review, not legal advice. Default:
           the set in force today in the database; --params reads a file of
           overrides of the defaults (as in a replay's "config")`,
};

const DATABASE_NOTE = `  settle, settlements, demo-data, verify, reconcile, backup, restore and
  compliance (without --params) use the server's database: DATABASE_URL
  (PostgreSQL) or the embedded database under DATA_DIR (default ./data; stop
  the server first, PGlite serves one process). BUSINESS_TZ sets the time zone.`;

const USAGE = `usage: jifen <command> [options]

${Object.values(COMMAND_USAGE).join("\n")}

${DATABASE_NOTE}`;

/** The usage of one command (`jifen <command> --help`). */
function commandUsage(command: string): string {
  const note = command === "replay" || command === "simulate" ? "" : `\n\n${DATABASE_NOTE}`;
  return `usage: jifen ${command}${(COMMAND_USAGE[command] ?? "").replace(/^ {2}\S+/, "")}${note}`;
}

const HELP_FLAGS = ["--help", "-h"];

/** Runs the command line; returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (Object.hasOwn(COMMAND_USAGE, command) && rest.some((arg) => HELP_FLAGS.includes(arg))) {
    process.stdout.write(`${commandUsage(command)}\n`);
    return 0;
  }
  try {
    if (command === "replay") return replay(rest);
    if (command === "simulate") return await simulateCommand(rest);
    if (command === "settle") return await settle(rest);
    if (command === "settlements") return await settlements(rest);
    if (command === "demo-data") return await demoData(rest);
    if (command === "verify") return await verify(rest);
    if (command === "reconcile") return await reconcile(rest);
    if (command === "backup") return await backup(rest);
    if (command === "restore") return await restore(rest);
    if (command === "compliance") return await compliance(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`jifen ${command}: ${errorLine(error)}\n`);
    return 1;
  }
  process.stderr.write(`unknown command ${JSON.stringify(command)} / 未知命令\n${USAGE}\n`);
  return 2;
}

class UsageError extends Error {}

/** One line for a failure: a coded error as `CODE: 中文 / English`. */
function errorLine(error: unknown): string {
  const coded = error as { code?: unknown; zh?: unknown; en?: unknown };
  if (error instanceof Error && typeof coded.code === "string" && typeof coded.zh === "string")
    return `${coded.code}: ${coded.zh} / ${coded.en}`;
  return error instanceof Error ? error.message : String(error);
}

/** The one positional argument of `command` (a file). */
function fileArg(command: string, args: readonly string[], flags: Record<string, { type: "boolean" }>) {
  try {
    const parsed = parseArgs({ args: [...args], options: flags, allowPositionals: true, strict: true });
    if (parsed.positionals.length !== 1) throw new Error(`${command} needs one file`);
    return { file: parsed.positionals[0] as string, values: parsed.values };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function options<T extends Record<string, { type: "string" | "boolean"; default?: string | boolean }>>(
  args: readonly string[],
  spec: T,
) {
  try {
    return parseArgs({ args: [...args], options: spec, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function dayArg(value: string | boolean | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value))
    throw new UsageError(`--${name} must be a date YYYY-MM-DD`);
  return value;
}

function replay(args: readonly string[]): number {
  if (args.length !== 1 || args[0] === undefined) {
    process.stderr.write("usage: jifen replay <scenario.json>\n");
    return 2;
  }
  let source: string;
  try {
    source = readFileSync(args[0], "utf8");
  } catch (error) {
    process.stderr.write(`cannot read ${args[0]} / 无法读取文件: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    process.stdout.write(replayText(source));
    return 0;
  } catch (error) {
    if (error instanceof ReplayError) {
      process.stderr.write(`${error.message.replace(/\s+/g, " ")}\n`);
      return 1;
    }
    throw error;
  }
}

async function simulateCommand(args: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        out: { type: "string", default: "simulation" },
        events: { type: "string" },
        compare: { type: "string" },
        seed: { type: "string" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError("usage: jifen simulate <plan.json> [options]");
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && (!/^\d+$/.test(String(values.seed)) || seed > 4294967295))
    throw new UsageError("--seed must be a whole number 0…4294967295");
  return runSimulate({
    planPath: positionals[0] as string,
    out: String(values.out),
    events: values.events === undefined ? undefined : String(values.events),
    compare: values.compare === undefined ? undefined : String(values.compare),
    seed,
  });
}

/** The server package, loaded only by the commands that need a database. */
async function server() {
  return import("@jifen/server");
}

/** Opens the server's database with the server's settings (and starts the reward clock like the server). */
async function openServerDatabase() {
  const s = await server();
  const settings = s.loadSettings();
  const db = await s.openDatabase({
    dataDir: settings.dataDir,
    ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}),
  });
  await s.ensureRewardClock(db, s.businessDay(new Date(), settings.timeZone));
  return { s, settings, db };
}

const int = (x: number): string => x.toLocaleString("en-US");

async function settle(args: readonly string[]): Promise<number> {
  const values = options(args, {
    date: { type: "string" },
    "dry-run": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  });
  const date = dayArg(values.date, "date");
  const dryRun = values["dry-run"] === true;
  const { s, settings, db } = await openServerDatabase();
  const progress: ProgressReporter = progressReporter(process.stderr);
  try {
    const now = new Date();
    const today = s.businessDay(now, settings.timeZone);
    const open = await s.openDay(db);
    const last = date ?? (dryRun ? (open ?? today) : s.addDays(today, -1));
    const outcomes = await s.settleThrough(db, last, {
      now,
      timeZone: settings.timeZone,
      dryRun,
      owner: `cli:${process.pid}`,
      progress: progress.update,
    });
    progress.done();
    if (values.json) process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
    else for (const o of outcomes) process.stdout.write(`${describeOutcome(o)}\n`);
    return outcomes.every(
      (o) =>
        o.status === "settled" ||
        o.status === "dry-run" ||
        o.status === "already-settled" ||
        o.status === "nothing-due",
    )
      ? 0
      : 1;
  } finally {
    progress.done();
    await db.close();
  }
}

type Outcome = Awaited<ReturnType<Awaited<ReturnType<typeof server>>["settleThrough"]>>[number];

function describeOutcome(o: Outcome): string {
  if (o.status === "busy" || o.status === "not-due") return `${o.day}: ${o.status} — ${o.message}`;
  if (o.status === "nothing-due") return o.message;
  if (o.status === "already-settled")
    return `${o.day}: already settled (${o.report.finishedAt}) — nothing to do`;
  const r = o.report;
  const t = r.totals;
  return [
    `${o.day}: ${o.status === "dry-run" ? "dry run (nothing written)" : "settled"} in ${(r.durationMs / 1000).toFixed(2)} s, config version ${r.configVersionId ?? "defaults"}`,
    `  members ${int(r.members)} (paid ${int(r.membersPaid)}), open orders ${int(r.openOrders)}`,
    `  released ${t.released} points: static ${t.static}, share ${t.share}, team ${t.team}, peer ${t.peer} (forfeited ${t.forfeited})`,
    `  cycle sales ${r.cycleSales}: pooled ${t.pooled}, dividends ${t.dividends}, returned ${t.returned}, quota burned ${t.burned}`,
    `  rows: ${int(r.rows.transactions)} transactions, ${int(r.rows.postings)} postings, ${int(r.rows.balances)} balances, ${int(r.rows.orders)} orders, ${int(r.rows.stars)} stars`,
  ].join("\n");
}

async function settlements(args: readonly string[]): Promise<number> {
  const values = options(args, {
    date: { type: "string" },
    limit: { type: "string", default: "30" },
    json: { type: "boolean", default: false },
  });
  const date = dayArg(values.date, "date");
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError("--limit must be 1…1000");
  const { s, db } = await openServerDatabase();
  try {
    if (date) {
      const run = await s.readRun(db, date);
      if (!run) {
        process.stderr.write(`no settlement for ${date} / 该营业日没有日结记录\n`);
        return 1;
      }
      process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
      return 0;
    }
    const page = await s.listRuns(db, { beforeDay: null, limit });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(page.items, null, 2)}\n`);
      return 0;
    }
    const open = await s.openDay(db);
    process.stdout.write(`open business day: ${open ?? "(none)"}\n`);
    if (page.items.length === 0) process.stdout.write("no settlement runs yet\n");
    for (const run of page.items) {
      const r = run.report;
      process.stdout.write(
        `${run.day}  ${run.status.padEnd(7)}  ${run.durationMs === null ? "" : `${(run.durationMs / 1000).toFixed(2)} s`.padStart(9)}` +
          (r
            ? `  members ${int(r.members)}  released ${r.totals.released}  dividends ${r.totals.dividends}  config ${r.configVersionId ?? "defaults"}`
            : "") +
          (run.error ? `  error: ${run.error}` : "") +
          "\n",
      );
    }
    return 0;
  } finally {
    await db.close();
  }
}

async function demoData(args: readonly string[]): Promise<number> {
  const values = options(args, {
    members: { type: "string" },
    orders: { type: "string" },
    seed: { type: "string", default: "20260105" },
    day: { type: "string" },
  });
  const day = dayArg(values.day, "day");
  const members = Number(values.members);
  if (!Number.isInteger(members) || members < 1)
    throw new UsageError("--members N (a positive integer) is required");
  const orders = values.orders === undefined ? undefined : Number(values.orders);
  if (orders !== undefined && (!Number.isInteger(orders) || orders < 0)) throw new UsageError("--orders N");
  const { s, settings, db } = await openServerDatabase();
  const progress = progressReporter(process.stderr);
  try {
    // On a database without a ledger yet the network opens yesterday, so that `jifen settle`
    // right after has a day that is over to settle (with --day, that day).
    const fresh = (await db.query("select 1 from ledger_transactions limit 1")).rows.length === 0;
    const openOn = day ?? (fresh ? s.addDays(s.businessDay(new Date(), settings.timeZone), -1) : undefined);
    const result = await s.generateDemoData(db, {
      members,
      ...(orders !== undefined ? { releaseOrders: orders } : {}),
      seed: Number(values.seed),
      ...(openOn ? { day: openOn } : {}),
      now: new Date(),
      timeZone: settings.timeZone,
      progress: progress.update,
    });
    progress.done();
    process.stdout.write(
      [
        `generated in ${(result.ms / 1000).toFixed(1)} s (open business day ${result.day}):`,
        `  ${int(result.members)} members, deepest chain ${int(result.deepestChain)}, largest referral count ${int(result.largestReferralCount)}`,
        `  orders: ${int(result.orders.release)} release, ${int(result.orders.cycle)} cycle, ${int(result.orders.equity)} equity`,
        `  ledger: ${int(result.rows.transactions)} transactions, ${int(result.rows.postings)} postings, ${int(result.rows.balances)} balances`,
        `  members sign in with their phone (19…) and the password "${s.DEMO_PASSWORD}"`,
        "",
      ].join("\n"),
    );
    return 0;
  } finally {
    progress.done();
    await db.close();
  }
}

async function verify(args: readonly string[]): Promise<number> {
  const values = options(args, {
    limit: { type: "string", default: "10" },
    json: { type: "boolean", default: false },
  });
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new UsageError("--limit must be 1…10000");
  const { s, db } = await openServerDatabase();
  try {
    const result = await s.verifyLedger(db, { limit });
    process.stdout.write(
      values.json ? `${JSON.stringify(result, null, 2)}\n` : `${s.formatVerifyReport(result)}\n`,
    );
    return result.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

async function reconcile(args: readonly string[]): Promise<number> {
  const values = options(args, {
    date: { type: "string" },
    provider: { type: "string", default: "alipay" },
    file: { type: "string" },
    json: { type: "boolean", default: false },
  });
  const date = dayArg(values.date, "date");
  if (date === undefined) throw new UsageError("--date YYYY-MM-DD is required");
  const provider = values.provider;
  if (provider !== "alipay" && provider !== "wechat")
    throw new UsageError("--provider must be alipay or wechat");
  let statement: Uint8Array | undefined;
  if (typeof values.file === "string") {
    try {
      statement = readFileSync(values.file);
    } catch (error) {
      process.stderr.write(`cannot read ${values.file} / 无法读取文件: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const { s, db } = await openServerDatabase();
  try {
    const result = await s.reconcileDay(db, { provider, date, ...(statement ? { statement } : {}) });
    process.stdout.write(
      values.json ? `${JSON.stringify(result, null, 2)}\n` : `${s.formatReconciliation(result)}\n`,
    );
    return result.differences.length === 0 ? 0 : 1;
  } finally {
    await db.close();
  }
}

/** Opens the database for backup or restore; an embedded database held by a server is a coded refusal. */
async function openForBackup() {
  const s = await server();
  try {
    return await openServerDatabase();
  } catch (error) {
    if (error instanceof s.DataDirInUseError) {
      throw new s.AppError("BACKUP_DATA_DIR_IN_USE", {
        detail: { zh: `进程 ${error.pid}`, en: `process ${error.pid}` },
      });
    }
    throw error;
  }
}

async function backup(args: readonly string[]): Promise<number> {
  const { file } = fileArg("backup", args, {});
  const { s, db } = await openForBackup();
  const progress = progressReporter(process.stderr);
  try {
    const manifest = await s.writeBackup(db, file, {
      progress: (_table, index, count) => progress.update("backup", index, count),
    });
    progress.done();
    const rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `${[
        `备份完成 / backup written: ${file}`,
        `  schema ${manifest.schemaVersion}, last ledger transaction ${manifest.lastTransactionId ?? "(none)"}, ${Object.keys(manifest.tables).length} tables, ${int(rows)} rows`,
        `  sha256 ${manifest.sha256}`,
      ].join("\n")}\n`,
    );
    return 0;
  } finally {
    progress.done();
    await db.close();
  }
}

async function restore(args: readonly string[]): Promise<number> {
  const { file, values } = fileArg("restore", args, { replace: { type: "boolean" } });
  const { s, db } = await openForBackup();
  const progress = progressReporter(process.stderr);
  try {
    const result = await s.restoreBackup(db, file, {
      replace: values.replace === true,
      progress: (_table, index, count) => progress.update("restore", index, count),
    });
    progress.done();
    const m = result.manifest;
    process.stdout.write(
      `${[
        `恢复完成 / restored ${file} (${(result.durationMs / 1000).toFixed(1)} s)`,
        `  backup of ${m.createdAt} (${m.driver}), schema ${m.schemaVersion}, last ledger transaction ${m.lastTransactionId ?? "(none)"}`,
        s.formatVerifyReport(result.verify),
      ].join("\n")}\n`,
    );
    return 0;
  } finally {
    progress.done();
    await db.close();
  }
}

async function compliance(args: readonly string[]): Promise<number> {
  const values = options(args, {
    params: { type: "string" },
    lang: { type: "string", default: "zh" },
    json: { type: "boolean", default: false },
  });
  if (values.lang !== "zh" && values.lang !== "en") throw new UsageError("--lang must be zh or en");
  const form = { json: values.json === true, lang: values.lang } as const;
  if (values.params !== undefined) {
    let text: string;
    try {
      text = readFileSync(values.params, "utf8");
    } catch (error) {
      process.stderr.write(`cannot read ${values.params} / 无法读取文件: ${(error as Error).message}\n`);
      return 1;
    }
    process.stdout.write(complianceOutput(configFromFile(text), { ...form, source: values.params }));
    return 0;
  }
  const { s, settings, db } = await openServerDatabase();
  try {
    const day = s.businessDay(new Date(), settings.timeZone);
    const effective = await s.configForDay(db, day);
    const source = `${day}, version ${effective.versionId ?? "defaults"}`;
    process.stdout.write(complianceOutput(effective.config, { ...form, source }));
    return 0;
  } finally {
    await db.close();
  }
}
