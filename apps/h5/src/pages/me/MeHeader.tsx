import type { Ok } from "@jifen/api-types";
import { gradeName, starName } from "../../components/levels.ts";
import { useI18n } from "../../i18n/index.tsx";

/** The red head of 我的: the member's masked number, star level, grade and invite code. */
export function MeHeader({ me }: { me: Ok<"getMe"> | undefined }) {
  const { t } = useI18n();
  const phone = me ? `${me.phone.slice(0, 3)}****${me.phone.slice(7)}` : "";
  return (
    <div
      style={{
        background: "linear-gradient(160deg, #ff5a3c 0%, #e4393c 55%, #c81623 100%)",
        color: "#fff",
        padding: "28px 20px 68px",
      }}
    >
      <div style={{ display: "flex", alignItems: "center", gap: 14 }}>
        <div
          style={{
            width: 56,
            height: 56,
            borderRadius: 28,
            background: "rgba(255,255,255,0.25)",
            display: "flex",
            alignItems: "center",
            justifyContent: "center",
            fontSize: 24,
            flex: "none",
          }}
        >
          {me ? me.phone.slice(-2) : ""}
        </div>
        <div style={{ minWidth: 0 }}>
          <div style={{ fontSize: 20, fontWeight: 600 }} data-testid="me-phone">
            {phone}
          </div>
          <div style={{ display: "flex", gap: 6, marginTop: 6, flexWrap: "wrap" }}>
            <span style={BADGE} data-testid="star">
              ★ {me?.standing.star ? starName(me.standing.star, t) : t("me.noStar")}
            </span>
            {me?.standing.grade && (
              <span style={BADGE}>{t("me.grade", { grade: gradeName(me.standing.grade, t) })}</span>
            )}
            {me && <span style={BADGE}>{t("me.inviteCode", { code: me.inviteCode })}</span>}
          </div>
        </div>
      </div>
    </div>
  );
}

const BADGE = {
  background: "rgba(255,255,255,0.2)",
  borderRadius: 10,
  padding: "2px 8px",
  fontSize: 12,
  lineHeight: "18px",
} as const;
