/**
 * The audit log (操作日志): by operator, action and day, paged by the server;
 * each row says what was done, on what, by whom, when, and the request id.
 */
import type { Ok } from "@jifen/api-types";
import { Button, Card, DatePicker, Form, Select, Space, Table, Tag, Typography } from "antd";
import type { Dayjs } from "dayjs";
import { useEffect, useState } from "react";
import { api, unwrap } from "../../api.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { dayText, ErrorNotice, formatTime, PAGE_SIZE, Pager, useCursorList } from "../orders/listing.tsx";

type Entry = Ok<"listAuditLog">["items"][number];
type Operator = Ok<"listOperators">["items"][number];

export const ACTIONS = [
  "operator.login",
  "operator.logout",
  "operator.create",
  "operator.role",
  "operator.disable",
  "operator.enable",
  "operator.password.change",
  "order.pay",
  "order.cancel",
  "order.refund",
  "withdrawal.approve",
  "withdrawal.reject",
  "member.adjust",
  "product.create",
  "product.update",
  "product.deactivate",
  "config.change",
  "settlement.run",
  "settlement.dry-run",
  "settlement.list",
  "settlement.read",
  "sms.outbox.read",
  "export.members",
  "export.orders",
  "export.memberLedger",
] as const;

interface Filters {
  operatorId?: string;
  action?: string;
  dates?: [Dayjs | null, Dayjs | null] | null;
}

/** A message of the catalogue, or `fallback` when the catalogue has none (an action added later). */
function useOptional() {
  const { t } = useI18n();
  return (key: string, fallback: string) => t(key as MessageKey) ?? fallback;
}

function Detail({ entry }: { entry: Entry }) {
  const optional = useOptional();
  const detail = (entry.detail ?? {}) as Record<string, unknown>;
  const pairs = Object.entries(detail).filter(([, v]) => v !== null && v !== undefined);
  if (pairs.length === 0) return <>—</>;
  return (
    <Space size={[4, 4]} wrap>
      {pairs.map(([k, v]) => (
        <Tag key={k}>
          {optional(`audit.detail.${k}`, k)}：{typeof v === "object" ? JSON.stringify(v) : String(v)}
        </Tag>
      ))}
    </Space>
  );
}

function FilterBar({ onSearch }: { onSearch: (f: Filters) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<Filters>();
  const [operators, setOperators] = useState<Operator[]>([]);
  useEffect(() => {
    // The first hundred operators (a shop has a handful).
    unwrap(api.GET("/admin/operators", { params: { query: { limit: "100" } } })).then(
      (a) => setOperators(a.items),
      () => setOperators([]),
    );
  }, []);
  return (
    <Form<Filters> form={form} layout="inline" onFinish={onSearch} style={{ rowGap: 12 }}>
      <Form.Item name="operatorId" label={t("audit.filter.operator")}>
        <Select
          allowClear
          showSearch={{ optionFilterProp: "label" }}
          style={{ width: 180 }}
          placeholder={t("listing.all")}
          options={operators.map((o) => ({ value: o.id, label: `${o.displayName}（${o.username}）` }))}
        />
      </Form.Item>
      <Form.Item name="action" label={t("audit.filter.action")}>
        <Select
          allowClear
          showSearch={{ optionFilterProp: "label" }}
          style={{ width: 200 }}
          placeholder={t("listing.all")}
          options={ACTIONS.map((a) => ({ value: a, label: t(`audit.action.${a}` as MessageKey) }))}
        />
      </Form.Item>
      <Form.Item name="dates" label={t("audit.filter.date")}>
        <DatePicker.RangePicker placeholder={[t("listing.from"), t("listing.to")]} />
      </Form.Item>
      <Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">
            {t("listing.search")}
          </Button>
          <Button
            onClick={() => {
              form.resetFields();
              onSearch({});
            }}
          >
            {t("listing.reset")}
          </Button>
        </Space>
      </Form.Item>
    </Form>
  );
}

export default function AuditLog() {
  const { t } = useI18n();
  const optional = useOptional();
  const [filters, setFilters] = useState<Filters>({});
  const [from, to] = filters.dates ?? [];
  const query = {
    ...(filters.operatorId ? { operatorId: filters.operatorId } : {}),
    ...(filters.action ? { action: filters.action } : {}),
    ...(dayText(from) ? { from: dayText(from) } : {}),
    ...(dayText(to) ? { to: dayText(to) } : {}),
  };
  const list = useCursorList(
    (cursor) =>
      unwrap(
        api.GET("/admin/audit-log", {
          params: { query: { ...query, limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    JSON.stringify(query),
  );
  return (
    <Card>
      <FilterBar onSearch={setFilters} />
      <div style={{ height: 16 }} />
      <ErrorNotice error={list.error} />
      <Table<Entry>
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        pagination={false}
        data-testid="audit-table"
        columns={[
          { title: t("audit.col.time"), key: "time", width: 170, render: (_, e) => formatTime(e.createdAt) },
          { title: t("audit.col.operator"), dataIndex: "operatorName", width: 140 },
          {
            title: t("audit.col.action"),
            key: "action",
            width: 170,
            render: (_, e) => (
              <Space orientation="vertical" size={0}>
                <span>{optional(`audit.action.${e.action}`, e.action)}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {e.action}
                </Typography.Text>
              </Space>
            ),
          },
          {
            title: t("audit.col.target"),
            key: "target",
            width: 150,
            render: (_, e) =>
              e.targetType
                ? `${optional(`audit.target.${e.targetType}`, e.targetType)} ${e.targetId ?? ""}`
                : "—",
          },
          { title: t("audit.col.detail"), key: "detail", render: (_, e) => <Detail entry={e} /> },
          {
            title: t("audit.col.requestId"),
            key: "requestId",
            width: 200,
            render: (_, e) =>
              e.requestId ? (
                <Typography.Text code copyable style={{ fontSize: 12 }}>
                  {e.requestId.slice(0, 8)}
                </Typography.Text>
              ) : (
                "—"
              ),
          },
        ]}
      />
      <Pager {...list} />
    </Card>
  );
}
