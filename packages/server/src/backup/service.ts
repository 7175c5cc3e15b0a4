/**
 * The server's own backups (docs/server.md, "Backups"): at BACKUP_TIME each
 * day (business time zone) and on request (POST /admin/backups), one backup at
 * a time is written to BACKUP_DIR, then read back and checked (checksum, row
 * counts, totals and last transaction recomputed from the file) before it
 * counts as good; the newest BACKUP_KEEP good files are kept, older ones are
 * removed. Each run is a row of backup_runs (listed by GET /admin/backups).
 */
import { mkdirSync } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Cron } from "croner";
import type { Clock } from "../clock/index.ts";
import type { Db } from "../db/index.ts";
import { AppError, fail } from "../errors/index.ts";
import type { BackupManifest } from "./format.ts";
import { inspectBackup } from "./read.ts";
import { writeBackup } from "./write.ts";

/** Where and when the server backs up. */
export interface BackupSettings {
  /** Directory of the backup files. */
  readonly dir: string;
  /** Local time HH:MM (business time zone) of the daily backup; null: none scheduled. */
  readonly time: string | null;
  /** How many good backups are kept (older ones are removed). */
  readonly keep: number;
}

/** One backup run as the API shows it. */
export interface BackupRunView {
  readonly id: string;
  readonly fileName: string;
  readonly trigger: "schedule" | "manual";
  readonly status: "running" | "ok" | "failed" | "removed";
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly sizeBytes: string | null;
  readonly lastTransactionId: string | null;
  readonly schemaVersion: string | null;
  readonly sha256: string | null;
  readonly error: string | null;
  /** While running: tables written so far of all. */
  readonly progress: { readonly done: number; readonly total: number } | null;
}

/** Where the service reports (pino's logger fits). */
export interface BackupLog {
  info(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** What the service needs. */
export interface BackupServiceOptions extends BackupSettings {
  readonly db: Db;
  readonly clock: Clock;
  readonly timeZone: string;
  readonly log: BackupLog;
}

/** The running service. */
export interface BackupService {
  readonly settings: BackupSettings;
  /** Starts a backup and returns its row at once (BACKUP_RUNNING while one runs). */
  start(trigger: "schedule" | "manual", operatorId: string | null): Promise<BackupRunView>;
  /** The run in progress, or the last one started here, once it has finished. */
  idle(): Promise<void>;
  list(page: {
    cursor: string | null;
    limit: number;
  }): Promise<{ items: BackupRunView[]; nextCursor: string | null }>;
  nextRun(): Date | null;
  stop(): void;
}

interface RunRow {
  id: string;
  file_name: string;
  trigger: "schedule" | "manual";
  status: BackupRunView["status"];
  started_at: Date | string;
  finished_at: Date | string | null;
  size_bytes: string | null;
  last_transaction_id: string | null;
  schema_version: string | null;
  sha256: string | null;
  error: string | null;
}

/** backup_runs' columns as `RunRow` names them. */
const COLUMNS = `id::text as id, file_name, trigger, status, started_at, finished_at, size_bytes::text as size_bytes,
  last_transaction_id::text as last_transaction_id, schema_version, sha256, error`;

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/** `HH:MM` (24 h) as a croner pattern "0 M H * * *". */
export function backupCron(at: string): string {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(at);
  if (!match) throw new Error(`BACKUP_TIME must be HH:MM (24 h) or off, not ${JSON.stringify(at)}`);
  return `0 ${Number(match[2])} ${Number(match[1])} * * *`;
}

/** A file name for a backup started at `at`: jifen-20260105T030000Z-12.jifen-backup. */
function fileName(at: Date, id: string): string {
  return `jifen-${at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${id}.jifen-backup`;
}

/** A failure as one line: a coded error's code and both languages. */
function describe(error: unknown): string {
  if (error instanceof AppError) return `${error.code}: ${error.zh} / ${error.en}`;
  return error instanceof Error ? error.message : String(error);
}

/** A run row as the API shows it; `progress` while it is the run in progress. */
function runView(r: RunRow, current: { id: string; done: number; total: number } | null): BackupRunView {
  return {
    id: r.id,
    fileName: r.file_name,
    trigger: r.trigger,
    status: r.status,
    startedAt: iso(r.started_at) as string,
    finishedAt: iso(r.finished_at),
    sizeBytes: r.size_bytes,
    lastTransactionId: r.last_transaction_id,
    schemaVersion: r.schema_version,
    sha256: r.sha256,
    error: r.error,
    progress: current && current.id === r.id ? { done: current.done, total: current.total } : null,
  };
}

/** The service: one backup at a time, its rows in backup_runs, the daily job. */
class Backups implements BackupService {
  readonly settings: BackupSettings;
  private current: { id: string; done: number; total: number } | null = null;
  private last: Promise<void> = Promise.resolve();
  private readonly ready: Promise<unknown>;
  private readonly job: Cron | null;

  constructor(private readonly options: BackupServiceOptions) {
    this.settings = { dir: options.dir, time: options.time, keep: options.keep };
    // A run left "running" by a server that stopped mid-way did not finish.
    this.ready = options.db.query(
      "update backup_runs set status = 'failed', error = 'interrupted (the server stopped)', finished_at = $1 where status = 'running'",
      [options.clock.now()],
    );
    this.job = options.time
      ? new Cron(backupCron(options.time), { timezone: options.timeZone, unref: true }, () => {
          this.start("schedule", null).catch((error) =>
            options.log.error({ err: error }, "scheduled backup not started"),
          );
        })
      : null;
  }

  async start(trigger: "schedule" | "manual", operatorId: string | null): Promise<BackupRunView> {
    if (this.current) fail("BACKUP_RUNNING");
    // Taken before the first await: two requests at once cannot both start.
    const entry = { id: "", done: 0, total: 0 };
    this.current = entry;
    try {
      await this.ready;
      mkdirSync(this.options.dir, { recursive: true });
      const now = this.options.clock.now();
      const inserted = await this.options.db.query<{ id: string }>(
        `insert into backup_runs (file_name, trigger, operator_id, status, started_at)
         values ('', $1, $2, 'running', $3) returning id::text as id`,
        [trigger, operatorId, now],
      );
      entry.id = inserted.rows[0]?.id as string;
      const name = fileName(now, entry.id);
      const row = await this.options.db.query<RunRow>(
        `update backup_runs set file_name = $2 where id = $1 returning ${COLUMNS}`,
        [entry.id, name],
      );
      this.last = this.run(entry.id, join(this.options.dir, name));
      return runView(row.rows[0] as RunRow, this.current);
    } catch (error) {
      this.current = null;
      throw error;
    }
  }

  // The run's row turns ok or failed last, after `current` is cleared: whoever sees it finished can start the next.
  private async run(id: string, path: string): Promise<void> {
    const { db, clock, log } = this.options;
    try {
      const manifest = await writeBackup(db, path, {
        now: clock.now(),
        progress: (_table, index, count) => {
          if (this.current) Object.assign(this.current, { done: index, total: count });
        },
      });
      await checkWritten(path, manifest);
      const { size } = await stat(path);
      // The good ones before this one beyond keep − 1 (this one, still running, is not counted).
      await prune(db, this.options.dir, this.options.keep - 1);
      this.current = null;
      await db.query(
        `update backup_runs set status = 'ok', finished_at = $2, size_bytes = $3, last_transaction_id = $4,
           schema_version = $5, sha256 = $6 where id = $1`,
        [id, clock.now(), size, manifest.lastTransactionId, manifest.schemaVersion, manifest.sha256],
      );
      log.info(
        { backup: path, bytes: size, lastTransactionId: manifest.lastTransactionId },
        "backup written and checked",
      );
    } catch (error) {
      this.current = null;
      log.error({ err: error, backup: path }, "backup failed");
      await db.query("update backup_runs set status = 'failed', finished_at = $2, error = $3 where id = $1", [
        id,
        clock.now(),
        describe(error),
      ]);
    }
  }

  idle(): Promise<void> {
    return this.last;
  }

  async list({ cursor, limit }: { cursor: string | null; limit: number }) {
    await this.ready;
    const rows = await this.options.db.query<RunRow>(
      `select ${COLUMNS} from backup_runs where ($1::bigint is null or id < $1::bigint) order by id desc limit $2`,
      [cursor, limit + 1],
    );
    const items = rows.rows.slice(0, limit).map((r) => runView(r, this.current));
    const tail = items[items.length - 1];
    return { items, nextCursor: rows.rows.length > limit && tail ? tail.id : null };
  }

  nextRun(): Date | null {
    return this.job?.nextRun() ?? null;
  }

  stop(): void {
    this.job?.stop();
  }
}

/** Starts the service (and its daily schedule when `time` is set). */
export function createBackupService(options: BackupServiceOptions): BackupService {
  return new Backups(options);
}

/** Reads the written file back and fails unless it checks out to the same manifest. */
async function checkWritten(path: string, manifest: BackupManifest): Promise<void> {
  const read = await inspectBackup(path);
  if (JSON.stringify(read.manifest) !== JSON.stringify(manifest))
    fail("BACKUP_MANIFEST_MISMATCH", {
      detail: { zh: "写出后读回的清单不同", en: "the manifest read back differs" },
    });
}

/** Removes the good backups beyond the newest `keep` (their rows stay, marked removed). */
async function prune(db: Db, dir: string, keep: number): Promise<void> {
  const old = await db.query<{ id: string; file_name: string }>(
    "select id::text as id, file_name from backup_runs where status = 'ok' order by id desc offset $1",
    [keep],
  );
  for (const r of old.rows) {
    await rm(join(dir, r.file_name), { force: true });
    await db.query("update backup_runs set status = 'removed' where id = $1", [r.id]);
  }
}
