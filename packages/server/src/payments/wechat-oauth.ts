/**
 * The member's WeChat openid through WeChat's web authorization (网页授权,
 * snsapi_base, silent): the member site, opened inside WeChat, sends the
 * browser to open.weixin.qq.com/connect/oauth2/authorize with the shop's appid
 * and a `state`; WeChat sends it back to the site with a `code`; the server
 * exchanges the code at api.weixin.qq.com/sns/oauth2/access_token (appid +
 * AppSecret) for the openid and stores it as the member's WeChat account.
 *
 * The state binds the round trip to the member and expires after ten minutes:
 * an HMAC (keyed by the AppSecret, which only the server holds) over the
 * member id and the expiry, so a code fetched by someone else cannot be
 * pushed onto this member's account. Both base URLs are settings (`oauthBase`,
 * `snsBase`) so the tests point them at a local fake.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { fail } from "../errors/index.ts";
import { secretValue } from "./registry.ts";
import type { ProviderConfig, ProviderDeps } from "./types.ts";

/** Where WeChat's authorize page lives. */
export const WECHAT_OAUTH_BASE = "https://open.weixin.qq.com";
/** Where the code is exchanged. */
export const WECHAT_SNS_BASE = "https://api.weixin.qq.com";

const STATE_TTL_S = 600;

interface OauthConfig {
  readonly appId: string;
  readonly appSecret: string;
  readonly oauthBase: string;
  readonly snsBase: string;
}

/** The OAuth part of the WeChat settings; refused when the AppSecret is not set. */
export function wechatOauthConfig(config: ProviderConfig): OauthConfig {
  if (!config.appId || (config.appSecret === undefined && config.appSecretFile === undefined))
    fail("WECHAT_OAUTH_UNAVAILABLE");
  return {
    appId: config.appId,
    appSecret: secretValue(config, "appSecret").trim(),
    oauthBase: (config.oauthBase ?? WECHAT_OAUTH_BASE).replace(/\/$/, ""),
    snsBase: (config.snsBase ?? WECHAT_SNS_BASE).replace(/\/$/, ""),
  };
}

function mac(cfg: OauthConfig, memberId: string, expiresS: number): string {
  return createHmac("sha256", cfg.appSecret)
    .update(`jifen.wechat-oauth|${memberId}|${expiresS}`)
    .digest("base64url")
    .slice(0, 32);
}

/** The state of one round trip for `memberId`: `<expiry seconds>.<mac>`. */
export function oauthState(cfg: OauthConfig, memberId: string, now: Date): string {
  const expiresS = Math.floor(now.getTime() / 1000) + STATE_TTL_S;
  return `${expiresS}.${mac(cfg, memberId, expiresS)}`;
}

/** Refuses a state not made for `memberId` or expired. */
export function checkOauthState(cfg: OauthConfig, memberId: string, state: string, now: Date): void {
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{32})$/.exec(state);
  const expiresS = m ? Number(m[1]) : 0;
  const want = Buffer.from(mac(cfg, memberId, expiresS));
  const got = Buffer.from(m?.[2] ?? "");
  if (!m || got.length !== want.length || !timingSafeEqual(got, want))
    fail("WECHAT_OAUTH_STATE_INVALID", { field: "state" });
  if (expiresS < now.getTime() / 1000)
    fail("WECHAT_OAUTH_STATE_INVALID", {
      field: "state",
      detail: { zh: "授权已超过 10 分钟，请重新授权", en: "the authorization is over ten minutes old" },
    });
}

/** The authorize URL the browser is sent to (snsapi_base: no consent page, the openid only). */
export function authorizeUrl(cfg: OauthConfig, redirectUri: string, state: string): string {
  const query = new URLSearchParams({
    appid: cfg.appId,
    redirect_uri: redirectUri,
    response_type: "code",
    scope: "snsapi_base",
    state,
  });
  return `${cfg.oauthBase}/connect/oauth2/authorize?${query.toString()}#wechat_redirect`;
}

function oauthFailed(zh: string, en: string): never {
  fail("WECHAT_OAUTH_FAILED", { field: "code", detail: { zh, en } });
}

/** Exchanges `code` for the member's openid (sns/oauth2/access_token); refuses WeChat's errors. */
export async function exchangeCode(cfg: OauthConfig, deps: ProviderDeps, code: string): Promise<string> {
  const query = new URLSearchParams({
    appid: cfg.appId,
    secret: cfg.appSecret,
    code,
    grant_type: "authorization_code",
  });
  let data: Record<string, unknown>;
  try {
    const response = await deps.fetch(`${cfg.snsBase}/sns/oauth2/access_token?${query.toString()}`, {
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
    data = (await response.json()) as Record<string, unknown>;
  } catch {
    return oauthFailed("无法连接微信或应答无法读取", "WeChat could not be reached or answered unreadably");
  }
  if (data.errcode !== undefined && data.errcode !== 0) {
    const code = String(data.errcode);
    const msg = typeof data.errmsg === "string" ? data.errmsg : "";
    return oauthFailed(`微信返回 ${code} ${msg}`.trim(), `WeChat answered ${code} ${msg}`.trim());
  }
  if (typeof data.openid !== "string" || !/^[\x21-\x7e]{1,128}$/.test(data.openid))
    return oauthFailed("微信应答中没有 openid", "WeChat's answer has no openid");
  return data.openid;
}
