/**
 * A WeChat Pay 商家转账 that waits for the member: WeChat pays the cash only
 * after the member confirms it in WeChat. Inside WeChat the button opens
 * WeChat's own confirmation (WeixinJSBridge requestMerchantTransfer) with
 * what the server gives for this withdrawal; elsewhere it says to open the
 * page in WeChat. WeChat's notification then marks the withdrawal 已到账.
 */
import { Button, Toast } from "antd-mobile";
import { useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";
import { useI18n } from "../../i18n/index.tsx";

export function ConfirmTransfer({ withdrawalId, onDone }: { withdrawalId: string; onDone: () => void }) {
  const { t, language } = useI18n();
  const [busy, setBusy] = useState(false);

  async function confirm() {
    const bridge = window.WeixinJSBridge;
    if (!bridge || !/MicroMessenger/i.test(navigator.userAgent)) {
      Toast.show({ content: t("withdraw.confirmInWechat"), duration: 3000 });
      return;
    }
    setBusy(true);
    try {
      const params = await unwrap(
        api.GET("/me/withdrawals/{id}/payout-confirm", { params: { path: { id: withdrawalId } } }),
      );
      bridge.invoke("requestMerchantTransfer", params, (answer) => {
        if (answer.err_msg === "requestMerchantTransfer:ok") Toast.show({ content: t("withdraw.confirmed") });
        onDone();
      });
    } catch (caught) {
      if (caught instanceof ApiError) Toast.show({ content: caught.sentence(language), duration: 3000 });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div
      data-testid="withdrawal-confirm"
      style={{ display: "flex", alignItems: "center", justifyContent: "space-between", marginTop: 6, gap: 8 }}
    >
      <span style={{ color: "#1677ff", fontSize: 12 }}>{t("withdraw.waitingConfirm")}</span>
      <Button size="small" color="primary" fill="outline" loading={busy} onClick={confirm}>
        {t("withdraw.confirmButton")}
      </Button>
    </div>
  );
}
