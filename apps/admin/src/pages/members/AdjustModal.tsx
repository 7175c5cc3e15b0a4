import type { Ok } from "@jifen/api-types";
import { Alert, App, Button, Descriptions, Form, Input, Modal, Radio, Select, Space } from "antd";
import { useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import { labelOf, signed } from "./format.ts";

type Wallet = "cash" | "points" | "stable";
type Preview = Ok<"previewMemberAdjustment">;

interface Fields {
  wallet: Wallet;
  direction: "add" | "take";
  amount: string;
  reason: string;
}

/** Plain positive decimals: cash to the fen, points to 6 places (the server checks again). */
const AMOUNT: Record<Wallet, RegExp> = {
  cash: /^(0|[1-9][0-9]{0,8})(\.[0-9]{1,2})?$/,
  points: /^(0|[1-9][0-9]{0,8})(\.[0-9]{1,6})?$/,
  stable: /^(0|[1-9][0-9]{0,8})(\.[0-9]{1,6})?$/,
};
const ZERO = /^0(\.0*)?$/;

/**
 * 增加/扣除积分: the operator fills wallet, direction, amount and a required
 * reason; the server previews the balance after (a rolled-back dry run, no
 * arithmetic here); the operator confirms, and the adjustment is sent once
 * (one Idempotency-Key per confirmation, so a double click adjusts once).
 */
export function AdjustModal({
  memberId,
  open,
  onClose,
  onDone,
}: {
  memberId: string;
  open: boolean;
  onClose(): void;
  onDone(): void;
}) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Fields>();
  const [preview, setPreview] = useState<{
    body: { wallet: Wallet; amount: string; reason: string };
    answer: Preview;
    key: string;
  } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  function close() {
    setPreview(null);
    setError(null);
    form.resetFields();
    onClose();
  }

  async function run<T>(call: () => Promise<T>): Promise<T | null> {
    setBusy(true);
    setError(null);
    try {
      return await call();
    } catch (caught) {
      if (!(caught instanceof ApiError)) throw caught;
      setError(caught);
      return null;
    } finally {
      setBusy(false);
    }
  }

  async function review(fields: Fields) {
    const body = {
      wallet: fields.wallet,
      amount: fields.direction === "take" ? `-${fields.amount}` : fields.amount,
      reason: fields.reason.trim(),
    };
    const answer = await run(() =>
      unwrap(
        api.POST("/admin/members/{id}/adjustments/preview", { params: { path: { id: memberId } }, body }),
      ),
    );
    if (answer) setPreview({ body, answer, key: crypto.randomUUID() });
  }

  async function confirm() {
    if (!preview) return;
    const done = await run(() =>
      unwrap(
        api.POST("/admin/members/{id}/adjustments", {
          params: { path: { id: memberId }, header: { "idempotency-key": preview.key } },
          body: preview.body,
        }),
      ),
    );
    if (!done) return;
    message.success(t("members.adjust.done", { balance: done.balance }));
    close();
    onDone();
  }

  const walletLabel = (w: string) => labelOf(t, "members.wallet.", w);
  return (
    <Modal
      open={open}
      title={preview ? t("members.adjust.confirmTitle") : t("members.adjust.title")}
      onCancel={close}
      footer={null}
      destroyOnHidden
      width={520}
    >
      {error && (
        <Alert
          type="error"
          showIcon
          title={error.sentence(language)}
          style={{ marginBottom: 16 }}
          data-testid="adjust-error"
        />
      )}
      {preview ? (
        <Space orientation="vertical" style={{ width: "100%" }}>
          <Descriptions
            column={1}
            bordered
            size="small"
            data-testid="adjust-preview"
            items={[
              {
                key: "wallet",
                label: t("members.adjust.wallet"),
                children: walletLabel(preview.answer.wallet),
              },
              { key: "change", label: t("members.adjust.change"), children: signed(preview.answer.amount) },
              { key: "before", label: t("members.adjust.before"), children: preview.answer.balanceBefore },
              {
                key: "after",
                label: t("members.adjust.after"),
                children: <strong data-testid="adjust-balance-after">{preview.answer.balanceAfter}</strong>,
              },
              {
                key: "debtBefore",
                label: t("members.adjust.debtBefore"),
                children: preview.answer.debtBefore,
              },
              { key: "debtAfter", label: t("members.adjust.debtAfter"), children: preview.answer.debtAfter },
              { key: "reason", label: t("members.adjust.reason"), children: preview.body.reason },
            ]}
          />
          <Space style={{ justifyContent: "flex-end", width: "100%" }}>
            <Button onClick={() => setPreview(null)}>{t("members.adjust.back")}</Button>
            <Button
              type="primary"
              danger={preview.body.amount.startsWith("-")}
              loading={busy}
              onClick={confirm}
            >
              {t("members.adjust.confirm")}
            </Button>
          </Space>
        </Space>
      ) : (
        <Form<Fields>
          form={form}
          layout="vertical"
          initialValues={{ wallet: "points", direction: "add" }}
          onFinish={review}
        >
          <Form.Item name="wallet" label={t("members.adjust.wallet")} rules={[{ required: true }]}>
            <Select<Wallet>
              options={(["points", "cash", "stable"] as const).map((w) => ({
                value: w,
                label: walletLabel(w),
              }))}
            />
          </Form.Item>
          <Form.Item name="direction" label={t("members.adjust.direction")}>
            <Radio.Group
              optionType="button"
              options={[
                { value: "add", label: t("members.adjust.add") },
                { value: "take", label: t("members.adjust.take") },
              ]}
            />
          </Form.Item>
          <Form.Item
            name="amount"
            label={t("members.adjust.amount")}
            dependencies={["wallet"]}
            rules={[
              { required: true, message: t("members.adjust.amountRequired") },
              ({ getFieldValue }) => ({
                validator: (_, value: string | undefined) =>
                  !value || (AMOUNT[getFieldValue("wallet") as Wallet].test(value) && !ZERO.test(value))
                    ? Promise.resolve()
                    : Promise.reject(new Error(t("members.adjust.amountFormat"))),
              }),
            ]}
          >
            <Input inputMode="decimal" maxLength={20} />
          </Form.Item>
          <Form.Item
            name="reason"
            label={t("members.adjust.reason")}
            rules={[{ required: true, whitespace: true, message: t("members.adjust.reasonRequired") }]}
          >
            <Input maxLength={200} showCount placeholder={t("members.adjust.reasonPlaceholder")} />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t("members.adjust.next")}
          </Button>
        </Form>
      )}
    </Modal>
  );
}
