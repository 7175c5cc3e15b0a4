import { ErrorBlock, InfiniteScroll } from "antd-mobile";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { ApiError } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";

export interface CursorPage<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

interface Props<T> {
  /** Loads the page after `cursor` (null: the first page). */
  readonly load: (cursor: string | null) => Promise<CursorPage<T>>;
  /** Changing it starts over from the first page. */
  readonly listKey: string;
  readonly render: (item: T) => ReactNode;
  readonly empty: string;
}

/** A list over the server's cursor pagination that loads the next page as the member scrolls to its end. */
export function CursorList<T>({ load, listKey, render, empty }: Props<T>) {
  const { t, language } = useI18n();
  const [items, setItems] = useState<T[]>([]);
  const [hasMore, setHasMore] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const cursor = useRef<string | null>(null);
  const generation = useRef(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new key (or language) starts the list over
  useEffect(() => {
    generation.current += 1;
    cursor.current = null;
    setItems([]);
    setError(null);
    setHasMore(true);
  }, [listKey, language]);

  async function loadMore() {
    const mine = generation.current;
    try {
      const page = await load(cursor.current);
      if (mine !== generation.current) return;
      cursor.current = page.nextCursor;
      setItems((before) => [...before, ...page.items]);
      setHasMore(page.nextCursor !== null);
    } catch (caught) {
      if (mine !== generation.current) return;
      setHasMore(false);
      if (caught instanceof ApiError) setError(caught);
    }
  }

  function retry() {
    setError(null);
    setHasMore(true);
  }

  return (
    <>
      {items.map(render)}
      {!hasMore && items.length === 0 && !error ? (
        <ErrorBlock status="empty" title={empty} description="" style={{ padding: "32px 0" }} />
      ) : (
        <InfiniteScroll loadMore={loadMore} hasMore={hasMore}>
          {error ? (
            <button type="button" onClick={retry} style={RETRY}>
              {`${error.sentence(language)} ${t("page.retry")}`}
            </button>
          ) : hasMore ? (
            t("page.loading")
          ) : (
            t("page.noMore")
          )}
        </InfiniteScroll>
      )}
    </>
  );
}

const RETRY = { border: "none", background: "none", color: "#e4393c", minHeight: 44, fontSize: 14 } as const;
