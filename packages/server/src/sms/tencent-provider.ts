/**
 * Tencent Cloud SMS (SendSms, API 2021-01-11) signed with TC3-HMAC-SHA256:
 * CanonicalRequest = METHOD \n URI \n QUERY \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body));
 * StringToSign = "TC3-HMAC-SHA256" \n timestamp \n date/service/tc3_request \n hex(sha256(CanonicalRequest));
 * key = HMAC(HMAC(HMAC("TC3" + SecretKey, date), service), "tc3_request"); signature = hex(HMAC(key, StringToSign)).
 */
import { createHash, createHmac } from "node:crypto";
import { type SmsMessage, type SmsProvider, type SmsReceipt, SmsSendError } from "./types.ts";

/** Settings of the Tencent Cloud provider. */
export interface TencentSmsOptions {
  readonly secretId: string;
  readonly secretKey: string;
  readonly sdkAppId: string;
  readonly signName: string;
  readonly templateId: string;
  /** Default https://sms.tencentcloudapi.com (tests point it at a local fake). */
  readonly endpoint?: string;
  readonly region?: string;
  readonly timeoutMs?: number;
  /** For tests: a fixed time. */
  readonly now?: () => Date;
}

const SERVICE = "sms";
const ALGORITHM = "TC3-HMAC-SHA256";
const CONTENT_TYPE = "application/json; charset=utf-8";

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function hmac(key: string | Buffer, text: string): Buffer {
  return createHmac("sha256", key).update(text, "utf8").digest();
}

/** The parts of one TC3 signature. */
export interface Tc3Input {
  readonly secretKey: string;
  readonly host: string;
  readonly action: string;
  readonly payload: string;
  /** Unix seconds. */
  readonly timestamp: number;
  readonly service?: string;
}

/** The TC3-HMAC-SHA256 signature (hex), the credential scope and the signed headers. */
export function tc3Signature(input: Tc3Input): { signature: string; scope: string; signedHeaders: string } {
  const service = input.service ?? SERVICE;
  const date = new Date(input.timestamp * 1000).toISOString().slice(0, 10);
  const signedHeaders = "content-type;host;x-tc-action";
  const canonicalHeaders = `content-type:${CONTENT_TYPE}\nhost:${input.host}\nx-tc-action:${input.action.toLowerCase()}\n`;
  const canonicalRequest = ["POST", "/", "", canonicalHeaders, signedHeaders, sha256Hex(input.payload)].join(
    "\n",
  );
  const scope = `${date}/${service}/tc3_request`;
  const stringToSign = [ALGORITHM, String(input.timestamp), scope, sha256Hex(canonicalRequest)].join("\n");
  const secretDate = hmac(`TC3${input.secretKey}`, date);
  const secretService = hmac(secretDate, service);
  const secretSigning = hmac(secretService, "tc3_request");
  const signature = createHmac("sha256", secretSigning).update(stringToSign, "utf8").digest("hex");
  return { signature, scope, signedHeaders };
}

interface TencentAnswer {
  Response?: {
    Error?: { Code?: string; Message?: string };
    SendStatusSet?: { Code?: string; Message?: string; SerialNo?: string }[];
  };
}

/** A provider that sends through Tencent Cloud SMS. */
export function tencentSmsProvider(options: TencentSmsOptions): SmsProvider {
  const endpoint = options.endpoint ?? "https://sms.tencentcloudapi.com";
  const host = new URL(endpoint).host;
  return {
    name: "tencent",
    keepsContent: false,
    async send(message: SmsMessage): Promise<SmsReceipt> {
      const payload = JSON.stringify({
        PhoneNumberSet: [`+86${message.phone}`],
        SmsSdkAppId: options.sdkAppId,
        SignName: options.signName,
        TemplateId: options.templateId,
        TemplateParamSet: Object.values(message.params),
      });
      const timestamp = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
      const action = "SendSms";
      const { signature, scope, signedHeaders } = tc3Signature({
        secretKey: options.secretKey,
        host,
        action,
        payload,
        timestamp,
      });
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: "POST",
          headers: {
            authorization: `${ALGORITHM} Credential=${options.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
            "content-type": CONTENT_TYPE,
            "x-tc-action": action,
            "x-tc-timestamp": String(timestamp),
            "x-tc-version": "2021-01-11",
            "x-tc-region": options.region ?? "ap-guangzhou",
          },
          body: payload,
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        throw new SmsSendError("tencent", "NETWORK", (error as Error).message);
      }
      const text = await response.text();
      let answer: TencentAnswer;
      try {
        answer = JSON.parse(text);
      } catch {
        throw new SmsSendError("tencent", `HTTP${response.status}`, text.slice(0, 200));
      }
      const error = answer.Response?.Error;
      if (error) throw new SmsSendError("tencent", error.Code ?? "Error", error.Message ?? "");
      const status = answer.Response?.SendStatusSet?.[0];
      if (status?.Code !== "Ok") {
        throw new SmsSendError("tencent", status?.Code ?? `HTTP${response.status}`, status?.Message ?? "");
      }
      return { providerRef: status.SerialNo ?? null };
    },
  };
}
