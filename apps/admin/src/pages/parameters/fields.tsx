/**
 * The parameter forms' fields: one per key of the rules (docs/rules.md §4),
 * named by the key's path so a refusal naming `release.starLevels[1].rate`
 * lands on that very input. Values are text; the client checks only the form
 * of a number, the server checks every range and says why.
 */
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Card, Col, Form, Input, Row, Select, Space, Typography } from "antd";
import type { ReactNode } from "react";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";

const DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;
const WHOLE = /^(0|[1-9]\d*)$/;

type Name = (string | number)[];

function useRules(kind: "decimal" | "whole" | "text") {
  const { t } = useI18n();
  const required = { required: true, message: t("params.required") };
  if (kind === "text") return [required];
  return [
    required,
    {
      pattern: kind === "whole" ? WHOLE : DECIMAL,
      message: t(kind === "whole" ? "params.whole" : "params.decimal"),
    },
  ];
}

/** The label of a key: its Chinese (or English) name and the key itself. */
function KeyLabel({ keyName }: { keyName: string }) {
  const { t } = useI18n();
  return (
    <span>
      {t(`params.k.${keyName}` as MessageKey)}
      <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12, fontFamily: "monospace" }}>
        {keyName}
      </Typography.Text>
    </span>
  );
}

/** One scalar key ("equity.sellFeeRate"). */
export function ValueField({
  keyName,
  kind = "decimal",
}: {
  keyName: string;
  kind?: "decimal" | "whole" | "text";
}) {
  const { t } = useI18n();
  const hint = `params.h.${keyName}` as MessageKey;
  const rules = useRules(kind);
  const extra = t(hint) === undefined ? undefined : t(hint);
  return (
    <Form.Item
      label={<KeyLabel keyName={keyName} />}
      name={keyName.split(".")}
      rules={rules}
      extra={extra}
      data-key={keyName}
    >
      <Input autoComplete="off" />
    </Form.Item>
  );
}

/** The cycle plan's preset. */
export function PresetField() {
  const { t } = useI18n();
  return (
    <Form.Item
      label={<KeyLabel keyName="cycle.preset" />}
      name={["cycle", "preset"]}
      extra={t("params.h.cycle.preset")}
    >
      <Select
        options={[
          { value: "cycle", label: t("params.presetCycle") },
          { value: "energy", label: t("params.presetEnergy") },
        ]}
      />
    </Form.Item>
  );
}

/** A cell of a list row: a text input checked like a value field. */
function Cell({
  name,
  kind,
  label,
  width,
}: {
  name: Name;
  kind: "decimal" | "text";
  label: string;
  width: number;
}) {
  const rules = useRules(kind);
  return (
    <Form.Item name={name} rules={rules} style={{ marginBottom: 8, width }} aria-label={label}>
      <Input placeholder={label} autoComplete="off" />
    </Form.Item>
  );
}

interface Column {
  readonly field: string;
  readonly label: MessageKey;
  readonly kind: "decimal" | "text";
  readonly width: number;
}

/** A list of objects (packages, star levels, tiers): one row per entry, add and remove. */
export function ObjectList({
  name,
  keyName,
  columns,
  fresh,
}: {
  name: Name;
  keyName?: string;
  columns: readonly Column[];
  fresh: Record<string, string>;
}) {
  const { t } = useI18n();
  const list = (
    <Form.List name={name}>
      {(rows, { add, remove }) => (
        <div style={{ display: "flex", flexDirection: "column", alignItems: "flex-start" }}>
          <Space size={8} style={{ marginBottom: 4 }}>
            {columns.map((c) => (
              <Typography.Text
                type="secondary"
                key={c.field}
                style={{ display: "inline-block", width: c.width }}
              >
                {t(c.label)}
              </Typography.Text>
            ))}
          </Space>
          {rows.map((row) => (
            <Space key={row.key} size={8} align="start">
              {columns.map((c) => (
                <Cell
                  key={c.field}
                  name={[row.name, c.field]}
                  kind={c.kind}
                  label={t(c.label)}
                  width={c.width}
                />
              ))}
              <Button
                type="text"
                danger
                icon={<DeleteOutlined />}
                onClick={() => remove(row.name)}
                aria-label={t("params.remove")}
              />
            </Space>
          ))}
          <Button type="dashed" icon={<PlusOutlined />} onClick={() => add(fresh)} size="small">
            {t("params.add")}
          </Button>
        </div>
      )}
    </Form.List>
  );
  return keyName ? <Form.Item label={<KeyLabel keyName={keyName} />}>{list}</Form.Item> : list;
}

/** release.shareRates: one rate per generation. */
export function ShareRates() {
  const { t } = useI18n();
  const rules = useRules("decimal");
  return (
    <Form.Item label={<KeyLabel keyName="release.shareRates" />}>
      <Form.List name={["release", "shareRates"]}>
        {(rows, { add, remove }) => (
          <Space wrap align="start">
            {rows.map((row, i) => (
              <Space.Compact key={row.key}>
                <Form.Item name={row.name} rules={rules} style={{ marginBottom: 8, width: 150 }}>
                  <Input
                    prefix={
                      <Typography.Text type="secondary">
                        {t("params.generation", { n: i + 1 })}
                      </Typography.Text>
                    }
                  />
                </Form.Item>
                <Button
                  icon={<DeleteOutlined />}
                  onClick={() => remove(row.name)}
                  aria-label={t("params.remove")}
                />
              </Space.Compact>
            ))}
            <Button type="dashed" icon={<PlusOutlined />} onClick={() => add("0")}>
              {t("params.add")}
            </Button>
          </Space>
        )}
      </Form.List>
    </Form.Item>
  );
}

const TIER_COLUMNS: readonly Column[] = [
  { field: "name", label: "params.colName", kind: "text", width: 120 },
  { field: "minWeight", label: "params.colMinWeight", kind: "decimal", width: 140 },
  { field: "rate", label: "params.colRate", kind: "decimal", width: 120 },
];

/** cycle.pools: each pool weighted (one rate) or by tiers. */
export function Pools() {
  const { t } = useI18n();
  return (
    <Form.Item label={<KeyLabel keyName="cycle.pools" />}>
      <Form.List name={["cycle", "pools"]}>
        {(rows, { add, remove }) => (
          <Row gutter={[16, 16]}>
            {rows.map((row, i) => (
              <Col span={12} key={row.key}>
                <Card
                  size="small"
                  title={t("params.pool", { n: i + 1 })}
                  extra={
                    <Button
                      type="text"
                      danger
                      icon={<DeleteOutlined />}
                      onClick={() => remove(row.name)}
                      aria-label={t("params.remove")}
                    />
                  }
                >
                  <PoolBody row={row.name} />
                </Card>
              </Col>
            ))}
            <Col span={24}>
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => add({ name: "", split: "weighted", rate: "0" })}
              >
                {t("params.add")}
              </Button>
            </Col>
          </Row>
        )}
      </Form.List>
    </Form.Item>
  );
}

function PoolBody({ row }: { row: number }) {
  const { t } = useI18n();
  const split = Form.useWatch(["cycle", "pools", row, "split"]);
  const text = useRules("text");
  const decimal = useRules("decimal");
  let body: ReactNode;
  if (split === "tiers") {
    body = (
      <ObjectList
        name={[row, "tiers"]}
        columns={TIER_COLUMNS}
        fresh={{ name: "", minWeight: "0", rate: "0" }}
      />
    );
  } else {
    body = (
      <Form.Item label={t("params.colRate")} name={[row, "rate"]} rules={decimal}>
        <Input />
      </Form.Item>
    );
  }
  return (
    <>
      <Space>
        <Form.Item label={t("params.colName")} name={[row, "name"]} rules={text}>
          <Input style={{ width: 120 }} />
        </Form.Item>
        <Form.Item label={t("params.colSplit")} name={[row, "split"]}>
          <Select
            style={{ width: 120 }}
            options={[
              { value: "weighted", label: t("params.splitWeighted") },
              { value: "tiers", label: t("params.splitTiers") },
            ]}
          />
        </Form.Item>
      </Space>
      {body}
    </>
  );
}
