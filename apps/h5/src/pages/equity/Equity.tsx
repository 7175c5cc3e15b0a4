import type { Ok } from "@jifen/api-types";
import { DotLoading, ErrorBlock, Skeleton } from "antd-mobile";
import {
  CollectMoneyOutline,
  GiftOutline,
  HandPayCircleOutline,
  LoopOutline,
  RedoOutline,
} from "antd-mobile-icons";
import { lazy, type ReactNode, Suspense, useState } from "react";
import { api, unwrap } from "../../api.ts";
import { grouped } from "../../components/decimal.ts";
import { LoadError } from "../../components/ErrorNotice.tsx";
import { CARD, CARD_TITLE, HEAD_GRADIENT } from "../../components/styles.ts";
import { useLoad } from "../../components/useLoad.ts";
import { walletName } from "../../components/wallets.ts";
import { useI18n } from "../../i18n/index.tsx";
import { ActionSheet } from "./ActionSheet.tsx";
import { ACTIONS, type Action } from "./actions.ts";

const PriceChart = lazy(() => import("./PriceChart.tsx"));

interface EquityData {
  readonly figures: Ok<"getEquityFigures">;
  readonly mine: Ok<"getMyEquity">;
  readonly prices: Ok<"listEquityPrices">;
}

async function loadEquity(): Promise<EquityData> {
  const [figures, mine, prices] = await Promise.all([
    unwrap(api.GET("/equity")),
    unwrap(api.GET("/me/equity")),
    unwrap(api.GET("/equity/prices", { params: { query: { days: "30" } } })),
  ]);
  return { figures, mine, prices };
}

/** 增值积分: today's price and the pool, the price's line, my holdings and the five commands. */
export default function Equity() {
  const { t } = useI18n();
  const [round, setRound] = useState(0);
  const { data, error, reload } = useLoad(loadEquity, `equity-${round}`);
  const [action, setAction] = useState<Action | null>(null);
  if (error) return <LoadError error={error} retry={reload} />;
  return (
    <div>
      <div style={{ background: HEAD_GRADIENT, color: "#fff", padding: "20px 20px 72px" }}>
        <div style={{ fontSize: 14, opacity: 0.85 }}>{t("equity.price")}</div>
        <div style={{ fontSize: 36, fontWeight: 700, marginTop: 4 }} data-testid="equity-price">
          {data ? grouped(data.figures.price) : "—"}
        </div>
        {data && (
          <div
            style={{ display: "flex", gap: 20, marginTop: 8, fontSize: 13, opacity: 0.9, flexWrap: "wrap" }}
          >
            <span>
              {t("equity.pool")} {grouped(data.figures.pool)}
            </span>
            <span>
              {t("equity.circulating")} {grouped(data.figures.circulating)}
            </span>
            <span>
              {t("equity.treasury")} {grouped(data.figures.treasury)}
            </span>
          </div>
        )}
      </div>
      <div style={{ margin: "-56px 12px 0", position: "relative" }}>
        <div style={CARD}>
          <div style={{ display: "flex", justifyContent: "space-between", alignItems: "baseline" }}>
            <span style={CARD_TITLE}>{t("equity.chart")}</span>
            <span style={{ color: "#999", fontSize: 12 }}>{t("equity.chartDays", { days: 30 })}</span>
          </div>
          {!data ? (
            <Skeleton animated style={{ height: 180, marginTop: 8 }} />
          ) : data.prices.items.length < 2 ? (
            <ErrorBlock
              status="empty"
              title={t("equity.chartEmpty")}
              description=""
              style={{ padding: "16px 0" }}
            />
          ) : (
            <Suspense fallback={<DotLoading />}>
              <PriceChart points={data.prices.items} todayLabel={t("equity.today")} />
            </Suspense>
          )}
        </div>
        {data && <Holdings mine={data.mine} />}
        <div style={{ ...CARD, marginTop: 12, padding: "8px 4px" }}>
          <div style={ACTIONS_GRID}>
            {(Object.keys(ACTIONS) as Action[]).map((a) => (
              <button key={a} type="button" style={ACTION} onClick={() => setAction(a)} disabled={!data}>
                <span style={ICON}>{ICONS[a]}</span>
                <span style={{ fontSize: 12, color: "#333", marginTop: 6 }}>{t(ACTIONS[a].short)}</span>
              </button>
            ))}
          </div>
        </div>
      </div>
      <ActionSheet
        action={action}
        holdings={{ equity: data?.mine.equity ?? "0", stable: data?.mine.stable ?? "0" }}
        onClose={() => setAction(null)}
        onDone={() => {
          setAction(null);
          setRound((r) => r + 1);
        }}
      />
    </div>
  );
}

function Holdings({ mine }: { mine: Ok<"getMyEquity"> }) {
  const { t } = useI18n();
  const debts = Object.entries(mine.debt);
  return (
    <div style={{ ...CARD, marginTop: 12 }} data-testid="holdings">
      <div style={CARD_TITLE}>{t("equity.mine")}</div>
      <div style={GRID}>
        <Figure label={t("equity.held")} value={grouped(mine.equity)} testId="held-equity" />
        <Figure label={t("equity.value")} value={grouped(mine.value)} testId="held-value" />
        <Figure label={t("equity.stable")} value={grouped(mine.stable)} testId="held-stable" />
      </div>
      {(mine.exitQuota !== "0" || mine.exitPrice) && (
        <div style={{ color: "#666", fontSize: 13, marginTop: 10 }}>
          {t("equity.exitQuota")} {grouped(mine.exitQuota)}
          {mine.exitPrice && ` · ${t("equity.exitPrice", { price: grouped(mine.exitPrice) })}`}
        </div>
      )}
      {debts.length > 0 && (
        <div style={{ color: "#ff3141", fontSize: 13, marginTop: 6 }}>
          {t("equity.debt", { debts: debts.map(([w, a]) => `${walletName(t, w)} ${grouped(a)}`).join("、") })}
        </div>
      )}
    </div>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div style={{ minWidth: 0 }}>
      <div
        style={{ fontSize: 18, fontWeight: 600, overflow: "hidden", textOverflow: "ellipsis" }}
        data-testid={testId}
      >
        {value}
      </div>
      <div style={{ fontSize: 12, color: "#999", marginTop: 2 }}>{label}</div>
    </div>
  );
}

const ICONS: Record<Action, ReactNode> = {
  sell: <CollectMoneyOutline />,
  redeem: <GiftOutline />,
  toStable: <LoopOutline />,
  fromStable: <RedoOutline />,
  pay: <HandPayCircleOutline />,
};

const GRID = {
  display: "grid",
  gridTemplateColumns: "repeat(3, minmax(0, 1fr))",
  textAlign: "center",
  marginTop: 12,
} as const;
const ACTIONS_GRID = { display: "grid", gridTemplateColumns: "repeat(5, minmax(0, 1fr))" } as const;
const ACTION = {
  display: "flex",
  flexDirection: "column",
  alignItems: "center",
  border: "none",
  background: "none",
  padding: "8px 0",
  minHeight: 64,
} as const;
const ICON = {
  width: 40,
  height: 40,
  borderRadius: 20,
  background: "linear-gradient(135deg, #ff7a45, #e4393c)",
  color: "#fff",
  display: "flex",
  alignItems: "center",
  justifyContent: "center",
  fontSize: 22,
} as const;
