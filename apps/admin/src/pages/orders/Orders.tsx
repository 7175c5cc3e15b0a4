/**
 * Orders (订单管理): filters (status, plan, member's mobile number, day ordered)
 * sent to the server, which pages the list; a drawer with one order's detail.
 */
import type { Ok } from "@jifen/api-types";
import { Button, Card, DatePicker, Form, Input, Select, Space, Table, Tooltip } from "antd";
import type { Dayjs } from "dayjs";
import { useMemo, useState } from "react";
import { api, unwrap } from "../../api.ts";
import { groupDigits } from "../../format/decimal.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { dayText, ErrorNotice, formatTime, PAGE_SIZE, Pager, useCursorList } from "./listing.tsx";
import { OrderDetail } from "./OrderDetail.tsx";
import { PlanTags, StatusTag } from "./tags.tsx";

export type AdminOrder = Ok<"listOrders">["items"][number];
type Status = "pending" | "paid" | "refunded" | "cancelled";
type Plan = "equity" | "cycle" | "release";

interface Filters {
  status?: Status;
  plan?: Plan;
  phone?: string;
  dates?: [Dayjs | null, Dayjs | null] | null;
}

function FilterBar({ onSearch }: { onSearch: (filters: Filters) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<Filters>();
  const statuses: Status[] = ["pending", "paid", "refunded", "cancelled"];
  const plans: Plan[] = ["equity", "cycle", "release"];
  return (
    <Form<Filters> form={form} layout="inline" onFinish={onSearch} style={{ rowGap: 12 }}>
      <Form.Item name="status" label={t("orders.filter.status")}>
        <Select
          allowClear
          style={{ width: 140 }}
          placeholder={t("listing.all")}
          options={statuses.map((s) => ({ value: s, label: t(`orders.status.${s}` as MessageKey) }))}
        />
      </Form.Item>
      <Form.Item name="plan" label={t("orders.filter.plan")}>
        <Select
          allowClear
          style={{ width: 140 }}
          placeholder={t("listing.all")}
          options={plans.map((p) => ({ value: p, label: t(`orders.plan.${p}` as MessageKey) }))}
        />
      </Form.Item>
      <Form.Item
        name="phone"
        label={t("orders.filter.phone")}
        rules={[{ pattern: /^1[3-9]\d{9}$/, message: t("listing.phoneInvalid") }]}
      >
        <Input
          allowClear
          maxLength={11}
          style={{ width: 180 }}
          placeholder={t("orders.filter.phonePlaceholder")}
        />
      </Form.Item>
      <Form.Item name="dates" label={t("orders.filter.date")}>
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

function queryOf(filters: Filters) {
  const [from, to] = filters.dates ?? [];
  return {
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.plan ? { plan: filters.plan } : {}),
    ...(filters.phone ? { phone: filters.phone } : {}),
    ...(dayText(from) ? { from: dayText(from) } : {}),
    ...(dayText(to) ? { to: dayText(to) } : {}),
  };
}

/** Ellipsis with the whole text in a tooltip. */
function Clipped({ text }: { text: string }) {
  return (
    <Tooltip title={text} placement="topLeft">
      <span>{text}</span>
    </Tooltip>
  );
}

const right = "right" as const;
const clipped = { ellipsis: { showTitle: false }, render: (s: string) => <Clipped text={s} /> };
/** An amount grouped by thousands (string operations), clipped with a tooltip. */
const money = { ellipsis: { showTitle: false }, render: (s: string) => <Clipped text={groupDigits(s)} /> };

/** Column widths that fit the 1440-wide console without horizontal scroll; the product takes the rest. */
function useColumns(open: (row: AdminOrder) => void) {
  const { t } = useI18n();
  return useMemo(
    () => [
      { title: t("orders.col.id"), dataIndex: "id", key: "id", width: 64, ...clipped },
      { title: t("orders.col.member"), dataIndex: "memberPhone", key: "member", width: 116, ...clipped },
      { title: t("orders.col.product"), dataIndex: "productName", key: "product", ...clipped },
      { title: t("orders.col.quantity"), dataIndex: "quantity", key: "quantity", width: 56, align: right },
      {
        title: t("orders.col.amount"),
        dataIndex: "amount",
        key: "amount",
        width: 96,
        align: right,
        ...money,
      },
      { title: t("orders.col.cash"), dataIndex: "cash", key: "cash", width: 90, align: right, ...money },
      {
        title: t("orders.col.points"),
        dataIndex: "points",
        key: "points",
        width: 90,
        align: right,
        ...money,
      },
      {
        title: t("orders.col.plans"),
        key: "plans",
        width: 130,
        render: (_: unknown, o: AdminOrder) => <PlanTags plans={o.plans} />,
      },
      {
        title: t("orders.col.status"),
        key: "status",
        width: 84,
        render: (_: unknown, o: AdminOrder) => <StatusTag status={o.status} />,
      },
      {
        title: t("orders.col.provider"),
        key: "provider",
        width: 80,
        ...clipped,
        render: (_: unknown, o: AdminOrder) => (
          <Clipped text={t(`orders.provider.${o.provider}` as MessageKey)} />
        ),
      },
      {
        title: t("orders.col.createdAt"),
        key: "createdAt",
        width: 156,
        render: (_: unknown, o: AdminOrder) => formatTime(o.createdAt),
      },
      {
        title: t("listing.actions"),
        key: "actions",
        width: 64,
        render: (_: unknown, o: AdminOrder) => (
          <Button type="link" size="small" onClick={() => open(o)} data-testid={`order-detail-${o.id}`}>
            {t("orders.detail")}
          </Button>
        ),
      },
    ],
    [t, open],
  );
}

export default function Orders() {
  const [filters, setFilters] = useState<Filters>({});
  const [openRow, setOpenRow] = useState<AdminOrder | null>(null);
  const query = queryOf(filters);
  const list = useCursorList(
    (cursor) =>
      unwrap(
        api.GET("/admin/orders", {
          params: { query: { ...query, limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    JSON.stringify(query),
  );
  const columns = useColumns(setOpenRow);
  return (
    <Card>
      <FilterBar onSearch={setFilters} />
      <div style={{ height: 16 }} />
      <ErrorNotice error={list.error} />
      <Table<AdminOrder>
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        columns={columns}
        pagination={false}
        tableLayout="fixed"
        data-testid="orders-table"
      />
      <Pager {...list} />
      <OrderDetail
        row={openRow}
        onClose={() => setOpenRow(null)}
        onChanged={() => {
          list.reload();
        }}
      />
    </Card>
  );
}
