/**
 * Alipay open platform signatures (RSA2 = SHA256withRSA, base64).
 *
 * - A request: every parameter except `sign` whose value is not empty,
 *   sorted by name, joined as `k=v&k=v` with raw (not URL-encoded) values.
 * - An asynchronous notification: the same, without `sign` and `sign_type`.
 * - A gateway answer: the exact text of the `<method>_response` value as it
 *   stands in the body (`responseSpan`), signed with Alipay's key.
 */
import { createPrivateKey, createPublicKey, createSign, createVerify, type KeyObject } from "node:crypto";

/** The text signed for `params`, leaving out the names in `excluded` and empty values. */
export function signContent(
  params: Readonly<Record<string, string | undefined>>,
  excluded: readonly string[] = ["sign"],
): string {
  return Object.keys(params)
    .filter((key) => !excluded.includes(key) && params[key] !== undefined && params[key] !== "")
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join("&");
}

/** A PEM key, or Alipay's bare base64 key text (as the open platform shows it), as a key object. */
export function privateKeyOf(key: string | KeyObject): KeyObject {
  if (typeof key !== "string") return key;
  const pem = key.includes("-----BEGIN") ? key : wrapPem(key, "PRIVATE KEY");
  return createPrivateKey(pem);
}

/** The public key (PEM or bare base64 SPKI) as a key object. */
export function publicKeyOf(key: string | KeyObject): KeyObject {
  if (typeof key !== "string") return key;
  const pem = key.includes("-----BEGIN") ? key : wrapPem(key, "PUBLIC KEY");
  return createPublicKey(pem);
}

function wrapPem(base64: string, label: string): string {
  const body = base64.replace(/\s+/g, "").replace(/(.{64})/g, "$1\n");
  return `-----BEGIN ${label}-----\n${body.trimEnd()}\n-----END ${label}-----\n`;
}

/** RSA2 signature of `content` (UTF-8), base64. */
export function rsa2Sign(content: string, privateKey: KeyObject): string {
  return createSign("RSA-SHA256").update(content, "utf8").sign(privateKey, "base64");
}

/** True when `signature` (base64) is the RSA2 signature of `content` under `publicKey`. */
export function rsa2Verify(content: string, signature: string, publicKey: KeyObject): boolean {
  if (!/^[A-Za-z0-9+/=]+$/.test(signature)) return false;
  try {
    return createVerify("RSA-SHA256").update(content, "utf8").verify(publicKey, signature, "base64");
  } catch {
    return false;
  }
}

/**
 * The exact text of the value of top-level key `key` in the JSON object
 * `text` (what Alipay signs in an answer), or null when absent.
 */
export function responseSpan(text: string, key: string): string | null {
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let lastKey: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') {
        inString = false;
        if (depth === 1) lastKey = text.slice(stringStart + 1, i);
      }
      continue;
    }
    if (c === '"') {
      inString = true;
      stringStart = i;
    } else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    else if (c === ":" && depth === 1 && lastKey === key) return valueAt(text, i + 1);
    else if (c === "," && depth === 1) lastKey = null;
  }
  return null;
}

/** The JSON value starting at or after `from` (whitespace skipped), as its exact text. */
function valueAt(text: string, from: number): string {
  let start = from;
  while (/\s/.test(text[start] ?? "")) start++;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') {
        inString = false;
        if (depth === 0) return text.slice(start, i + 1);
      }
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
      if (depth < 0) return text.slice(start, i).trimEnd();
    } else if (c === "," && depth === 0) return text.slice(start, i).trimEnd();
  }
  return text.slice(start).trimEnd();
}
