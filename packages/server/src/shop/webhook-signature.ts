/** The generic payment webhook's signature (webhook-routes.ts): HMAC-SHA256 over the raw body. */
import { createHmac } from "node:crypto";

/** The signature header value for `body` under `secret`: "sha256=<hex>". */
export function signWebhook(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}
