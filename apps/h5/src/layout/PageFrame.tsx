import { NavBar } from "antd-mobile";
import type { ReactNode } from "react";
import { useNavigate } from "react-router";

/** A page below a tab: a title bar with a back arrow (back in history, or to `fallback` when opened directly). */
export function PageFrame({
  title,
  fallback = "/me",
  right,
  children,
}: {
  title: string;
  fallback?: string;
  right?: ReactNode;
  children: ReactNode;
}) {
  const navigate = useNavigate();
  function back() {
    const state = window.history.state as { idx?: number } | null;
    if (state?.idx && state.idx > 0) navigate(-1);
    else navigate(fallback, { replace: true });
  }
  return (
    <div style={{ minHeight: "100vh", background: "#f5f5f5" }}>
      <div
        style={{ position: "sticky", top: 0, zIndex: 50, background: "#fff", borderBottom: "1px solid #eee" }}
      >
        <NavBar onBack={back} right={right}>
          {title}
        </NavBar>
      </div>
      {children}
    </div>
  );
}
