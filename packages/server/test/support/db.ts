/**
 * Test databases: every DB test runs on PGlite and, when TEST_DATABASE_URL is
 * set, on that PostgreSQL too. Under CI=true a PostgreSQL that is not set or
 * not reachable fails the test; it is never skipped.
 *
 * PGlite: one migrated template per migration set is dumped to the OS temp
 * directory once and each test loads a copy (≈1 s instead of ≈5 s for initdb).
 * The template leaves out the cluster's `template0` and `template1` databases
 * (no test creates a database; they were a third of the bytes and two thirds
 * of the files each load writes), and a process reads the file once: every
 * load is given the same bytes (PGlite copies them into its own file system).
 * Its buffer pool is 32 MB instead of initdb's 128 MB (cleared at every open).
 * PostgreSQL: each database gets a fresh schema on the search path, dropped at
 * the end.
 */
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { type Db, loadMigrations, migrate, openPg, openPglite } from "../../src/db/index.ts";

/** A database for one test, and how to throw it away. */
export interface TestDb {
  readonly db: Db;
  /** PostgreSQL: the test's schema (another process can connect to it). */
  readonly schema?: string;
  cleanup(): Promise<void>;
}

/** A database kind the suite runs on. */
export interface DbTarget {
  readonly name: "pglite" | "postgres";
  open(): Promise<TestDb>;
}

/**
 * The template's buffer pool (initdb's default is 128 MB). Each open allocates and clears the
 * pool in PGlite's WebAssembly memory: ≈0.45 s of CPU an open at 128 MB, ≈0.3 s at 16–32 MB
 * (docs/decisions.md, "CI time: a smaller buffer pool …"). A test's data is a few MB.
 */
const TEMPLATE_SHARED_BUFFERS = "32MB";

function templatePath(): string {
  const hash = createHash("sha256");
  for (const m of loadMigrations()) hash.update(m.version).update(m.checksum);
  const version = JSON.parse(
    readFileSync(
      new URL("../../../../node_modules/@electric-sql/pglite/package.json", import.meta.url),
      "utf8",
    ),
  ).version as string;
  hash
    .update(version)
    .update("without template0 and template1")
    .update(`shared_buffers ${TEMPLATE_SHARED_BUFFERS}`);
  return join(tmpdir(), `jifen-pglite-template-${hash.digest("hex").slice(0, 16)}.tar`);
}

let templateBlob: Promise<Blob> | undefined;

async function buildTemplate(path: string): Promise<Blob> {
  try {
    return sharedBlob(readFileSync(path));
  } catch (error) {
    // Not built yet (or removed meanwhile by a run of another migration set): built here.
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const db = await openPglite();
  await migrate(db);
  // The tests run in `postgres`; the two template databases are only bytes to load.
  await db.exec("update pg_database set datistemplate = false where datname in ('template0', 'template1')");
  // Written to postgresql.auto.conf: every copy of the template reads it, the test's own PGlite
  // and those of the processes a test starts on a seeded data directory.
  await db.exec(`alter system set shared_buffers = '${TEMPLATE_SHARED_BUFFERS}'`);
  for (const statement of ["drop database template0", "drop database template1", "checkpoint"])
    await db.exec(statement);
  const dump = await db.pglite.dumpDataDir("none");
  await db.close();
  const bytes = Buffer.from(await dump.arrayBuffer());
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(temp, bytes);
  renameSync(temp, path);
  // Templates of older migration sets are of no further use (≈30–40 MB each); one written in the
  // last day may belong to another checkout's run on this machine.
  const dayAgo = Date.now() - 86_400_000;
  for (const file of readdirSync(tmpdir())) {
    const other = join(tmpdir(), file);
    if (!/^jifen-pglite-template-[0-9a-f]{16}\.tar$/.test(file) || other === path) continue;
    try {
      if (statSync(other).mtimeMs < dayAgo) rmSync(other, { force: true });
    } catch {
      // removed meanwhile
    }
  }
  return sharedBlob(bytes);
}

/**
 * A tar whose bytes are read once per process: PGlite takes a load's bytes from
 * `arrayBuffer()` (a new 40 MB copy each time for a plain Blob) and only reads
 * them, copying each file into its own file system.
 */
function sharedBlob(bytes: Buffer): Blob {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return new (class extends Blob {
    override arrayBuffer(): Promise<ArrayBuffer> {
      return Promise.resolve(buffer);
    }
  })([], { type: "application/x-tar" });
}

/** A fresh migrated PGlite database (a copy of the template). */
export async function openTestPglite(): Promise<TestDb> {
  templateBlob ??= buildTemplate(templatePath());
  const db = await openPglite({ loadDataDir: await templateBlob });
  await migrate(db);
  return { db, cleanup: () => db.close() };
}

/** A fresh migrated PGlite database kept in `dataDir` (a copy of the template), for tests with several processes. */
export async function openTestPgliteAt(dataDir: string): Promise<Db> {
  templateBlob ??= buildTemplate(templatePath());
  const db = await openPglite({ dataDir, loadDataDir: await templateBlob });
  await migrate(db);
  return db;
}

/**
 * Prepares `DATA_DIR` for a process (the server or the `jifen` command) as a
 * migrated embedded database copied from the template, so that the process
 * opens it instead of creating a cluster (initdb and every migration: seconds
 * per process). Returns the directory.
 */
export async function seedDataDir(dataDir: string): Promise<string> {
  const db = await openTestPgliteAt(join(dataDir, "pglite")); // where openDatabase looks under DATA_DIR
  await db.close();
  return dataDir;
}

/** A fresh migrated schema on the PostgreSQL at `url`. */
export async function openTestPostgres(url: string): Promise<TestDb> {
  const schema = `jifen_test_${process.pid}_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const db = await openPg({ connectionString: url, schema, maxConnections: 20 });
  await migrate(db);
  return {
    db,
    schema,
    async cleanup() {
      // The schema goes even when the pool was closed already (a test that closed it itself).
      try {
        await db.close();
      } finally {
        const dropper = new pg.Client({ connectionString: url });
        await dropper.connect();
        await dropper.query(`drop schema ${schema} cascade`);
        await dropper.end();
      }
    },
  };
}

/** The databases to run every DB test on. */
export function dbTargets(): DbTarget[] {
  const targets: DbTarget[] = [{ name: "pglite", open: openTestPglite }];
  const url = process.env.TEST_DATABASE_URL;
  if (url) targets.push({ name: "postgres", open: () => openTestPostgres(url) });
  else if (process.env.CI === "true") {
    targets.push({
      name: "postgres",
      open: () =>
        Promise.reject(new Error("CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests must run")),
    });
  }
  return targets;
}

/** The quoted values a check constraint allows (`x in ('a', 'b')`), read from the database. */
export async function allowedValues(db: Db, constraint: string): Promise<string[]> {
  const rows = await db.query<{ def: string }>(
    "select pg_get_constraintdef(oid) as def from pg_constraint where conname = $1",
    [constraint],
  );
  const def = rows.rows[0]?.def ?? "";
  const values = [...def.matchAll(/'([a-z_]+)'/g)].map((m) => m[1] as string);
  if (values.length < 2) throw new Error(`${constraint}: not a list of values: ${def}`);
  return values;
}
