/**
 * Password guessing: after `maxFailures` wrong passwords for one account within
 * `windowMs`, password sign-in of that account is refused until the window
 * passes (SMS-code sign-in still works, with its own limits).
 */
import type { Db } from "../db/index.ts";
import { fail } from "../errors/index.ts";

/** The password sign-in limit. */
export interface LoginLimits {
  readonly maxFailures: number;
  readonly windowMs: number;
}

/** 5 wrong passwords per account per 15 minutes. */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { maxFailures: 5, windowMs: 15 * 60_000 };

/** Refuses a password sign-in of `subject` (e.g. "member:138…", "operator:admin") while it is locked. */
export async function checkLoginAllowed(
  db: Db,
  subject: string,
  limits: LoginLimits,
  now: Date,
): Promise<void> {
  const rows = await db.query<{ n: string }>(
    "select count(*) as n from login_failures where subject = $1 and created_at > $2::timestamptz",
    [subject, new Date(now.getTime() - limits.windowMs).toISOString()],
  );
  if (Number(rows.rows[0]?.n ?? 0) >= limits.maxFailures) fail("LOGIN_LOCKED");
}

/** Records one wrong password for `subject` (its own transaction: the request then fails). */
export async function recordLoginFailure(db: Db, subject: string, ip: string, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query("insert into login_failures (subject, ip, created_at) values ($1, $2, $3::timestamptz)", [
      subject,
      ip,
      now.toISOString(),
    ]);
  });
}
