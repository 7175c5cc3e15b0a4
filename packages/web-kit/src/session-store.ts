/**
 * The signed-in person's session, kept in localStorage under `storageKey` and
 * read once at start (`usable` drops a stored session that is unreadable or no
 * longer good); `set(null)` forgets it. Listeners hear every change.
 */
export interface SessionStore<S> {
  get(): S | null;
  set(session: S | null): void;
  subscribe(listener: () => void): () => void;
}

export function createSessionStore<S>(storageKey: string, usable: (stored: S) => boolean): SessionStore<S> {
  const listeners = new Set<() => void>();
  const read = (): S | null => {
    const text = localStorage.getItem(storageKey);
    if (!text) return null;
    try {
      const session = JSON.parse(text) as S;
      return usable(session) ? session : null;
    } catch {
      return null;
    }
  };
  let current = read();
  return {
    get: () => current,
    set(session) {
      current = session;
      if (session) localStorage.setItem(storageKey, JSON.stringify(session));
      else localStorage.removeItem(storageKey);
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
