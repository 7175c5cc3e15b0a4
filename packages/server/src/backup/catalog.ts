/**
 * What a backup reads from the database's catalogue: the tables of the
 * schema in load order (a referenced table before the tables referring to
 * it), their columns, the day partitions, the sequences and the triggers.
 */
import type { Queryable } from "../db/index.ts";
import type { PartitionOf, SectionHeader } from "./format.ts";

/**
 * Tables a backup neither reads nor replaces: the migrations' record, this machine's list of backup
 * files, and the running processes' writer lease (renewed every tick; a restored copy has its own).
 */
export const NOT_BACKED_UP = new Set(["schema_migrations", "backup_runs", "writer_lease"]);

const LEDGER_DAY_RE = /^(ledger_transactions|ledger_postings)_d(\d{8})$/;
const RELEASE_DAY_RE = /^release_progress_d(\d{4})(\d{2})(\d{2})$/;

const DELTAS_DAY_RE = /^settlement_deltas_d(\d{4})(\d{2})(\d{2})$/;

/**
 * The business day whose balance deltas a table holds (a settlement between
 * its compute and its last apply batch: docs/server.md "Daily settlement"),
 * or undefined. A restore creates it before loading it.
 */
export function deltasDay(name: string): string | undefined {
  const m = DELTAS_DAY_RE.exec(name);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/** The day partition a table name stands for (the settlement's tables), or undefined. */
export function dayPartition(name: string): PartitionOf | undefined {
  const ledger = LEDGER_DAY_RE.exec(name);
  if (ledger)
    return { parent: ledger[1] as "ledger_transactions" | "ledger_postings", value: ledger[2] as string };
  const release = RELEASE_DAY_RE.exec(name);
  if (release) return { parent: "release_progress", value: `${release[1]}-${release[2]}-${release[3]}` };
  return undefined;
}

interface TableRow {
  name: string;
  partition: boolean;
  columns: string[];
}

/** Every table holding rows (attached partitions included, bare leftovers of a crashed settlement not), in load order. */
export async function schemaTables(q: Queryable): Promise<SectionHeader[]> {
  const tables = await q.query<TableRow>(
    `select c.relname as name, c.relispartition as partition,
       array(select a.attname::text from pg_attribute a
             where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
             order by a.attnum) as columns
     from pg_class c
     where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r'
     order by c.relname`,
  );
  const references = await q.query<{ child: string; parent: string }>(
    `select distinct c.relname as child, p.relname as parent from pg_constraint k
     join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid
     where k.contype = 'f' and k.connamespace = current_schema()::regnamespace and c.oid <> p.oid`,
  );
  const kept = tables.rows.filter(
    (t) => !NOT_BACKED_UP.has(t.name) && (dayPartition(t.name) === undefined || t.partition),
  );
  return loadOrder(kept, references.rows).map((t) => {
    const partitionOf = dayPartition(t.name);
    return { table: t.name, columns: t.columns, ...(partitionOf ? { partitionOf } : {}) };
  });
}

/** Tables sorted so that each comes after the tables it refers to (ties by name). */
function loadOrder(tables: TableRow[], references: { child: string; parent: string }[]): TableRow[] {
  const names = new Set(tables.map((t) => t.name));
  const waiting = new Map(tables.map((t) => [t.name, new Set<string>()]));
  for (const r of references) if (names.has(r.parent)) waiting.get(r.child)?.add(r.parent);
  const ordered: TableRow[] = [];
  const done = new Set<string>();
  while (ordered.length < tables.length) {
    const ready = tables.filter(
      (t) => !done.has(t.name) && [...(waiting.get(t.name) ?? [])].every((p) => done.has(p)),
    );
    if (ready.length === 0) throw new Error("the tables refer to each other in a cycle");
    for (const t of ready) {
      ordered.push(t);
      done.add(t.name);
    }
  }
  return ordered;
}

/** Each sequence of the schema and the column it numbers (when it has one). */
export async function schemaSequences(
  q: Queryable,
): Promise<{ name: string; table: string | null; column: string | null }[]> {
  const rows = await q.query<{ name: string; table: string | null; column: string | null }>(
    `select s.relname as name, t.relname as table, a.attname as column
     from pg_class s
     left join pg_depend d on d.objid = s.oid and d.classid = 'pg_class'::regclass and d.deptype in ('a', 'i')
     left join pg_class t on t.oid = d.refobjid
     left join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
     where s.relkind = 'S' and s.relnamespace = current_schema()::regnamespace
     order by s.relname`,
  );
  return rows.rows;
}

/** The next value each sequence gives (as text). */
export async function sequenceValues(q: Queryable): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const s of await schemaSequences(q)) {
    const row = await q.query<{ last_value: string; is_called: boolean }>(
      `select last_value::text as last_value, is_called from ${quoteIdent(s.name)}`,
    );
    const { last_value, is_called } = row.rows[0] as { last_value: string; is_called: boolean };
    values[s.name] = String(BigInt(last_value) + (is_called ? 1n : 0n));
  }
  return values;
}

/** Tables and partitioned tables of the schema that carry triggers of their own (the append-only guards). */
export async function triggeredTables(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ name: string }>(
    `select distinct c.relname as name from pg_trigger g join pg_class c on c.oid = g.tgrelid
     where c.relnamespace = current_schema()::regnamespace and not g.tgisinternal order by 1`,
  );
  return rows.rows.map((r) => r.name);
}

/** Day tables of the schema, attached or left bare, and the settlement's deltas' tables. */
export async function dayTables(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ name: string }>(
    `select relname as name from pg_class
     where relnamespace = current_schema()::regnamespace and relkind = 'r' order by 1`,
  );
  return rows.rows
    .map((r) => r.name)
    .filter((name) => dayPartition(name) !== undefined || deltasDay(name) !== undefined);
}

/** A name quoted as an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
