import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Db } from "./types.ts";

/** The committed migrations folder (packages/server/migrations). */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));

/** One versioned SQL file. */
export interface Migration {
  readonly version: string;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

const FILE_RE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads the migration files in version order. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => FILE_RE.test(file))
    .sort()
    .map((file) => {
      const [, version = "", name = ""] = FILE_RE.exec(file) ?? [];
      const sql = readFileSync(`${dir}/${file}`, "utf8");
      return { version, name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/**
 * Applies the migrations not applied yet, in one transaction under an advisory
 * lock (per schema), so two servers starting together do not race. Refuses to
 * start when an applied migration's file has changed since.
 */
export async function migrate(db: Db, migrations: Migration[] = loadMigrations()): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock(hashtext('jifen.migrate:' || current_schema()))");
    await tx.exec(`create table if not exists schema_migrations (
      version text primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
    const applied = await tx.query<{ version: string; checksum: string }>(
      "select version, checksum from schema_migrations",
    );
    const known = new Map(applied.rows.map((row) => [row.version, row.checksum]));
    const done: string[] = [];
    for (const migration of migrations) {
      const checksum = known.get(migration.version);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new Error(`migration ${migration.version}_${migration.name} changed after it was applied`);
        }
        continue;
      }
      await tx.exec(migration.sql);
      await tx.query("insert into schema_migrations (version, name, checksum) values ($1, $2, $3)", [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      done.push(`${migration.version}_${migration.name}`);
    }
    return done;
  });
}
