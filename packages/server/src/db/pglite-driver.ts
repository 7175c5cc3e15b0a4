import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { CopySource, Db, Queryable, QueryResult, Tx } from "./types.ts";

/** OIDs whose text the adapter keeps as a string on both drivers. */
const KEEP_AS_TEXT = [20, 1082, 1700] as const; // int8, date, numeric

/** Options for the embedded database. */
export interface PgliteOptions {
  /** Directory of the data files; in memory when absent. */
  readonly dataDir?: string;
  /** A dump (from `dumpDataDir`) to start from instead of an empty cluster. */
  readonly loadDataDir?: Blob;
}

const parsers = Object.fromEntries(KEEP_AS_TEXT.map((oid) => [oid, (value: string) => value]));

function wrap(handle: PGlite | Transaction): Queryable {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const result = await handle.query<R>(sql, params ? [...params] : undefined);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await handle.exec(sql);
    },
  };
}

/** Bytes of COPY text PGlite takes in one `COPY … FROM '/dev/blob'` (its whole input is held in memory). */
export const PGLITE_COPY_BYTES = 16 * 1024 * 1024;

/** COPY … FROM STDIN on PGlite: chunks gathered into blobs of about `PGLITE_COPY_BYTES`, one COPY each. */
async function copyIn(
  handle: Transaction,
  target: string,
  chunks: CopySource,
  afterChunk?: (index: number) => void,
): Promise<number> {
  let parts: string[] = [];
  let size = 0;
  let rows = 0;
  const flush = async () => {
    if (size === 0) return;
    const result = await handle.query(`COPY ${target} FROM '/dev/blob'`, [], { blob: new Blob(parts) });
    rows += result.affectedRows ?? 0;
    parts = [];
    size = 0;
  };
  let index = 0;
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    parts.push(chunk);
    size += chunk.length;
    if (size >= PGLITE_COPY_BYTES) await flush();
    afterChunk?.(index++);
  }
  await flush();
  return rows;
}

/** COPY (…) TO STDOUT on PGlite: the whole output as one blob, yielded as text. */
async function* copyOut(handle: Transaction, query: string): AsyncGenerator<string> {
  const result = await handle.query(`COPY (${query}) TO '/dev/blob'`);
  if (result.blob) yield await result.blob.text();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The data directory is held by another live process (a running server). */
export class DataDirInUseError extends Error {
  readonly pid: number;
  constructor(dataDir: string, pid: number) {
    super(`${dataDir} is in use by process ${pid} (PGlite serves one process); stop it first`);
    this.name = "DataDirInUseError";
    this.pid = pid;
  }
}

/**
 * Takes `<dataDir>.lock` for this process: PGlite is one process's database,
 * and two servers on one data directory would corrupt it. A lock left by a
 * process that is gone is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const path = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(path, "utf8"));
      if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
        throw new DataDirInUseError(dataDir, owner);
      }
      rmSync(path, { force: true });
    }
  }
  throw new Error(`cannot lock ${dataDir}`);
}

/** Opens (and on first use creates) the embedded PGlite database. */
export async function openPglite(options: PgliteOptions = {}): Promise<Db & { readonly pglite: PGlite }> {
  let unlock = () => {};
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    unlock = lockDataDir(options.dataDir);
  }
  const pglite = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers,
  });
  const outer = wrap(pglite);
  return {
    driver: "pglite",
    connections: 1,
    pglite,
    query: outer.query,
    exec: outer.exec,
    transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return pglite.transaction((inner) =>
        fn({
          ...wrap(inner),
          inTransaction: true,
          copyFrom: (target, chunks, afterChunk) => copyIn(inner, target, chunks, afterChunk),
          copyTo: (query) => copyOut(inner, query),
        }),
      );
    },
    async close() {
      await pglite.close();
      unlock();
    },
  };
}
