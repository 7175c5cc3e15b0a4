import type { Queryable, Tx } from "../db/index.ts";

/** One operator action, written in the action's own transaction. */
export interface AuditEntry {
  /** Who did it (an `AuthOperator` fits; only these two are written). */
  readonly operator: { readonly id: string; readonly username: string };
  /** What was done, e.g. "withdrawal.approve". */
  readonly action: string;
  readonly targetType?: string;
  readonly targetId?: string;
  readonly detail?: Record<string, unknown>;
  readonly requestId: string;
  readonly now: Date;
}

/** Appends an entry to the audit log (append-only table). */
export async function writeAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.query(
    `insert into audit_log (operator_id, operator_name, action, target_type, target_id, detail, request_id, created_at)
     values ($1::bigint, $2, $3, $4, $5, $6::text::jsonb, $7, $8::timestamptz)`,
    [
      entry.operator.id,
      entry.operator.username,
      entry.action,
      entry.targetType ?? null,
      entry.targetId ?? null,
      JSON.stringify(entry.detail ?? {}),
      entry.requestId,
      entry.now.toISOString(),
    ],
  );
}

/** A row of the audit log as read back. */
export interface AuditRow {
  readonly id: string;
  readonly operatorId: string;
  readonly operatorName: string;
  readonly action: string;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly detail: unknown;
  readonly requestId: string | null;
  readonly createdAt: Date;
}

/** The audit log, newest first, optionally of one operator, one action, between two days. */
export async function listAudit(
  q: Queryable,
  options: {
    cursor: string | null;
    limit: number;
    operatorId?: string;
    action?: string;
    /** Business days (inclusive) in `timeZone`. */
    from?: string;
    to?: string;
    timeZone?: string;
  },
): Promise<{ items: AuditRow[]; nextCursor: string | null }> {
  const rows = await q.query<{
    id: string;
    operator_id: string;
    operator_name: string;
    action: string;
    target_type: string | null;
    target_id: string | null;
    detail: unknown;
    request_id: string | null;
    created_at: Date;
  }>(
    `select id, operator_id, operator_name, action, target_type, target_id, detail, request_id, created_at
     from audit_log
     where ($1::bigint is null or id < $1::bigint) and ($2::bigint is null or operator_id = $2::bigint)
       and ($3::text is null or action = $3)
       and ($5::date is null or created_at >= ($5::date)::timestamp at time zone $7)
       and ($6::date is null or created_at < ($6::date + 1)::timestamp at time zone $7)
     order by id desc limit $4`,
    [
      options.cursor,
      options.operatorId ?? null,
      options.action ?? null,
      options.limit + 1,
      options.from ?? null,
      options.to ?? null,
      options.timeZone ?? "Asia/Shanghai",
    ],
  );
  const items = rows.rows.slice(0, options.limit).map((r) => ({
    id: r.id,
    operatorId: r.operator_id,
    operatorName: r.operator_name,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    detail: r.detail,
    requestId: r.request_id,
    createdAt: r.created_at,
  }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.rows.length > options.limit && last ? last.id : null };
}
