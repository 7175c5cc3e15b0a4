/** A row as the drivers return it after the adapter's type mapping. */
export type Row = Record<string, unknown>;

/** The rows of one statement and how many rows it touched. */
export interface QueryResult<R> {
  readonly rows: R[];
  readonly rowCount: number;
}

/** Something SQL can run on: the database handle or an open transaction. */
export interface Queryable {
  /** Runs one statement with `$1…` parameters (extended protocol). */
  query<R = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs a script of several statements without parameters (simple protocol). */
  exec(sql: string): Promise<void>;
}

/** Chunks of COPY text (`\t`-separated columns, `\n`-terminated rows), produced lazily. */
export type CopySource = Iterable<string> | AsyncIterable<string>;

/** An open transaction; every repository call that writes takes one. */
export interface Tx extends Queryable {
  readonly inTransaction: true;
  /**
   * Bulk load: runs `COPY <table> (<columns>) FROM STDIN` (text format) fed by `chunks`
   * (pg: one streamed COPY; PGlite: one `COPY … FROM '/dev/blob'` per ~`PGLITE_COPY_BYTES`).
   * `afterChunk` runs after each chunk was handed to the database. Returns the rows copied.
   */
  copyFrom(target: string, chunks: CopySource, afterChunk?: (index: number) => void): Promise<number>;
  /** Bulk read: runs `COPY (<query>) TO STDOUT` (text format) and yields the output in chunks (not row-aligned). */
  copyTo(query: string): AsyncIterable<string>;
}

/** The driver behind a `Db`. */
export type DriverKind = "pglite" | "pg";

/**
 * The storage handle. Reads outside a transaction may use `query`; everything
 * that writes runs in `transaction` and passes its `tx` on (with PGlite a
 * query on the outer handle inside a transaction would wait forever).
 */
export interface Db extends Queryable {
  readonly driver: DriverKind;
  /** How many transactions can be open at once (the pool's size; 1 on PGlite). */
  readonly connections: number;
  /** Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Closes the database (the pool, or the embedded instance). */
  close(): Promise<void>;
}

/** A PostgreSQL error as both drivers raise it (SQLSTATE in `code`). */
export interface SqlError extends Error {
  code?: string;
  constraint?: string;
  detail?: string;
}

/** True when `error` carries the SQLSTATE `code`. */
export function isSqlError(error: unknown, code: string): error is SqlError {
  return error instanceof Error && (error as SqlError).code === code;
}

/**
 * A deadlock (40P01) or a serialization failure (40001): PostgreSQL rolled the
 * transaction back and running it again may succeed. Every path that retries
 * (commands, the writer's batches, the settlement) asks this one question.
 */
export function isRetryableConflict(error: unknown): error is SqlError {
  return isSqlError(error, "40P01") || isSqlError(error, "40001");
}
