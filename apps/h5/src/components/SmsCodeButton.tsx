import { Button, Toast } from "antd-mobile";
import { useEffect, useState } from "react";
import { ApiError, api, unwrap } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";

export const PHONE_PATTERN = /^1[3-9]\d{9}$/;

interface Props {
  readonly phone: string;
  readonly purpose: "register" | "login" | "reset";
  /** Shows the server's refusal (a wrong number, too frequent …). */
  readonly onError: (error: ApiError | null) => void;
  /** Tells the form the phone field is not a mobile number yet. */
  readonly onInvalidPhone: () => void;
}

/** "获取验证码": sends an SMS code, then counts down the server's resend wait (60 s). */
export function SmsCodeButton({ phone, purpose, onError, onInvalidPhone }: Props) {
  const { t } = useI18n();
  const [secondsLeft, setSecondsLeft] = useState(0);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (secondsLeft <= 0) return;
    const timer = setTimeout(() => setSecondsLeft((s) => s - 1), 1000);
    return () => clearTimeout(timer);
  }, [secondsLeft]);

  async function send() {
    if (!PHONE_PATTERN.test(phone)) return onInvalidPhone();
    setBusy(true);
    onError(null);
    try {
      const answer = await unwrap(api.POST("/auth/sms-codes", { body: { phone, purpose } }));
      setSecondsLeft(answer.resendAfterSeconds);
      Toast.show({ content: t("auth.codeSent") });
    } catch (caught) {
      if (caught instanceof ApiError) onError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Button
      size="small"
      color="primary"
      fill="none"
      loading={busy}
      disabled={secondsLeft > 0}
      onClick={send}
      data-testid="send-code"
      style={{ minHeight: 44, padding: "0 4px", whiteSpace: "nowrap" }}
    >
      {secondsLeft > 0 ? t("auth.resendIn", { seconds: secondsLeft }) : t("auth.sendCode")}
    </Button>
  );
}
