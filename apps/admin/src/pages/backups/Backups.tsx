/**
 * 数据备份 / Backups: the server's backups (GET /admin/backups), newest first,
 * paged by the server, with the schedule (BACKUP_TIME, BACKUP_KEEP,
 * BACKUP_DIR), and "立即备份" (POST /admin/backups), whose progress (tables
 * written) shows while the list is polled. Admin role only.
 */
import type { Ok } from "@jifen/api-types";
import { Alert, Button, Card, Descriptions, Progress, Space, Table, Tag } from "antd";
import { useEffect, useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { ErrorNotice, formatTime, PAGE_SIZE, Pager, useCursorList } from "../orders/listing.tsx";

type Answer = Ok<"listBackups">;
type Run = Answer["items"][number];

const STATUS_COLOR: Record<Run["status"], string> = {
  running: "processing",
  ok: "green",
  failed: "red",
  removed: "default",
};

function size(bytes: string | null): string {
  if (bytes === null) return "—";
  const n = Number(bytes);
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}

export default function Backups() {
  const { t } = useI18n();
  const [schedule, setSchedule] = useState<Answer["schedule"] | null>(null);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<ApiError | null>(null);
  const list = useCursorList(async (cursor) => {
    const answer = await unwrap(
      api.GET("/admin/backups", {
        params: { query: { limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) } },
      }),
    );
    setSchedule(answer.schedule);
    return answer;
  }, "backups");
  const { items, reload } = list;
  const running = items.some((r) => r.status === "running");
  // While a backup runs, the list is read again a second after each answer (its progress, then
  // its outcome): each answer is a new `items`, so a run still going schedules the next read.
  useEffect(() => {
    if (!items.some((r) => r.status === "running")) return;
    const timer = setTimeout(reload, 1000);
    return () => clearTimeout(timer);
  }, [items, reload]);

  const start = async () => {
    setStarting(true);
    setStartError(null);
    try {
      await unwrap(api.POST("/admin/backups", {}));
      reload();
    } catch (caught) {
      if (caught instanceof ApiError) setStartError(caught);
    } finally {
      setStarting(false);
    }
  };

  return (
    <Card>
      <Alert type="info" showIcon title={t("backups.hint")} style={{ marginBottom: 16 }} />
      {schedule && (
        <Descriptions size="small" column={2} style={{ marginBottom: 16 }} data-testid="backup-schedule">
          <Descriptions.Item label={t("backups.schedule.time")}>
            {schedule.time ?? t("backups.schedule.off")}
          </Descriptions.Item>
          <Descriptions.Item label={t("backups.schedule.next")}>
            {schedule.nextRunAt ? formatTime(schedule.nextRunAt) : "—"}
          </Descriptions.Item>
          <Descriptions.Item label={t("backups.schedule.keep")}>{schedule.keep}</Descriptions.Item>
          <Descriptions.Item label={t("backups.schedule.dir")}>{schedule.dir}</Descriptions.Item>
        </Descriptions>
      )}
      <Space style={{ marginBottom: 16 }}>
        <Button
          type="primary"
          loading={starting}
          disabled={running}
          onClick={() => void start()}
          data-testid="backup-now"
        >
          {t("backups.now")}
        </Button>
      </Space>
      <ErrorNotice error={startError ?? list.error} />
      <Table<Run>
        rowKey="id"
        size="middle"
        loading={list.loading && !running}
        dataSource={list.items}
        pagination={false}
        data-testid="backups-table"
        columns={[
          {
            title: t("backups.col.time"),
            key: "time",
            width: 170,
            render: (_, r) => formatTime(r.startedAt),
          },
          {
            title: t("backups.col.status"),
            key: "status",
            width: 200,
            render: (_, r) =>
              r.status === "running" && r.progress ? (
                <Progress
                  size="small"
                  percent={r.progress.total > 0 ? Math.floor((100 * r.progress.done) / r.progress.total) : 0}
                />
              ) : (
                <Tag color={STATUS_COLOR[r.status]}>{t(`backups.status.${r.status}` as MessageKey)}</Tag>
              ),
          },
          {
            title: t("backups.col.trigger"),
            key: "trigger",
            width: 90,
            render: (_, r) => t(`backups.trigger.${r.trigger}` as MessageKey),
          },
          { title: t("backups.col.size"), key: "size", width: 110, render: (_, r) => size(r.sizeBytes) },
          {
            title: t("backups.col.lastTx"),
            key: "lastTx",
            width: 120,
            render: (_, r) => r.lastTransactionId ?? "—",
          },
          { title: t("backups.col.file"), dataIndex: "fileName" },
          { title: t("backups.col.error"), key: "error", render: (_, r) => r.error ?? "—" },
        ]}
      />
      <Pager {...list} />
    </Card>
  );
}
