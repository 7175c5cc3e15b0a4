/**
 * 我的 → 收款账户: the WeChat openid, linked by WeChat's web authorization
 * (the server gives WeChat's authorize URL; WeChat comes back here with a code
 * and state, which the server exchanges for the openid), and the Alipay
 * account with the real name Alipay transfers check.
 */
import type { Ok } from "@jifen/api-types";
import { Button, Input, Tag, Toast } from "antd-mobile";
import { useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { ApiError, api, unwrap } from "../../api.ts";
import { ErrorNotice, LoadError } from "../../components/ErrorNotice.tsx";
import { CARD, CARD_TITLE } from "../../components/styles.ts";
import { useLoad } from "../../components/useLoad.ts";
import { useI18n } from "../../i18n/index.tsx";
import { PageFrame } from "../../layout/PageFrame.tsx";

type Account = Ok<"listMyPaymentAccounts">[number];

const masked = (s: string) => (s.length > 8 ? `${s.slice(0, 4)}****${s.slice(-4)}` : s);
const inWechat = () => /MicroMessenger/i.test(navigator.userAgent);

/** Back from WeChat with ?code=…&state=…: hands them to the server once, then drops them from the address. */
function useOauthReturn(done: () => void, fail: (e: ApiError) => void) {
  const navigate = useNavigate();
  const handled = useRef(false);
  useEffect(() => {
    const query = new URLSearchParams(window.location.search);
    const code = query.get("code");
    const state = query.get("state");
    if (!code || !state || handled.current) return;
    handled.current = true;
    navigate("/accounts", { replace: true });
    unwrap(api.POST("/me/payment-accounts/wechat/oauth", { body: { code, state } })).then(
      done,
      (e: unknown) => {
        if (e instanceof ApiError) fail(e);
      },
    );
  }, [navigate, done, fail]);
}

function WechatCard({ account, reload }: { account: Account | undefined; reload: () => void }) {
  const { t } = useI18n();
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  useOauthReturn(() => {
    Toast.show({ icon: "success", content: t("accounts.wechat.done") });
    reload();
  }, setProblem);
  async function link() {
    setBusy(true);
    setProblem(null);
    try {
      const redirectUri = `${window.location.origin}/h5/accounts`;
      const answer = await unwrap(
        api.GET("/me/payment-accounts/wechat/authorize", { params: { query: { redirectUri } } }),
      );
      window.location.assign(answer.url);
    } catch (caught) {
      if (caught instanceof ApiError) setProblem(caught);
      setBusy(false);
    }
  }
  return (
    <div style={CARD} data-testid="account-wechat">
      <div style={CARD_TITLE}>
        {t("accounts.wechat")}{" "}
        <Tag color={account ? "success" : "default"}>
          {account
            ? `${t("accounts.wechat.linked")} ${masked(account.account)}`
            : t("accounts.wechat.unlinked")}
        </Tag>
      </div>
      <p style={{ color: "#999", fontSize: 13 }}>{t("accounts.wechat.note")}</p>
      {!inWechat() && (
        <p style={{ color: "#fa8c16", fontSize: 13, margin: "4px 0" }} data-testid="outside-wechat">
          {t("accounts.wechat.outside")}
        </p>
      )}
      <ErrorNotice error={problem} />
      <Button block shape="rounded" color="success" loading={busy} onClick={link} style={{ marginTop: 8 }}>
        {account ? t("accounts.wechat.relink") : t("accounts.wechat.link")}
      </Button>
    </div>
  );
}

function AlipayCard({ account, reload }: { account: Account | undefined; reload: () => void }) {
  const { t } = useI18n();
  const [login, setLogin] = useState(account?.account ?? "");
  const [name, setName] = useState(account?.accountName ?? "");
  const [problem, setProblem] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  async function save() {
    if (!login.trim() || !name.trim()) return setProblem(t("accounts.alipay.required"));
    setBusy(true);
    setProblem(null);
    try {
      await unwrap(
        api.PUT("/me/payment-accounts/{provider}", {
          params: { path: { provider: "alipay" } },
          body: { account: login.trim(), accountName: name.trim() },
        }),
      );
      Toast.show({ icon: "success", content: t("accounts.alipay.done") });
      reload();
    } catch (caught) {
      if (caught instanceof ApiError) setProblem(caught);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div style={{ ...CARD, marginTop: 12 }} data-testid="account-alipay">
      <div style={CARD_TITLE}>{t("accounts.alipay")}</div>
      <label htmlFor="alipay-account" style={LABEL}>
        {t("accounts.alipay.account")}
      </label>
      <Input
        id="alipay-account"
        value={login}
        onChange={setLogin}
        placeholder={t("accounts.alipay.accountPlaceholder")}
        style={FIELD}
      />
      <label htmlFor="alipay-name" style={LABEL}>
        {t("accounts.alipay.name")}
      </label>
      <Input
        id="alipay-name"
        value={name}
        onChange={setName}
        placeholder={t("accounts.alipay.namePlaceholder")}
        style={FIELD}
      />
      <p style={{ color: "#999", fontSize: 13 }}>{t("accounts.alipay.note")}</p>
      <ErrorNotice error={problem} />
      <Button block shape="rounded" color="primary" loading={busy} onClick={save}>
        {t("accounts.alipay.save")}
      </Button>
    </div>
  );
}

const LABEL = { display: "block", marginTop: 12, fontSize: 14 } as const;
const FIELD = { borderBottom: "1px solid #eee", padding: "8px 0", "--font-size": "16px" } as const;

export default function Accounts() {
  const { t } = useI18n();
  const { data, error, reload } = useLoad(() => unwrap(api.GET("/me/payment-accounts")), "accounts");
  if (error) return <LoadError error={error} retry={reload} />;
  const of = (p: string) => data?.find((a) => a.provider === p);
  return (
    <PageFrame title={t("accounts.title")}>
      <div style={{ padding: 12 }}>
        <p style={{ color: "#666", fontSize: 13, margin: "0 4px 12px" }}>{t("accounts.intro")}</p>
        {data && (
          <>
            <WechatCard account={of("wechat")} reload={reload} />
            <AlipayCard key={of("alipay")?.account ?? "none"} account={of("alipay")} reload={reload} />
          </>
        )}
      </div>
    </PageFrame>
  );
}
