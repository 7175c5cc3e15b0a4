import { type AliyunSmsOptions, aliyunSmsProvider } from "./aliyun-provider.ts";
import { consoleSmsProvider } from "./console-provider.ts";
import { type TencentSmsOptions, tencentSmsProvider } from "./tencent-provider.ts";
import type { SmsProvider } from "./types.ts";

export {
  type AliyunSmsOptions,
  aliyunCanonicalQuery,
  aliyunPercentEncode,
  aliyunSignature,
  aliyunSmsProvider,
} from "./aliyun-provider.ts";
export {
  type CodeDeps,
  type CodePurpose,
  checkCode,
  DEFAULT_SMS_LIMITS,
  hashCode,
  type SmsLimits,
  sendCode,
} from "./codes.ts";
export { consoleSmsProvider } from "./console-provider.ts";
export { maskPhone, maskPhonesIn } from "./mask.ts";
export {
  type Tc3Input,
  type TencentSmsOptions,
  tc3Signature,
  tencentSmsProvider,
} from "./tencent-provider.ts";
export { type SmsMessage, type SmsProvider, type SmsReceipt, SmsSendError } from "./types.ts";

/** Which provider to build and its settings. */
export type SmsSettings =
  | { readonly provider: "console" }
  | { readonly provider: "aliyun"; readonly aliyun: AliyunSmsOptions }
  | { readonly provider: "tencent"; readonly tencent: TencentSmsOptions };

/** Builds the configured SMS provider. */
export function createSmsProvider(settings: SmsSettings): SmsProvider {
  switch (settings.provider) {
    case "console":
      return consoleSmsProvider();
    case "aliyun":
      return aliyunSmsProvider(settings.aliyun);
    case "tencent":
      return tencentSmsProvider(settings.tencent);
  }
}
