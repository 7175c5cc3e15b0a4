import { mkdirSync } from "node:fs";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { Db, Queryable, QueryResult, Tx } from "./types.ts";

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

/** Opens (and on first use creates) the embedded PGlite database. */
export async function openPglite(options: PgliteOptions = {}): Promise<Db & { readonly pglite: PGlite }> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers,
  });
  const outer = wrap(pglite);
  return {
    driver: "pglite",
    pglite,
    query: outer.query,
    exec: outer.exec,
    transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return pglite.transaction((inner) => fn({ ...wrap(inner), inTransaction: true }));
    },
    close: () => pglite.close(),
  };
}
