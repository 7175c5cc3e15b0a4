import { type Algorithm, hash, verify } from "@node-rs/argon2";

/** Argon2id cost settings (tests use cheap ones). */
export interface PasswordOptions {
  /** KiB of memory per hash. */
  readonly memoryCost: number;
  readonly timeCost: number;
}

/** OWASP's argon2id baseline: 19 MiB, 2 passes (~100 ms here). */
export const DEFAULT_PASSWORD_OPTIONS: PasswordOptions = { memoryCost: 19_456, timeCost: 2 };

const ARGON2ID = 2 as Algorithm;

/** The argon2id PHC string of `password`. */
export function hashPassword(password: string, options: PasswordOptions): Promise<string> {
  return hash(password, { algorithm: ARGON2ID, memoryCost: options.memoryCost, timeCost: options.timeCost });
}

/** A stored password hash that cannot be read: a server fault, never a wrong password. */
export class CorruptPasswordHashError extends Error {
  constructor(cause: unknown) {
    super("the stored password hash cannot be read", { cause });
    this.name = "CorruptPasswordHashError";
  }
}

/**
 * True when `password` matches the PHC string `stored`. A hash that cannot be
 * parsed throws CorruptPasswordHashError (answered INTERNAL_ERROR and logged by
 * the error handler), so a damaged row is not hidden behind LOGIN_FAILED.
 */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch (error) {
    throw new CorruptPasswordHashError(error);
  }
}

let dummy: Promise<string> | undefined;

/** Spends the time of one verification, so an unknown account answers as slowly as a wrong password. */
export async function burnVerification(options: PasswordOptions): Promise<void> {
  dummy ??= hashPassword("jifen-timing-equaliser", options);
  await verifyPassword(await dummy, "not-the-password");
}
