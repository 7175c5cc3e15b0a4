/**
 * Refund with a confirmation: the server's preview (the refund's own code,
 * rolled back) of every balance it changes, debts called out, then the reason
 * and the refund. No figure is computed here.
 */
import type { Ok } from "@jifen/api-types";
import { Alert, App, Collapse, Form, Input, Modal, Spin, Table, Typography } from "antd";
import { useEffect, useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import { ErrorNotice, isNegative, useAccountLabel } from "./listing.tsx";

type Preview = Ok<"previewOrderRefund">;
type Balance = Preview["balances"][number];

function isDebt(b: Balance): boolean {
  return b.account.includes(":debt:");
}

function BalanceTable({ rows, testId }: { rows: Balance[]; testId: string }) {
  const { t } = useI18n();
  const label = useAccountLabel();
  return (
    <Table<Balance>
      rowKey={(b) => `${b.account}/${b.asset}`}
      size="small"
      pagination={false}
      dataSource={rows}
      data-testid={testId}
      rowClassName={(b) => (isDebt(b) ? "refund-debt-row" : "")}
      columns={[
        {
          title: t("orders.refund.member"),
          key: "member",
          render: (_, b) => b.memberPhone ?? t("orders.refund.platform"),
        },
        {
          title: t("orders.effect.account"),
          key: "account",
          render: (_, b) => (
            <Typography.Text type={isDebt(b) ? "danger" : undefined} strong={isDebt(b)}>
              {label(b.account)}
            </Typography.Text>
          ),
        },
        { title: t("orders.refund.before"), dataIndex: "before", align: "right" },
        {
          title: t("orders.refund.change"),
          key: "change",
          align: "right",
          render: (_, b) => (
            <Typography.Text type={isNegative(b.change) ? "danger" : "success"}>{b.change}</Typography.Text>
          ),
        },
        { title: t("orders.refund.after"), dataIndex: "after", align: "right" },
      ]}
    />
  );
}

function PreviewView({ preview }: { preview: Preview }) {
  const { t } = useI18n();
  const label = useAccountLabel();
  const members = preview.balances.filter((b) => b.memberId !== null);
  const platform = preview.balances.filter((b) => b.memberId === null);
  const debts = members.filter((b) => isDebt(b) && isNegative(b.change));
  return (
    <>
      <Typography.Paragraph>{t("orders.refund.intro")}</Typography.Paragraph>
      {debts.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="refund-debt-warning"
          title={t("orders.refund.debtWarning", {
            accounts: debts.map((d) => `${d.memberPhone ?? ""} ${label(d.account)} ${d.after}`).join("；"),
          })}
        />
      )}
      <BalanceTable rows={members} testId="refund-preview" />
      {platform.length > 0 && (
        <Collapse
          ghost
          style={{ marginTop: 8 }}
          items={[
            {
              key: "platform",
              label: t("orders.refund.platformLines"),
              children: <BalanceTable rows={platform} testId="refund-preview-platform" />,
            },
          ]}
        />
      )}
    </>
  );
}

export function RefundModal(props: { orderId: string | null; onClose: () => void; onRefunded: () => void }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const { orderId } = props;
  useEffect(() => {
    setPreview(null);
    setError(null);
    if (!orderId) return;
    unwrap(
      api.GET("/admin/orders/{id}/refund-preview", {
        params: { path: { id: orderId } },
        headers: { "accept-language": language },
      }),
    ).then(setPreview, (caught: unknown) => setError(caught instanceof ApiError ? caught : null));
  }, [orderId, language]);

  async function submit({ reason }: { reason: string }) {
    if (!orderId) return;
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.POST("/admin/orders/{id}/refund", {
          params: { path: { id: orderId }, header: { "idempotency-key": crypto.randomUUID() } },
          body: { reason },
        }),
      );
      message.success(t("orders.refund.done"));
      form.resetFields();
      props.onRefunded();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : null);
      if (!(caught instanceof ApiError)) message.error(String(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={orderId !== null}
      title={orderId ? t("orders.refund.title", { id: orderId }) : ""}
      width={820}
      okText={t("orders.refund.submit")}
      okButtonProps={{ danger: true, disabled: preview === null, loading: busy }}
      onOk={() => form.submit()}
      onCancel={props.onClose}
      destroyOnHidden
      data-testid="refund-modal"
    >
      <ErrorNotice error={error} />
      {!preview && !error && (
        <Spin tip={t("orders.refund.loading")}>
          <div style={{ height: 80 }} />
        </Spin>
      )}
      {preview && <PreviewView preview={preview} />}
      <Form form={form} layout="vertical" onFinish={submit} style={{ marginTop: 16 }}>
        <Form.Item
          name="reason"
          label={t("orders.refund.reason")}
          rules={[{ required: true, whitespace: true, message: t("orders.refund.reasonRequired") }]}
        >
          <Input.TextArea
            rows={2}
            maxLength={200}
            showCount
            placeholder={t("orders.refund.reasonPlaceholder")}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
