import { useCallback, useEffect, useState } from "react";
import { ApiError } from "../api.ts";

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: ApiError | null;
  readonly reload: () => void;
}

/** Loads `load()` when `key` changes (and on reload); the latest answer wins. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [round, setRound] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what `load` reads
  useEffect(() => {
    let current = true;
    setError(null);
    load().then(
      (answer) => {
        if (current) setData(answer);
      },
      (caught: unknown) => {
        if (current && caught instanceof ApiError) setError(caught);
      },
    );
    return () => {
      current = false;
    };
  }, [key, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, reload };
}
