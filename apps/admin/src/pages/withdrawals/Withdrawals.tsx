/**
 * Withdrawals (提现审核): the queue by status (tabs), paged by the server;
 * approve with a confirmation naming the payout, reject with a required reason.
 * A payout through a provider shows its state (待打款 / 打款中 / 已到账 /
 * 打款失败), the provider, our and the provider's transfer numbers and the
 * failure reason; 查询打款 asks the provider at once about one not final.
 */
import type { Ok } from "@jifen/api-types";
import { payoutFailureText } from "@jifen/web-kit";
import { App, Button, Card, Form, Input, Modal, Popconfirm, Space, Table, Tabs, Tag, Typography } from "antd";
import { useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";
import { groupDigits } from "../../format/decimal.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { ErrorNotice, formatTime, PAGE_SIZE, Pager, percentText, useCursorList } from "../orders/listing.tsx";

type Withdrawal = Ok<"listWithdrawals">["items"][number];
type Tab = "pending" | "approved" | "paying" | "paid" | "failed" | "rejected" | "all";

const COLOR: Record<string, string> = {
  pending: "gold",
  approved: "green",
  queued: "orange",
  paying: "processing",
  paid: "green",
  failed: "red",
  rejected: "red",
};

/** The status shown: an approved withdrawal whose provider payout is not yet sent is 待打款. */
const shownStatus = (w: Withdrawal) => (w.status === "approved" && w.payoutProvider ? "queued" : w.status);

function StatusCell({ w }: { w: Withdrawal }) {
  const { t, language } = useI18n();
  const status = shownStatus(w);
  return (
    <Space direction="vertical" size={0}>
      <Tag color={COLOR[status]} data-testid={`status-${w.id}`}>
        {t(`withdrawals.status.${status}` as MessageKey)}
      </Tag>
      {w.payoutFailure && (
        <Typography.Text type="danger" style={{ fontSize: 12 }}>
          {t("withdrawals.payout.failure", { reason: payoutFailureText(w.payoutFailure, language) })}
        </Typography.Text>
      )}
      {w.status === "paying" && w.payoutAction && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t("withdrawals.payout.action")}
        </Typography.Text>
      )}
    </Space>
  );
}

function PayoutCell({ w }: { w: Withdrawal }) {
  const { t } = useI18n();
  if (w.status === "pending" || w.status === "rejected") return null;
  if (!w.payoutProvider) return <span>{t("withdrawals.payout.manual")}</span>;
  return (
    <Space direction="vertical" size={0} style={{ fontSize: 12 }}>
      <span>{t(`withdrawals.payout.${w.payoutProvider}` as MessageKey)}</span>
      <Typography.Text type="secondary" style={{ fontSize: 12 }} copyable={{ text: w.payoutNo ?? "" }}>
        {t("withdrawals.payout.no")} {w.payoutNo}
      </Typography.Text>
      {w.payoutProviderId && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }} copyable={{ text: w.payoutProviderId }}>
          {t("withdrawals.payout.providerId")} {w.payoutProviderId}
        </Typography.Text>
      )}
    </Space>
  );
}

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

interface Actions {
  approve: (w: Withdrawal) => void;
  reject: (w: Withdrawal) => void;
  refresh: (w: Withdrawal) => void;
}

function ActionsCell({ w, actions }: { w: Withdrawal; actions: Actions }) {
  const { t } = useI18n();
  if (w.payoutProvider && (w.status === "approved" || w.status === "paying"))
    return (
      <Popconfirm title={t("withdrawals.refresh.question")} onConfirm={() => actions.refresh(w)}>
        <Button type="link" size="small" data-testid={`refresh-${w.id}`}>
          {t("withdrawals.refresh")}
        </Button>
      </Popconfirm>
    );
  if (w.status !== "pending") return null;
  return (
    <Space size={0}>
      <Popconfirm
        title={t("withdrawals.approve.question", { payout: w.payout, fee: w.fee })}
        onConfirm={() => actions.approve(w)}
      >
        <Button type="link" size="small" data-testid={`approve-${w.id}`}>
          {t("withdrawals.approve")}
        </Button>
      </Popconfirm>
      <Button
        type="link"
        size="small"
        danger
        onClick={() => actions.reject(w)}
        data-testid={`reject-${w.id}`}
      >
        {t("withdrawals.reject")}
      </Button>
    </Space>
  );
}

function useColumns(actions: Actions) {
  const { t } = useI18n();
  return [
    { title: t("withdrawals.col.id"), dataIndex: "id", key: "id", width: 80 },
    { title: t("withdrawals.col.member"), dataIndex: "memberPhone", key: "member", width: 130 },
    // 申请时间 next to the member: at 1440 px the columns after 打款方式 are behind the horizontal scroll.
    {
      title: t("withdrawals.col.requestedAt"),
      key: "requestedAt",
      width: 170,
      render: (_: unknown, w: Withdrawal) => formatTime(w.requestedAt),
    },
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
      width: 200,
      render: (_: unknown, w: Withdrawal) => <StatusCell w={w} />,
    },
    {
      title: t("withdrawals.col.payoutInfo"),
      key: "payoutInfo",
      width: 230,
      render: (_: unknown, w: Withdrawal) => <PayoutCell w={w} />,
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
      render: (_: unknown, w: Withdrawal) => <ActionsCell w={w} actions={actions} />,
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
  async function refresh(w: Withdrawal) {
    try {
      const after = await unwrap(
        api.POST("/admin/withdrawals/{id}/payout/refresh", { params: { path: { id: w.id } }, body: {} }),
      );
      const status = t(`withdrawals.status.${shownStatus(after as Withdrawal)}` as MessageKey);
      message.info(t("withdrawals.refresh.done", { id: w.id, status }));
      list.reload();
    } catch (caught) {
      if (caught instanceof ApiError) message.error(caught.sentence(language));
    }
  }
  const columns = useColumns({ approve, reject: setRejecting, refresh });
  const tabs: Tab[] = ["pending", "approved", "paying", "paid", "failed", "rejected", "all"];
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
        scroll={{ x: 1700 }}
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
