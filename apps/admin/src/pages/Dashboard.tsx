/**
 * 数据看板: today's and the range's sales, new members, releases and dividends
 * (GET /admin/reports/daily), the equity price and pool over time, and the
 * liabilities (GET /admin/liabilities, docs/rules.md §5).
 */
import { ReloadOutlined } from "@ant-design/icons";
import type { Ok } from "@jifen/api-types";
import { Alert, Button, Card, Col, Row, Segmented, Space, Statistic, Typography } from "antd";
import type { EChartsCoreOption } from "echarts/core";
import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiError, api, unwrap } from "../api.ts";
import { groupDigits, yuan } from "../format/decimal.ts";
import { useI18n } from "../i18n/index.tsx";
import { dailyChart } from "./dashboard/charts.ts";
import { EChart } from "./dashboard/EChart.tsx";
import { Liabilities } from "./dashboard/Liabilities.tsx";

type Report = Ok<"getDailyReport">;
type Equity = Ok<"getAdminEquityFigures">;
type Range = 7 | 30 | 90;

/** The business day `days` − 1 days before `day` (calendar arithmetic on the date only). */
function daysBefore(day: string, days: number): string {
  const at = new Date(`${day}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() - (days - 1));
  return at.toISOString().slice(0, 10);
}

function useDashboardData(range: Range) {
  const [report, setReport] = useState<Report | null>(null);
  const [equity, setEquity] = useState<Equity | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const latest = await unwrap(api.GET("/admin/reports/daily", { params: { query: {} } }));
      const from = daysBefore(latest.to, range);
      const [ranged, figures] = await Promise.all([
        range === 30
          ? latest
          : unwrap(api.GET("/admin/reports/daily", { params: { query: { from, to: latest.to } } })),
        unwrap(api.GET("/admin/equity")),
      ]);
      setReport(ranged);
      setEquity(figures);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : null);
    } finally {
      setLoading(false);
    }
  }, [range]);
  useEffect(() => {
    void load();
  }, [load]);
  return { report, equity, error, loading, load };
}

function TodayCards({ report, equity }: { report: Report | null; equity: Equity | null }) {
  const { t } = useI18n();
  const today = report?.days[report.days.length - 1];
  const settled = report ? [...report.days].reverse().find((d) => d.settled) : undefined;
  const card = (title: string, value: string, hint: string, testId: string) => (
    <Col span={6}>
      <Card variant="borderless" data-testid={testId}>
        <Statistic title={title} value={value} />
        <Typography.Text type="secondary">{hint}</Typography.Text>
      </Card>
    </Col>
  );
  return (
    <Row gutter={[16, 16]}>
      {card(
        t("dashboard.todaySales"),
        `¥ ${yuan(today?.sales)}`,
        t("dashboard.todayOrders", { orders: today?.orders ?? 0, refunds: today?.refunds ?? 0 }),
        "today-sales",
      )}
      {card(
        t("dashboard.todayMembers"),
        String(today?.newMembers ?? "—"),
        t("dashboard.rangeMembers", { count: report?.totals.newMembers ?? 0 }),
        "today-members",
      )}
      {card(
        t("dashboard.lastReleased"),
        groupDigits(settled?.released),
        settled
          ? t("dashboard.settledHint", { day: settled.day, dividends: groupDigits(settled.dividends) })
          : t("dashboard.notSettled"),
        "last-released",
      )}
      {card(
        t("dashboard.price"),
        equity?.price ?? "—",
        t("dashboard.priceHint", {
          circulating: groupDigits(equity?.circulating),
          treasury: groupDigits(equity?.treasury),
        }),
        "equity-price",
      )}
    </Row>
  );
}

function RangeTotals({ report }: { report: Report }) {
  const { t } = useI18n();
  const items: [string, string][] = [
    [t("dashboard.totalSales"), yuan(report.totals.sales)],
    [t("dashboard.totalOrders"), String(report.totals.orders)],
    [t("dashboard.seriesMembers"), String(report.totals.newMembers)],
    [t("dashboard.totalRefunded"), yuan(report.totals.refunded)],
    [t("dashboard.totalReleased"), groupDigits(report.totals.released)],
    [t("dashboard.totalDividends"), groupDigits(report.totals.dividends)],
  ];
  return (
    <Card
      variant="borderless"
      title={t("dashboard.rangeTotals")}
      extra={`${report.from} ~ ${report.to}`}
      data-testid="range-totals"
    >
      <Row>
        {items.map(([title, value]) => (
          <Col span={4} key={title}>
            <Statistic title={title} value={value} valueStyle={{ fontSize: 20 }} />
          </Col>
        ))}
      </Row>
    </Card>
  );
}

function Charts({ report }: { report: Report }) {
  const { t } = useI18n();
  const days = report.days;
  const options = useMemo(
    () => ({
      sales: dailyChart(days, [
        { name: t("dashboard.seriesSales"), type: "bar", value: (d) => d.sales, color: "#d4380d" },
        {
          name: t("dashboard.seriesOrders"),
          type: "line",
          value: (d) => d.orders,
          color: "#1677ff",
          axis: 1,
          count: true,
        },
      ]),
      members: dailyChart(days, [
        {
          name: t("dashboard.seriesMembers"),
          type: "bar",
          value: (d) => d.newMembers,
          color: "#13a8a8",
          count: true,
        },
      ]),
      rewards: dailyChart(days, [
        { name: t("dashboard.seriesReleased"), type: "bar", value: (d) => d.released, color: "#fa8c16" },
        { name: t("dashboard.seriesDividends"), type: "bar", value: (d) => d.dividends, color: "#722ed1" },
      ]),
      equity: dailyChart(days, [
        { name: t("dashboard.seriesPrice"), type: "line", value: (d) => d.equityPrice, color: "#d4380d" },
        {
          name: t("dashboard.seriesPool"),
          type: "line",
          value: (d) => d.equityPool,
          color: "#52c41a",
          axis: 1,
          area: true,
        },
      ]),
    }),
    [days, t],
  );
  const chartCard = (
    title: string,
    option: EChartsCoreOption,
    testId: string,
    span: number,
    extra?: string,
  ) => (
    <Col span={span}>
      <Card variant="borderless" title={title} extra={extra}>
        <EChart option={option} testId={testId} />
      </Card>
    </Col>
  );
  return (
    <>
      <Row gutter={[16, 16]}>
        {chartCard(t("dashboard.chartSales"), options.sales, "chart-sales", 16)}
        {chartCard(t("dashboard.chartMembers"), options.members, "chart-members", 8)}
        {chartCard(t("dashboard.chartRewards"), options.rewards, "chart-rewards", 12)}
        {chartCard(t("dashboard.chartEquity"), options.equity, "chart-equity", 12)}
      </Row>
      <Typography.Text type="secondary">{t("dashboard.equityNote")}</Typography.Text>
    </>
  );
}

export default function Dashboard() {
  const { t, language } = useI18n();
  const [range, setRange] = useState<Range>(30);
  const { report, equity, error, loading, load } = useDashboardData(range);
  return (
    <Space direction="vertical" size={16} style={{ width: "100%" }}>
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
        <div>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t("dashboard.title")}
          </Typography.Title>
          <Typography.Text type="secondary">
            {t("dashboard.subtitle", { day: report?.to ?? "—" })}
          </Typography.Text>
        </div>
        <Space>
          <Segmented<Range>
            value={range}
            onChange={setRange}
            options={[
              { value: 7, label: t("dashboard.range7") },
              { value: 30, label: t("dashboard.range30") },
              { value: 90, label: t("dashboard.range90") },
            ]}
          />
          <Button icon={<ReloadOutlined />} loading={loading} onClick={() => void load()}>
            {t("dashboard.refresh")}
          </Button>
        </Space>
      </div>
      {error && (
        <Alert
          type="error"
          showIcon
          title={t("dashboard.loadFailed")}
          description={error.sentence(language)}
        />
      )}
      <TodayCards report={report} equity={equity} />
      {report && <RangeTotals report={report} />}
      {report && <Charts report={report} />}
      <Liabilities />
    </Space>
  );
}
