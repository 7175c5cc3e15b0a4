/**
 * 模拟草稿: runs POST /admin/simulations for a draft (a small shop growing,
 * then stopping) under the set in force and under the draft, and draws both
 * curves of the chosen figure, with each run's one-minute summary. ECharts
 * reads the server's decimal text itself; nothing here turns it into floats.
 */
import type { Ok } from "@jifen/api-types";
import { Alert, Button, Col, Form, InputNumber, Modal, Row, Segmented, Space, Spin, Typography } from "antd";
import type { EChartsCoreOption } from "echarts/core";
import { useMemo, useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { EChart } from "../dashboard/EChart.tsx";

type Result = Ok<"runSimulation">;
type DayRow = Result["current"]["rows"][number];

const FIGURES = ["liabilities", "payouts", "giftUnreleased", "quotaUnpaid", "cashOutToCashIn"] as const;
type Figure = (typeof FIGURES)[number];

interface Shape {
  days: number;
  startMembers: number;
  ceiling: number;
  stopDay: number;
  seed: number;
}
const SHAPE: Shape = { days: 90, startMembers: 100, ceiling: 1500, stopDay: 60, seed: 1 };

/** The plan sent: the shape from the form, a fixed everyday mix of the three plans. */
function planOf(shape: Shape) {
  return {
    days: shape.days,
    seed: shape.seed,
    startMembers: shape.startMembers,
    growth: { curve: "logistic", rate: "0.05", ceiling: shape.ceiling, stopDay: shape.stopDay },
    referrer: "preferential",
    purchases: {
      ordersPerMemberPerMonth: "1",
      mix: [
        { plans: ["release"], share: "0.4", packages: { 初级会员: "0.8", 中级会员: "0.2" } },
        { plans: ["cycle"], share: "0.3", amounts: ["299", "599"] },
        { plans: ["equity"], share: "0.3", amounts: ["100", "500"] },
      ],
    },
  };
}

function chartOf(result: Result, figure: Figure, names: [string, string]): EChartsCoreOption {
  const values = (rows: readonly DayRow[]) => rows.map((r) => (r[figure] === "" ? null : r[figure]));
  return {
    color: ["#8c8c8c", "#d4380d"],
    grid: { left: 72, right: 24, top: 40, bottom: 28 },
    legend: { top: 0, right: 0 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: result.current.rows.map((r) => r.day) },
    yAxis: { type: "value" },
    series: [
      { name: names[0], type: "line", showSymbol: false, data: values(result.current.rows) },
      { name: names[1], type: "line", showSymbol: false, data: values(result.draft.rows) },
    ],
  };
}

function Outcome({ result }: { result: Result }) {
  const { t, language } = useI18n();
  /** A summary line is "中文 / English": the reader's language only. */
  const say = (line: string) => {
    const [zh, en] = line.split(" / ");
    return (language === "en" ? en : zh) ?? line;
  };
  const [figure, setFigure] = useState<Figure>("liabilities");
  const names: [string, string] = [t("sim.current"), t("sim.draft")];
  const option = useMemo(() => chartOf(result, figure, names), [result, figure, names[0], names[1]]);
  return (
    <Space orientation="vertical" style={{ width: "100%" }} data-testid="simulation-result">
      <Segmented<Figure>
        value={figure}
        onChange={setFigure}
        options={FIGURES.map((f) => ({ value: f, label: t(`sim.figure.${f}` as MessageKey) }))}
      />
      <EChart option={option} height={320} testId="simulation-chart" />
      <Row gutter={16}>
        {(["current", "draft"] as const).map((side) => (
          <Col span={12} key={side} data-testid={`simulation-summary-${side}`}>
            <Typography.Text strong>{t(`sim.${side}`)}</Typography.Text>
            {result[side].summary.lines.map((line) => (
              <Typography.Paragraph key={line} style={{ marginBottom: 4 }}>
                {say(line)}
              </Typography.Paragraph>
            ))}
          </Col>
        ))}
      </Row>
    </Space>
  );
}

/** The dialog: the shop's shape, then both runs. */
export function SimulationModal({ patch, onClose }: { patch: Record<string, unknown>; onClose(): void }) {
  const { t, language } = useI18n();
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [running, setRunning] = useState(false);
  async function run(shape: Shape) {
    setRunning(true);
    setError(null);
    try {
      setResult(
        await unwrap(api.POST("/admin/simulations", { body: { plan: planOf(shape), draft: patch } })),
      );
    } catch (caught) {
      if (!(caught instanceof ApiError)) throw caught;
      setError(caught);
    } finally {
      setRunning(false);
    }
  }
  const field = (name: keyof Shape, min: number, max: number) => (
    <Col span={4} key={name}>
      <Form.Item name={name} label={t(`sim.${name}` as MessageKey)}>
        <InputNumber min={min} max={max} precision={0} style={{ width: "100%" }} />
      </Form.Item>
    </Col>
  );
  return (
    <Modal open title={t("sim.title")} onCancel={onClose} footer={null} width={1100}>
      <Typography.Paragraph type="secondary">{t("sim.intro")}</Typography.Paragraph>
      <Form<Shape> layout="vertical" initialValues={SHAPE} onFinish={(shape) => void run(shape)}>
        <Row gutter={12} align="bottom">
          {field("days", 1, 365)}
          {field("startMembers", 1, 5000)}
          {field("ceiling", 1, 5000)}
          {field("stopDay", 0, 365)}
          {field("seed", 0, 2_000_000_000)}
          <Col span={4}>
            <Form.Item>
              <Button type="primary" htmlType="submit" loading={running}>
                {t("sim.run")}
              </Button>
            </Form.Item>
          </Col>
        </Row>
      </Form>
      {error && <Alert type="error" showIcon title={error.sentence(language)} />}
      {running && !result && <Spin />}
      {result && <Outcome result={result} />}
    </Modal>
  );
}
