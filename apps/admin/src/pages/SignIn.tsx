import { Alert, Button, Card, Form, Input, Typography } from "antd";
import { useState } from "react";
import { Navigate, useNavigate } from "react-router";
import { ApiError, api, setSession, unwrap } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";
import { useSession } from "../session.ts";

interface Fields {
  username: string;
  password: string;
}

/** Operator sign-in: username and password; the server's refusal is shown as it says it. */
export function SignIn() {
  const { t, language, setLanguage } = useI18n();
  const navigate = useNavigate();
  const session = useSession();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  if (session) return <Navigate to="/dashboard" replace />;

  async function submit(fields: Fields) {
    setBusy(true);
    setError(null);
    try {
      const answer = await unwrap(api.POST("/admin/auth/login", { body: fields }));
      setSession(answer);
      navigate("/dashboard", { replace: true });
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : null);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div
      style={{
        minHeight: "100vh",
        display: "flex",
        alignItems: "center",
        justifyContent: "center",
        background: "linear-gradient(135deg, #fff2e8 0%, #f5f5f5 60%)",
      }}
    >
      <Card style={{ width: 380 }}>
        <Typography.Title level={3} style={{ marginBottom: 0 }}>
          {t("app.title")}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t("signIn.subtitle")}</Typography.Paragraph>
        {error && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            title={error.sentence(language)}
            data-testid="sign-in-error"
          />
        )}
        <Form<Fields> layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item
            name="username"
            label={t("signIn.username")}
            rules={[{ required: true, message: t("signIn.usernameRequired") }]}
          >
            <Input autoComplete="username" maxLength={64} />
          </Form.Item>
          <Form.Item
            name="password"
            label={t("signIn.password")}
            rules={[{ required: true, message: t("signIn.passwordRequired") }]}
          >
            <Input.Password autoComplete="current-password" maxLength={72} />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t("signIn.submit")}
          </Button>
        </Form>
        <Button
          type="link"
          style={{ marginTop: 8, padding: 0 }}
          onClick={() => setLanguage(language === "en" ? "zh-CN" : "en")}
        >
          {t("app.language")}
        </Button>
      </Card>
    </div>
  );
}
