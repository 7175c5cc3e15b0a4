import { Input } from "antd-mobile";
import type { ApiError } from "../../api.ts";
import { SmsCodeButton } from "../../components/SmsCodeButton.tsx";
import { useI18n } from "../../i18n/index.tsx";
import { FieldRow } from "./AuthFrame.tsx";

export const CODE_PATTERN = /^\d{6}$/;

export function PhoneField({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const { t } = useI18n();
  return (
    <FieldRow id="phone" label={t("auth.phone")}>
      <Input
        id="phone"
        type="tel"
        inputMode="numeric"
        maxLength={11}
        autoComplete="tel"
        placeholder={t("auth.phonePlaceholder")}
        value={value}
        onChange={(v) => onChange(v.replace(/\D/g, ""))}
        clearable
      />
    </FieldRow>
  );
}

interface CodeFieldProps {
  readonly value: string;
  readonly onChange: (v: string) => void;
  readonly phone: string;
  readonly purpose: "register" | "login" | "reset";
  readonly onProblem: (problem: ApiError | string | null) => void;
}

export function CodeField({ value, onChange, phone, purpose, onProblem }: CodeFieldProps) {
  const { t } = useI18n();
  return (
    <FieldRow
      id="code"
      label={t("auth.code")}
      extra={
        <SmsCodeButton
          phone={phone}
          purpose={purpose}
          onError={onProblem}
          onInvalidPhone={() => onProblem(t("auth.phoneInvalid"))}
        />
      }
    >
      <Input
        id="code"
        inputMode="numeric"
        maxLength={6}
        autoComplete="one-time-code"
        placeholder={t("auth.codePlaceholder")}
        value={value}
        onChange={(v) => onChange(v.replace(/\D/g, ""))}
      />
    </FieldRow>
  );
}

export function PasswordField({
  value,
  onChange,
  fresh,
}: {
  value: string;
  onChange: (v: string) => void;
  fresh?: boolean;
}) {
  const { t } = useI18n();
  return (
    <FieldRow id="password" label={fresh ? t("auth.newPassword") : t("auth.password")}>
      <Input
        id="password"
        type="password"
        maxLength={72}
        autoComplete={fresh ? "new-password" : "current-password"}
        placeholder={fresh ? t("auth.newPasswordPlaceholder") : t("auth.passwordPlaceholder")}
        value={value}
        onChange={onChange}
      />
    </FieldRow>
  );
}

/** The local check before a call: a message, or null when the fields may go to the server. */
export function checkFields(
  t: ReturnType<typeof useI18n>["t"],
  fields: { phone: string; code?: string; password?: string },
): string | null {
  if (!/^1[3-9]\d{9}$/.test(fields.phone)) return t("auth.phoneInvalid");
  if (fields.code !== undefined && !CODE_PATTERN.test(fields.code)) return t("auth.codeInvalid");
  if (fields.password !== undefined && (fields.password.length < 8 || fields.password.length > 72))
    return t("auth.passwordInvalid");
  return null;
}

/** Where to go after signing in: the page that sent the member here, or 我的. */
export function afterSignIn(search: URLSearchParams): string {
  const redirect = search.get("redirect");
  return redirect?.startsWith("/") && !redirect.startsWith("//") ? redirect : "/me";
}
