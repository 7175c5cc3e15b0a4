/**
 * Calls to the Alipay open platform gateway (https://openapi.alipay.com/gateway.do):
 * common parameters (app_id, method, format JSON, charset utf-8, sign_type
 * RSA2, timestamp in Beijing time, version 1.0, biz_content as JSON) signed
 * with the application's private key and posted form-encoded; the answer's
 * `<method>_response` text verified against Alipay's public key before a
 * field of it is read.
 */
import type { KeyObject } from "node:crypto";
import { parseJsonLossless } from "@jifen/engine";
import { privateKeyOf, publicKeyOf, responseSpan, rsa2Sign, rsa2Verify, signContent } from "./sign.ts";
import { type AlipayAnswer, AlipayCallError, type AlipayOptions } from "./types.ts";

export const ALIPAY_GATEWAY = "https://openapi.alipay.com/gateway.do";

/** `at` as Alipay's timestamp: "yyyy-MM-dd HH:mm:ss" in Beijing time (UTC+8, no summer time). */
export function beijingTimestamp(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace("T", " ");
}

/** A client bound to one application's settings and keys. */
export interface AlipayClient {
  readonly options: AlipayOptions;
  /** The signed parameters of a call (also what a pay page redirect carries). */
  signedParams(method: string, biz: object, extra?: Readonly<Record<string, string>>): Record<string, string>;
  /** Posts a call and returns its verified answer. */
  call(method: string, biz: object): Promise<AlipayAnswer>;
  /** Alipay's public key (for notifications). */
  readonly alipayKey: KeyObject;
}

/** Builds a client; the keys are read once (a bad key fails here, not at the first payment). */
export function alipayClient(options: AlipayOptions): AlipayClient {
  const appKey = privateKeyOf(options.privateKey);
  const alipayKey = publicKeyOf(options.alipayPublicKey);
  const signedParams = (method: string, biz: object, extra: Readonly<Record<string, string>> = {}) => {
    const params: Record<string, string> = {
      app_id: options.appId,
      method,
      format: "JSON",
      charset: "utf-8",
      sign_type: "RSA2",
      timestamp: beijingTimestamp(options.now?.() ?? new Date()),
      version: "1.0",
      biz_content: JSON.stringify(biz),
      ...(options.notifyUrl ? { notify_url: options.notifyUrl } : {}),
      ...extra,
    };
    params.sign = rsa2Sign(signContent(params), appKey);
    return params;
  };
  return {
    options,
    alipayKey,
    signedParams,
    async call(method, biz) {
      const text = await post(options, signedParams(method, biz));
      return readAnswer(text, method, alipayKey);
    },
  };
}

async function post(options: AlipayOptions, params: Record<string, string>): Promise<string> {
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(`${options.gateway ?? ALIPAY_GATEWAY}?charset=utf-8`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8" },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    return await response.text();
  } catch (error) {
    const name = (error as Error).name;
    const kind = name === "TimeoutError" || name === "AbortError" ? "timeout" : "network";
    throw new AlipayCallError(kind, (error as Error).message);
  }
}

/** Reads and verifies an answer; an unsigned answer is accepted only as a failure. */
export function readAnswer(text: string, method: string, alipayKey: KeyObject): AlipayAnswer {
  const key = `${method.replaceAll(".", "_")}_response`;
  const span = responseSpan(text, key) ?? responseSpan(text, "error_response");
  let whole: Record<string, unknown>;
  try {
    whole = parseJsonLossless(text) as Record<string, unknown>;
  } catch {
    throw new AlipayCallError("protocol", `not JSON: ${text.slice(0, 120)}`);
  }
  const fields = (whole[key] ?? whole.error_response) as Record<string, unknown> | undefined;
  if (span === null || typeof fields !== "object" || fields === null)
    throw new AlipayCallError("protocol", `no ${key} in the answer`);
  const sign = whole.sign;
  const code = String(fields.code ?? "");
  if (typeof sign === "string" ? !rsa2Verify(span, sign, alipayKey) : code === "10000")
    throw new AlipayCallError("signature", `the ${key} signature does not verify`);
  return {
    code,
    msg: String(fields.msg ?? ""),
    subCode: typeof fields.sub_code === "string" ? fields.sub_code : null,
    subMsg: typeof fields.sub_msg === "string" ? fields.sub_msg : null,
    fields,
  };
}
