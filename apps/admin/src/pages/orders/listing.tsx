/**
 * What the queue pages (orders, withdrawals, audit log, SMS outbox) share: a
 * server-paginated list walked with the API's cursors, its pager, the server's
 * refusal in the reader's language, times, and the names of ledger accounts.
 */
import { Alert, Button, Space, Typography } from "antd";
import dayjs from "dayjs";
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";

export const PAGE_SIZE = 20;

/** One page of a list as the API answers it. */
export interface CursorPage<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/**
 * A list read one server page at a time: `fetchPage(cursor)` for the page,
 * `key` (the filters) starts again at page 1. Earlier pages' cursors are kept
 * for "previous".
 */
export function useCursorList<T>(fetchPage: (cursor: string | null) => Promise<CursorPage<T>>, key: string) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<CursorPage<T>>({ items: [], nextCursor: null });
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;
  const keyRef = useRef(key);
  useEffect(() => {
    if (keyRef.current === key) return;
    keyRef.current = key;
    setCursors([null]);
  }, [key]);
  const cursor = cursors[cursors.length - 1] ?? null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick reloads the same page; new cursors (a new key) the first
  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    fetchRef.current(cursor).then(
      (answer) => {
        if (!live) return;
        setPage(answer);
        setLoading(false);
      },
      (caught: unknown) => {
        if (!live) return;
        setError(caught instanceof ApiError ? caught : null);
        setPage({ items: [], nextCursor: null });
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [cursor, tick, cursors]);
  const next = useCallback(() => {
    if (page.nextCursor) setCursors((c) => [...c, page.nextCursor]);
  }, [page.nextCursor]);
  const prev = useCallback(() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)), []);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return {
    items: page.items,
    loading,
    error,
    pageNumber: cursors.length,
    hasNext: page.nextCursor !== null,
    next,
    prev,
    reload,
  };
}

/** Previous / page n / next under a list. */
export function Pager(props: {
  pageNumber: number;
  hasNext: boolean;
  loading: boolean;
  next: () => void;
  prev: () => void;
}) {
  const { t } = useI18n();
  return (
    <Space style={{ display: "flex", justifyContent: "flex-end", marginTop: 16 }} data-testid="pager">
      <Typography.Text type="secondary">{t("listing.perPage", { size: PAGE_SIZE })}</Typography.Text>
      <Button onClick={props.prev} disabled={props.pageNumber <= 1 || props.loading}>
        {t("listing.prev")}
      </Button>
      <Typography.Text>{t("listing.page", { page: props.pageNumber })}</Typography.Text>
      <Button onClick={props.next} disabled={!props.hasNext || props.loading}>
        {t("listing.next")}
      </Button>
    </Space>
  );
}

/** The server's refusal, in the reader's language. */
export function ErrorNotice({ error }: { error: ApiError | null }) {
  const { language } = useI18n();
  if (!error) return null;
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 16 }}
      title={error.sentence(language)}
      data-testid="api-error"
    />
  );
}

/** An instant as local date and time. */
export function formatTime(at: string | null | undefined): string {
  return at ? dayjs(at).format("YYYY-MM-DD HH:mm:ss") : "—";
}

/** The reader's name of a ledger account (`m:12:equity` → 增值积分, `m:12:debt:points` → 欠款（积分）). */
export function useAccountLabel(): (account: string) => string {
  const { t } = useI18n();
  return (account) => {
    const member = /^m:\d+:(debt:)?(.+)$/.exec(account);
    if (member) {
      const wallet = t(`ledgerAccount.m.${member[2]}` as MessageKey) ?? member[2];
      return member[1] ? t("ledgerAccount.debtOf", { wallet }) : wallet;
    }
    const platform = t(`ledgerAccount.${account.replace(":", ".")}` as MessageKey);
    return platform ?? account;
  };
}

/** A signed decimal text is below zero (no number conversion). */
export function isNegative(amount: string): boolean {
  return amount.startsWith("-");
}

/** Today's date as the date pickers give it, for the range's bounds (YYYY-MM-DD). */
export function dayText(value: dayjs.Dayjs | null | undefined): string | undefined {
  return value ? value.format("YYYY-MM-DD") : undefined;
}

/** A rate as decimal text ("0.006") in percent ("0.6%"), by moving the decimal point: no number conversion. */
export function percentText(rate: string): string {
  const negative = rate.startsWith("-");
  const [whole = "0", frac = ""] = rate.replace(/^-/, "").split(".");
  const digits = `${whole}${frac.padEnd(2, "0")}`;
  const point = whole.length + 2;
  const intPart = digits.slice(0, point).replace(/^0+(?=\d)/, "");
  const fracPart = digits.slice(point).replace(/0+$/, "");
  return `${negative ? "-" : ""}${intPart}${fracPart ? `.${fracPart}` : ""}%`;
}
