/**
 * Password guessing. Every password sign-in first *reserves* a try, in one
 * short transaction that holds an advisory lock on the account: it counts the
 * account's failures in the window (reservations of tries still being checked
 * count as failures), refuses when the limit is reached, and otherwise writes
 * its own row. Only then is the password checked (argon2, outside any lock).
 * A right password deletes its row again; a wrong one leaves it as a failure.
 * So however many requests arrive at once, at most `maxFailures` passwords of
 * one account (members) or one account and address (operators) are checked per
 * window.
 *
 * Members: 5 wrong passwords per account per 15 minutes lock password sign-in
 * of the account (SMS-code sign-in still works, with its own limits).
 *
 * Operators (no SMS sign-in): the lock is per account *and* source address —
 * 5 wrong passwords per 15 minutes lock that address out of that account, so a
 * stranger cannot lock the owner out from elsewhere. Across all addresses an
 * account takes at most `accountCeiling` wrong passwords per window at full
 * speed; past it, one try per `slowdownMs` (a distributed guesser is slowed
 * to a crawl, the owner waits seconds, never a lockout).
 */
import type { Db } from "../db/index.ts";
import { fail } from "../errors/index.ts";

/** The password sign-in limit of members: per account. */
export interface LoginLimits {
  readonly maxFailures: number;
  readonly windowMs: number;
}

/** 5 wrong passwords per account per 15 minutes. */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { maxFailures: 5, windowMs: 15 * 60_000 };

/** The password sign-in limits of operators: per account and address, and a slowdown per account. */
export interface OperatorLoginLimits {
  /** Wrong passwords per account and source address per window before that address is locked out. */
  readonly maxFailures: number;
  readonly windowMs: number;
  /** Wrong passwords per account (all addresses) per window before tries are spaced out. */
  readonly accountCeiling: number;
  /** The gap between two tries of one account once the ceiling is reached. */
  readonly slowdownMs: number;
}

/** 5 per account and address per 15 minutes; past 20 per account, one try every 5 seconds. */
export const DEFAULT_OPERATOR_LOGIN_LIMITS: OperatorLoginLimits = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  accountCeiling: 20,
  slowdownMs: 5_000,
};

/** A reserved password try: settle it with `loginSucceeded` (or leave it as a failure). */
export interface LoginTry {
  readonly id: string;
}

/**
 * Reserves one password try of member `subject` ("member:138…"), or refuses
 * with LOGIN_LOCKED when the account's failures in the window reached the limit.
 */
export async function reserveMemberTry(
  db: Db,
  input: { subject: string; ip: string; now: Date },
  limits: LoginLimits,
): Promise<LoginTry> {
  return db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock(hashtext('jifen.login:' || $1))", [input.subject]);
    const since = new Date(input.now.getTime() - limits.windowMs).toISOString();
    const rows = await tx.query<{ n: string }>(
      "select count(*) as n from login_failures where subject = $1 and created_at > $2::timestamptz",
      [input.subject, since],
    );
    if (Number(rows.rows[0]?.n ?? 0) >= limits.maxFailures) fail("LOGIN_LOCKED");
    return insertTry(tx, input);
  });
}

/**
 * Reserves one password try of operator `subject` ("operator:admin") from
 * `ip`, or refuses: OPERATOR_LOGIN_LOCKED when this address reached the limit
 * for this account, OPERATOR_LOGIN_SLOWED when the account is past its ceiling
 * and the last try was less than `slowdownMs` ago.
 */
export async function reserveOperatorTry(
  db: Db,
  input: { subject: string; ip: string; now: Date },
  limits: OperatorLoginLimits,
): Promise<LoginTry> {
  return db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock(hashtext('jifen.login:' || $1))", [input.subject]);
    const since = new Date(input.now.getTime() - limits.windowMs).toISOString();
    const rows = await tx.query<{ address: string; account: string; last: Date | null }>(
      `select count(*) filter (where ip = $2) as address, count(*) as account, max(created_at) as last
       from login_failures where subject = $1 and created_at > $3::timestamptz`,
      [input.subject, input.ip, since],
    );
    const row = rows.rows[0];
    if (Number(row?.address ?? 0) >= limits.maxFailures) fail("OPERATOR_LOGIN_LOCKED");
    const last = row?.last ? new Date(row.last).getTime() : null;
    if (
      Number(row?.account ?? 0) >= limits.accountCeiling &&
      last !== null &&
      input.now.getTime() - last < limits.slowdownMs
    ) {
      const seconds = Math.ceil((limits.slowdownMs - (input.now.getTime() - last)) / 1000);
      fail("OPERATOR_LOGIN_SLOWED", {
        detail: { zh: `请 ${seconds} 秒后再试`, en: `try again in ${seconds} s` },
      });
    }
    return insertTry(tx, input);
  });
}

async function insertTry(
  tx: Parameters<Parameters<Db["transaction"]>[0]>[0],
  input: { subject: string; ip: string; now: Date },
): Promise<LoginTry> {
  const inserted = await tx.query<{ id: string }>(
    "insert into login_failures (subject, ip, created_at) values ($1, $2, $3::timestamptz) returning id",
    [input.subject, input.ip, input.now.toISOString()],
  );
  return { id: inserted.rows[0]?.id as string };
}

/** The password was right: the reserved try is given back (it was no failure). */
export async function loginSucceeded(db: Db, reserved: LoginTry): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query("delete from login_failures where id = $1", [reserved.id]);
  });
}
