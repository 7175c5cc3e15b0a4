/**
 * The console's API client and the signed-in operator's session (kept in
 * localStorage until it expires or the server answers 401).
 */
import type { Ok } from "@jifen/api-types";
import { createApiClient } from "@jifen/api-types/client";
import { createSessionStore } from "@jifen/web-kit";

export { ApiError, unwrap } from "@jifen/api-types/client";

export type Operator = Ok<"loginOperator">["operator"];
export type Role = Operator["role"];

export interface Session {
  readonly token: string;
  readonly operator: Operator;
  readonly expiresAt: string;
  readonly mustChangePassword: boolean;
}

const sessions = createSessionStore<Session>(
  "jifen.admin.session",
  (stored) => Date.parse(stored.expiresAt) > Date.now(),
);

/** The signed-in operator's session, or null. */
export const getSession = sessions.get;

/** Stores (or, with null, forgets) the session and tells every listener. */
export const setSession = sessions.set;

/** Calls `listener` whenever the session changes; returns the unsubscribe. */
export const onSessionChange = sessions.subscribe;

/** The console's one API client. */
export const api = createApiClient({
  token: () => getSession()?.token ?? null,
  onUnauthorized: () => {
    if (getSession()) setSession(null);
  },
});
