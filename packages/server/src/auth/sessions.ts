import { createHash, randomBytes } from "node:crypto";
import type { Queryable, Tx } from "../db/index.ts";

/** Who a session belongs to. */
export type SubjectType = "member" | "operator";

/** How long sessions last. */
export interface SessionTtl {
  readonly memberMs: number;
  readonly operatorMs: number;
}

/** 30 days for members, 12 hours for operators. */
export const DEFAULT_SESSION_TTL: SessionTtl = { memberMs: 30 * 86_400_000, operatorMs: 12 * 3_600_000 };

/** The stored form of a bearer token: its SHA-256, hex. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Opens a session and returns its bearer token (shown once; only its hash is stored). */
export async function createSession(
  tx: Tx,
  subject: { type: SubjectType; id: string },
  ttlMs: number,
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const token = `jf${subject.type === "member" ? "m" : "o"}_${randomBytes(32).toString("base64url")}`;
  const expiresAt = new Date(now.getTime() + ttlMs);
  await tx.query(
    `insert into sessions (token_hash, subject_type, subject_id, created_at, expires_at)
     values ($1, $2, $3::bigint, $4::timestamptz, $5::timestamptz)`,
    [hashToken(token), subject.type, subject.id, now.toISOString(), expiresAt.toISOString()],
  );
  return { token, expiresAt };
}

/** The live session of `token`, or null when unknown, expired or revoked. */
export async function findSession(
  q: Queryable,
  token: string,
  now: Date,
): Promise<{ type: SubjectType; id: string } | null> {
  const rows = await q.query<{ subject_type: SubjectType; subject_id: string }>(
    `select subject_type, subject_id from sessions
     where token_hash = $1 and revoked_at is null and expires_at > $2::timestamptz`,
    [hashToken(token), now.toISOString()],
  );
  const row = rows.rows[0];
  return row ? { type: row.subject_type, id: row.subject_id } : null;
}

/** Ends the session of `token`. */
export async function revokeSession(tx: Tx, token: string, now: Date): Promise<void> {
  await tx.query(
    "update sessions set revoked_at = $2::timestamptz where token_hash = $1 and revoked_at is null",
    [hashToken(token), now.toISOString()],
  );
}

/** Ends every session of a subject (after a password reset). */
export async function revokeAllSessions(
  tx: Tx,
  subject: { type: SubjectType; id: string },
  now: Date,
): Promise<void> {
  await tx.query(
    `update sessions set revoked_at = $3::timestamptz
     where subject_type = $1 and subject_id = $2::bigint and revoked_at is null`,
    [subject.type, subject.id, now.toISOString()],
  );
}
