import type { Ok } from "@jifen/api-types";
import { grouped } from "../../components/decimal.ts";
import { CARD } from "../../components/styles.ts";
import { walletName } from "../../components/wallets.ts";
import { useI18n } from "../../i18n/index.tsx";

/** 昨日到账: what came into each wallet on the last settled day. */
export function Arrivals({ arrivals }: { arrivals: Ok<"getMyArrivals"> }) {
  const { t } = useI18n();
  return (
    <div style={{ ...CARD, marginTop: 12 }} data-testid="arrivals">
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "baseline" }}>
        <span style={{ fontSize: 16, fontWeight: 600 }}>{t("me.yesterday")}</span>
        <span style={{ color: "#999", fontSize: 12 }}>{arrivals.businessDay}</span>
      </div>
      {arrivals.items.length === 0 ? (
        <div style={{ color: "#999", fontSize: 13, marginTop: 8 }}>{t("me.yesterdayNone")}</div>
      ) : (
        <div style={{ display: "flex", flexWrap: "wrap", gap: "8px 0", marginTop: 8 }}>
          {arrivals.items.map((item) => (
            <div key={item.wallet} style={{ width: "50%", minWidth: 0 }}>
              <span style={{ color: "#e4393c", fontSize: 17, fontWeight: 600 }}>+{grouped(item.amount)}</span>
              <span style={{ color: "#666", fontSize: 13, marginLeft: 4 }}>{walletName(t, item.wallet)}</span>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
