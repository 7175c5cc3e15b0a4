/**
 * Aliyun SMS (dysmsapi 2017-05-25, SendSms) with the RPC-style signature:
 * StringToSign = METHOD & percent("/") & percent(sorted, percent-encoded query),
 * Signature = base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign)).
 */
import { createHmac, randomUUID } from "node:crypto";
import { type SmsMessage, type SmsProvider, type SmsReceipt, SmsSendError } from "./types.ts";

/** Settings of the Aliyun provider. */
export interface AliyunSmsOptions {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly signName: string;
  readonly templateCode: string;
  /** Default https://dysmsapi.aliyuncs.com/ (tests point it at a local fake). */
  readonly endpoint?: string;
  readonly regionId?: string;
  /** Seconds before a request is abandoned. */
  readonly timeoutMs?: number;
  /** For tests: fixed time and nonce. */
  readonly now?: () => Date;
  readonly nonce?: () => string;
}

/** Aliyun's percent-encoding: RFC 3986 unreserved characters kept, space as %20, `*` as %2A. */
export function aliyunPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The canonicalized query string: parameters sorted by name, names and values percent-encoded. */
export function aliyunCanonicalQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((key) => key !== "Signature")
    .sort()
    .map((key) => `${aliyunPercentEncode(key)}=${aliyunPercentEncode(params[key] as string)}`)
    .join("&");
}

/** The RPC signature of `params` for HTTP `method` with the AccessKey secret. */
export function aliyunSignature(
  params: Readonly<Record<string, string>>,
  accessKeySecret: string,
  method = "POST",
): string {
  const stringToSign = `${method}&${aliyunPercentEncode("/")}&${aliyunPercentEncode(aliyunCanonicalQuery(params))}`;
  return createHmac("sha1", `${accessKeySecret}&`).update(stringToSign, "utf8").digest("base64");
}

/** Aliyun's timestamp form: ISO 8601 UTC to the second, e.g. 2017-07-12T02:42:19Z. */
function aliyunTimestamp(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A provider that sends through Aliyun SMS. */
export function aliyunSmsProvider(options: AliyunSmsOptions): SmsProvider {
  const endpoint = options.endpoint ?? "https://dysmsapi.aliyuncs.com/";
  return {
    name: "aliyun",
    keepsContent: false,
    async send(message: SmsMessage): Promise<SmsReceipt> {
      const params: Record<string, string> = {
        AccessKeyId: options.accessKeyId,
        Action: "SendSms",
        Format: "JSON",
        PhoneNumbers: message.phone,
        RegionId: options.regionId ?? "cn-hangzhou",
        SignName: options.signName,
        SignatureMethod: "HMAC-SHA1",
        SignatureNonce: options.nonce?.() ?? randomUUID(),
        SignatureVersion: "1.0",
        TemplateCode: options.templateCode,
        TemplateParam: JSON.stringify(message.params),
        Timestamp: aliyunTimestamp(options.now?.() ?? new Date()),
        Version: "2017-05-25",
      };
      params.Signature = aliyunSignature(params, options.accessKeySecret, "POST");
      const body = Object.entries(params)
        .map(([k, v]) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(v)}`)
        .join("&");
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body,
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        throw new SmsSendError("aliyun", "NETWORK", (error as Error).message);
      }
      const text = await response.text();
      let answer: { Code?: string; Message?: string; BizId?: string };
      try {
        answer = JSON.parse(text);
      } catch {
        throw new SmsSendError("aliyun", `HTTP${response.status}`, text.slice(0, 200));
      }
      if (answer.Code !== "OK") {
        throw new SmsSendError("aliyun", answer.Code ?? `HTTP${response.status}`, answer.Message ?? "");
      }
      return { providerRef: answer.BizId ?? null };
    },
  };
}
