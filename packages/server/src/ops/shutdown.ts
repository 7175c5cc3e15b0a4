/**
 * Closing the server at shutdown: the HTTP app, then the database. Each is
 * closed even when one before it failed; every failure is logged with what
 * failed, and the caller exits non-zero when anything did not close.
 */

/** Where the shutdown reports a failure to close (pino's logger fits). */
export interface ShutdownLog {
  error(object: object, message: string): void;
}

/** Something to close, by name. */
export interface Closable {
  readonly name: string;
  close(): Promise<unknown>;
}

/** Closes each of `parts` in order; returns true when every one closed, false when any failed (each logged). */
export async function closeAll(parts: readonly Closable[], log: ShutdownLog): Promise<boolean> {
  let ok = true;
  for (const part of parts) {
    try {
      await part.close();
    } catch (error) {
      ok = false;
      log.error({ err: error, part: part.name }, `shutdown: closing the ${part.name} failed`);
    }
  }
  return ok;
}
