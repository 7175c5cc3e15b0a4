/**
 * Paying a checkout through WeChat Pay or Alipay: inside WeChat the JSAPI
 * (WeixinJSBridge), in a phone browser the provider's page, on a computer a
 * QR code (WeChat Native) or Alipay's page. The page polls the checkout until
 * the provider's notification has paid it.
 */
import type { Ok } from "@jifen/api-types";
import { Button, NoticeBar } from "antd-mobile";
import QRCode from "qrcode";
import { useEffect, useState } from "react";
import { type ApiError, api, unwrap } from "../../api.ts";
import { grouped } from "../../components/decimal.ts";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { useI18n } from "../../i18n/index.tsx";

type Checkout = Ok<"getMyCheckout">;
type Scene = "jsapi" | "h5" | "native" | "wap" | "page";

declare global {
  interface Window {
    WeixinJSBridge?: {
      invoke(name: string, params: Record<string, string>, done: (answer: { err_msg: string }) => void): void;
    };
  }
}

/** Where the member is: inside WeChat, a phone browser, or a computer. */
function sceneFor(provider: "wechat" | "alipay"): Scene {
  const agent = navigator.userAgent;
  const phone = /Android|iPhone|iPad|Mobile/i.test(agent);
  if (provider === "alipay") return phone ? "wap" : "page";
  if (/MicroMessenger/i.test(agent)) return "jsapi";
  return phone ? "h5" : "native";
}

export function ProviderPay({ checkout, reload }: { checkout: Checkout; reload: () => Promise<void> }) {
  const { t } = useI18n();
  const provider = checkout.provider as "wechat" | "alipay";
  const [qr, setQr] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  // The notification pays the checkout at the server: poll until it has.
  useEffect(() => {
    const timer = setInterval(() => void reload(), 3000);
    return () => clearInterval(timer);
  }, [reload]);

  async function pay() {
    setBusy(true);
    setError(null);
    try {
      const started = await unwrap(
        api.POST("/checkouts/{id}/payments", {
          params: { path: { id: checkout.id } },
          body: { provider, scene: sceneFor(provider), returnUrl: window.location.href },
        }),
      );
      const launch = started.launch;
      if (launch.kind === "qr" && launch.codeUrl)
        setQr(await QRCode.toDataURL(launch.codeUrl, { width: 480, margin: 1 }));
      else if (launch.kind === "redirect" && launch.url) window.location.href = launch.url;
      else if (launch.kind === "jsapi" && launch.params && window.WeixinJSBridge)
        window.WeixinJSBridge.invoke("getBrandWCPayRequest", launch.params, () => void reload());
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <ErrorNotice error={error} />
      {qr ? (
        <div style={{ textAlign: "center", marginBottom: 12 }}>
          <img src={qr} alt="QR" data-testid="pay-qr" style={{ width: 220, height: 220 }} />
          <NoticeBar wrap content={t("shop.pay.scanHint")} />
        </div>
      ) : (
        <Button block color="success" shape="rounded" size="large" loading={busy} onClick={pay}>
          {t(provider === "wechat" ? "shop.pay.wechatButton" : "shop.pay.alipayButton", {
            cash: grouped(checkout.cash),
          })}
        </Button>
      )}
      <NoticeBar color="info" wrap content={t("shop.pay.waitingProvider")} style={{ marginTop: 12 }} />
    </>
  );
}
