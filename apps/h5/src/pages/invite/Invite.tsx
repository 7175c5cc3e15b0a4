import { Button, Skeleton, Toast } from "antd-mobile";
import QRCode from "qrcode";
import { useEffect, useState } from "react";
import { api, unwrap } from "../../api.ts";
import { LoadError } from "../../components/ErrorNotice.tsx";
import { CARD, HEAD_GRADIENT } from "../../components/styles.ts";
import { useLoad } from "../../components/useLoad.ts";
import { useI18n } from "../../i18n/index.tsx";
import { PageFrame } from "../../layout/PageFrame.tsx";

/** The register page's address with the member's invite code. */
export function inviteLink(code: string): string {
  return `${window.location.origin}/h5/register?invite=${encodeURIComponent(code)}`;
}

/** Copies `text`: the Clipboard API where the page may use it, else a selected textarea (older WebViews). */
async function copy(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the textarea
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  area.setSelectionRange(0, text.length);
  const done = document.execCommand("copy");
  document.body.removeChild(area);
  return done;
}

/** 邀请好友: the invite link, its QR code drawn in the page, and buttons that copy them. */
export default function Invite() {
  const { t } = useI18n();
  const { data, error, reload } = useLoad(() => unwrap(api.GET("/me")), "me");
  const [qr, setQr] = useState<string | null>(null);
  const link = data ? inviteLink(data.inviteCode) : "";
  useEffect(() => {
    if (!link) return;
    QRCode.toDataURL(link, { width: 480, margin: 1, errorCorrectionLevel: "M" }).then(setQr, () =>
      setQr(null),
    );
  }, [link]);

  async function copyText(text: string) {
    Toast.show(
      (await copy(text))
        ? { icon: "success", content: t("invite.copied") }
        : { content: t("invite.copyFailed") },
    );
  }

  if (error) return <LoadError error={error} retry={reload} />;
  return (
    <PageFrame title={t("invite.title")}>
      <div
        style={{ background: HEAD_GRADIENT, color: "#fff", padding: "24px 20px 80px", textAlign: "center" }}
      >
        <div style={{ fontSize: 22, fontWeight: 600 }}>{t("invite.headline")}</div>
      </div>
      <div style={{ ...CARD, margin: "-64px 16px 16px", textAlign: "center", position: "relative" }}>
        <div style={{ color: "#999", fontSize: 13 }}>{t("invite.code")}</div>
        <div
          style={{ fontSize: 28, fontWeight: 700, letterSpacing: 4, marginTop: 4 }}
          data-testid="invite-code"
        >
          {data?.inviteCode ?? ""}
        </div>
        <div style={{ width: 200, height: 200, margin: "16px auto 8px" }}>
          {qr ? (
            <img src={qr} alt={t("invite.scan")} width={200} height={200} data-testid="invite-qr" />
          ) : (
            <Skeleton animated style={{ width: 200, height: 200 }} />
          )}
        </div>
        <div style={{ color: "#666", fontSize: 13 }}>{t("invite.scan")}</div>
        <div style={{ color: "#999", fontSize: 12, marginTop: 2 }}>{t("invite.save")}</div>
        <div style={LINK_BOX}>
          <div style={{ color: "#999", fontSize: 12 }}>{t("invite.link")}</div>
          <div
            style={{ fontSize: 13, wordBreak: "break-all", marginTop: 4, userSelect: "all" }}
            data-testid="invite-link"
          >
            {link}
          </div>
        </div>
        <Button
          block
          color="primary"
          shape="rounded"
          size="large"
          disabled={!data}
          onClick={() => copyText(link)}
        >
          {t("invite.copyLink")}
        </Button>
        <Button
          block
          fill="none"
          style={{ marginTop: 4, minHeight: 44 }}
          disabled={!data}
          onClick={() => copyText(data?.inviteCode ?? "")}
        >
          {t("invite.copyCode")}
        </Button>
      </div>
      <p style={{ color: "#999", fontSize: 13, margin: "0 24px 24px", lineHeight: "20px" }}>
        {t("invite.tip")}
      </p>
    </PageFrame>
  );
}

const LINK_BOX = {
  background: "#f7f7f7",
  borderRadius: 8,
  padding: "8px 12px",
  margin: "16px 0",
  textAlign: "left",
} as const;
