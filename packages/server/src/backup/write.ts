/**
 * Writes a backup: every table read in one snapshot (PostgreSQL: one
 * REPEATABLE READ, READ ONLY transaction; PGlite: one transaction of the
 * process holding the database, which serves nothing else meanwhile), as
 * COPY text, gzip-compressed, to `<file>.partial`, synced and renamed into
 * place only when complete.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, existsSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import type { Db, Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { quoteIdent, schemaTables, sequenceValues } from "./catalog.ts";
import {
  BACKUP_FORMAT_VERSION,
  BACKUP_MAGIC,
  type BackupManifest,
  decimalMicro,
  END_OF_ROWS,
  type SectionHeader,
  TEXT_SETTINGS,
  totalsRecord,
} from "./format.ts";

/** gzip level: 6 is zlib's default, the one pg_dump -Fc uses too. */
export const BACKUP_GZIP_LEVEL = 6;

/** Options of `writeBackup`. */
export interface WriteBackupOptions {
  /** The time written into the manifest (default: now). */
  readonly now?: Date;
  /** Told each table as it is read. */
  readonly progress?: (table: string, index: number, count: number) => void;
}

/** A gzip stream to a file, with the SHA-256 and size of what went in. */
class BackupSink {
  readonly gzip = createGzip({ level: BACKUP_GZIP_LEVEL, chunkSize: 256 * 1024 });
  readonly out;
  readonly hash = createHash("sha256");
  bytes = 0;
  /** Settles when the file is written and closed (or failed). */
  readonly written: Promise<void>;
  constructor(path: string) {
    this.out = createWriteStream(path, { flags: "wx" });
    this.written = pipeline(this.gzip, this.out);
    this.written.catch(() => {});
  }
  /** Writes text that the checksum covers. */
  async data(text: string): Promise<void> {
    this.hash.update(text);
    this.bytes += Buffer.byteLength(text);
    await this.raw(text);
  }
  async raw(text: string): Promise<void> {
    if (!this.gzip.write(text)) await once(this.gzip, "drain");
  }
  async finish(): Promise<void> {
    this.gzip.end();
    await this.written;
  }
}

/** Writes one table's section; returns its row count. */
async function writeSection(tx: Tx, sink: BackupSink, section: SectionHeader): Promise<number> {
  await sink.data(`${JSON.stringify(section)}\n`);
  const columns = section.columns.map(quoteIdent).join(", ");
  const order = section.columns.map((_, i) => i + 1).join(", ");
  let rows = 0;
  let last = "\n";
  for await (const chunk of tx.copyTo(
    `select ${columns} from ${quoteIdent(section.table)} order by ${order}`,
  )) {
    if (chunk.length === 0) continue;
    for (let at = chunk.indexOf("\n"); at !== -1; at = chunk.indexOf("\n", at + 1)) rows++;
    last = chunk;
    await sink.data(chunk);
  }
  if (!last.endsWith("\n")) throw new Error(`COPY of ${section.table} did not end with a line break`);
  await sink.data(`${END_OF_ROWS}\n`);
  return rows;
}

/** The per-asset balance totals and the last ledger transaction id, in the snapshot. */
async function ledgerFigures(tx: Tx): Promise<Pick<BackupManifest, "totals" | "lastTransactionId">> {
  const sums = await tx.query<{ asset: string; members: string | null; platform: string | null }>(
    `select asset, sum(amount) filter (where member_id is not null)::text as members,
       sum(amount) filter (where member_id is null)::text as platform
     from balances group by asset`,
  );
  const totals = new Map<string, { members: bigint; platform: bigint }>();
  for (const r of sums.rows) {
    totals.set(r.asset, {
      members: r.members === null ? 0n : decimalMicro(r.members),
      platform: r.platform === null ? 0n : decimalMicro(r.platform),
    });
  }
  const last = await tx.query<{ id: string | null }>("select max(id)::text as id from ledger_transactions");
  return { totals: totalsRecord(totals), lastTransactionId: last.rows[0]?.id ?? null };
}

/** The highest migration applied. */
export async function schemaVersion(q: Pick<Tx, "query">): Promise<string> {
  const row = await q.query<{ version: string | null }>(
    "select max(version) as version from schema_migrations",
  );
  return row.rows[0]?.version ?? "0000";
}

/** Flushes a file and its directory entry to disk. */
async function syncFile(path: string): Promise<void> {
  for (const target of [path, dirname(path)]) {
    const handle = await open(target, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/** Writes a backup of `db` to `file` (which must not exist yet); returns its manifest. */
export async function writeBackup(
  db: Db,
  file: string,
  options: WriteBackupOptions = {},
): Promise<BackupManifest> {
  if (existsSync(file)) fail("BACKUP_FILE_EXISTS", { detail: { zh: file, en: file } });
  const partial = `${file}.partial`;
  await rm(partial, { force: true });
  const sink = new BackupSink(partial);
  try {
    const manifest = await db.transaction(async (tx) => {
      await tx.query("set transaction isolation level repeatable read, read only");
      for (const setting of TEXT_SETTINGS) await tx.query(setting);
      await tx.query("set local work_mem = '256MB'");
      await tx.query("set local jit = off");
      await sink.data(`${BACKUP_MAGIC} ${BACKUP_FORMAT_VERSION}\n`);
      const sections = await schemaTables(tx);
      const tables: Record<string, number> = {};
      for (const [index, section] of sections.entries()) {
        options.progress?.(section.table, index, sections.length);
        tables[section.table] = await writeSection(tx, sink, section);
      }
      await sink.data(`${JSON.stringify({ sequences: await sequenceValues(tx) })}\n`);
      return {
        format: "jifen-backup",
        formatVersion: BACKUP_FORMAT_VERSION,
        schemaVersion: await schemaVersion(tx),
        createdAt: (options.now ?? new Date()).toISOString(),
        driver: db.driver,
        ...(await ledgerFigures(tx)),
        tables,
        sha256: sink.hash.digest("hex"),
        dataBytes: sink.bytes,
      } satisfies BackupManifest;
    });
    await sink.raw(`${JSON.stringify({ manifest })}\n`);
    await sink.finish();
    await syncFile(partial);
    await rename(partial, file);
    await syncFile(file);
    return manifest;
  } catch (error) {
    sink.gzip.destroy();
    sink.out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
}
