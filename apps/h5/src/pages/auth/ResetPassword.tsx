import { Button, Toast } from "antd-mobile";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { ApiError, api, setSession, unwrap } from "../../api.ts";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { useI18n } from "../../i18n/index.tsx";
import { AuthFrame } from "./AuthFrame.tsx";
import { CodeField, checkFields, PasswordField, PhoneField } from "./fields.tsx";
import { LINK } from "./SignIn.tsx";

/** Reset the password with an SMS code, then sign in with the new one. */
export default function ResetPassword() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [phone, setPhone] = useState("");
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit() {
    const local = checkFields(t, { phone, code, password });
    if (local) return setProblem(local);
    setBusy(true);
    setProblem(null);
    try {
      await unwrap(api.POST("/auth/password-reset", { body: { phone, code, newPassword: password } }));
      Toast.show({ icon: "success", content: t("auth.resetDone") });
      setSession(await unwrap(api.POST("/auth/login", { body: { phone, password } })));
      navigate("/me", { replace: true });
    } catch (caught) {
      if (caught instanceof ApiError) setProblem(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthFrame title={t("auth.resetTitle")}>
      <ErrorNotice error={problem} />
      <PhoneField value={phone} onChange={setPhone} />
      <CodeField value={code} onChange={setCode} phone={phone} purpose="reset" onProblem={setProblem} />
      <PasswordField value={password} onChange={setPassword} fresh />
      <Button
        block
        color="primary"
        size="large"
        shape="rounded"
        loading={busy}
        onClick={submit}
        style={{ marginTop: 24 }}
      >
        {t("auth.resetSubmit")}
      </Button>
      <div style={{ textAlign: "center", marginTop: 8 }}>
        <Link to="/sign-in" style={LINK}>
          {t("auth.toSignIn")}
        </Link>
      </div>
    </AuthFrame>
  );
}
