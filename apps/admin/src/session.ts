import { useSyncExternalStore } from "react";
import { getSession, onSessionChange, type Role, type Session } from "./api.ts";

/** The session, re-rendering on sign-in and sign-out. */
export function useSession(): Session | null {
  return useSyncExternalStore(onSessionChange, getSession);
}

/** What each role may open (the server checks the same on every call). */
export const ROLE_PAGES: Record<Role, readonly string[]> = {
  admin: ["dashboard"],
  finance: ["dashboard"],
  support: ["dashboard"],
};
