/**
 * Withdrawals (提现审核): the queue by status (tabs), paged by the server;
 * approve with a confirmation naming the payout, reject with a required reason.
 */
import type { Ok } from "@jifen/api-types";
import { App, Button, Card, Form, Input, Modal, Popconfirm, Space, Table, Tabs, Tag, Typography } from "antd";
import { useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";
import { groupDigits } from "../../format/decimal.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { ErrorNotice, formatTime, PAGE_SIZE, Pager, percentText, useCursorList } from "../orders/listing.tsx";

type Withdrawal = Ok<"listWithdrawals">["items"][number];
type Tab = "pending" | "approved" | "rejected" | "all";

const COLOR: Record<string, string> = { pending: "gold", approved: "green", rejected: "red" };

function RejectModal(props: { row: Withdrawal | null; onClose: () => void; onDone: () => void }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const { row } = props;
  async function submit({ reason }: { reason: string }) {
    if (!row) return;
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.POST("/admin/withdrawals/{id}/reject", {
          params: { path: { id: row.id }, header: { "idempotency-key": crypto.randomUUID() } },
          body: { reason: reason.trim() },
        }),
      );
      message.success(t("withdrawals.reject.done", { id: row.id }));
      form.resetFields();
      props.onDone();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : null);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal
      open={row !== null}
      title={row ? t("withdrawals.reject.title", { id: row.id }) : ""}
      okText={t("withdrawals.reject.submit")}
      okButtonProps={{ danger: true, loading: busy }}
      onOk={() => form.submit()}
      onCancel={props.onClose}
      destroyOnHidden
    >
      <ErrorNotice error={error} />
      {row && (
        <Typography.Paragraph>
          {row.memberPhone} · {t("withdrawals.reject.intro", { amount: row.amount })}
        </Typography.Paragraph>
      )}
      <Form form={form} layout="vertical" onFinish={submit} lang={language}>
        <Form.Item
          name="reason"
          label={t("withdrawals.reject.reason")}
          rules={[{ required: true, whitespace: true, message: t("withdrawals.reject.reasonRequired") }]}
        >
          <Input.TextArea
            rows={3}
            maxLength={200}
            showCount
            placeholder={t("withdrawals.reject.reasonPlaceholder")}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function useColumns(approve: (w: Withdrawal) => void, reject: (w: Withdrawal) => void) {
  const { t } = useI18n();
  return [
    { title: t("withdrawals.col.id"), dataIndex: "id", key: "id", width: 80 },
    { title: t("withdrawals.col.member"), dataIndex: "memberPhone", key: "member", width: 130 },
    {
      title: t("withdrawals.col.amount"),
      dataIndex: "amount",
      key: "amount",
      align: "right" as const,
      render: groupDigits,
    },
    { title: t("withdrawals.col.fee"), dataIndex: "fee", key: "fee", align: "right" as const },
    { title: t("withdrawals.col.payout"), dataIndex: "payout", key: "payout", align: "right" as const },
    {
      title: t("withdrawals.col.feeRate"),
      key: "feeRate",
      align: "right" as const,
      render: (_: unknown, w: Withdrawal) => percentText(w.feeRate),
    },
    {
      title: t("withdrawals.col.status"),
      key: "status",
      render: (_: unknown, w: Withdrawal) => (
        <Tag color={COLOR[w.status]}>{t(`withdrawals.status.${w.status}` as MessageKey)}</Tag>
      ),
    },
    {
      title: t("withdrawals.col.requestedAt"),
      key: "requestedAt",
      width: 170,
      render: (_: unknown, w: Withdrawal) => formatTime(w.requestedAt),
    },
    {
      title: t("withdrawals.col.decidedAt"),
      key: "decidedAt",
      width: 170,
      render: (_: unknown, w: Withdrawal) => formatTime(w.decidedAt),
    },
    { title: t("withdrawals.col.reason"), dataIndex: "reason", key: "reason", width: 200, ellipsis: true },
    {
      title: t("listing.actions"),
      key: "actions",
      width: 120,
      fixed: "right" as const,
      render: (_: unknown, w: Withdrawal) =>
        w.status === "pending" && (
          <Space size={0}>
            <Popconfirm
              title={t("withdrawals.approve.question", { payout: w.payout, fee: w.fee })}
              onConfirm={() => approve(w)}
            >
              <Button type="link" size="small" data-testid={`approve-${w.id}`}>
                {t("withdrawals.approve")}
              </Button>
            </Popconfirm>
            <Button type="link" size="small" danger onClick={() => reject(w)} data-testid={`reject-${w.id}`}>
              {t("withdrawals.reject")}
            </Button>
          </Space>
        ),
    },
  ];
}

export default function Withdrawals() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [tab, setTab] = useState<Tab>("pending");
  const [rejecting, setRejecting] = useState<Withdrawal | null>(null);
  const list = useCursorList(
    (cursor) =>
      unwrap(
        api.GET("/admin/withdrawals", {
          params: {
            query: {
              limit: String(PAGE_SIZE),
              ...(tab === "all" ? {} : { status: tab }),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    tab,
  );
  async function approve(w: Withdrawal) {
    try {
      await unwrap(
        api.POST("/admin/withdrawals/{id}/approve", {
          params: { path: { id: w.id }, header: { "idempotency-key": crypto.randomUUID() } },
          body: {},
        }),
      );
      message.success(t("withdrawals.approve.done", { id: w.id }));
      list.reload();
    } catch (caught) {
      if (caught instanceof ApiError) message.error(caught.sentence(language));
    }
  }
  const columns = useColumns(approve, setRejecting);
  const tabs: Tab[] = ["pending", "approved", "rejected", "all"];
  return (
    <Card>
      <Tabs
        activeKey={tab}
        onChange={(key) => setTab(key as Tab)}
        items={tabs.map((key) => ({ key, label: t(`withdrawals.tab.${key}` as MessageKey) }))}
      />
      <ErrorNotice error={list.error} />
      <Table<Withdrawal>
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        columns={columns}
        pagination={false}
        scroll={{ x: 1400 }}
        data-testid="withdrawals-table"
      />
      <Pager {...list} />
      <RejectModal
        row={rejecting}
        onClose={() => setRejecting(null)}
        onDone={() => {
          setRejecting(null);
          list.reload();
        }}
      />
    </Card>
  );
}
