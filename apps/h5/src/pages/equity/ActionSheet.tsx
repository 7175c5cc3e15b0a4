import { Button, Input, Popup, Toast } from "antd-mobile";
import { useEffect, useState } from "react";
import { ApiError, newIdempotencyKey } from "../../api.ts";
import { abs, grouped, isAmount, ratePercent } from "../../components/decimal.ts";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { walletName } from "../../components/wallets.ts";
import { useI18n } from "../../i18n/index.tsx";
import { ACTIONS, type Action, type EquityResult, runAction } from "./actions.ts";

interface Props {
  readonly action: Action | null;
  readonly holdings: { equity: string; stable: string };
  readonly onClose: () => void;
  readonly onDone: () => void;
}

/**
 * One equity command in a bottom sheet: the amount, then the server's preview
 * (a dry run: the fee and what arrives, exactly as the command will do it),
 * then the confirmation that does it once (an Idempotency-Key per preview).
 */
export function ActionSheet({ action, holdings, onClose, onDone }: Props) {
  const { t } = useI18n();
  const [value, setValue] = useState("");
  const [merchant, setMerchant] = useState("");
  const [preview, setPreview] = useState<{ result: EquityResult; key: string } | null>(null);
  const [problem, setProblem] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new action starts an empty sheet
  useEffect(() => {
    setValue("");
    setMerchant("");
    setPreview(null);
    setProblem(null);
  }, [action]);
  if (!action) return <Popup visible={false} />;
  const spec = ACTIONS[action];

  async function showPreview() {
    if (!action) return;
    if (!isAmount(value, spec.places))
      return setProblem(t(spec.places === 2 ? "equity.input.invalidYuan" : "equity.input.invalid"));
    if (action === "pay" && !merchant.trim()) return setProblem(t("equity.input.merchantMissing"));
    setBusy(true);
    setProblem(null);
    try {
      const result = await runAction(action, value, merchant.trim(), { dryRun: true });
      setPreview({ result, key: newIdempotencyKey() });
    } catch (caught) {
      if (caught instanceof ApiError) setProblem(caught);
    } finally {
      setBusy(false);
    }
  }

  async function confirm() {
    if (!action || !preview) return;
    setBusy(true);
    setProblem(null);
    try {
      await runAction(action, value, merchant.trim(), { dryRun: false, key: preview.key });
      Toast.show({ icon: "success", content: t("equity.done") });
      onDone();
    } catch (caught) {
      if (caught instanceof ApiError) setProblem(caught);
      setPreview(null);
    } finally {
      setBusy(false);
    }
  }

  const max = spec.max ? holdings[spec.max] : null;
  return (
    <Popup visible onMaskClick={onClose} bodyStyle={SHEET} destroyOnClose>
      <div style={{ fontSize: 17, fontWeight: 600, textAlign: "center", marginBottom: 12 }}>
        {t(spec.title)}
      </div>
      <ErrorNotice error={problem} />
      {preview ? (
        <PreviewRows action={action} result={preview.result} />
      ) : (
        <>
          <label htmlFor="equity-amount" style={LABEL}>
            {t(spec.input)}
            {max !== null && <span style={{ color: "#999", marginLeft: 8 }}>{`≤ ${max}`}</span>}
          </label>
          <div style={FIELD}>
            <Input
              id="equity-amount"
              inputMode="decimal"
              placeholder={t("equity.input.placeholder")}
              value={value}
              onChange={(v) => setValue(v.replace(/[^\d.]/g, ""))}
              style={{ "--font-size": "22px" }}
            />
            {max !== null && (
              <button type="button" style={ALL} onClick={() => setValue(max)}>
                {t("equity.input.all")}
              </button>
            )}
          </div>
          {action === "pay" && (
            <>
              <label htmlFor="merchant" style={LABEL}>
                {t("equity.input.merchant")}
              </label>
              <div style={FIELD}>
                <Input
                  id="merchant"
                  placeholder={t("equity.input.merchantPlaceholder")}
                  value={merchant}
                  onChange={(v) => setMerchant(v.toUpperCase())}
                />
              </div>
            </>
          )}
        </>
      )}
      <div style={{ display: "flex", gap: 12, marginTop: 20 }}>
        {preview && (
          <Button style={{ flex: 1 }} shape="rounded" size="large" onClick={() => setPreview(null)}>
            {t("equity.back")}
          </Button>
        )}
        <Button
          style={{ flex: 2 }}
          color="primary"
          shape="rounded"
          size="large"
          loading={busy}
          onClick={preview ? confirm : showPreview}
        >
          {preview
            ? t(action === "sell" ? "equity.confirm.sell" : "equity.confirm.other")
            : t("equity.preview")}
        </Button>
      </div>
    </Popup>
  );
}

/** The dry run's answer: for a sale its worth, fee and cash received; for every command what moves. */
function PreviewRows({ action, result }: { action: Action; result: EquityResult }) {
  const { t } = useI18n();
  const rows: [string, string, boolean?][] = [];
  if (action === "sell" && result.sale) {
    const sold = abs(result.moved.equity ?? "0");
    rows.push([t("equity.input.points"), grouped(sold)]);
    rows.push([t("equity.sale.value"), `¥${grouped(result.sale.value)}`]);
    rows.push([
      t("equity.sale.fee", { rate: ratePercent(result.sale.feeRate) }),
      `−¥${grouped(result.sale.fee)}`,
    ]);
    rows.push([t("equity.sale.proceeds"), `¥${grouped(result.sale.proceeds)}`, true]);
  } else {
    for (const [wallet, amount] of Object.entries(result.moved)) {
      const out = amount.startsWith("-");
      rows.push([walletName(t, wallet), out ? `−${grouped(abs(amount))}` : `+${grouped(amount)}`, !out]);
    }
  }
  rows.push([t("equity.result.priceAfter"), `¥${grouped(result.price)}`]);
  return (
    <div data-testid="equity-preview">
      <div style={{ color: "#999", fontSize: 13, marginBottom: 8 }}>{t("equity.previewTitle")}</div>
      {rows.map(([label, text, strong]) => (
        <div key={label} style={ROW}>
          <span style={{ color: "#666" }}>{label}</span>
          <span
            style={{
              fontWeight: strong ? 700 : 500,
              color: strong ? "#e4393c" : "#333",
              fontSize: strong ? 20 : 16,
            }}
          >
            {text}
          </span>
        </div>
      ))}
      {result.exited && (
        <div style={{ color: "#fa8c16", fontSize: 13, marginTop: 8 }}>{t("equity.result.exit")}</div>
      )}
    </div>
  );
}

const SHEET = {
  boxSizing: "border-box",
  borderTopLeftRadius: 16,
  borderTopRightRadius: 16,
  padding: "20px 16px calc(16px + env(safe-area-inset-bottom))",
  maxWidth: 480,
  margin: "0 auto",
} as const;
const LABEL = { display: "block", fontSize: 14, color: "#333", margin: "8px 0 6px" } as const;
const FIELD = {
  display: "flex",
  alignItems: "center",
  borderBottom: "1px solid #eee",
  minHeight: 52,
  gap: 8,
} as const;
const ALL = {
  border: "none",
  background: "none",
  color: "#e4393c",
  fontSize: 15,
  minHeight: 44,
  minWidth: 44,
} as const;
const ROW = {
  display: "flex",
  justifyContent: "space-between",
  alignItems: "center",
  minHeight: 40,
  borderBottom: "1px solid #f5f5f5",
} as const;
