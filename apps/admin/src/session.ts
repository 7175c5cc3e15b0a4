import { useSyncExternalStore } from "react";
import { getSession, onSessionChange, type Session } from "./api.ts";

/** The session, re-rendering on sign-in and sign-out. */
export function useSession(): Session | null {
  return useSyncExternalStore(onSessionChange, getSession);
}
