import { migrate } from "./migrate.ts";
import { openPg } from "./pg-driver.ts";
import { openPglite } from "./pglite-driver.ts";
import type { Db } from "./types.ts";

export { arrayLiteral, withArrayLiterals } from "./array-literal.ts";
export { loadMigrations, MIGRATIONS_DIR, type Migration, migrate } from "./migrate.ts";
export { openPg, type PgOptions } from "./pg-driver.ts";
export { DataDirInUseError, openPglite, type PgliteOptions } from "./pglite-driver.ts";
export type { CopySource, Db, DriverKind, Queryable, QueryResult, Row, SqlError, Tx } from "./types.ts";
export { isRetryableConflict, isSqlError } from "./types.ts";

/** Where the data lives: a PostgreSQL URL, or a directory for the embedded database. */
export interface StorageOptions {
  readonly databaseUrl?: string;
  readonly dataDir: string;
}

/** Opens the configured database and brings its schema up to date. */
export async function openDatabase(options: StorageOptions): Promise<Db> {
  const db = options.databaseUrl
    ? await openPg({ connectionString: options.databaseUrl })
    : await openPglite({ dataDir: `${options.dataDir}/pglite` });
  await migrate(db);
  return db;
}
