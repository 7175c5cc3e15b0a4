import { Button, Tabs } from "antd-mobile";
import { useState } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { ApiError, api, setSession, unwrap } from "../../api.ts";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { useI18n } from "../../i18n/index.tsx";
import { useSession } from "../../session.tsx";
import { SignInNotice } from "./Agreements.tsx";
import { AuthFrame } from "./AuthFrame.tsx";
import { afterSignIn, CodeField, checkFields, PasswordField, PhoneField } from "./fields.tsx";

type Mode = "code" | "password";

/** Sign-in with the mobile number and an SMS code (or the password). */
export function SignIn() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const session = useSession();
  const [mode, setMode] = useState<Mode>("code");
  const [phone, setPhone] = useState("");
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  if (session) return <Navigate to={afterSignIn(search)} replace />;

  async function submit() {
    const local = checkFields(t, mode === "code" ? { phone, code } : { phone });
    if (local) return setProblem(local);
    setBusy(true);
    setProblem(null);
    try {
      const body = mode === "code" ? { phone, code } : { phone, password };
      setSession(await unwrap(api.POST("/auth/login", { body })));
      navigate(afterSignIn(search), { replace: true });
    } catch (caught) {
      if (caught instanceof ApiError) setProblem(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthFrame title={t("auth.welcome")}>
      <Tabs activeKey={mode} onChange={(key) => setMode(key as Mode)} style={{ marginBottom: 8 }}>
        <Tabs.Tab title={t("auth.byCode")} key="code" />
        <Tabs.Tab title={t("auth.byPassword")} key="password" />
      </Tabs>
      <ErrorNotice error={problem} />
      <PhoneField value={phone} onChange={setPhone} />
      {mode === "code" ? (
        <CodeField value={code} onChange={setCode} phone={phone} purpose="login" onProblem={setProblem} />
      ) : (
        <PasswordField value={password} onChange={setPassword} />
      )}
      <Button
        block
        color="primary"
        size="large"
        shape="rounded"
        loading={busy}
        onClick={submit}
        style={{ marginTop: 24 }}
      >
        {t("auth.signIn")}
      </Button>
      <div style={{ display: "flex", justifyContent: "space-between", marginTop: 8 }}>
        <Link to={`/register${search.size ? `?${search}` : ""}`} style={LINK}>
          {t("auth.toRegister")}
        </Link>
        <Link to="/reset-password" style={LINK}>
          {t("auth.forgot")}
        </Link>
      </div>
      <SignInNotice />
    </AuthFrame>
  );
}

export const LINK = {
  color: "#e4393c",
  fontSize: 14,
  display: "inline-flex",
  alignItems: "center",
  minHeight: 44,
} as const;
