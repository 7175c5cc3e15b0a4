import type { Ok } from "@jifen/api-types";
import { ProgressBar, Skeleton } from "antd-mobile";
import { Link } from "react-router";
import { api, unwrap } from "../../api.ts";
import { CursorList } from "../../components/CursorList.tsx";
import { grouped, localTime, progressPercent } from "../../components/decimal.ts";
import { LoadError } from "../../components/ErrorNotice.tsx";
import { starName } from "../../components/levels.ts";
import { CARD, CARD_TITLE, HEAD_GRADIENT } from "../../components/styles.ts";
import { useLoad } from "../../components/useLoad.ts";
import { useI18n } from "../../i18n/index.tsx";

type Referral = Ok<"listMyReferrals">["items"][number];

async function loadTeam() {
  const [me, team] = await Promise.all([unwrap(api.GET("/me")), unwrap(api.GET("/me/team"))]);
  return { standing: me.standing, team };
}

/** 我的团队: star level and the way to the next, the network's size and performance, direct referrals. */
export default function Team() {
  const { t } = useI18n();
  const { data, error, reload } = useLoad(loadTeam, "team");
  if (error) return <LoadError error={error} retry={reload} />;
  const loadReferrals = (cursor: string | null) =>
    unwrap(api.GET("/me/referrals", { params: { query: { limit: "20", ...(cursor ? { cursor } : {}) } } }));
  return (
    <div>
      <div style={{ background: HEAD_GRADIENT, color: "#fff", padding: "20px 20px 64px" }}>
        <div style={{ fontSize: 18, fontWeight: 600 }}>{t("team.title")}</div>
      </div>
      <div style={{ margin: "-52px 12px 0", position: "relative" }}>
        {data ? <StarCard standing={data.standing} /> : <Skeleton.Paragraph lineCount={4} animated />}
        {data && <NetworkCard team={data.team} />}
        <div style={{ ...CARD, marginTop: 12, padding: 0, overflow: "hidden" }}>
          <div
            style={{ display: "flex", justifyContent: "space-between", alignItems: "center", padding: 16 }}
          >
            <span style={CARD_TITLE}>{t("team.referrals")}</span>
            <Link to="/invite" style={{ color: "#e4393c", fontSize: 14, minHeight: 24 }}>
              {t("team.invite")} ›
            </Link>
          </div>
          <div data-testid="referrals">
            <CursorList<Referral>
              listKey="referrals"
              load={loadReferrals}
              empty={t("team.noReferrals")}
              render={(r) => (
                <div key={r.id} style={ROW}>
                  <span style={{ fontSize: 15 }}>{r.phone}</span>
                  <span style={{ color: "#999", fontSize: 12 }}>
                    {t("team.joined", { date: localTime(r.createdAt).slice(0, 10) })}
                  </span>
                </div>
              )}
            />
          </div>
        </div>
      </div>
    </div>
  );
}

function StarCard({ standing }: { standing: Ok<"getMe">["standing"] }) {
  const { t } = useI18n();
  const next = standing.nextStar;
  return (
    <div style={CARD} data-testid="star-card">
      <div style={{ display: "flex", justifyContent: "space-between" }}>
        <div>
          <div style={{ color: "#999", fontSize: 13 }}>{t("team.star")}</div>
          <div style={{ fontSize: 22, fontWeight: 600, color: "#e4393c", marginTop: 4 }}>
            ★ {standing.star ? starName(standing.star, t) : t("me.noStar")}
          </div>
        </div>
        <div style={{ textAlign: "right" }}>
          <div style={{ color: "#999", fontSize: 13 }}>{t("team.performance")}</div>
          <div style={{ fontSize: 22, fontWeight: 600, marginTop: 4 }}>
            ¥{grouped(standing.teamPerformance)}
          </div>
        </div>
      </div>
      <div style={{ marginTop: 14 }}>
        {next ? (
          <>
            <ProgressBar
              percent={progressPercent(standing.teamPerformance, next.threshold)}
              style={{ "--fill-color": "#e4393c", "--track-width": "8px" }}
            />
            <div style={{ display: "flex", justifyContent: "space-between", marginTop: 8, fontSize: 13 }}>
              <span data-testid="next-star">
                {t("team.nextStar", { name: starName(next.name, t), shortfall: grouped(next.shortfall) })}
              </span>
            </div>
            <div style={{ color: "#999", fontSize: 12, marginTop: 4 }}>
              {t("team.nextThreshold", { name: starName(next.name, t), threshold: grouped(next.threshold) })}{" "}
              · {t("team.performanceDay", { day: standing.performanceDay })}
            </div>
          </>
        ) : (
          <div style={{ fontSize: 13 }}>{t("team.topStar")}</div>
        )}
      </div>
    </div>
  );
}

function NetworkCard({ team }: { team: Ok<"getMyTeam"> }) {
  const { t } = useI18n();
  return (
    <div style={{ ...CARD, marginTop: 12 }} data-testid="network">
      <div style={GRID}>
        <Figure value={String(team.generation1)} label={t("team.generation1")} />
        <Figure value={String(team.generation2)} label={t("team.generation2")} />
        <Figure value={String(team.downlineSize)} label={t("team.downline")} />
      </div>
      <div style={{ borderTop: "1px solid #f2f2f2", marginTop: 12, paddingTop: 12 }}>
        <div style={{ color: "#999", fontSize: 13 }}>{t("team.network")}</div>
        <div style={{ fontSize: 24, fontWeight: 600, marginTop: 4 }} data-testid="network-total">
          {grouped(team.performance.total)}
        </div>
        <div style={{ display: "flex", gap: 24, marginTop: 6, fontSize: 13, color: "#666" }}>
          <span>
            {t("team.networkCash")} ¥{grouped(team.performance.cash)}
          </span>
          <span>
            {t("team.networkPoints")} ¥{grouped(team.performance.points)}
          </span>
        </div>
      </div>
    </div>
  );
}

function Figure({ value, label }: { value: string; label: string }) {
  return (
    <div>
      <div style={{ fontSize: 20, fontWeight: 600 }}>{value}</div>
      <div style={{ fontSize: 12, color: "#999", marginTop: 2 }}>{label}</div>
    </div>
  );
}

const GRID = {
  display: "grid",
  gridTemplateColumns: "repeat(3, minmax(0, 1fr))",
  textAlign: "center",
} as const;

const ROW = {
  display: "flex",
  justifyContent: "space-between",
  alignItems: "center",
  padding: "12px 16px",
  borderTop: "1px solid #f2f2f2",
  minHeight: 24,
} as const;
