/**
 * The member site's pages, history routes under /h5/ (the server answers index.html
 * for any path there, so /h5/register?invite=… opens the register page). Sign-in is
 * in the first chunk; every other page is its own chunk, loaded when opened.
 */
import { ConfigProvider, DotLoading, ErrorBlock } from "antd-mobile";
import enUS from "antd-mobile/es/locales/en-US";
import zhCN from "antd-mobile/es/locales/zh-CN";
import { type ComponentType, type LazyExoticComponent, lazy, type ReactNode, Suspense } from "react";
import { createBrowserRouter, Link, Navigate, RouterProvider } from "react-router";
import { useI18n } from "./i18n/index.tsx";
import { TabLayout } from "./layout/TabLayout.tsx";
import { SignIn } from "./pages/auth/SignIn.tsx";
import { RequireSession } from "./session.tsx";

type Lazy = LazyExoticComponent<ComponentType>;

/** The pages with the tab bar; `member` pages need a signed-in member. A page owns `path/*`. */
const TAB_PAGES: readonly { path: string; component: Lazy; member: boolean }[] = [
  // The shop's pages (branch h5-shop): products are public, its own pages guard checkout.
  { path: "shop", component: lazy(() => import("./pages/shop/index.tsx")), member: false },
  { path: "equity", component: lazy(() => import("./pages/equity/Equity.tsx")), member: true },
  { path: "team", component: lazy(() => import("./pages/team/Team.tsx")), member: true },
  { path: "me", component: lazy(() => import("./pages/me/Me.tsx")), member: true },
];

/** Pages without the tab bar (a title bar with a back arrow instead). */
const SUB_PAGES: readonly { path: string; component: Lazy; member: boolean }[] = [
  { path: "register", component: lazy(() => import("./pages/auth/Register.tsx")), member: false },
  { path: "reset-password", component: lazy(() => import("./pages/auth/ResetPassword.tsx")), member: false },
  { path: "records", component: lazy(() => import("./pages/records/Records.tsx")), member: true },
  { path: "invite", component: lazy(() => import("./pages/invite/Invite.tsx")), member: true },
  { path: "withdraw", component: lazy(() => import("./pages/withdraw/Withdraw.tsx")), member: true },
  { path: "accounts", component: lazy(() => import("./pages/accounts/Accounts.tsx")), member: true },
];

function Loading() {
  return (
    <div style={{ padding: 48, textAlign: "center", color: "#999", fontSize: 24 }}>
      <DotLoading />
    </div>
  );
}

function Page({ member, children }: { member: boolean; children: ReactNode }) {
  const page = <Suspense fallback={<Loading />}>{children}</Suspense>;
  return member ? <RequireSession>{page}</RequireSession> : page;
}

function NotFound() {
  const { t } = useI18n();
  return (
    <ErrorBlock status="empty" title={t("page.notFound")} description="" style={{ paddingTop: 80 }}>
      <Link to="/shop">{t("page.backHome")}</Link>
    </ErrorBlock>
  );
}

const toRoute = (page: { path: string; component: Lazy; member: boolean }) => ({
  path: `${page.path}/*`,
  element: (
    <Page member={page.member}>
      <page.component />
    </Page>
  ),
});

const router = createBrowserRouter(
  [
    { path: "/sign-in", element: <SignIn /> },
    ...SUB_PAGES.map(toRoute),
    {
      path: "/",
      element: <TabLayout />,
      children: [
        { index: true, element: <Navigate to="/shop" replace /> },
        ...TAB_PAGES.map(toRoute),
        { path: "*", element: <NotFound /> },
      ],
    },
  ],
  { basename: "/h5" },
);

export function App() {
  const { language } = useI18n();
  return (
    <ConfigProvider locale={language === "en" ? enUS : zhCN}>
      <RouterProvider router={router} />
    </ConfigProvider>
  );
}
