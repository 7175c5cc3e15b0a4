/**
 * The backup file (docs/decisions.md, "Backup format"): gzip of UTF-8 text lines.
 *
 *   JIFEN-BACKUP 1                                  the magic line and format version
 *   {"table":"members","columns":["id",…]}           a section: one table's header (JSON) …
 *   1\t…                                             … its rows in PostgreSQL's COPY text form …
 *   \.                                               … and the end of the section
 *   …                                                (every table of the schema, in load order)
 *   {"sequences":{"members_id_seq":"42",…}}          each sequence's next value
 *   {"manifest":{…}}                                 the manifest (BackupManifest), last
 *
 * COPY text is exact (numeric and bigint as their decimal digits, timestamps in
 * ISO form at UTC, bytea in hex) and the same on PGlite and PostgreSQL; the
 * SHA-256 in the manifest covers every byte before the manifest's line.
 */
import type { DriverKind } from "../db/index.ts";

/** The first line of every backup. */
export const BACKUP_MAGIC = "JIFEN-BACKUP";
/** The format version this code writes and reads. */
export const BACKUP_FORMAT_VERSION = 1;
/** The line that ends a section's rows (COPY's own end marker; no row is ever this line). */
export const END_OF_ROWS = "\\.";

/** A day partition of the ledger or of the release progress, recreated by the migrations' own functions. */
export interface PartitionOf {
  readonly parent: "ledger_transactions" | "ledger_postings" | "release_progress";
  /** The partition key's value: the batch (YYYYMMDD) or the day (YYYY-MM-DD). */
  readonly value: string;
}

/** A section's header line. */
export interface SectionHeader {
  readonly table: string;
  readonly columns: readonly string[];
  readonly partitionOf?: PartitionOf;
}

/** An asset's balance totals (exact decimals): members' accounts and the platform's. */
export interface AssetTotals {
  readonly members: string;
  readonly platform: string;
}

/** What a backup holds and how to check it. */
export interface BackupManifest {
  readonly format: "jifen-backup";
  readonly formatVersion: number;
  /** The highest migration applied to the source (e.g. "0013"). */
  readonly schemaVersion: string;
  readonly createdAt: string;
  /** The database the backup was taken from. */
  readonly driver: DriverKind;
  /** The last ledger transaction id (null: no ledger yet). */
  readonly lastTransactionId: string | null;
  /** Per asset, the sums of the balances. */
  readonly totals: Readonly<Record<string, AssetTotals>>;
  /** Rows per table, in load order. */
  readonly tables: Readonly<Record<string, number>>;
  /** SHA-256 (hex) of every byte before the manifest's line (uncompressed). */
  readonly sha256: string;
  /** Uncompressed bytes before the manifest's line. */
  readonly dataBytes: number;
}

/** The session settings under which both sides read and write COPY text (the same text everywhere). */
export const TEXT_SETTINGS = [
  "set local timezone = 'UTC'",
  "set local datestyle = 'ISO, YMD'",
  "set local intervalstyle = 'postgres'",
  "set local bytea_output = 'hex'",
  "set local extra_float_digits = 3",
];

const DECIMAL_RE = /^(-?)(\d+)(?:\.(\d{1,6}))?$/;

/** A balance amount (numeric(30, 6) as COPY writes it) in micro units. */
export function decimalMicro(text: string): bigint {
  const match = DECIMAL_RE.exec(text);
  if (!match) throw new Error(`not an amount: ${JSON.stringify(text)}`);
  const micro = BigInt(match[2] as string) * 1_000_000n + BigInt((match[3] ?? "").padEnd(6, "0"));
  return match[1] === "-" ? -micro : micro;
}

/** Micro units as a decimal with six places (the form numeric(30, 6) prints). */
export function microDecimal(micro: bigint): string {
  const sign = micro < 0n ? "-" : "";
  const abs = micro < 0n ? -micro : micro;
  return `${sign}${abs / 1_000_000n}.${String(abs % 1_000_000n).padStart(6, "0")}`;
}

/** Adds one balance row to per-asset totals (micro units). */
export function addToTotals(
  totals: Map<string, { members: bigint; platform: bigint }>,
  asset: string,
  isMember: boolean,
  amount: string,
): void {
  const sums = totals.get(asset) ?? { members: 0n, platform: 0n };
  if (isMember) sums.members += decimalMicro(amount);
  else sums.platform += decimalMicro(amount);
  totals.set(asset, sums);
}

/** Totals in the manifest's form, assets in name order. */
export function totalsRecord(
  totals: Map<string, { members: bigint; platform: bigint }>,
): Record<string, AssetTotals> {
  return Object.fromEntries(
    [...totals.keys()].sort().map((asset) => {
      const sums = totals.get(asset) as { members: bigint; platform: bigint };
      return [asset, { members: microDecimal(sums.members), platform: microDecimal(sums.platform) }];
    }),
  );
}

/** Reads one field of a COPY text row (`\N` is null; the ledger and balance fields read here have no escapes). */
export function copyField(row: string, index: number): string | null {
  const value = row.split("\t")[index];
  return value === undefined || value === "\\N" ? null : value;
}
