import { type ReactNode, useSyncExternalStore } from "react";
import { Navigate, useLocation } from "react-router";
import { getSession, onSessionChange, type Session } from "./api.ts";

/** The session, re-rendering on sign-in and sign-out. */
export function useSession(): Session | null {
  return useSyncExternalStore(onSessionChange, getSession);
}

/** Shows `children` to a signed-in member; anyone else goes to sign-in and comes back after. */
export function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session) return children;
  const back = `${location.pathname}${location.search}`;
  return <Navigate to={`/sign-in?redirect=${encodeURIComponent(back)}`} replace />;
}
