import { Button, Input } from "antd-mobile";
import { useState } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { ApiError, api, setSession, unwrap } from "../../api.ts";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { useI18n } from "../../i18n/index.tsx";
import { useSession } from "../../session.tsx";
import { ConsentBox, useAgreements, versionsOf } from "./Agreements.tsx";
import { AuthFrame, FieldRow } from "./AuthFrame.tsx";
import { afterSignIn, CodeField, checkFields, PasswordField, PhoneField } from "./fields.tsx";
import { LINK } from "./SignIn.tsx";

/** Register with the mobile number, an SMS code and a password; the invite link fills the invite code. */
export default function Register() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const session = useSession();
  const invited = (search.get("invite") ?? "").trim().toUpperCase();
  const [phone, setPhone] = useState("");
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [invite, setInvite] = useState(invited);
  const [problem, setProblem] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  const [agreed, setAgreed] = useState(false);
  const agreements = useAgreements();
  if (session) return <Navigate to={afterSignIn(search)} replace />;

  async function submit() {
    const local = checkFields(t, { phone, code, password });
    if (local) return setProblem(local);
    const read = agreements.data;
    if (!agreed || !read) return setProblem(t("agreement.required"));
    setBusy(true);
    setProblem(null);
    try {
      const inviteCode = invite.trim();
      const body = {
        phone,
        code,
        password,
        agreements: versionsOf(read),
        ...(inviteCode ? { inviteCode } : {}),
      };
      setSession(await unwrap(api.POST("/auth/register", { body })));
      navigate("/me", { replace: true });
    } catch (caught) {
      if (caught instanceof ApiError) setProblem(caught);
      // A newer text was published meanwhile: show it, and ask for the tick again.
      if (caught instanceof ApiError && caught.code === "AGREEMENT_OUTDATED") {
        setAgreed(false);
        agreements.reload();
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthFrame title={t("auth.registerTitle")}>
      {invited && (
        <div data-testid="invited-by" style={{ color: "#e4393c", fontSize: 14, marginBottom: 8 }}>
          {t("auth.invitedBy", { code: invited })}
        </div>
      )}
      <ErrorNotice error={problem} />
      <PhoneField value={phone} onChange={setPhone} />
      <CodeField value={code} onChange={setCode} phone={phone} purpose="register" onProblem={setProblem} />
      <PasswordField value={password} onChange={setPassword} fresh />
      <FieldRow id="invite" label={t("auth.invite")}>
        <Input
          id="invite"
          maxLength={16}
          placeholder={t("auth.invitePlaceholder")}
          value={invite}
          onChange={(v) => setInvite(v.toUpperCase())}
        />
      </FieldRow>
      <ConsentBox agreements={agreements.data} checked={agreed} onChange={setAgreed} />
      <Button
        block
        color="primary"
        size="large"
        shape="rounded"
        loading={busy}
        onClick={submit}
        style={{ marginTop: 16 }}
      >
        {t("auth.registerSubmit")}
      </Button>
      <div style={{ textAlign: "center", marginTop: 8 }}>
        <Link to="/sign-in" style={LINK}>
          {t("auth.toSignIn")}
        </Link>
      </div>
    </AuthFrame>
  );
}
