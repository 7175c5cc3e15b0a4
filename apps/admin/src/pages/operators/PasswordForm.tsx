/**
 * The signed-in operator's own password: current, new, repeated. On success the
 * server ends the operator's other sessions and keeps this one; the session
 * forgets `mustChangePassword`.
 */
import { Alert, Button, Form, Input } from "antd";
import { useState } from "react";
import { ApiError, api, getSession, setSession, unwrap } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";

interface Fields {
  currentPassword: string;
  newPassword: string;
  repeat: string;
}

export function PasswordForm({ onDone }: { onDone: () => void }) {
  const { t, language } = useI18n();
  const [form] = Form.useForm<Fields>();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(fields: Fields) {
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.POST("/admin/me/password", {
          body: { currentPassword: fields.currentPassword, newPassword: fields.newPassword },
        }),
      );
      const session = getSession();
      if (session) {
        setSession({
          ...session,
          mustChangePassword: false,
          operator: { ...session.operator, mustChangePassword: false },
        });
      }
      form.resetFields();
      onDone();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : null);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Form<Fields>
      form={form}
      layout="vertical"
      onFinish={submit}
      requiredMark={false}
      data-testid="password-form"
    >
      {error && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={error.sentence(language)}
          data-testid="password-error"
        />
      )}
      <Form.Item
        name="currentPassword"
        label={t("password.current")}
        rules={[{ required: true, message: t("password.currentRequired") }]}
      >
        <Input.Password autoComplete="current-password" maxLength={72} />
      </Form.Item>
      <Form.Item
        name="newPassword"
        label={t("password.new")}
        rules={[{ required: true, min: 8, message: t("password.newRule") }]}
      >
        <Input.Password autoComplete="new-password" maxLength={72} />
      </Form.Item>
      <Form.Item
        name="repeat"
        label={t("password.confirm")}
        dependencies={["newPassword"]}
        rules={[
          { required: true, message: t("password.newRule") },
          ({ getFieldValue }) => ({
            validator: (_, value) =>
              !value || value === getFieldValue("newPassword")
                ? Promise.resolve()
                : Promise.reject(new Error(t("password.mismatch"))),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" maxLength={72} />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={busy}>
        {t("password.submit")}
      </Button>
    </Form>
  );
}
