/**
 * WeChat Pay API v3's cryptography on node:crypto (docs/decisions.md):
 * the merchant's request signature (Authorization:
 * WECHATPAY2-SHA256-RSA2048), the platform's signature on answers and
 * notifications (Wechatpay-Timestamp / -Nonce / -Signature / -Serial), the
 * notification resource's AEAD_AES_256_GCM decryption with the APIv3 key, and
 * the JSAPI paySign. Pure functions of their inputs (the caller gives the
 * time and the nonce).
 */
import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  createSign,
  createVerify,
  type KeyObject,
} from "node:crypto";

/** The Authorization scheme of a v3 request. */
export const AUTH_SCHEME = "WECHATPAY2-SHA256-RSA2048";

/** SHA256withRSA of `message` under a PEM private key, base64. */
export function rsaSign(privateKeyPem: string | KeyObject, message: string): string {
  return createSign("RSA-SHA256").update(message, "utf8").sign(privateKeyPem, "base64");
}

/** Whether `signature` (base64) is SHA256withRSA of `message` under `publicKey`. */
export function rsaVerify(publicKey: KeyObject, message: string, signature: string): boolean {
  try {
    return createVerify("RSA-SHA256").update(message, "utf8").verify(publicKey, signature, "base64");
  } catch {
    return false;
  }
}

/** The platform's public key from a PEM public key or certificate. */
export function platformKey(pem: string): KeyObject {
  return createPublicKey(pem);
}

/** The message a request signature covers: method, path with query, time, nonce, body — each line ended. */
export function requestMessage(
  method: string,
  pathWithQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
) {
  return `${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** The Authorization header of a request. */
export function authorization(input: {
  mchId: string;
  serialNo: string;
  privateKey: string | KeyObject;
  method: string;
  pathWithQuery: string;
  body: string;
  timestamp: string;
  nonce: string;
}): string {
  const signature = rsaSign(
    input.privateKey,
    requestMessage(input.method, input.pathWithQuery, input.timestamp, input.nonce, input.body),
  );
  return `${AUTH_SCHEME} mchid="${input.mchId}",nonce_str="${input.nonce}",signature="${signature}",timestamp="${input.timestamp}",serial_no="${input.serialNo}"`;
}

/** The fields of an Authorization header (null when it is not the v3 scheme). */
export function parseAuthorization(header: string): Record<string, string> | null {
  if (!header.startsWith(`${AUTH_SCHEME} `)) return null;
  const out: Record<string, string> = {};
  for (const m of header.slice(AUTH_SCHEME.length + 1).matchAll(/(\w+)="([^"]*)"/g))
    out[m[1] as string] = m[2] as string;
  return out;
}

/** The message an answer's or a notification's signature covers: time, nonce, body — each line ended. */
export function responseMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

/** An encrypted notification resource. */
export interface EncryptedResource {
  readonly algorithm: string;
  readonly ciphertext: string;
  readonly associated_data?: string;
  readonly nonce: string;
  readonly original_type?: string;
}

/** Decrypts a resource (AEAD_AES_256_GCM, key = the APIv3 key, the tag the ciphertext's last 16 bytes). */
export function decryptResource(apiV3Key: string, resource: EncryptedResource): string {
  if (resource.algorithm !== "AEAD_AES_256_GCM") throw new Error(`unknown algorithm ${resource.algorithm}`);
  const data = Buffer.from(resource.ciphertext, "base64");
  if (data.length < 17) throw new Error("ciphertext too short");
  const decipher = createDecipheriv(
    "aes-256-gcm",
    Buffer.from(apiV3Key, "utf8"),
    Buffer.from(resource.nonce, "utf8"),
  );
  decipher.setAuthTag(data.subarray(data.length - 16));
  decipher.setAAD(Buffer.from(resource.associated_data ?? "", "utf8"));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString(
    "utf8",
  );
}

/** Encrypts a resource as WeChat Pay does (for the local fake and the tests). */
export function encryptResource(apiV3Key: string, plaintext: string, nonce: string, associatedData: string) {
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(apiV3Key, "utf8"), Buffer.from(nonce, "utf8"));
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return {
    algorithm: "AEAD_AES_256_GCM",
    ciphertext: data.toString("base64"),
    associated_data: associatedData,
    nonce,
  };
}

/**
 * The JSAPI payment parameters for WeixinJSBridge getBrandWCPayRequest:
 * paySign is SHA256withRSA over appId, timeStamp, nonceStr and package.
 */
export function jsapiParams(input: {
  appId: string;
  prepayId: string;
  privateKey: string | KeyObject;
  timestamp: string;
  nonce: string;
}): Record<string, string> {
  const pkg = `prepay_id=${input.prepayId}`;
  const paySign = rsaSign(input.privateKey, `${input.appId}\n${input.timestamp}\n${input.nonce}\n${pkg}\n`);
  return {
    appId: input.appId,
    timeStamp: input.timestamp,
    nonceStr: input.nonce,
    package: pkg,
    signType: "RSA",
    paySign,
  };
}

/** Micro units to fen; refuses anything not a whole fen. */
export function toFen(amountMicro: bigint): number {
  if (amountMicro % 10_000n !== 0n || amountMicro <= 0n)
    throw new Error(`not a positive whole fen: ${amountMicro}`);
  return Number(amountMicro / 10_000n);
}

/** A fen amount from a parsed body (text of digits, as the lossless parser keeps numbers) to micro units. */
export function fenToMicro(value: unknown): bigint {
  const text = typeof value === "string" || typeof value === "number" ? String(value) : "";
  if (!/^\d{1,15}$/.test(text)) throw new Error(`not a whole number of fen: ${text}`);
  return BigInt(text) * 10_000n;
}
