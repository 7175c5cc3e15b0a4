import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { StringDecoder } from "node:string_decoder";
import pg from "pg";
import { from as copyFromStream, to as copyToStream } from "pg-copy-streams";
import type { CopySource, Db, Queryable, QueryResult, Tx } from "./types.ts";

/** OIDs whose text the adapter keeps as a string on both drivers. */
const KEEP_AS_TEXT = new Set([20, 1082, 1700]); // int8, date, numeric

/** Options for a PostgreSQL server. */
export interface PgOptions {
  readonly connectionString: string;
  /** Schema to put first on the search path (tests isolate themselves this way). */
  readonly schema?: string;
  /** Largest number of pooled connections. */
  readonly maxConnections?: number;
}

const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (KEEP_AS_TEXT.has(oid)) return (value: string) => value;
    // biome-ignore lint/suspicious/noExplicitAny: pg's own overloads are not expressible here
    return pg.types.getTypeParser(oid, format as any);
  },
};

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const result = await client.query(sql, params ? [...params] : undefined);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  };
}

/** COPY … FROM STDIN on one client, streamed with back-pressure; a throwing `afterChunk` aborts the COPY. */
async function copyIn(
  client: pg.PoolClient,
  target: string,
  chunks: CopySource,
  afterChunk?: (index: number) => void,
): Promise<number> {
  const stream = client.query(copyFromStream(`COPY ${target} FROM STDIN`));
  async function* feed(): AsyncGenerator<string> {
    let index = 0;
    for await (const chunk of chunks) {
      if (chunk.length === 0) continue;
      yield chunk;
      afterChunk?.(index++);
    }
  }
  await pipeline(Readable.from(feed()), stream);
  return stream.rowCount;
}

/** COPY (…) TO STDOUT on one client, decoded as UTF-8 text chunks. */
async function* copyOut(client: pg.PoolClient, query: string): AsyncGenerator<string> {
  const stream = client.query(copyToStream(`COPY (${query}) TO STDOUT`));
  const decoder = new StringDecoder("utf8");
  for await (const chunk of stream as AsyncIterable<Buffer>) yield decoder.write(chunk);
  const rest = decoder.end();
  if (rest) yield rest;
}

/** Opens a pool on a PostgreSQL server (DATABASE_URL). */
export async function openPg(options: PgOptions): Promise<Db & { readonly pool: pg.Pool }> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    types,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // Fail fast on a wrong URL instead of at the first request.
  const probe = await pool.connect();
  probe.release();
  const outer = wrap(pool);
  return {
    driver: "pg",
    connections: options.maxConnections ?? 10,
    pool,
    query: outer.query,
    exec: outer.exec,
    async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // The server may end the session while the transaction waits between statements (an idle
      // timeout, a terminated backend): the next statement fails, instead of the process on an
      // unhandled 'error' event (the pool listens only to idle clients).
      const dropped = () => {};
      client.on("error", dropped);
      try {
        await client.query("begin");
        const result = await fn({
          ...wrap(client),
          inTransaction: true,
          copyFrom: (target, chunks, afterChunk) => copyIn(client, target, chunks, afterChunk),
          copyTo: (query) => copyOut(client, query),
        });
        await client.query("commit");
        client.removeListener("error", dropped);
        client.release();
        return result;
      } catch (error) {
        try {
          await client.query("rollback");
          client.removeListener("error", dropped);
          client.release();
        } catch (rollbackError) {
          client.release(rollbackError as Error); // destroyed, with the listener: a late 'error' is dropped
        }
        throw error;
      }
    },
    close: () => pool.end(),
  };
}
