/**
 * 模拟草稿: runs POST /admin/simulations for a draft under the set in force and
 * under the draft, with the plan the operator sets in the dialog (days,
 * members, growth curve, purchase mix, behaviour, seed; defaults: a small shop
 * growing, then stopping), and draws both curves of the chosen figure, with
 * each run's one-minute summary. The server checks the plan and names the
 * refused field, shown next to it. ECharts
 * reads the server's decimal text itself; nothing here turns it into floats.
 */
import type { Ok } from "@jifen/api-types";
import {
  Alert,
  Button,
  Checkbox,
  Col,
  Form,
  Input,
  InputNumber,
  Modal,
  Row,
  Segmented,
  Select,
  Space,
  Spin,
  Typography,
} from "antd";
import type { EChartsCoreOption } from "echarts/core";
import { useMemo, useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { EChart } from "../dashboard/EChart.tsx";
import { fieldPath } from "./diff.ts";

type Result = Ok<"runSimulation">;
type DayRow = Result["current"]["rows"][number];

const FIGURES = ["liabilities", "payouts", "giftUnreleased", "quotaUnpaid", "cashOutToCashIn"] as const;
type Figure = (typeof FIGURES)[number];

const PLAN_NAMES = ["release", "cycle", "equity"] as const;

/** One line of the purchase mix: which plans, what share of orders, and the amounts or packages bought. */
interface MixLine {
  plans: string[];
  share: string;
  /** "299, 599" (amounts in yuan) or "初级会员:0.8, 中级会员:0.2" (release packages and their shares). */
  items: string;
}

/**
 * The form: the plan file's main inputs (docs/simulate.md), with the plan's
 * paths as field names so that a refusal the server names lands on its field.
 * Decimals stay text: the server reads them exactly.
 */
interface PlanForm {
  days: number;
  seed: number;
  startMembers: number;
  referrer: "uniform" | "preferential";
  growth: {
    curve: "constant" | "exponential" | "logistic";
    perDay: string;
    rate: string;
    ceiling: number;
    stopDay: number | null;
  };
  purchases: { ordersPerMemberPerMonth: string; pointsPaidShare: string; mix: MixLine[] };
  behaviour: { equitySellShare: string; cashWithdrawShare: string };
}

/** A small shop growing along an S-curve, then stopping; the mix of examples/simulate/plan.json. */
const DEFAULTS: PlanForm = {
  days: 90,
  seed: 1,
  startMembers: 100,
  referrer: "preferential",
  growth: { curve: "logistic", perDay: "10", rate: "0.05", ceiling: 1500, stopDay: 60 },
  purchases: {
    ordersPerMemberPerMonth: "1",
    pointsPaidShare: "0.5",
    mix: [
      { plans: ["release"], share: "0.3", items: "初级会员:0.7, 中级会员:0.25, 高级会员:0.05" },
      { plans: ["cycle"], share: "0.3", items: "299, 599, 999" },
      { plans: ["equity"], share: "0.2", items: "100, 500" },
      { plans: [], share: "0.2", items: "59, 129" },
    ],
  },
  behaviour: { equitySellShare: "0.02", cashWithdrawShare: "0.5" },
};

/** A mix line's items as the plan file has them: `packages` when any item names a package, else `amounts`. */
function itemsOf(text: string): { amounts: string[] } | { packages: Record<string, string> } {
  const items = text
    .split(/[,，;；\s]+/)
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (!items.some((item) => /[:：]/.test(item))) return { amounts: items };
  const packages: Record<string, string> = {};
  for (const item of items) {
    const [name = "", share = ""] = item.split(/[:：]/);
    packages[name.trim()] = share.trim();
  }
  return { packages };
}

/** The plan sent: the form's values, only the growth parameters its curve takes. */
export function planOf(form: PlanForm) {
  const g = form.growth;
  const growth = {
    curve: g.curve,
    ...(g.curve === "constant" ? { perDay: g.perDay } : { rate: g.rate }),
    ...(g.curve === "logistic" ? { ceiling: g.ceiling } : {}),
    ...(g.stopDay !== null && g.stopDay !== undefined ? { stopDay: g.stopDay } : {}),
  };
  return {
    days: form.days,
    seed: form.seed,
    startMembers: form.startMembers,
    growth,
    referrer: form.referrer,
    purchases: {
      ordersPerMemberPerMonth: form.purchases.ordersPerMemberPerMonth,
      pointsPaidShare: form.purchases.pointsPaidShare,
      mix: form.purchases.mix.map((line) => ({
        plans: line.plans ?? [],
        share: line.share,
        ...itemsOf(line.items ?? ""),
      })),
    },
    behaviour: form.behaviour,
  };
}

/**
 * The form field a refusal names: `plan.growth.rate` → growth.rate; a mix
 * line's amount or package → that line's items; undefined when the form has
 * no such field (the refusal is shown above the result only).
 */
export function formFieldOf(field: string | undefined): (string | number)[] | undefined {
  if (!field?.startsWith("plan.")) return undefined;
  const path = fieldPath(field.slice("plan.".length));
  if (path[0] === "purchases" && path[1] === "mix" && typeof path[2] === "number") {
    const key = path[3];
    if (key === "amounts" || key === "packages") return ["purchases", "mix", path[2], "items"];
    if (key === "share" || key === "plans") return ["purchases", "mix", path[2], key];
    return undefined;
  }
  const known = [
    "days",
    "seed",
    "startMembers",
    "referrer",
    "growth.curve",
    "growth.perDay",
    "growth.rate",
    "growth.ceiling",
    "growth.stopDay",
    "purchases.ordersPerMemberPerMonth",
    "purchases.pointsPaidShare",
    "behaviour.equitySellShare",
    "behaviour.cashWithdrawShare",
  ];
  return known.includes(path.join(".")) ? path : undefined;
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

/** The plan's inputs: size and growth, purchases, behaviour (names follow the plan file). */
function PlanFields() {
  const { t } = useI18n();
  const label = (key: string) => t(`sim.${key}` as MessageKey);
  const whole = (name: string | string[], key: string, min: number, max: number, required = true) => (
    <Col span={4} key={key}>
      <Form.Item name={name} label={label(key)} rules={required ? [{ required: true }] : []}>
        <InputNumber min={min} max={max} precision={0} style={{ width: "100%" }} />
      </Form.Item>
    </Col>
  );
  const decimal = (name: string[], key: string, span = 4) => (
    <Col span={span} key={key}>
      <Form.Item name={name} label={label(key)} rules={[{ required: true }]}>
        <Input inputMode="decimal" />
      </Form.Item>
    </Col>
  );
  return (
    <>
      <Row gutter={12}>
        {whole("days", "days", 1, 365)}
        {whole("startMembers", "startMembers", 1, 5000)}
        {whole("seed", "seed", 0, 4_294_967_295)}
        <Col span={4}>
          <Form.Item name="referrer" label={label("referrer")}>
            <Select
              options={(["preferential", "uniform"] as const).map((v) => ({
                value: v,
                label: label(`referrer.${v}`),
              }))}
            />
          </Form.Item>
        </Col>
        {decimal(["purchases", "ordersPerMemberPerMonth"], "ordersPerMemberPerMonth")}
        {decimal(["purchases", "pointsPaidShare"], "pointsPaidShare")}
      </Row>
      <Row gutter={12}>
        <Col span={4}>
          <Form.Item name={["growth", "curve"]} label={label("curve")}>
            <Select
              options={(["constant", "exponential", "logistic"] as const).map((v) => ({
                value: v,
                label: label(`curve.${v}`),
              }))}
            />
          </Form.Item>
        </Col>
        <Form.Item noStyle dependencies={[["growth", "curve"]]}>
          {({ getFieldValue }) => {
            const curve = getFieldValue(["growth", "curve"]) as PlanForm["growth"]["curve"];
            return (
              <>
                {curve === "constant"
                  ? decimal(["growth", "perDay"], "perDay")
                  : decimal(["growth", "rate"], "rate")}
                {curve === "logistic" && whole(["growth", "ceiling"], "ceiling", 1, 100_000_000)}
              </>
            );
          }}
        </Form.Item>
        {whole(["growth", "stopDay"], "stopDay", 1, 366, false)}
        {decimal(["behaviour", "equitySellShare"], "equitySellShare")}
        {decimal(["behaviour", "cashWithdrawShare"], "cashWithdrawShare")}
      </Row>
      <MixFields />
    </>
  );
}

/** The purchase mix: one line per kind of order, added and removed by the operator. */
function MixFields() {
  const { t } = useI18n();
  return (
    <Form.List name={["purchases", "mix"]}>
      {(lines, { add, remove }) => (
        <div data-testid="simulation-mix">
          <Typography.Text strong>{t("sim.mix")}</Typography.Text>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
            {t("sim.mixHelp")}
          </Typography.Paragraph>
          {lines.map((line, index) => (
            <Row gutter={12} key={line.key} align="bottom">
              <Col span={7}>
                <Form.Item name={[line.name, "plans"]} label={index === 0 ? t("sim.mixPlans") : undefined}>
                  <Checkbox.Group
                    options={PLAN_NAMES.map((plan) => ({
                      value: plan,
                      label: t(`orders.plan.${plan}` as MessageKey),
                    }))}
                  />
                </Form.Item>
              </Col>
              <Col span={4}>
                <Form.Item
                  name={[line.name, "share"]}
                  label={index === 0 ? t("sim.mixShare") : undefined}
                  rules={[{ required: true }]}
                >
                  <Input inputMode="decimal" aria-label={`${t("sim.mixShare")} ${index + 1}`} />
                </Form.Item>
              </Col>
              <Col span={11}>
                <Form.Item
                  name={[line.name, "items"]}
                  label={index === 0 ? t("sim.mixItems") : undefined}
                  rules={[{ required: true }]}
                >
                  <Input aria-label={`${t("sim.mixItems")} ${index + 1}`} />
                </Form.Item>
              </Col>
              <Col span={2}>
                <Form.Item>
                  <Button onClick={() => remove(line.name)} disabled={lines.length === 1}>
                    {t("sim.mixRemove")}
                  </Button>
                </Form.Item>
              </Col>
            </Row>
          ))}
          <Button
            type="dashed"
            onClick={() => add({ plans: [], share: "0", items: "" })}
            style={{ marginBottom: 16 }}
          >
            {t("sim.mixAdd")}
          </Button>
        </div>
      )}
    </Form.List>
  );
}

/** The dialog: the plan's inputs, then both runs. */
export function SimulationModal({ patch, onClose }: { patch: Record<string, unknown>; onClose(): void }) {
  const { t, language } = useI18n();
  const [form] = Form.useForm<PlanForm>();
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [running, setRunning] = useState(false);
  async function run(values: PlanForm) {
    setRunning(true);
    setError(null);
    try {
      setResult(
        await unwrap(api.POST("/admin/simulations", { body: { plan: planOf(values), draft: patch } })),
      );
    } catch (caught) {
      if (!(caught instanceof ApiError)) throw caught;
      setError(caught);
      setResult(null);
      const name = formFieldOf(caught.field);
      // The path is one of the form's own (`formFieldOf` lists them); antd types a path per field.
      if (name) form.setFields([{ name: name as never, errors: [caught.sentence(language)] }]);
    } finally {
      setRunning(false);
    }
  }
  return (
    <Modal open title={t("sim.title")} onCancel={onClose} footer={null} width={1100}>
      <Typography.Paragraph type="secondary">{t("sim.intro")}</Typography.Paragraph>
      <Form<PlanForm>
        form={form}
        layout="vertical"
        size="small"
        initialValues={DEFAULTS}
        onFinish={(values) => void run(values)}
        data-testid="simulation-plan"
      >
        <PlanFields />
        <Button type="primary" htmlType="submit" loading={running} style={{ marginBottom: 12 }}>
          {t("sim.run")}
        </Button>
      </Form>
      {error && (
        <Alert
          type="error"
          showIcon
          title={error.sentence(language)}
          style={{ marginTop: 12 }}
          data-testid="simulation-refusal"
        />
      )}
      {running && !result && <Spin />}
      {result && <Outcome result={result} />}
    </Modal>
  );
}
