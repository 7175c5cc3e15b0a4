/**
 * Restores a backup (docs/server.md, "Backups"): the whole file is checked
 * first (`inspectBackup`); then, in one transaction, the target's tables are
 * emptied (only when it holds no shop yet, or with `replace`), the sections
 * are loaded with COPY, the day partitions attached, the sequences set, and
 * the ledger checked (`jifen verify`'s checks, the totals, the row counts and
 * the last transaction id against the manifest). Any failure rolls it all back.
 */
import type { Db, Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { createDeltaTable, indexDeltaTable } from "../settlement/index.ts";
import { type VerifyResult, verifyInTransaction } from "../verify/index.ts";
import {
  dayTables,
  deltasDay,
  NOT_BACKED_UP,
  quoteIdent,
  schemaSequences,
  schemaTables,
  triggeredTables,
} from "./catalog.ts";
import {
  type BackupManifest,
  decimalMicro,
  type SectionHeader,
  TEXT_SETTINGS,
  totalsRecord,
} from "./format.ts";
import { type BackupContents, BackupReader, inspectBackup } from "./read.ts";
import { schemaVersion } from "./write.ts";

/** Options of `restoreBackup`. */
export interface RestoreOptions {
  /** Replace a target that already holds a shop (default: refuse). */
  readonly replace?: boolean;
  /** Told each table as it is loaded. */
  readonly progress?: (table: string, index: number, count: number) => void;
}

/** What a restore did. */
export interface RestoreResult {
  readonly manifest: BackupManifest;
  readonly verify: VerifyResult;
  readonly durationMs: number;
}

/** Tables the migrations themselves fill: rows there do not make a shop. */
const MIGRATION_ROWS = new Set(["server_settings", "reward_clock", "equity_state"]);

/** Fails unless the target's tables beyond the migrations' own rows are empty. */
async function requireEmpty(tx: Tx): Promise<void> {
  const holding: string[] = [];
  for (const t of await schemaTables(tx)) {
    if (MIGRATION_ROWS.has(t.table)) continue;
    const any = await tx.query(`select 1 from ${quoteIdent(t.table)} limit 1`);
    if (any.rows.length > 0) holding.push(t.table);
  }
  if (holding.length > 0)
    fail("RESTORE_TARGET_NOT_EMPTY", {
      detail: { zh: `有数据的表：${holding.join("、")}`, en: `tables holding rows: ${holding.join(", ")}` },
    });
}

/** Empties every backed-up table of the target: day partitions dropped, the rest truncated with the append-only guards off. */
async function emptyTarget(tx: Tx): Promise<string[]> {
  for (const name of await dayTables(tx)) await tx.exec(`drop table ${quoteIdent(name)}`);
  const guarded = (await triggeredTables(tx)).filter((t) => !NOT_BACKED_UP.has(t));
  for (const name of guarded) await tx.exec(`alter table ${quoteIdent(name)} disable trigger user`);
  const tables = (await schemaTables(tx)).map((t) => quoteIdent(t.table));
  if (tables.length > 0) await tx.exec(`truncate ${tables.join(", ")}`);
  return guarded;
}

/** Creates the bare day tables (and a pending day's deltas) the sections load into (the settlement's own functions). */
async function createDayTables(tx: Tx, sections: readonly SectionHeader[]): Promise<void> {
  const batches = new Set<string>();
  const days = new Set<string>();
  for (const s of sections) {
    if (s.partitionOf?.parent === "release_progress") days.add(s.partitionOf.value);
    else if (s.partitionOf) batches.add(s.partitionOf.value);
    const deltas = deltasDay(s.table);
    if (deltas) await createDeltaTable(tx, deltas);
  }
  for (const b of batches) await tx.query("select jifen_ledger_day_create($1::integer)", [b]);
  for (const d of days) await tx.query("select jifen_release_day_create($1::date)", [d]);
}

/** Indexes the loaded day tables and attaches them as partitions. */
async function attachDayTables(tx: Tx, sections: readonly SectionHeader[]): Promise<void> {
  const batches = new Set<string>();
  for (const s of sections) {
    const p = s.partitionOf;
    const deltas = deltasDay(s.table);
    if (deltas) await indexDeltaTable(tx, deltas);
    if (p?.parent === "release_progress") {
      await tx.query("select jifen_release_day_index($1::date)", [p.value]);
      await tx.exec(
        `alter table release_progress attach partition ${quoteIdent(s.table)} for values in ('${p.value}')`,
      );
    } else if (p && !batches.has(p.value)) {
      batches.add(p.value);
      await tx.query("select jifen_ledger_day_index($1::integer)", [p.value]);
      await tx.query("select jifen_ledger_day_attach($1::integer)", [p.value]);
    }
  }
}

/** Loads every section from the file, in order; checks each row count against the manifest. */
async function loadSections(
  tx: Tx,
  file: string,
  contents: BackupContents,
  options: RestoreOptions,
): Promise<void> {
  const reader = new BackupReader(file);
  try {
    await reader.line(); // the magic line, checked by inspectBackup
    for (const [index, expected] of contents.sections.entries()) {
      const header = JSON.parse(await reader.line()) as SectionHeader;
      if (header.table !== expected.table)
        fail("BACKUP_CORRUPT", {
          detail: { zh: "文件在读取时变了", en: "the file changed while it was read" },
        });
      options.progress?.(header.table, index, contents.sections.length);
      const columns = header.columns.map(quoteIdent).join(", ");
      const rows = await tx.copyFrom(`${quoteIdent(header.table)} (${columns})`, reader.rows());
      if (rows !== contents.manifest.tables[header.table])
        fail("BACKUP_MANIFEST_MISMATCH", {
          detail: {
            zh: `${header.table} 载入 ${rows} 行，清单 ${contents.manifest.tables[header.table]} 行`,
            en: `${header.table}: ${rows} rows loaded, the manifest says ${contents.manifest.tables[header.table]}`,
          },
        });
    }
  } finally {
    await reader.close();
  }
}

/** Sets each sequence to the backup's next value (or past the highest id loaded, if that is further). */
async function setSequences(tx: Tx, sequences: Readonly<Record<string, string>>): Promise<void> {
  for (const s of await schemaSequences(tx)) {
    const saved = sequences[s.name];
    if (saved === undefined)
      fail("BACKUP_MANIFEST_MISMATCH", {
        detail: { zh: `缺少序列 ${s.name}`, en: `no value for the sequence ${s.name}` },
      });
    let next = BigInt(saved);
    if (s.table && s.column) {
      const max = await tx.query<{ max: string | null }>(
        `select max(${quoteIdent(s.column)})::text as max from ${quoteIdent(s.table)}`,
      );
      const highest = max.rows[0]?.max;
      if (highest != null && BigInt(highest) >= next) next = BigInt(highest) + 1n;
    }
    await tx.query("select setval($1::regclass, $2::bigint, false)", [quoteIdent(s.name), next.toString()]);
  }
}

/** Fails when what was loaded differs from the manifest or `jifen verify` finds a difference. */
async function checkLoaded(tx: Tx, manifest: BackupManifest): Promise<VerifyResult> {
  const sums = await tx.query<{ asset: string; members: string | null; platform: string | null }>(
    `select asset, sum(amount) filter (where member_id is not null)::text as members,
       sum(amount) filter (where member_id is null)::text as platform from balances group by asset`,
  );
  const totals = new Map(
    sums.rows.map((r) => [
      r.asset,
      { members: decimalMicro(r.members ?? "0"), platform: decimalMicro(r.platform ?? "0") },
    ]),
  );
  const last = await tx.query<{ id: string | null }>("select max(id)::text as id from ledger_transactions");
  const found = { totals: totalsRecord(totals), lastTransactionId: last.rows[0]?.id ?? null };
  const stored = { totals: manifest.totals, lastTransactionId: manifest.lastTransactionId };
  if (JSON.stringify(found) !== JSON.stringify(stored))
    fail("RESTORE_CHECK_FAILED", {
      detail: {
        zh: `合计或最后流水号与清单不符：${JSON.stringify(found)}`,
        en: `totals or the last transaction id differ from the manifest: ${JSON.stringify(found)}`,
      },
    });
  const verify = await verifyInTransaction(tx);
  if (!verify.ok) {
    const failed = verify.checks.filter((c) => c.differing > 0).map((c) => `${c.name} ${c.differing}`);
    fail("RESTORE_CHECK_FAILED", {
      detail: {
        zh: `校验账本不一致：${failed.join("、")}`,
        en: `jifen verify found differences: ${failed.join(", ")}`,
      },
    });
  }
  return verify;
}

/** Fails unless the backup's schema is the target's. */
async function requireSameSchema(db: Db, manifest: BackupManifest): Promise<void> {
  const target = await schemaVersion(db);
  const detail = {
    zh: `备份 ${manifest.schemaVersion}，本库 ${target}`,
    en: `backup ${manifest.schemaVersion}, this database ${target}`,
  };
  if (manifest.schemaVersion > target) fail("BACKUP_SCHEMA_NEWER", { detail });
  if (manifest.schemaVersion < target) fail("BACKUP_SCHEMA_OLDER", { detail });
}

/** Restores `file` into `db`; fails with a coded error, leaving `db` as it was. */
export async function restoreBackup(
  db: Db,
  file: string,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const started = Date.now();
  const contents = await inspectBackup(file);
  await requireSameSchema(db, contents.manifest);
  const verify = await db.transaction(async (tx) => {
    for (const setting of TEXT_SETTINGS) await tx.query(setting);
    if (!options.replace) await requireEmpty(tx);
    const guarded = await emptyTarget(tx);
    await createDayTables(tx, contents.sections);
    await loadSections(tx, file, contents, options);
    await attachDayTables(tx, contents.sections);
    for (const name of guarded) await tx.exec(`alter table ${quoteIdent(name)} enable trigger user`);
    await setSequences(tx, contents.sequences);
    return checkLoaded(tx, contents.manifest);
  });
  return { manifest: contents.manifest, verify, durationMs: Date.now() - started };
}
