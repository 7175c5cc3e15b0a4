/**
 * The fields of each provider's settings as the console shows them: which are
 * secrets (write-only), which are long PEM texts, and their group. The server
 * (packages/server/src/payments) decides what is required and valid.
 */
import type { MessageKey } from "../../i18n/index.tsx";

export type ProviderName = "wechat" | "alipay";

export interface FieldSpec {
  readonly name: string;
  readonly group: "basic" | "keys" | "advanced";
  /** Write-only: shown as 已设置 / 未设置, sent only when typed. */
  readonly secret?: boolean;
  /** A PEM text (a text area). */
  readonly long?: boolean;
  readonly required?: boolean;
  readonly placeholder?: string;
}

export const FIELDS: Record<ProviderName, readonly FieldSpec[]> = {
  wechat: [
    { name: "mchId", group: "basic", required: true, placeholder: "1900000109" },
    { name: "appId", group: "basic", required: true, placeholder: "wx8888888888888888" },
    { name: "appSecret", group: "basic", secret: true },
    {
      name: "notifyUrl",
      group: "basic",
      required: true,
      placeholder: "https://shop.example.com/payments/wechat/notify",
    },
    {
      name: "serialNo",
      group: "keys",
      required: true,
      placeholder: "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
    },
    { name: "privateKey", group: "keys", secret: true, long: true, required: true },
    { name: "apiV3Key", group: "keys", secret: true, required: true },
    {
      name: "platformSerial",
      group: "keys",
      required: true,
      placeholder: "PUB_KEY_ID_0114232134912410000000000000",
    },
    { name: "platformPublicKey", group: "keys", long: true, required: true },
    { name: "transferSceneId", group: "advanced", placeholder: "1000" },
    { name: "transferPerception", group: "advanced", placeholder: "现金奖励" },
    { name: "endpoint", group: "advanced", placeholder: "https://api.mch.weixin.qq.com" },
    { name: "oauthBase", group: "advanced", placeholder: "https://open.weixin.qq.com" },
    { name: "snsBase", group: "advanced", placeholder: "https://api.weixin.qq.com" },
  ],
  alipay: [
    { name: "appId", group: "basic", required: true, placeholder: "2021000000000000" },
    {
      name: "notifyUrl",
      group: "basic",
      required: true,
      placeholder: "https://shop.example.com/payments/alipay/notify",
    },
    { name: "privateKey", group: "keys", secret: true, long: true, required: true },
    { name: "alipayPublicKey", group: "keys", long: true, required: true },
    { name: "gateway", group: "advanced", placeholder: "https://openapi.alipay.com/gateway.do" },
  ],
};

/** The message key of a field's label (`.help` added: its help). */
export const fieldLabel = (provider: ProviderName, field: string) =>
  `payments.${provider}.${field}` as MessageKey;
export const fieldHelp = (provider: ProviderName, field: string) =>
  `payments.${provider}.${field}.help` as MessageKey;

/** What the server answers for a secret that is set. */
export const MASK = "******";
