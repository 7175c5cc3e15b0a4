/**
 * 日结 (admin only): the runs per business day (newest first, a page at a
 * time), one day's report (`settlements/:day`), a dry run of the open day and
 * "settle now", with a progress bar fed by the run's progress while it runs.
 */
import { ArrowLeftOutlined, ExperimentOutlined, PlayCircleOutlined } from "@ant-design/icons";
import type { Ok } from "@jifen/api-types";
import { Alert, App, Button, Card, Modal, Progress, Space, Spin, Table, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { Link, Route, Routes, useNavigate, useParams } from "react-router";
import { ApiError, api, unwrap } from "../api.ts";
import { dateTime, groupDigits } from "../format/decimal.ts";
import { type MessageKey, useI18n } from "../i18n/index.tsx";
import { ownerText } from "./settlements/owner.ts";
import { type Report, ReportView } from "./settlements/ReportView.tsx";
import { type Outcome, type SettleState, useSettle } from "./settlements/useSettle.ts";

type Run = Ok<"listSettlements">["items"][number];
const PAGE = 10;
const STATUS_COLOR: Record<string, string> = { done: "success", running: "processing", failed: "error" };

function outcomeText(i18n: ReturnType<typeof useI18n>, o: Outcome): string {
  const { t, language } = i18n;
  const due = o.dueAt ? dateTime(o.dueAt, language) : "";
  return t(`settle.outcome.${o.status}` as MessageKey, { day: o.day, open: o.openDay ?? "", due });
}

function ProgressCard({ state }: { state: SettleState }) {
  const { t } = useI18n();
  const p = state.progress;
  const phase = p?.phase ? t(`settle.phase.${p.phase}` as MessageKey) : t("settle.phase.waiting");
  return (
    <Card variant="borderless" data-testid="settle-progress">
      <Typography.Text strong>{state.dryRun ? t("settle.dryRunning") : t("settle.running")}</Typography.Text>
      <Progress percent={state.percent} status="active" />
      <Typography.Text type="secondary">
        {t("settle.progressStep", { step: Math.max(1, p?.step ?? 1), steps: p?.steps ?? 10, phase })}
        {p && p.total > 0 ? ` · ${t("settle.progressRows", { done: p.done, total: p.total })}` : ""}
      </Typography.Text>
    </Card>
  );
}

function useRuns() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<Ok<"listSettlements"> | null>(null);
  const cursor = cursors[cursors.length - 1];
  const load = useCallback(async () => {
    const query = { limit: String(PAGE), ...(cursor ? { cursor } : {}) };
    setPage(await unwrap(api.GET("/admin/settlements", { params: { query } })));
  }, [cursor]);
  useEffect(() => {
    void load();
  }, [load]);
  return { page, cursors, setCursors, load };
}

function RunsTable({ runs }: { runs: ReturnType<typeof useRuns> }) {
  const { t, language } = useI18n();
  const { page, cursors, setCursors } = runs;
  return (
    <Card variant="borderless" title={t("settle.runs")}>
      <Table<Run>
        rowKey="day"
        pagination={false}
        dataSource={page?.items ?? []}
        loading={!page}
        data-testid="settlement-runs"
        columns={[
          {
            title: t("settle.colDay"),
            dataIndex: "day",
            render: (day: string) => <Link to={`/settlements/${day}`}>{day}</Link>,
          },
          {
            title: t("settle.colStatus"),
            dataIndex: "status",
            render: (s: string) => <Tag color={STATUS_COLOR[s]}>{t(`settle.status.${s}` as MessageKey)}</Tag>,
          },
          {
            title: t("settle.colVersion"),
            dataIndex: "configVersionId",
            render: (v: string | null) => (v ? `#${v}` : t("settle.defaults")),
          },
          { title: t("settle.colOwner"), dataIndex: "owner", render: (o: string | null) => ownerText(t, o) },
          {
            title: t("settle.colStarted"),
            dataIndex: "startedAt",
            render: (at: string | null) => dateTime(at, language),
          },
          {
            title: t("settle.colDuration"),
            dataIndex: "durationMs",
            align: "right",
            render: (ms: number | null) => (ms === null ? "—" : `${ms} ms`),
          },
          {
            title: t("settle.colMembers"),
            dataIndex: "memberCount",
            align: "right",
            render: (n: number | null) => n ?? "—",
          },
          {
            title: t("settle.colReleased"),
            key: "released",
            align: "right",
            render: (_: unknown, r: Run) => groupDigits(r.report?.totals.released),
          },
          {
            title: t("settle.colDividends"),
            key: "dividends",
            align: "right",
            render: (_: unknown, r: Run) => groupDigits(r.report?.totals.dividends),
          },
          {
            title: t("settle.colActions"),
            key: "actions",
            render: (_: unknown, r: Run) => <Link to={`/settlements/${r.day}`}>{t("settle.view")}</Link>,
          },
        ]}
      />
      <Space style={{ marginTop: 12 }}>
        <Button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          {t("settle.prev")}
        </Button>
        <Button
          disabled={!page?.nextCursor}
          onClick={() => setCursors([...cursors, page?.nextCursor ?? undefined])}
        >
          {t("settle.next")}
        </Button>
      </Space>
    </Card>
  );
}

function Runs() {
  const i18n = useI18n();
  const { t, language } = i18n;
  const { message, modal } = App.useApp();
  const runs = useRuns();
  const [error, setError] = useState<ApiError | null>(null);
  const [dry, setDry] = useState<Report | null>(null);
  const { running, run } = useSettle((outcomes, dryRun) => {
    for (const o of outcomes)
      (o.status === "settled" || o.status === "dry-run" ? message.success : message.info)(
        outcomeText(i18n, o),
      );
    const report = outcomes.find((o) => o.status === "dry-run")?.report;
    if (dryRun && report) setDry(report);
    void runs.load();
  }, setError);
  const start = (dryRun: boolean) => {
    setError(null);
    void run(dryRun);
  };
  const confirmSettle = () =>
    modal.confirm({
      title: t("settle.confirmTitle"),
      content: t("settle.confirmBody"),
      okText: t("settle.confirmOk"),
      cancelText: t("settle.cancel"),
      onOk: () => start(false),
    });
  return (
    <Space direction="vertical" size={16} style={{ width: "100%" }}>
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
        <div>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t("settle.title")}
          </Typography.Title>
          <Typography.Text type="secondary">{t("settle.subtitle")}</Typography.Text>
        </div>
        <Space>
          <Button icon={<ExperimentOutlined />} disabled={running !== null} onClick={() => start(true)}>
            {t("settle.dryRun")}
          </Button>
          <Button
            type="primary"
            icon={<PlayCircleOutlined />}
            disabled={running !== null}
            onClick={confirmSettle}
          >
            {t("settle.now")}
          </Button>
        </Space>
      </div>
      {running && <ProgressCard state={running} />}
      {error && (
        <Alert type="error" showIcon title={t("settle.failed")} description={error.sentence(language)} />
      )}
      <RunsTable runs={runs} />
      <Modal
        open={dry !== null}
        title={dry ? t("settle.dryRunTitle", { day: dry.day }) : ""}
        footer={null}
        width={1000}
        onCancel={() => setDry(null)}
      >
        <Alert type="info" showIcon title={t("settle.dryRunNote")} style={{ marginBottom: 16 }} />
        {dry && <ReportView report={dry} />}
      </Modal>
    </Space>
  );
}

function DayReport() {
  const { t, language } = useI18n();
  const { day = "" } = useParams();
  const navigate = useNavigate();
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    unwrap(api.GET("/admin/settlements/{day}", { params: { path: { day } } }))
      .then(setRun)
      .catch((caught) => setError(caught instanceof ApiError ? caught : null));
  }, [day]);
  return (
    <Space direction="vertical" size={16} style={{ width: "100%" }}>
      <Space>
        <Button icon={<ArrowLeftOutlined />} onClick={() => navigate("/settlements")}>
          {t("settle.back")}
        </Button>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t("settle.reportTitle", { day })}
        </Typography.Title>
        {run && <Tag color={STATUS_COLOR[run.status]}>{t(`settle.status.${run.status}` as MessageKey)}</Tag>}
      </Space>
      {error && <Alert type="error" showIcon title={error.sentence(language)} />}
      {!run && !error && <Spin />}
      {run?.error && <Alert type="error" showIcon title={t("settle.error")} description={run.error} />}
      {run &&
        (run.report ? (
          <ReportView report={run.report} />
        ) : (
          <Alert type="info" title={t("settle.noReport")} />
        ))}
    </Space>
  );
}

export default function Settlements() {
  return (
    <Routes>
      <Route index element={<Runs />} />
      <Route path=":day" element={<DayReport />} />
    </Routes>
  );
}
