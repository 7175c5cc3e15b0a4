/**
 * The member site's API client and the signed-in member's session (kept in
 * localStorage until the member signs out or the server answers 401).
 */
import type { Ok } from "@jifen/api-types";
import { createApiClient } from "@jifen/api-types/client";

export { ApiError, unwrap } from "@jifen/api-types/client";

export type Member = Ok<"loginMember">["member"];

export interface Session {
  readonly token: string;
  readonly member: Member;
  readonly expiresAt: string;
}

const STORAGE_KEY = "jifen.h5.session";
const listeners = new Set<() => void>();

/**
 * The stored session. Its expiry is the server's to judge (a phone's clock may be
 * wrong): an expired token answers 401, which signs the member out.
 */
function readSession(): Session | null {
  const text = localStorage.getItem(STORAGE_KEY);
  if (!text) return null;
  try {
    const session = JSON.parse(text) as Session;
    return typeof session.token === "string" && session.member ? session : null;
  } catch {
    return null;
  }
}

let current: Session | null = readSession();

/** The signed-in member's session, or null. */
export function getSession(): Session | null {
  return current;
}

/** Stores (or, with null, forgets) the session and tells every listener. */
export function setSession(session: Session | null): void {
  current = session;
  if (session) localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else localStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener();
}

/** Calls `listener` whenever the session changes; returns the unsubscribe. */
export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The member site's one API client. */
export const api = createApiClient({
  token: () => current?.token ?? null,
  onUnauthorized: () => {
    if (current) setSession(null);
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
