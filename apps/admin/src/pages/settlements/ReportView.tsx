/** One settlement report (a settled day's or a dry run's): summary, totals, pools, equity, stars, rows, phases. */
import type { Ok } from "@jifen/api-types";
import { Card, Col, Descriptions, Row, Space, Table, Tag } from "antd";
import { groupDigits } from "../../format/decimal.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { labelOf } from "../members/format.ts";
import { ownerText } from "./owner.ts";

export type Report = NonNullable<Ok<"getSettlement">["report"]>;

/** A phase of a run in words; `stage:x` is phase x on the background writer. */
function phaseLabel(t: (key: MessageKey, values?: Record<string, string>) => string, name: string): string {
  if (name.startsWith("stage:")) {
    return t("settle.phase.stage", { phase: labelOf(t, "settle.phase.", name.slice("stage:".length)) });
  }
  return labelOf(t, "settle.phase.", name);
}

function Totals({ report }: { report: Report }) {
  const { t } = useI18n();
  const keys = [
    "static",
    "share",
    "team",
    "peer",
    "released",
    "forfeited",
    "dividends",
    "pooled",
    "returned",
    "burned",
  ] as const;
  return (
    <Descriptions
      bordered
      size="small"
      column={5}
      layout="vertical"
      items={keys.map((key) => ({
        key,
        label: t(`settle.${key}` as MessageKey),
        children: <span data-testid={`total-${key}`}>{groupDigits(report.totals[key])}</span>,
      }))}
    />
  );
}

export function ReportView({ report }: { report: Report }) {
  const { t } = useI18n();
  const summary = [
    [t("settle.members"), String(report.members)],
    [t("settle.membersPaid"), String(report.membersPaid)],
    [t("settle.openOrders"), String(report.openOrders)],
    [t("settle.ordersReleased"), String(report.ordersReleased)],
    [t("settle.cycleSales"), groupDigits(report.cycleSales)],
    [t("settle.configVersion"), report.configVersionId ? `#${report.configVersionId}` : t("settle.defaults")],
    [t("settle.owner"), ownerText(t, report.owner)],
    [t("settle.duration"), `${report.durationMs} ms`],
  ];
  return (
    <Space direction="vertical" size={16} style={{ width: "100%" }} data-testid="settlement-report">
      <Card size="small" title={t("settle.summary")}>
        <Descriptions
          size="small"
          column={4}
          items={summary.map(([label, value]) => ({ key: label, label, children: value }))}
        />
      </Card>
      <Card size="small" title={t("settle.totals")}>
        <Totals report={report} />
      </Card>
      <Row gutter={16}>
        <Col span={14}>
          <Card size="small" title={t("settle.pools")}>
            <Table
              size="small"
              pagination={false}
              rowKey={(p) => `${p.name}-${p.tier ?? ""}`}
              dataSource={report.pools}
              columns={[
                {
                  title: t("settle.poolName"),
                  dataIndex: "name",
                  render: (name: string) => labelOf(t, "settle.pool.", name),
                },
                {
                  title: t("settle.poolTier"),
                  dataIndex: "tier",
                  render: (tier: string | null) => tier ?? "—",
                },
                { title: t("settle.poolAmount"), dataIndex: "amount", align: "right", render: groupDigits },
                { title: t("settle.poolMembers"), dataIndex: "members", align: "right" },
              ]}
            />
          </Card>
        </Col>
        <Col span={10}>
          <Space direction="vertical" style={{ width: "100%" }}>
            <Card size="small" title={t("settle.equity")}>
              <Descriptions
                size="small"
                column={1}
                items={[
                  { key: "price", label: t("settle.equityPrice"), children: report.equity?.price ?? "—" },
                  { key: "pool", label: t("settle.equityPool"), children: groupDigits(report.equity?.pool) },
                  {
                    key: "circ",
                    label: t("settle.equityCirculating"),
                    children: groupDigits(report.equity?.circulating),
                  },
                ]}
              />
            </Card>
            <Card size="small" title={t("settle.stars")}>
              {Object.keys(report.stars).length === 0
                ? "—"
                : Object.entries(report.stars).map(([star, n]) => (
                    <Tag key={star} color="gold">{`${star} × ${n}`}</Tag>
                  ))}
            </Card>
          </Space>
        </Col>
      </Row>
      <Row gutter={16}>
        <Col span={12} style={report.dryRun ? { display: "none" } : {}}>
          <Card size="small" title={t("settle.rows")}>
            {Object.entries(report.rows).map(([name, n]) => (
              <Tag key={name}>{`${labelOf(t, "settle.row.", name)} ${groupDigits(String(n))}`}</Tag>
            ))}
          </Card>
        </Col>
        <Col span={12}>
          <Card size="small" title={t("settle.phases")}>
            {Object.entries(report.phasesMs).map(([name, ms]) => (
              <Tag key={name}>{`${phaseLabel(t, name)} ${groupDigits(String(ms))}`}</Tag>
            ))}
          </Card>
        </Col>
      </Row>
    </Space>
  );
}
