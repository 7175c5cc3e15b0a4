/** The console's frame: a side menu of the pages the operator's role may open, a header, the page. */
import { Button, Layout, Menu, Space, Tag, Typography } from "antd";
import { lazy, Suspense } from "react";
import { Outlet, useLocation, useNavigate } from "react-router";
import { api, setSession } from "../api.ts";
import { type MessageKey, useI18n } from "../i18n/index.tsx";
import { pagesFor } from "../pages/registry.tsx";
import { useSession } from "../session.ts";

const ForcePasswordChange = lazy(() => import("../pages/operators/ForcePasswordChange.tsx"));
const ChangePasswordButton = lazy(() => import("../pages/operators/ChangePasswordButton.tsx"));

export default function ConsoleLayout() {
  const { t, language, setLanguage } = useI18n();
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  if (!session) return null;
  // Signed in with the public demo password: nothing but the password change until it is done.
  if (session.mustChangePassword) {
    return (
      <Suspense fallback={null}>
        <ForcePasswordChange />
      </Suspense>
    );
  }
  const selected = location.pathname.split("/")[1] ?? "dashboard";
  const page = pagesFor(session.operator.role).find((p) => p.key === selected);

  async function signOut() {
    await api.POST("/admin/auth/logout").catch(() => undefined);
    setSession(null);
  }

  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Layout.Sider width={208} theme="dark">
        <div style={{ color: "#fff", fontWeight: 600, fontSize: 16, padding: "18px 24px" }}>
          {t("app.title")}
        </div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={[selected]}
          items={pagesFor(session.operator.role).map((entry) => ({
            key: entry.key,
            icon: entry.icon,
            label: t(entry.label),
          }))}
          onClick={({ key }) => navigate(`/${key}`)}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{ background: "#fff", padding: "0 24px", display: "flex", justifyContent: "flex-end" }}
        >
          <Space>
            <Typography.Text>{session.operator.username}</Typography.Text>
            <Tag color="volcano">{t(`role.${session.operator.role}` as MessageKey)}</Tag>
            <Suspense fallback={null}>
              <ChangePasswordButton />
            </Suspense>
            <Button type="text" onClick={() => setLanguage(language === "en" ? "zh-CN" : "en")}>
              {t("app.language")}
            </Button>
            <Button type="link" onClick={signOut}>
              {t("layout.signOut")}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ margin: 24 }}>
          {page && !page.ownTitle && (
            <Typography.Title level={4} style={{ margin: "0 0 16px" }} data-testid="page-title">
              {t(page.label)}
            </Typography.Title>
          )}
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
