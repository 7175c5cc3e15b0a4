import type { Ok } from "@jifen/api-types";
import { payoutFailureText } from "@jifen/web-kit";
import { Button, Dialog, Input, NoticeBar, Skeleton, Tag, Toast } from "antd-mobile";
import { useEffect, useState } from "react";
import { ApiError, api, newIdempotencyKey, unwrap } from "../../api.ts";
import { CursorList } from "../../components/CursorList.tsx";
import { grouped, isAmount, localTime, ratePercent } from "../../components/decimal.ts";
import { ErrorNotice, LoadError } from "../../components/ErrorNotice.tsx";
import { CARD, CARD_TITLE } from "../../components/styles.ts";
import { useLoad } from "../../components/useLoad.ts";
import { isPositive, walletName } from "../../components/wallets.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { PageFrame } from "../../layout/PageFrame.tsx";
import { ConfirmTransfer } from "./ConfirmTransfer.tsx";

type Preview = Ok<"previewWithdrawal">;
type Withdrawal = Ok<"listMyWithdrawals">["items"][number];

/** 提现: the cash, the amount with the server's fee preview, the request; blocked with the reason while in debt. */
export default function Withdraw() {
  const { t } = useI18n();
  const [round, setRound] = useState(0);
  const { data, error, reload } = useLoad(() => unwrap(api.GET("/me/wallets")), `wallets-${round}`);
  const [amount, setAmount] = useState("");
  const [preview, setPreview] = useState<Preview | null>(null);
  const [problem, setProblem] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  const cash = data?.wallets.find((w) => w.wallet === "cash")?.balance ?? "0.00";
  const debts = data?.wallets.filter((w) => isPositive(w.debt)) ?? [];
  const blocked = debts.length > 0;

  // The server previews the fee of what is typed (a dry run of the request), a moment after typing stops.
  useEffect(() => {
    setPreview(null);
    setProblem(null);
    if (!amount || blocked) return;
    if (!isAmount(amount, 2)) return setProblem(t("withdraw.invalid"));
    let current = true;
    const timer = setTimeout(() => {
      unwrap(api.POST("/me/withdrawals/preview", { body: { amount } })).then(
        (answer) => current && setPreview(answer),
        (caught: unknown) => current && caught instanceof ApiError && setProblem(caught),
      );
    }, 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [amount, blocked, t]);

  async function submit() {
    if (!preview) return;
    const ok = await Dialog.confirm({ content: t("withdraw.confirm", preview) });
    if (!ok) return;
    setBusy(true);
    try {
      await unwrap(
        api.POST("/me/withdrawals", {
          params: { header: { "idempotency-key": newIdempotencyKey() } },
          body: { amount: preview.amount },
        }),
      );
      Toast.show({ icon: "success", content: t("withdraw.done") });
      setAmount("");
      setRound((r) => r + 1);
    } catch (caught) {
      if (caught instanceof ApiError) setProblem(caught);
    } finally {
      setBusy(false);
    }
  }

  if (error) return <LoadError error={error} retry={reload} />;
  const loadList = (cursor: string | null) =>
    unwrap(api.GET("/me/withdrawals", { params: { query: { limit: "20", ...(cursor ? { cursor } : {}) } } }));
  return (
    <PageFrame title={t("withdraw.title")}>
      <div style={{ padding: 12 }}>
        {blocked && (
          <div style={{ marginBottom: 12 }} data-testid="withdraw-blocked">
            <NoticeBar
              color="error"
              wrap
              content={`${t("withdraw.blocked")}：${t("withdraw.blockedReason", {
                debts: debts.map((w) => `${walletName(t, w.wallet)} ${grouped(w.debt)}`).join("、"),
              })}`}
            />
          </div>
        )}
        <div style={CARD}>
          <div style={{ color: "#999", fontSize: 13 }}>{t("withdraw.available")}</div>
          <div style={{ fontSize: 30, fontWeight: 600, marginTop: 4 }} data-testid="withdraw-cash">
            {data ? grouped(cash) : <Skeleton.Title animated />}
          </div>
          <label htmlFor="withdraw-amount" style={{ display: "block", marginTop: 16, fontSize: 14 }}>
            {t("withdraw.amount")}
          </label>
          <div style={FIELD}>
            <span style={{ fontSize: 24, fontWeight: 600 }}>¥</span>
            <Input
              id="withdraw-amount"
              inputMode="decimal"
              placeholder={t("withdraw.amountPlaceholder")}
              value={amount}
              disabled={blocked || !data}
              onChange={(v) => setAmount(v.replace(/[^\d.]/g, ""))}
              style={{ "--font-size": "24px" }}
            />
            <button type="button" style={ALL} disabled={blocked || !data} onClick={() => setAmount(cash)}>
              {t("withdraw.all")}
            </button>
          </div>
          <ErrorNotice error={problem} />
          {preview && (
            <div data-testid="withdraw-preview" style={{ fontSize: 14, color: "#666", lineHeight: "26px" }}>
              <div style={LINE}>
                <span>{t("withdraw.fee", { rate: ratePercent(preview.feeRate) })}</span>
                <span>¥{grouped(preview.fee)}</span>
              </div>
              <div style={LINE}>
                <span>{t("withdraw.payout")}</span>
                <span style={{ color: "#e4393c", fontWeight: 700, fontSize: 18 }}>
                  ¥{grouped(preview.payout)}
                </span>
              </div>
              <div style={{ color: "#999", fontSize: 12 }}>
                {t("withdraw.minimum", { amount: grouped(preview.minAmount) })}
              </div>
            </div>
          )}
          <Button
            block
            color="primary"
            shape="rounded"
            size="large"
            style={{ marginTop: 16 }}
            disabled={blocked || !preview}
            loading={busy}
            onClick={submit}
          >
            {t("withdraw.submit")}
          </Button>
          <div style={{ color: "#999", fontSize: 12, marginTop: 10 }}>{t("withdraw.tip")}</div>
        </div>
        <div style={{ ...CARD, marginTop: 12, padding: 0, overflow: "hidden" }}>
          <div style={{ ...CARD_TITLE, padding: 16 }}>{t("withdraw.history")}</div>
          <div data-testid="withdrawals">
            <CursorList<Withdrawal>
              listKey={`withdrawals-${round}`}
              load={loadList}
              empty={t("withdraw.none")}
              render={(w) => <WithdrawalRow key={w.id} w={w} onChanged={() => setRound((r) => r + 1)} />}
            />
          </div>
        </div>
      </div>
    </PageFrame>
  );
}

const STATUS_COLOR: Record<string, "warning" | "success" | "danger" | "primary"> = {
  pending: "warning",
  approved: "success",
  queued: "primary",
  paying: "primary",
  paid: "success",
  rejected: "danger",
  failed: "danger",
};

/** The status a member sees: approved with a provider payout not yet sent is still 打款中. */
const shownStatus = (w: Withdrawal) => (w.status === "approved" && w.payoutProvider ? "queued" : w.status);

function WithdrawalRow({ w, onChanged }: { w: Withdrawal; onChanged: () => void }) {
  const { t, language } = useI18n();
  const status = shownStatus(w);
  return (
    <div style={{ padding: "12px 16px", borderTop: "1px solid #f2f2f2" }} data-testid="withdrawal-row">
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
        <span style={{ fontSize: 17, fontWeight: 600 }}>¥{grouped(w.amount)}</span>
        <Tag color={STATUS_COLOR[status] ?? "default"} fill="outline">
          {t(`withdraw.status.${status}` as MessageKey)}
        </Tag>
      </div>
      <div style={{ color: "#666", fontSize: 13, marginTop: 4 }}>
        {t("withdraw.line", { fee: grouped(w.fee), payout: grouped(w.payout) })}
      </div>
      <div style={{ color: "#999", fontSize: 12, marginTop: 2 }}>{localTime(w.requestedAt)}</div>
      {w.reason && (
        <div style={{ color: "#ff3141", fontSize: 12, marginTop: 2 }}>
          {t("withdraw.reason", { reason: w.reason })}
        </div>
      )}
      {w.status === "paying" && w.payoutAction && <ConfirmTransfer withdrawalId={w.id} onDone={onChanged} />}
      {w.status === "failed" && (
        <div style={{ color: "#ff3141", fontSize: 12, marginTop: 2 }} data-testid="withdrawal-failure">
          {t("withdraw.failure", {
            reason: w.payoutFailure
              ? payoutFailureText(w.payoutFailure, language)
              : t("withdraw.failureUnknown"),
            amount: grouped(w.amount),
          })}
        </div>
      )}
    </div>
  );
}

const FIELD = {
  display: "flex",
  alignItems: "center",
  gap: 8,
  borderBottom: "1px solid #eee",
  minHeight: 56,
  marginBottom: 8,
} as const;
const ALL = {
  border: "none",
  background: "none",
  color: "#e4393c",
  fontSize: 14,
  minHeight: 44,
  whiteSpace: "nowrap",
} as const;
const LINE = { display: "flex", justifyContent: "space-between", alignItems: "center" } as const;
