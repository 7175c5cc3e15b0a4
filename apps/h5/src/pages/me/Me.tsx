import type { Ok } from "@jifen/api-types";
import { Dialog, List, NoticeBar, Skeleton } from "antd-mobile";
import {
  BankcardOutline,
  BillOutline,
  GlobalOutline,
  PayCircleOutline,
  TeamOutline,
  UnorderedListOutline,
  UserAddOutline,
} from "antd-mobile-icons";
import type { ReactNode } from "react";
import { Link, useNavigate } from "react-router";
import { api, setSession, unwrap } from "../../api.ts";
import { grouped } from "../../components/decimal.ts";
import { LoadError } from "../../components/ErrorNotice.tsx";
import { CARD } from "../../components/styles.ts";
import { useLoad } from "../../components/useLoad.ts";
import { isPositive, walletName } from "../../components/wallets.ts";
import { useI18n } from "../../i18n/index.tsx";
import { Arrivals } from "./Arrivals.tsx";
import { MeHeader } from "./MeHeader.tsx";

interface HomeData {
  readonly me: Ok<"getMe">;
  readonly wallets: Ok<"getMyWallets">;
  readonly equity: Ok<"getMyEquity">;
  readonly arrivals: Ok<"getMyArrivals">;
}

async function loadHome(): Promise<HomeData> {
  const [me, wallets, equity, arrivals] = await Promise.all([
    unwrap(api.GET("/me")),
    unwrap(api.GET("/me/wallets")),
    unwrap(api.GET("/me/equity")),
    unwrap(api.GET("/me/arrivals")),
  ]);
  return { me, wallets, equity, arrivals };
}

/** 我的: the member's assets at a glance, yesterday's arrivals, and the way to everything else. */
export default function Me() {
  const { t, language, setLanguage } = useI18n();
  const navigate = useNavigate();
  const { data, error, reload } = useLoad(loadHome, "home");

  async function signOut() {
    if (!(await Dialog.confirm({ content: t("me.signOutConfirm") }))) return;
    await api.POST("/auth/logout").catch(() => undefined);
    setSession(null);
    navigate("/sign-in", { replace: true });
  }

  if (error) return <LoadError error={error} retry={reload} />;
  const debts = data?.wallets.wallets.filter((w) => isPositive(w.debt)) ?? [];
  return (
    <div>
      <MeHeader me={data?.me} />
      <div style={{ margin: "-48px 12px 0", position: "relative" }}>
        {data ? <AssetCard data={data} /> : <Skeleton.Paragraph lineCount={6} animated />}
        {debts.length > 0 && (
          <div style={{ marginTop: 12 }} data-testid="debt-notice">
            <NoticeBar
              color="alert"
              wrap
              content={t("me.debtNotice", {
                debts: debts.map((w) => `${walletName(t, w.wallet)} ${grouped(w.debt)}`).join("、"),
              })}
            />
          </div>
        )}
        {data && <Arrivals arrivals={data.arrivals} />}
        <List style={{ marginTop: 12, borderRadius: 12, overflow: "hidden" }}>
          <MenuItem icon={<UnorderedListOutline />} to="/shop/orders" title={t("me.menu.orders")} />
          <MenuItem icon={<BillOutline />} to="/records" title={t("me.menu.records")} />
          <MenuItem icon={<TeamOutline />} to="/team" title={t("me.menu.team")} />
          <MenuItem icon={<UserAddOutline />} to="/invite" title={t("me.menu.invite")} />
          <MenuItem icon={<PayCircleOutline />} to="/withdraw" title={t("me.menu.withdraw")} />
          <MenuItem icon={<BankcardOutline />} to="/accounts" title={t("accounts.title")} />
          <List.Item
            prefix={<GlobalOutline />}
            extra={language === "en" ? "English" : "简体中文"}
            onClick={() => setLanguage(language === "en" ? "zh-CN" : "en")}
          >
            {t("me.menu.language")}
          </List.Item>
        </List>
        <button type="button" onClick={signOut} style={SIGN_OUT}>
          {t("me.menu.signOut")}
        </button>
      </div>
    </div>
  );
}

const SIGN_OUT = {
  display: "block",
  width: "100%",
  minHeight: 48,
  margin: "12px 0 16px",
  border: "none",
  borderRadius: 12,
  background: "#fff",
  color: "#e4393c",
  fontSize: 16,
} as const;

function MenuItem({ icon, to, title }: { icon: ReactNode; to: string; title: string }) {
  const navigate = useNavigate();
  return (
    <List.Item prefix={icon} onClick={() => navigate(to)} arrowIcon>
      {title}
    </List.Item>
  );
}

function wallet(data: HomeData, name: string) {
  return data.wallets.wallets.find((w) => w.wallet === name);
}

/** The assets: cash with the withdraw button, then points, equity, stable, gift, quota, weight. */
function AssetCard({ data }: { data: HomeData }) {
  const { t } = useI18n();
  const cash = grouped(wallet(data, "cash")?.balance ?? "0.00");
  const points = data.me.points;
  return (
    <div style={CARD} data-testid="assets">
      <div style={{ display: "flex", alignItems: "center", justifyContent: "space-between" }}>
        <Link to="/records?asset=cny" style={{ color: "inherit" }}>
          <div style={{ color: "#999", fontSize: 13 }}>{t("me.cashTitle")}</div>
          <div style={{ fontSize: 30, fontWeight: 600, marginTop: 4 }} data-testid="cash">
            {cash}
          </div>
        </Link>
        <Link to="/withdraw" style={WITHDRAW}>
          {t("me.withdraw")}
        </Link>
      </div>
      <div style={GRID}>
        <Cell
          to="/records?asset=points"
          title={t("wallet.points")}
          value={grouped(points.balance)}
          hint={
            isPositive(points.reserved)
              ? t("me.pointsReserved", { amount: grouped(points.reserved) })
              : t("me.pointsAvailable", { amount: grouped(points.available) })
          }
          testId="points"
        />
        <Cell
          to="/equity"
          title={t("wallet.equity")}
          value={grouped(data.equity.equity)}
          hint={t("me.equityValue", { value: grouped(data.equity.value) })}
          testId="equity"
        />
        <Cell
          to="/records?asset=stable"
          title={t("wallet.stable")}
          value={grouped(data.equity.stable)}
          hint={t("me.stableHint")}
          testId="stable"
        />
        <Cell
          to="/records?asset=gift"
          title={t("wallet.gift")}
          value={grouped(wallet(data, "gift")?.balance ?? "0")}
          hint={t("me.giftHint")}
          testId="gift"
        />
        <Cell
          to="/records?asset=quota"
          title={t("wallet.quota")}
          value={grouped(wallet(data, "quota")?.balance ?? "0")}
          hint={t("me.quotaHint")}
          testId="quota"
        />
        <Cell
          to="/records?asset=weight"
          title={t("wallet.weight")}
          value={grouped(wallet(data, "weight")?.balance ?? "0")}
          hint={t("me.weightHint")}
          testId="weight"
        />
      </div>
      <Link to="/equity" style={PRICE_LINE} data-testid="equity-price-line">
        <span>{t("me.price", { price: grouped(data.equity.price) })}</span>
        <span>›</span>
      </Link>
    </div>
  );
}

const PRICE_LINE = {
  display: "flex",
  justifyContent: "space-between",
  alignItems: "center",
  minHeight: 40,
  marginTop: 4,
  padding: "0 12px",
  borderRadius: 8,
  background: "#fff7f5",
  color: "#e4393c",
  fontSize: 13,
} as const;

function Cell(props: { to: string; title: string; value: string; hint: string; testId: string }) {
  return (
    <Link
      to={props.to}
      style={{ color: "inherit", minWidth: 0, padding: "10px 0" }}
      data-testid={props.testId}
    >
      <div style={{ fontSize: 17, fontWeight: 600, overflowWrap: "anywhere" }}>{props.value}</div>
      <div style={{ fontSize: 13, color: "#666", marginTop: 2, overflowWrap: "anywhere" }}>{props.title}</div>
      <div style={CELL_HINT}>{props.hint}</div>
    </Link>
  );
}

// Captions wrap (never cut): a 360 px phone in English gives each cell about 105 px.
const CELL_HINT = {
  fontSize: 11,
  lineHeight: "14px",
  color: "#999",
  marginTop: 2,
  padding: "0 4px",
  overflowWrap: "anywhere",
} as const;

const GRID = {
  display: "grid",
  gridTemplateColumns: "repeat(3, minmax(0, 1fr))",
  textAlign: "center",
  marginTop: 12,
  borderTop: "1px solid #f2f2f2",
  paddingTop: 4,
} as const;

const WITHDRAW = {
  display: "inline-flex",
  alignItems: "center",
  justifyContent: "center",
  minHeight: 36,
  minWidth: 72,
  padding: "0 16px",
  borderRadius: 18,
  background: "linear-gradient(90deg, #ff6034, #e4393c)",
  color: "#fff",
  fontSize: 15,
} as const;
