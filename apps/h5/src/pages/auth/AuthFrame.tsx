import type { ReactNode } from "react";
import { useI18n } from "../../i18n/index.tsx";

/** The frame of the sign-in, register and reset pages: a red header, a white card, the language switch. */
export function AuthFrame({ title, children }: { title: string; children: ReactNode }) {
  const { t, language, setLanguage } = useI18n();
  return (
    <div style={{ minHeight: "100vh", background: "#fff" }}>
      <div
        style={{
          background: "linear-gradient(160deg, #ff5a3c 0%, #e4393c 60%, #c81623 100%)",
          color: "#fff",
          padding: "40px 24px 56px",
          position: "relative",
        }}
      >
        <button
          type="button"
          onClick={() => setLanguage(language === "en" ? "zh-CN" : "en")}
          style={{
            position: "absolute",
            top: 8,
            right: 8,
            minHeight: 44,
            padding: "0 12px",
            background: "transparent",
            border: "none",
            color: "#fff",
            fontSize: 14,
          }}
        >
          {t("app.language")}
        </button>
        <div style={{ fontSize: 26, fontWeight: 600 }}>{title}</div>
        <div style={{ marginTop: 8, opacity: 0.85, fontSize: 14 }}>{t("auth.subtitle")}</div>
      </div>
      <div
        style={{
          margin: "-32px 12px 0",
          background: "#fff",
          borderRadius: 12,
          padding: "20px 16px",
          boxShadow: "0 4px 16px rgba(0,0,0,0.06)",
          position: "relative",
        }}
      >
        {children}
      </div>
    </div>
  );
}

/** One labelled row of an auth form: the label on the left, the input, an optional button on the right. */
export function FieldRow({
  id,
  label,
  children,
  extra,
}: {
  id: string;
  label: string;
  children: ReactNode;
  extra?: ReactNode;
}) {
  return (
    <div
      style={{
        display: "flex",
        alignItems: "center",
        borderBottom: "1px solid #eee",
        minHeight: 52,
        gap: 8,
      }}
    >
      <label htmlFor={id} style={{ width: 64, flex: "none", fontSize: 15, color: "#333" }}>
        {label}
      </label>
      <div style={{ flex: 1, minWidth: 0 }}>{children}</div>
      {extra}
    </div>
  );
}
