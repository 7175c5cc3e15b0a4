import type { Ok, operations } from "@jifen/api-types";
import { Tabs } from "antd-mobile";
import { useSearchParams } from "react-router";
import { api, unwrap } from "../../api.ts";
import { CursorList } from "../../components/CursorList.tsx";
import { grouped, localTime } from "../../components/decimal.ts";
import { walletName } from "../../components/wallets.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { PageFrame } from "../../layout/PageFrame.tsx";

type Line = Ok<"listMyLedger">["items"][number];
type Query = operations["listMyLedger"]["parameters"]["query"];

/**
 * The tabs match the wallets of 我的: the points asset holds both released points (积分) and
 * gift points waiting for release (待释放), so each gets its own tab (the ledger's `wallet`
 * filter) and a tab's lines add up to its own balance (less anything owed, shown tagged).
 */
const TABS = {
  cny: { asset: "cny" },
  points: { asset: "points", wallet: "points" },
  gift: { asset: "points", wallet: "gift" },
  equity: { asset: "equity" },
  stable: { asset: "stable" },
  quota: { asset: "quota" },
  weight: { asset: "weight" },
} as const satisfies Record<string, Pick<Query, "asset" | "wallet">>;
type Tab = keyof typeof TABS;
const TAB_KEYS = Object.keys(TABS) as Tab[];

/** 资产明细: one tab per asset, each line explained in one sentence by the server, newest first. */
export default function Records() {
  const { t } = useI18n();
  const [search, setSearch] = useSearchParams();
  const asked = search.get("asset") as Tab | null;
  const tab: Tab = asked && TAB_KEYS.includes(asked) ? asked : "cny";
  const load = (cursor: string | null) =>
    unwrap(
      api.GET("/me/ledger", {
        params: { query: { ...TABS[tab], limit: "20", ...(cursor ? { cursor } : {}) } },
      }),
    );
  return (
    <PageFrame title={t("records.title")}>
      <div style={{ position: "sticky", top: 45, zIndex: 40, background: "#fff" }}>
        <Tabs activeKey={tab} onChange={(key) => setSearch({ asset: key }, { replace: true })}>
          {TAB_KEYS.map((a) => (
            <Tabs.Tab key={a} title={t(`records.asset.${a}` as MessageKey)} />
          ))}
        </Tabs>
      </div>
      <div style={{ background: "#fff", marginTop: 8 }} data-testid="records">
        <CursorList<Line>
          listKey={tab}
          load={load}
          empty={t("records.empty")}
          render={(line) => <RecordLine key={line.id} line={line} />}
        />
      </div>
    </PageFrame>
  );
}

function RecordLine({ line }: { line: Line }) {
  const { t } = useI18n();
  const incoming = !line.amount.startsWith("-");
  const other = line.wallet === "exitQuota" || line.wallet.startsWith("debt:");
  return (
    <div style={ROW} data-testid="record-line">
      <div style={{ minWidth: 0, flex: 1 }}>
        <div style={{ fontSize: 15, color: "#333", lineHeight: "21px", wordBreak: "break-all" }}>
          {line.description}
        </div>
        <div style={{ fontSize: 12, color: "#999", marginTop: 4 }}>
          {localTime(line.createdAt)}
          {other && <span style={TAG}>{walletName(t, line.wallet)}</span>}
        </div>
      </div>
      <div style={{ fontSize: 17, fontWeight: 600, color: incoming ? "#e4393c" : "#333", flex: "none" }}>
        {incoming ? `+${grouped(line.amount)}` : grouped(line.amount)}
      </div>
    </div>
  );
}

const ROW = {
  display: "flex",
  alignItems: "center",
  gap: 12,
  padding: "12px 16px",
  borderBottom: "1px solid #f2f2f2",
} as const;

const TAG = {
  marginLeft: 8,
  padding: "0 6px",
  border: "1px solid #ffccc7",
  color: "#e4393c",
  borderRadius: 4,
  fontSize: 11,
} as const;
