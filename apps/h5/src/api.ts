/**
 * The member site's API client and the signed-in member's session (kept in
 * localStorage until the member signs out or the server answers 401).
 */
import type { Ok } from "@jifen/api-types";
import { createApiClient } from "@jifen/api-types/client";
import { createSessionStore } from "@jifen/web-kit";

export { ApiError, unwrap } from "@jifen/api-types/client";

export type Member = Ok<"loginMember">["member"];

export interface Session {
  readonly token: string;
  readonly member: Member;
  readonly expiresAt: string;
}

// The stored session's expiry is the server's to judge (a phone's clock may be wrong):
// an expired token answers 401, which signs the member out.
const sessions = createSessionStore<Session>(
  "jifen.h5.session",
  (stored) => typeof stored.token === "string" && Boolean(stored.member),
);

/** The signed-in member's session, or null. */
export const getSession = sessions.get;

/** Stores (or, with null, forgets) the session and tells every listener. */
export const setSession = sessions.set;

/** Calls `listener` whenever the session changes; returns the unsubscribe. */
export const onSessionChange = sessions.subscribe;

/** The member site's one API client. */
export const api = createApiClient({
  token: () => getSession()?.token ?? null,
  onUnauthorized: () => {
    if (getSession()) setSession(null);
  },
});

/** A fresh Idempotency-Key for one money-moving request (a retry reuses it). */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Descriptions the server writes (a history line's explanation) follow the site's language.
api.use({
  onRequest({ request }) {
    request.headers.set(
      "accept-language",
      localStorage.getItem("jifen.h5.language") === "en" ? "en" : "zh-CN",
    );
    return request;
  },
});
