import type { Queryable, Tx } from "../db/index.ts";
import type { OperatorRole } from "../http/context.ts";

/** An operator account (back office), separate from members. */
export interface Operator {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: OperatorRole;
  readonly active: boolean;
  readonly createdAt: Date;
}

interface Row {
  id: string;
  username: string;
  display_name: string;
  role: OperatorRole;
  active: boolean;
  created_at: Date;
}

const COLUMNS = "id, username, display_name, role, active, created_at";

function toOperator(r: Row): Operator {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    active: r.active,
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
  input: { username: string; displayName: string; role: OperatorRole; passwordHash: string; now: Date },
): Promise<Operator | null> {
  const rows = await tx.query<Row>(
    `insert into operators (username, display_name, role, password_hash, created_at)
     values ($1, $2, $3, $4, $5::timestamptz) on conflict (username) do nothing returning ${COLUMNS}`,
    [input.username, input.displayName, input.role, input.passwordHash, input.now.toISOString()],
  );
  const row = rows.rows[0];
  return row ? toOperator(row) : null;
}

/** Every operator, in id order. */
export async function listOperators(q: Queryable): Promise<Operator[]> {
  const rows = await q.query<Row>(`select ${COLUMNS} from operators order by id`);
  return rows.rows.map(toOperator);
}
