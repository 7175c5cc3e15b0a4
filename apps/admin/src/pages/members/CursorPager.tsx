/**
 * Server pages addressed by cursor (the API's `nextCursor`): previous / next,
 * the page number, and the page size. The cursors seen so far are kept, so
 * "previous" asks the server again for the page it already answered.
 */
import { Button, Select, Space, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useI18n } from "../../i18n/index.tsx";

export interface Paged<T> {
  items: T[];
  nextCursor: string | null;
}

export interface CursorPages<T> {
  readonly items: T[];
  readonly loading: boolean;
  readonly page: number;
  readonly hasNext: boolean;
  readonly limit: number;
  next(): void;
  prev(): void;
  setLimit(limit: number): void;
  reload(): void;
}

/** Loads page after page of `load`; starts again at page 1 when `resetKey` changes (the filters). */
export function useCursorPages<T>(
  load: (cursor: string | null, limit: number) => Promise<Paged<T>>,
  resetKey: string,
): CursorPages<T> {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [limit, setLimitState] = useState(20);
  const [answer, setAnswer] = useState<Paged<T>>({ items: [], nextCursor: null });
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new resetKey starts again at page 1
  useEffect(() => {
    setCursors([null]);
  }, [resetKey]);
  const cursor = cursors[cursors.length - 1] ?? null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: load is the caller's, re-run on cursor/limit/tick
  useEffect(() => {
    let live = true;
    setLoading(true);
    void load(cursor, limit).then((next) => {
      if (!live) return;
      setAnswer(next);
      setLoading(false);
    });
    return () => {
      live = false;
    };
  }, [cursors, limit, tick]);
  const next = useCallback(() => {
    if (answer.nextCursor) setCursors((c) => [...c, answer.nextCursor]);
  }, [answer.nextCursor]);
  const prev = useCallback(() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)), []);
  return {
    items: answer.items,
    loading,
    page: cursors.length,
    hasNext: answer.nextCursor !== null,
    limit,
    next,
    prev,
    setLimit: (l) => {
      setLimitState(l);
      setCursors([null]);
    },
    reload: () => setTick((n) => n + 1),
  };
}

/** Previous / page n / next and the page size, under a table. */
export function CursorPager<T>({ pages }: { pages: CursorPages<T> }) {
  const { t } = useI18n();
  return (
    <Space style={{ marginTop: 16, width: "100%", justifyContent: "flex-end" }}>
      <Button disabled={pages.page <= 1 || pages.loading} onClick={pages.prev}>
        {t("members.prev")}
      </Button>
      <Typography.Text data-testid="pager-page">{t("members.pageNo", { page: pages.page })}</Typography.Text>
      <Button disabled={!pages.hasNext || pages.loading} onClick={pages.next}>
        {t("members.next")}
      </Button>
      <Select
        value={pages.limit}
        style={{ width: 124 }}
        onChange={pages.setLimit}
        options={[10, 20, 50, 100].map((n) => ({ value: n, label: t("members.perPage", { n }) }))}
      />
    </Space>
  );
}
