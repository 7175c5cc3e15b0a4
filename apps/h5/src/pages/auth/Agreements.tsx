import { Button, Checkbox, Popup } from "antd-mobile";
import { Fragment, useEffect, useState } from "react";
import { ApiError, api, setSession, unwrap } from "../../api.ts";
import { useLoad } from "../../components/useLoad.ts";
import { useI18n } from "../../i18n/index.tsx";
import { useSession } from "../../session.tsx";

type Kind = "terms" | "privacy";

/** One agreement as the server serves it (GET /agreements/{kind}). */
export interface Agreement {
  readonly kind: Kind;
  readonly version: number;
  readonly title: string;
  readonly body: string;
}

/** The versions of the texts shown, as the server takes them when the member accepts. */
export function versionsOf(read: { terms: Agreement; privacy: Agreement }) {
  return { terms: String(read.terms.version), privacy: String(read.privacy.version) };
}

/** Both agreements in force; `reload` after the server says a newer version was published. */
export function useAgreements() {
  return useLoad(async () => {
    const [terms, privacy] = await Promise.all(
      (["terms", "privacy"] as const).map((kind) =>
        unwrap(api.GET("/agreements/{kind}", { params: { path: { kind } } })),
      ),
    );
    return { terms: terms as Agreement, privacy: privacy as Agreement };
  }, "agreements");
}

/** An agreement's text, paragraph by paragraph, in a sheet from the bottom with a close button. */
function AgreementSheet({ agreement, onClose }: { agreement: Agreement | null; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Popup
      visible={agreement !== null}
      onMaskClick={onClose}
      onClose={onClose}
      bodyStyle={{
        borderTopLeftRadius: 12,
        borderTopRightRadius: 12,
        height: "80vh",
        display: "flex",
        flexDirection: "column",
      }}
    >
      {agreement && (
        <>
          <h2 style={{ margin: 0, padding: "16px 16px 8px", fontSize: 18, textAlign: "center" }}>
            {agreement.title}
          </h2>
          <div
            data-testid="agreement-text"
            style={{
              flex: 1,
              overflowY: "auto",
              padding: "0 16px",
              fontSize: 14,
              lineHeight: 1.7,
              color: "#333",
            }}
          >
            {agreement.body.split(/\n/).map((line, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the lines of a fixed text
              <p key={i} style={{ margin: line.trim() === "" ? "0 0 8px" : "0 0 4px" }}>
                {line}
              </p>
            ))}
          </div>
          <div style={{ padding: 12 }}>
            <Button block color="primary" shape="rounded" onClick={onClose}>
              {t("agreement.close")}
            </Button>
          </div>
        </>
      )}
    </Popup>
  );
}

/** The two titles as links that open the text; `before` and `after` around them ("我已阅读并同意…"). */
function AgreementLinks({
  agreements,
  before,
}: {
  agreements: { terms: Agreement; privacy: Agreement } | undefined;
  before: string;
}) {
  const { t } = useI18n();
  const [open, setOpen] = useState<Agreement | null>(null);
  const link = (kind: Kind) => (
    <button
      type="button"
      data-testid={`agreement-${kind}`}
      onClick={(event) => {
        event.preventDefault();
        event.stopPropagation();
        if (agreements) setOpen(agreements[kind]);
      }}
      style={{ border: "none", background: "none", padding: 0, color: "#e4393c", font: "inherit" }}
    >
      《{agreements?.[kind].title ?? t(kind === "terms" ? "agreement.terms" : "agreement.privacy")}》
    </button>
  );
  return (
    <Fragment>
      {before}
      {link("terms")}
      {t("agreement.and")}
      {link("privacy")}
      <AgreementSheet agreement={open} onClose={() => setOpen(null)} />
    </Fragment>
  );
}

/** The consent box of the register page: unticked until the member ticks it; the titles open the texts. */
export function ConsentBox({
  agreements,
  checked,
  onChange,
}: {
  agreements: { terms: Agreement; privacy: Agreement } | undefined;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const { t } = useI18n();
  return (
    <div data-testid="consent" style={{ marginTop: 16, fontSize: 13, color: "#666", lineHeight: 1.6 }}>
      <Checkbox
        checked={checked}
        onChange={onChange}
        style={{ "--icon-size": "18px", "--font-size": "13px", "--gap": "6px" }}
      >
        <AgreementLinks agreements={agreements} before={t("agreement.readAndAgree")} />
      </Checkbox>
    </div>
  );
}

/** The sign-in page's notice: signing in accepts the agreements, each one a link to its text. */
export function SignInNotice() {
  const { t } = useI18n();
  const { data } = useAgreements();
  return (
    <p style={{ color: "#999", fontSize: 12, textAlign: "center", marginTop: 24, lineHeight: 1.7 }}>
      <AgreementLinks agreements={data} before={t("auth.agree")} />
    </p>
  );
}

/**
 * A signed-in member whose accepted versions are no longer in force (the shop
 * published a newer text, or the member registered without the member site)
 * is asked to read and accept them before going on; 退出登录 is the other way out.
 */
export function AgreementUpdate() {
  const { t, language } = useI18n();
  const session = useSession();
  const agreements = useAgreements();
  const [pending, setPending] = useState<Agreement[]>([]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (!session) return setPending([]);
    unwrap(api.GET("/me/agreements")).then(
      (answer) => setPending(answer.pending as Agreement[]),
      () => setPending([]),
    );
  }, [session]);

  async function accept() {
    const read = agreements.data;
    if (!read) return;
    setBusy(true);
    setProblem(null);
    try {
      const answer = await unwrap(api.POST("/me/agreements", { body: versionsOf(read) }));
      setPending(answer.pending as Agreement[]);
    } catch (caught) {
      if (caught instanceof ApiError) setProblem(caught.sentence(language));
      agreements.reload();
    } finally {
      setBusy(false);
    }
  }

  if (pending.length === 0) return null;
  const titles = pending.map((a) => `《${a.title}》`).join(t("agreement.and"));
  return (
    <Popup visible bodyStyle={{ borderTopLeftRadius: 12, borderTopRightRadius: 12, padding: 20 }}>
      <div data-testid="agreement-update">
        <h2 style={{ margin: "0 0 12px", fontSize: 18, textAlign: "center" }}>
          {t("agreement.updateTitle")}
        </h2>
        <p style={{ fontSize: 14, color: "#333", lineHeight: 1.7, margin: "0 0 8px" }}>
          {t("agreement.updateText", { titles })}
        </p>
        <p style={{ fontSize: 13, color: "#666", lineHeight: 1.7, margin: "0 0 12px" }}>
          <AgreementLinks agreements={agreements.data} before={t("agreement.readFull")} />
        </p>
        {problem && <p style={{ color: "#ff3141", fontSize: 13, margin: "0 0 8px" }}>{problem}</p>}
        <Button block color="primary" shape="rounded" loading={busy} onClick={accept}>
          {t("agreement.accept")}
        </Button>
        <Button block fill="none" style={{ marginTop: 8, color: "#999" }} onClick={() => setSession(null)}>
          {t("agreement.decline")}
        </Button>
      </div>
    </Popup>
  );
}
