/**
 * Reads a backup file: `inspectBackup` checks all of it before anything is
 * written (the magic line, every section, the row counts, the SHA-256, the
 * balance totals and the last transaction id recomputed from the rows against
 * the manifest); `BackupReader` hands the sections out again for loading.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";
import { AppError, fail } from "../errors/index.ts";
import {
  addToTotals,
  BACKUP_FORMAT_VERSION,
  BACKUP_MAGIC,
  type BackupManifest,
  copyField,
  END_OF_ROWS,
  type SectionHeader,
  totalsRecord,
} from "./format.ts";

/** Batches of the file's lines (without their line breaks), decompressed as they are read. */
async function* lineBatches(file: string): AsyncGenerator<string[]> {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  const stream = createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(createGunzip());
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const lines = (rest + decoder.write(chunk)).split("\n");
      rest = lines.pop() as string;
      if (lines.length > 0) yield lines;
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    fail("BACKUP_CORRUPT", { detail: { zh: (error as Error).message, en: (error as Error).message } });
  }
  rest += decoder.end();
  // The file ends with a line break; text after the last one is a cut-off line.
  if (rest !== "") yield [rest, "\u0000cut"];
}

/** Fails unless the file starts like a gzip stream. */
async function gzipMagic(file: string): Promise<void> {
  const handle = await open(file, "r");
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    if (bytesRead < 2 || head[0] !== 0x1f || head[1] !== 0x8b) fail("BACKUP_NOT_A_BACKUP");
  } finally {
    await handle.close();
  }
}

/** Checks the magic line: a Jifen backup of a format this code reads. */
function checkMagic(line: string | undefined): void {
  const match = /^JIFEN-BACKUP (\d+)$/.exec(line ?? "");
  if (!match || !line?.startsWith(BACKUP_MAGIC)) fail("BACKUP_NOT_A_BACKUP");
  if (Number(match[1]) > BACKUP_FORMAT_VERSION)
    fail("BACKUP_FORMAT_NEWER", { detail: { zh: `格式 ${match[1]}`, en: `format ${match[1]}` } });
}

const corrupt = (zh: string, en: string): never => fail("BACKUP_CORRUPT", { detail: { zh, en } });

function parseHeader(line: string): Record<string, unknown> {
  try {
    const value = JSON.parse(line) as unknown;
    if (value !== null && typeof value === "object" && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {}
  return corrupt("无法识别的段落标题", `an unreadable section header: ${line.slice(0, 80)}`);
}

/** What a file holds, as recomputed from its rows. */
export interface BackupContents {
  readonly manifest: BackupManifest;
  readonly sections: readonly SectionHeader[];
  readonly sequences: Readonly<Record<string, string>>;
}

/** Figures recomputed while reading the rows. */
class Recount {
  readonly hash = createHash("sha256");
  bytes = 0;
  readonly tables: Record<string, number> = {};
  readonly totals = new Map<string, { members: bigint; platform: bigint }>();
  lastTransactionId: bigint | null = null;
  add(line: string): void {
    const text = `${line}\n`;
    this.hash.update(text);
    this.bytes += Buffer.byteLength(text);
  }
  /** Takes the figures of one row of `section`. */
  row(section: SectionHeader, line: string): void {
    if (section.table === "balances") {
      const [asset, member, amount] = ["asset", "member_id", "amount"].map((c) =>
        copyField(line, section.columns.indexOf(c)),
      );
      if (!asset || amount === null || amount === undefined)
        corrupt("余额行不完整", "a balance row is incomplete");
      try {
        addToTotals(this.totals, asset as string, member !== null, amount as string);
      } catch {
        corrupt("余额金额无法识别", `a balance amount is not a number: ${amount}`);
      }
    }
    if (
      section.table === "ledger_transactions_live" ||
      section.partitionOf?.parent === "ledger_transactions"
    ) {
      const id = BigInt(copyField(line, section.columns.indexOf("id")) ?? "0");
      if (this.lastTransactionId === null || id > this.lastTransactionId) this.lastTransactionId = id;
    }
  }
}

/** Reads the whole file and checks it against its manifest; fails with a coded error. */
export async function inspectBackup(file: string): Promise<BackupContents> {
  await gzipMagic(file);
  const recount = new Recount();
  const sections: SectionHeader[] = [];
  let sequences: Record<string, string> | undefined;
  let manifest: BackupManifest | undefined;
  let section: SectionHeader | null = null;
  let rows = 0;
  let first = true;
  for await (const batch of lineBatches(file)) {
    for (const line of batch) {
      if (line === "\u0000cut" || manifest)
        corrupt("文件在最后一行之后还有内容或被截断", "the file is cut short or has text after its manifest");
      if (first) {
        checkMagic(line);
        first = false;
        recount.add(line);
      } else if (section) {
        recount.add(line);
        if (line === END_OF_ROWS) {
          recount.tables[section.table] = rows;
          section = null;
        } else {
          rows++;
          recount.row(section, line);
        }
      } else {
        const header = parseHeader(line);
        if (typeof header.table === "string" && Array.isArray(header.columns)) {
          section = header as unknown as SectionHeader;
          sections.push(section);
          rows = 0;
          recount.add(line);
        } else if (header.sequences && typeof header.sequences === "object") {
          sequences = header.sequences as Record<string, string>;
          recount.add(line);
        } else if (header.manifest && typeof header.manifest === "object") {
          manifest = header.manifest as BackupManifest;
        } else corrupt("无法识别的段落", "an unknown section");
      }
    }
  }
  if (first) fail("BACKUP_NOT_A_BACKUP");
  if (!manifest || !sequences || section)
    return corrupt("文件不完整（缺少清单）", "the file is incomplete (no manifest)");
  checkAgainstManifest(manifest, recount);
  return { manifest, sections, sequences };
}

/** Fails when a recomputed figure differs from the manifest's. */
function checkAgainstManifest(manifest: BackupManifest, recount: Recount): void {
  if (manifest.format !== "jifen-backup") fail("BACKUP_NOT_A_BACKUP");
  const sha256 = recount.hash.digest("hex");
  if (manifest.sha256 !== sha256 || manifest.dataBytes !== recount.bytes)
    fail("BACKUP_CHECKSUM_MISMATCH", {
      detail: {
        zh: `清单 ${manifest.sha256}，文件 ${sha256}`,
        en: `manifest ${manifest.sha256}, file ${sha256}`,
      },
    });
  const differing = (what: string, stored: unknown, found: unknown) => {
    if (JSON.stringify(stored) !== JSON.stringify(found))
      fail("BACKUP_MANIFEST_MISMATCH", {
        detail: {
          zh: `${what}：清单 ${JSON.stringify(stored)}，文件 ${JSON.stringify(found)}`,
          en: `${what}: manifest ${JSON.stringify(stored)}, file ${JSON.stringify(found)}`,
        },
      });
  };
  differing("rows", manifest.tables, recount.tables);
  differing("totals", manifest.totals, totalsRecord(recount.totals));
  differing("lastTransactionId", manifest.lastTransactionId, recount.lastTransactionId?.toString() ?? null);
}

/** Hands out a file's sections in order: the header, then the rows as chunks of COPY text. */
export class BackupReader {
  private readonly batches: AsyncGenerator<string[]>;
  private batch: string[] = [];
  private at = 0;
  constructor(file: string) {
    this.batches = lineBatches(file);
  }
  private async fill(): Promise<boolean> {
    while (this.at >= this.batch.length) {
      const next = await this.batches.next();
      if (next.done) return false;
      this.batch = next.value;
      this.at = 0;
    }
    return true;
  }
  /** The next line (a header, or the magic line). */
  async line(): Promise<string> {
    if (!(await this.fill())) return corrupt("文件在读取时变短了", "the file got shorter while it was read");
    return this.batch[this.at++] as string;
  }
  /** A section's rows up to its end marker, as chunks of COPY text (each ending with a line break). */
  async *rows(): AsyncGenerator<string> {
    while (await this.fill()) {
      const end = this.batch.indexOf(END_OF_ROWS, this.at);
      const stop = end === -1 ? this.batch.length : end;
      if (stop > this.at) yield `${this.batch.slice(this.at, stop).join("\n")}\n`;
      this.at = end === -1 ? this.batch.length : end + 1;
      if (end !== -1) return;
    }
    corrupt("文件在读取时变短了", "the file got shorter while it was read");
  }
  async close(): Promise<void> {
    await this.batches.return(undefined);
  }
}
