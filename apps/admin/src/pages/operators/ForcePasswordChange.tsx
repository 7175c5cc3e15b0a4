/**
 * Shown instead of the whole console while the sign-in answered
 * `mustChangePassword`: nothing else is reachable until the password is changed
 * (the server refuses every other call meanwhile).
 */
import { App, Button, Card, Typography } from "antd";
import { api, setSession } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";
import { PasswordForm } from "./PasswordForm.tsx";

export default function ForcePasswordChange() {
  const { t, language, setLanguage } = useI18n();
  const { message } = App.useApp();
  async function signOut() {
    await api.POST("/admin/auth/logout").catch(() => undefined);
    setSession(null);
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
      data-testid="force-password"
    >
      <Card style={{ width: 420 }}>
        <Typography.Title level={4}>{t("password.forcedTitle")}</Typography.Title>
        <Typography.Paragraph type="secondary">{t("password.forcedIntro")}</Typography.Paragraph>
        <PasswordForm onDone={() => message.success(t("password.done"))} />
        <div style={{ display: "flex", justifyContent: "space-between", marginTop: 8 }}>
          <Button
            type="link"
            style={{ padding: 0 }}
            onClick={() => setLanguage(language === "en" ? "zh-CN" : "en")}
          >
            {t("app.language")}
          </Button>
          <Button type="link" style={{ padding: 0 }} onClick={signOut}>
            {t("layout.signOut")}
          </Button>
        </div>
      </Card>
    </div>
  );
}
