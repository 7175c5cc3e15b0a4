import type { Queryable, Tx } from "../db/index.ts";
import type { OperatorRole } from "../http/context.ts";

/** An operator account (back office), separate from members. */
export interface Operator {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: OperatorRole;
  readonly active: boolean;
  /** Signed in with the built-in demo password: must change it before anything else. */
  readonly mustChangePassword: boolean;
  readonly createdAt: Date;
}

interface Row {
  id: string;
  username: string;
  display_name: string;
  role: OperatorRole;
  active: boolean;
  must_change_password: boolean;
  created_at: Date;
}

const COLUMNS = "id, username, display_name, role, active, must_change_password, created_at";

function toOperator(r: Row): Operator {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    active: r.active,
    mustChangePassword: r.must_change_password,
    createdAt: r.created_at,
  };
}

/** The operator with this username, with its password hash. */
export async function findOperatorByUsername(
  q: Queryable,
  username: string,
): Promise<(Operator & { passwordHash: string }) | null> {
  const rows = await q.query<Row & { password_hash: string }>(
    `select ${COLUMNS}, password_hash from operators where username = $1`,
    [username],
  );
  const row = rows.rows[0];
  return row ? { ...toOperator(row), passwordHash: row.password_hash } : null;
}

/** Adds an operator; null when the username is taken. */
export async function insertOperator(
  tx: Tx,
  input: {
    username: string;
    displayName: string;
    role: OperatorRole;
    passwordHash: string;
    mustChangePassword?: boolean;
    now: Date;
  },
): Promise<Operator | null> {
  const rows = await tx.query<Row>(
    `insert into operators (username, display_name, role, password_hash, must_change_password, created_at)
     values ($1, $2, $3, $4, $5, $6::timestamptz) on conflict (username) do nothing returning ${COLUMNS}`,
    [
      input.username,
      input.displayName,
      input.role,
      input.passwordHash,
      input.mustChangePassword ?? false,
      input.now.toISOString(),
    ],
  );
  const row = rows.rows[0];
  return row ? toOperator(row) : null;
}

/** Operators in id order, a page at a time (`cursor`: the last id of the previous page). */
export async function listOperators(
  q: Queryable,
  page: { cursor: string | null; limit: number } = { cursor: null, limit: 1000 },
): Promise<{ items: Operator[]; nextCursor: string | null }> {
  const rows = await q.query<Row>(
    `select ${COLUMNS} from operators where ($1::bigint is null or id > $1::bigint) order by id limit $2`,
    [page.cursor, page.limit + 1],
  );
  const items = rows.rows.slice(0, page.limit).map(toOperator);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.rows.length > page.limit && last ? last.id : null };
}

/** The operator with this id, locked for update, with its password hash. */
export async function lockOperator(
  tx: Tx,
  id: string,
): Promise<(Operator & { passwordHash: string }) | null> {
  const rows = await tx.query<Row & { password_hash: string }>(
    `select ${COLUMNS}, password_hash from operators where id = $1::bigint for update`,
    [id],
  );
  const row = rows.rows[0];
  return row ? { ...toOperator(row), passwordHash: row.password_hash } : null;
}

/** Locks every active admin (in id order) and returns their ids: the last one must stay. */
export async function lockActiveAdmins(tx: Tx): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    "select id from operators where role = 'admin' and active order by id for update",
  );
  return rows.rows.map((r) => r.id);
}

/** Changes an operator's fields; returns the operator as it now is. */
export async function updateOperator(
  tx: Tx,
  id: string,
  change: { active?: boolean; role?: OperatorRole; passwordHash?: string; mustChangePassword?: boolean },
): Promise<Operator> {
  const rows = await tx.query<Row>(
    `update operators set
       active = coalesce($2, active),
       role = coalesce($3, role),
       password_hash = coalesce($4, password_hash),
       must_change_password = coalesce($5, must_change_password)
     where id = $1::bigint returning ${COLUMNS}`,
    [
      id,
      change.active ?? null,
      change.role ?? null,
      change.passwordHash ?? null,
      change.mustChangePassword ?? null,
    ],
  );
  return toOperator(rows.rows[0] as Row);
}
