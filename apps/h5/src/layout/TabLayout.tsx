import { SafeArea, TabBar } from "antd-mobile";
import { AppOutline, TeamOutline, TravelOutline, UserOutline } from "antd-mobile-icons";
import { Outlet, useLocation, useNavigate } from "react-router";
import { useI18n } from "../i18n/index.tsx";
import { AgreementUpdate } from "../pages/auth/Agreements.tsx";

/** The four tabs at the bottom, like a Chinese shop app: 商城 · 增值 · 团队 · 我的. */
const TABS = [
  { key: "/shop", title: "tab.shop", icon: <AppOutline /> },
  { key: "/equity", title: "tab.equity", icon: <TravelOutline /> },
  { key: "/team", title: "tab.team", icon: <TeamOutline /> },
  { key: "/me", title: "tab.me", icon: <UserOutline /> },
] as const;

export const TAB_BAR_HEIGHT = 50;

/** The tab pages' frame: the page above, the tab bar fixed at the bottom (above the phone's home bar). */
export function TabLayout() {
  const { t } = useI18n();
  const location = useLocation();
  const navigate = useNavigate();
  const active = TABS.find((tab) => location.pathname.startsWith(tab.key))?.key ?? "/shop";
  return (
    <div
      style={{
        minHeight: "100vh",
        paddingBottom: `calc(${TAB_BAR_HEIGHT + 8}px + env(safe-area-inset-bottom))`,
      }}
    >
      <Outlet />
      <AgreementUpdate />
      <nav
        style={{
          position: "fixed",
          bottom: 0,
          left: 0,
          right: 0,
          maxWidth: 480,
          margin: "0 auto",
          background: "#fff",
          borderTop: "1px solid #eee",
          zIndex: 100,
        }}
      >
        <TabBar activeKey={active} onChange={(key) => navigate(key)} safeArea={false}>
          {TABS.map((tab) => (
            <TabBar.Item key={tab.key} icon={tab.icon} title={t(tab.title)} />
          ))}
        </TabBar>
        <SafeArea position="bottom" />
      </nav>
    </div>
  );
}
