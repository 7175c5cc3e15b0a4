/**
 * WeChat Pay API v3 (微信支付), direct merchant mode, on node:crypto
 * (wechat-protocol.ts): JSAPI / H5 / Native orders, order query, refunds,
 * 商家转账 (transfer-bills) payouts, and the payment, refund and transfer
 * notifications. Every request is signed with the merchant's private key;
 * every answer and notification is verified against the platform public key
 * (微信支付公钥, or the platform certificate) named by its serial.
 */
import { createHash, createPrivateKey, randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { AppError, fail } from "../errors/index.ts";
import { parseJsonLossless } from "../http/json-body.ts";
import { secretValue } from "./registry.ts";
import {
  type CreatePaymentInput,
  type NotificationAnswer,
  type PaymentLaunch,
  type PaymentProvider,
  PaymentProviderError,
  type PaymentReport,
  type PaymentScene,
  type PayoutInput,
  type PayoutReport,
  type ProviderConfig,
  type ProviderDeps,
  type ProviderFactory,
  type ProviderReport,
  type RawNotification,
  type RefundInput,
  type RefundReport,
} from "./types.ts";
import {
  authorization,
  decryptResource,
  type EncryptedResource,
  fenToMicro,
  jsapiParams,
  platformKey,
  responseMessage,
  rsaVerify,
  toFen,
} from "./wechat-protocol.ts";

/** The production endpoint of WeChat Pay API v3. */
export const WECHAT_ENDPOINT = "https://api.mch.weixin.qq.com";

/** How far a notification's or answer's timestamp may be from now (WeChat Pay: five minutes). */
const MAX_SKEW_S = 300;

type Json = Record<string, unknown>;

interface WechatConfig {
  readonly mchId: string;
  readonly appId: string;
  readonly serialNo: string;
  readonly privateKey: ReturnType<typeof createPrivateKey>;
  readonly apiV3Key: string;
  readonly platformKey: ReturnType<typeof platformKey>;
  readonly platformSerial: string;
  readonly notifyUrl: string;
  readonly endpoint: string;
  readonly scenes: PaymentScene[];
  readonly transferSceneId: string;
  readonly transferPerception: string;
  readonly transferReportInfos: { info_type: string; info_content: string }[];
}

function badSettings(field: string, zh: string, en: string): never {
  fail("PAYMENT_SETTINGS_INVALID", { field, detail: { zh, en } });
}

function readConfig(config: ProviderConfig): WechatConfig {
  const need = (f: string) => config[f] ?? badSettings(f, `缺少 ${f}`, `${f} is missing`);
  const apiV3Key = secretValue(config, "apiV3Key").trim();
  if (Buffer.byteLength(apiV3Key) !== 32)
    badSettings("apiV3Key", "APIv3 密钥应为 32 个字符", "the APIv3 key must be 32 characters");
  let keys: { privateKey: WechatConfig["privateKey"]; platformKey: WechatConfig["platformKey"] };
  try {
    keys = {
      privateKey: createPrivateKey(secretValue(config, "privateKey")),
      platformKey: platformKey(secretValue(config, "platformPublicKey")),
    };
  } catch (error) {
    if (error instanceof AppError) throw error;
    return badSettings(
      "privateKey",
      "商户私钥或微信支付公钥不是有效的 PEM",
      "the merchant private key or the platform public key is not valid PEM",
    );
  }
  const scenes = (config.scenes ?? "jsapi,h5,native").split(",").map((s) => s.trim()) as PaymentScene[];
  return {
    mchId: need("mchId"),
    appId: need("appId"),
    serialNo: need("serialNo"),
    apiV3Key,
    ...keys,
    platformSerial: need("platformSerial"),
    notifyUrl: need("notifyUrl"),
    endpoint: (config.endpoint ?? WECHAT_ENDPOINT).replace(/\/$/, ""),
    scenes: scenes.filter((s) => s === "jsapi" || s === "h5" || s === "native"),
    transferSceneId: config.transferSceneId ?? "1000",
    transferPerception: config.transferPerception ?? "现金奖励",
    transferReportInfos: config.transferReportInfos
      ? (JSON.parse(config.transferReportInfos) as WechatConfig["transferReportInfos"])
      : [
          { info_type: "活动名称", info_content: "会员余额提现" },
          { info_type: "奖励说明", info_content: "积分商城会员余额提现" },
        ],
  };
}

/** RFC 3339 in Beijing time, as WeChat Pay writes times. */
function beijingTime(at: Date): string {
  return `${new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

function bodyOf(text: string): Json {
  if (text === "") return {};
  const parsed = parseJsonLossless(text);
  return parsed !== null && typeof parsed === "object" ? (parsed as Json) : {};
}

/** A v3 HTTP client: signs each request, verifies each answer, turns errors into PaymentProviderError. */
function client(cfg: WechatConfig, deps: ProviderDeps) {
  const verifyAnswer = (status: number, headers: Headers, text: string) => {
    const ts = headers.get("wechatpay-timestamp") ?? "";
    const nonce = headers.get("wechatpay-nonce") ?? "";
    const ok =
      headers.get("wechatpay-serial") === cfg.platformSerial &&
      rsaVerify(cfg.platformKey, responseMessage(ts, nonce, text), headers.get("wechatpay-signature") ?? "");
    if (!ok)
      throw new PaymentProviderError("BAD_SIGNATURE", "answer signature does not verify", status, true);
  };
  return async (
    method: "GET" | "POST",
    path: string,
    body?: Json,
  ): Promise<{ status: number; data: Json }> => {
    const text = body === undefined ? "" : JSON.stringify(body);
    const auth = authorization({
      mchId: cfg.mchId,
      serialNo: cfg.serialNo,
      privateKey: cfg.privateKey,
      method,
      pathWithQuery: path,
      body: text,
      timestamp: String(Math.floor(deps.now().getTime() / 1000)),
      nonce: randomBytes(16).toString("hex"),
    });
    let response: Response;
    let answer: string;
    try {
      response = await deps.fetch(cfg.endpoint + path, {
        method,
        headers: {
          authorization: auth,
          accept: "application/json",
          "content-type": "application/json",
          "user-agent": "jifen",
        },
        ...(body === undefined ? {} : { body: text }),
        signal: AbortSignal.timeout(deps.timeoutMs),
      });
      answer = await response.text();
    } catch (error) {
      const timeout =
        error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      throw new PaymentProviderError(
        timeout ? "TIMEOUT" : "NETWORK",
        error instanceof Error ? error.message : String(error),
        0,
        true,
      );
    }
    if (response.status >= 200 && response.status < 300) {
      if (answer !== "") verifyAnswer(response.status, response.headers, answer);
      return { status: response.status, data: bodyOf(answer) };
    }
    let data: Json = {};
    try {
      data = bodyOf(answer);
    } catch {}
    const code = str(data.code) || `HTTP_${response.status}`;
    const uncertain = response.status >= 500 || code === "SYSTEM_ERROR" || code === "FREQUENCY_LIMITED";
    throw new PaymentProviderError(
      code,
      str(data.message) || "WeChat Pay refused the request",
      response.status,
      uncertain,
    );
  };
}

/** A transaction (query answer or decrypted notification) as a payment report. */
function paymentReport(cfg: WechatConfig, tx: Json): PaymentReport {
  if (str(tx.mchid) !== cfg.mchId || str(tx.appid) !== cfg.appId) {
    fail("PAYMENT_UNKNOWN", {
      detail: { zh: "商户号或 appid 不是本店的", en: "the mchid or appid is not ours" },
    });
  }
  const state = str(tx.trade_state);
  const amount = (tx.amount ?? {}) as Json;
  const paid = state === "SUCCESS" || state === "REFUND";
  const closed = state === "CLOSED" || state === "REVOKED" || state === "PAYERROR";
  const payer = str(((tx.payer ?? {}) as Json).openid);
  return {
    kind: "payment",
    outTradeNo: str(tx.out_trade_no),
    providerTxId: paid ? str(tx.transaction_id) || null : null,
    amountMicro: amount.total === undefined ? 0n : fenToMicro(amount.total),
    status: paid ? "paid" : closed ? "closed" : "pending",
    paidAt: paid && str(tx.success_time) ? new Date(str(tx.success_time)) : null,
    ...(payer ? { payerAccount: payer } : {}),
  };
}

function refundReport(r: Json): RefundReport {
  const state = str(r.status) || str(r.refund_status);
  const amount = (r.amount ?? {}) as Json;
  return {
    kind: "refund",
    outRefundNo: str(r.out_refund_no),
    outTradeNo: str(r.out_trade_no),
    providerRefundId: str(r.refund_id) || null,
    amountMicro: fenToMicro(amount.refund),
    status:
      state === "SUCCESS" ? "succeeded" : state === "CLOSED" || state === "ABNORMAL" ? "failed" : "pending",
  };
}

function payoutReport(b: Json): PayoutReport {
  const state = str(b.state);
  const failure = str(b.fail_reason);
  return {
    kind: "payout",
    payoutNo: str(b.out_bill_no),
    providerPayoutId: str(b.transfer_bill_no) || null,
    status: state === "SUCCESS" ? "paid" : state === "FAIL" || state === "CANCELLED" ? "failed" : "paying",
    ...(failure ? { failure } : state === "CANCELLED" ? { failure: "CANCELLED" } : {}),
    ...(state === "WAIT_USER_CONFIRM" && str(b.package_info) ? { memberAction: str(b.package_info) } : {}),
  };
}

function invalidNotification(zh: string, en: string): never {
  fail("PAYMENT_NOTIFICATION_INVALID", { detail: { zh, en } });
}

/** Verifies a notification's headers and signature; returns the decrypted resource and the event type. */
function openNotification(
  cfg: WechatConfig,
  now: Date,
  raw: RawNotification,
): { event: string; resource: Json } {
  const h = raw.headers;
  const ts = h["wechatpay-timestamp"] ?? "";
  const nonce = h["wechatpay-nonce"] ?? "";
  const signature = h["wechatpay-signature"] ?? "";
  if (!ts || !nonce || !signature)
    invalidNotification("缺少 Wechatpay 签名头", "Wechatpay signature headers are missing");
  if (h["wechatpay-serial"] !== cfg.platformSerial)
    invalidNotification(
      "签名序列号不是本店配置的微信支付公钥",
      "the signature serial is not the configured platform key",
    );
  if (!/^\d{1,12}$/.test(ts) || Math.abs(Number(ts) - now.getTime() / 1000) > MAX_SKEW_S)
    invalidNotification("通知时间戳超出 5 分钟", "the notification's timestamp is over five minutes off");
  const body = raw.rawBody.toString("utf8");
  if (!rsaVerify(cfg.platformKey, responseMessage(ts, nonce, body), signature))
    invalidNotification("签名校验失败", "the signature does not verify");
  let parsed: Json;
  let resource: Json;
  try {
    parsed = bodyOf(body);
    resource = bodyOf(decryptResource(cfg.apiV3Key, parsed.resource as EncryptedResource));
  } catch {
    return invalidNotification("通知内容无法解密", "the notification's resource cannot be decrypted");
  }
  return { event: str(parsed.event_type), resource };
}

function provider(cfg: WechatConfig, deps: ProviderDeps): PaymentProvider {
  const call = client(cfg, deps);
  const mch = `mchid=${encodeURIComponent(cfg.mchId)}`;
  return {
    name: "wechat",
    scenes: cfg.scenes,
    payouts: true,
    async createPayment(input: CreatePaymentInput): Promise<PaymentLaunch> {
      return createPayment(cfg, deps, call, input);
    },
    async queryPayment(outTradeNo) {
      try {
        const { data } = await call(
          "GET",
          `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?${mch}`,
        );
        return paymentReport(cfg, data);
      } catch (error) {
        if (notFound(error, ["ORDER_NOT_EXIST", "ORDERNOTEXIST"])) return null;
        throw error;
      }
    },
    async verifyNotification(raw): Promise<ProviderReport> {
      const { event, resource } = openNotification(cfg, deps.now(), raw);
      if (event.startsWith("TRANSACTION.")) return paymentReport(cfg, resource);
      if (event.startsWith("REFUND.")) return refundReport(resource);
      if (event.startsWith("MCHTRANSFER.")) return payoutReport(resource);
      return invalidNotification(`未知的通知类型 ${event}`, `unknown event type ${event}`);
    },
    answerNotification(ok, message): NotificationAnswer {
      if (ok) return { statusCode: 204, contentType: "application/json", body: "" };
      return {
        statusCode: 500,
        contentType: "application/json",
        body: JSON.stringify({ code: "FAIL", message: message ?? "失败" }),
      };
    },
    ...moneyOutMethods(cfg, call),
  };
}

const notFound = (error: unknown, codes: string[]) =>
  error instanceof PaymentProviderError && error.httpStatus === 404 && codes.includes(error.providerCode);

/** Refunds and transfers: money going back out. */
function moneyOutMethods(
  cfg: WechatConfig,
  call: ReturnType<typeof client>,
): Pick<PaymentProvider, "refund" | "queryRefund" | "payout" | "queryPayout"> {
  return {
    async refund(input: RefundInput) {
      const { data } = await call("POST", "/v3/refund/domestic/refunds", {
        transaction_id: input.providerTxId,
        out_trade_no: input.outTradeNo,
        out_refund_no: input.outRefundNo,
        reason: input.reason.slice(0, 80),
        notify_url: cfg.notifyUrl,
        amount: { refund: toFen(input.refundMicro), total: toFen(input.totalMicro), currency: "CNY" },
      });
      return refundReport(data);
    },
    async queryRefund(outRefundNo) {
      try {
        const { data } = await call("GET", `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`);
        return refundReport(data);
      } catch (error) {
        if (notFound(error, ["RESOURCE_NOT_EXISTS", "NOT_FOUND"])) return null;
        throw error;
      }
    },
    async payout(input: PayoutInput) {
      const { data } = await call(
        "POST",
        "/v3/fund-app/mch-transfer/transfer-bills",
        transferBody(cfg, input),
      );
      return payoutReport(data);
    },
    async queryPayout(payoutNo) {
      try {
        const { data } = await call(
          "GET",
          `/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/${encodeURIComponent(payoutNo)}`,
        );
        return payoutReport(data);
      } catch (error) {
        if (notFound(error, ["NOT_FOUND", "RESOURCE_NOT_EXISTS"]))
          return { kind: "payout", payoutNo, providerPayoutId: null, status: "not_found" };
        throw error;
      }
    },
  };
}

function transferBody(cfg: WechatConfig, input: PayoutInput): Json {
  return {
    appid: cfg.appId,
    out_bill_no: input.payoutNo,
    transfer_scene_id: cfg.transferSceneId,
    openid: input.account,
    transfer_amount: toFen(input.amountMicro),
    transfer_remark: input.remark.slice(0, 32),
    notify_url: cfg.notifyUrl,
    user_recv_perception: cfg.transferPerception,
    transfer_scene_report_infos: cfg.transferReportInfos,
  };
}

async function createPayment(
  cfg: WechatConfig,
  deps: ProviderDeps,
  call: ReturnType<typeof client>,
  input: CreatePaymentInput,
): Promise<PaymentLaunch> {
  const body: Json = {
    appid: cfg.appId,
    mchid: cfg.mchId,
    description: input.description.slice(0, 127),
    out_trade_no: input.outTradeNo,
    time_expire: beijingTime(input.expiresAt),
    notify_url: cfg.notifyUrl,
    amount: { total: toFen(input.amountMicro), currency: "CNY" },
  };
  if (input.scene === "jsapi") body.payer = { openid: input.payerAccount };
  if (input.scene === "h5")
    body.scene_info = { payer_client_ip: input.clientIp ?? "127.0.0.1", h5_info: { type: "Wap" } };
  if (input.scene !== "jsapi" && input.scene !== "h5" && input.scene !== "native")
    fail("PAYMENT_SCENE_UNSUPPORTED");
  const { data } = await call("POST", `/v3/pay/transactions/${input.scene}`, body);
  if (input.scene === "native") return { kind: "qr", codeUrl: str(data.code_url) };
  if (input.scene === "h5") {
    const back = input.returnUrl ? `&redirect_url=${encodeURIComponent(input.returnUrl)}` : "";
    return { kind: "redirect", url: `${str(data.h5_url)}${back}` };
  }
  const params = jsapiParams({
    appId: cfg.appId,
    prepayId: str(data.prepay_id),
    privateKey: cfg.privateKey,
    timestamp: String(Math.floor(deps.now().getTime() / 1000)),
    nonce: randomBytes(16).toString("hex"),
  });
  return { kind: "jsapi", params };
}

/** The WeChat Pay provider factory. */
export const wechatFactory: ProviderFactory = {
  name: "wechat",
  secretFields: ["privateKey", "apiV3Key", "appSecret"],
  requiredFields: [
    "mchId",
    "appId",
    "serialNo",
    "privateKey",
    "apiV3Key",
    "platformPublicKey",
    "platformSerial",
    "notifyUrl",
  ],
  create: (config, deps) => provider(readConfig(config), deps),
};

/**
 * Day `date`'s trade bill (交易账单, bill_type ALL) for `jifen reconcile`:
 * GET /v3/bill/tradebill answers a download URL with the SHA1 of the bill;
 * the file is fetched with a signed GET (its answer is not signed), gunzipped
 * (tar_type GZIP) and checked against that SHA1. Null when WeChat Pay has no
 * bill for the day (NO_STATEMENT_EXIST: no trade).
 */
export async function wechatTradeBill(
  config: ProviderConfig,
  deps: ProviderDeps,
  date: string,
): Promise<Uint8Array | null> {
  const cfg = readConfig(config);
  let data: Json;
  try {
    ({ data } = await client(cfg, deps)(
      "GET",
      `/v3/bill/tradebill?bill_date=${encodeURIComponent(date)}&bill_type=ALL&tar_type=GZIP`,
    ));
  } catch (error) {
    if (error instanceof PaymentProviderError && error.providerCode === "NO_STATEMENT_EXIST") return null;
    throw error;
  }
  const url = str(data.download_url);
  if (!/^https?:\/\//.test(url)) throw new PaymentProviderError("BAD_ANSWER", "no download_url", 200, false);
  const zipped = await signedDownload(cfg, deps, url);
  const bill = gunzipSync(zipped);
  const hashType = str(data.hash_type).toLowerCase() || "sha1";
  if (hashType !== "sha1")
    throw new PaymentProviderError("BAD_ANSWER", `unknown hash_type ${hashType}`, 200, false);
  if (createHash("sha1").update(bill).digest("hex") !== str(data.hash_value).toLowerCase())
    throw new PaymentProviderError("BAD_HASH", "the bill's SHA1 differs from hash_value", 200, false);
  return new Uint8Array(bill);
}

/** A signed GET of a bill's download URL; the raw bytes. */
async function signedDownload(cfg: WechatConfig, deps: ProviderDeps, url: string): Promise<Buffer> {
  const target = new URL(url);
  const auth = authorization({
    mchId: cfg.mchId,
    serialNo: cfg.serialNo,
    privateKey: cfg.privateKey,
    method: "GET",
    pathWithQuery: target.pathname + target.search,
    body: "",
    timestamp: String(Math.floor(deps.now().getTime() / 1000)),
    nonce: randomBytes(16).toString("hex"),
  });
  let response: Response;
  try {
    response = await deps.fetch(url, {
      headers: { authorization: auth, "user-agent": "jifen" },
      signal: AbortSignal.timeout(Math.max(deps.timeoutMs, 60_000)),
    });
  } catch (error) {
    throw new PaymentProviderError(
      "NETWORK",
      error instanceof Error ? error.message : String(error),
      0,
      true,
    );
  }
  if (!response.ok)
    throw new PaymentProviderError(
      `HTTP_${response.status}`,
      "bill download refused",
      response.status,
      false,
    );
  return Buffer.from(await response.arrayBuffer());
}
