/**
 * The console's pages, addressed after a `#` (/admin/#/members): the API owns the
 * paths under /admin/. Every page but sign-in is its own chunk, loaded when opened.
 */
import { App as AntApp, ConfigProvider, Result, Spin } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { lazy, type ReactNode, Suspense } from "react";
import { createHashRouter, Navigate, RouterProvider } from "react-router";
import type { Role } from "./api.ts";
import { useI18n } from "./i18n/index.tsx";
import { PAGES } from "./pages/registry.tsx";
import { SignIn } from "./pages/SignIn.tsx";
import { useSession } from "./session.ts";

const ConsoleLayout = lazy(() => import("./layout/ConsoleLayout.tsx"));

function Loading() {
  const { t } = useI18n();
  return (
    <div style={{ padding: 48, textAlign: "center" }}>
      <Spin tip={t("page.loading")}>
        <div style={{ height: 48 }} />
      </Spin>
    </div>
  );
}

function Page({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

function NotFound() {
  const { t } = useI18n();
  return <Result status="404" title={t("page.notFound")} />;
}

/** A page the operator's role may not open answers "not found" (its menu entry is hidden too). */
function RequirePage({ roles, children }: { roles: readonly Role[]; children: ReactNode }) {
  const session = useSession();
  return session && roles.includes(session.operator.role) ? children : <NotFound />;
}

function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  return session ? children : <Navigate to="/sign-in" replace />;
}

const router = createHashRouter([
  { path: "/sign-in", element: <SignIn /> },
  {
    path: "/",
    element: (
      <RequireSession>
        <Page>
          <ConsoleLayout />
        </Page>
      </RequireSession>
    ),
    children: [
      { index: true, element: <Navigate to="/dashboard" replace /> },
      ...PAGES.map((page) => ({
        path: `${page.key}/*`,
        element: (
          <RequirePage roles={page.roles}>
            <Page>
              <page.component />
            </Page>
          </RequirePage>
        ),
      })),
      { path: "*", element: <NotFound /> },
    ],
  },
]);

export function App() {
  const { language } = useI18n();
  return (
    <ConfigProvider locale={language === "en" ? enUS : zhCN} theme={{ token: { colorPrimary: "#d4380d" } }}>
      <AntApp>
        <RouterProvider router={router} />
      </AntApp>
    </ConfigProvider>
  );
}
