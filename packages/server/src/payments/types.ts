/**
 * The payment provider interface (issue 13): what Jifen asks of WeChat Pay,
 * Alipay or any later provider. A provider speaks its own protocol (signing,
 * verification, encryption) and answers in these types; everything that
 * touches our books (crediting an order, refunding it, paying a withdrawal
 * out or giving its cash back) lives outside the provider, in apply.ts,
 * refunds.ts and wallets/withdrawals.ts, so every provider is applied the same
 * way and exactly once.
 *
 * Money crosses this interface in micro units (amountMicro, bigint); a
 * provider converts to and from its own unit (fen for both WeChat Pay and
 * Alipay) and refuses anything not a whole fen.
 */

/** The real-money providers. The manual, demo and generic-webhook methods are not providers. */
export type ProviderName = "wechat" | "alipay";

/** Every provider name, in the order they are offered. */
export const PROVIDER_NAMES: readonly ProviderName[] = ["wechat", "alipay"];

/**
 * Where the member pays: WeChat JSAPI (inside WeChat, needs the member's
 * openid), WeChat H5 (a mobile browser outside WeChat), WeChat Native (a QR
 * code shown on a desktop), Alipay WAP (mobile browser) or page (desktop).
 */
export type PaymentScene = "jsapi" | "h5" | "native" | "wap" | "page";

/** What to ask the provider for: one payment of `amountMicro` under our unique `outTradeNo`. */
export interface CreatePaymentInput {
  /** Our number of the payment (payments.out_trade_no), unique for ever; the provider's idempotency key. */
  readonly outTradeNo: string;
  /** The cash to collect, a whole number of fen, in micro units. */
  readonly amountMicro: bigint;
  /** What the member sees on the provider's page and statement. */
  readonly description: string;
  readonly scene: PaymentScene;
  /** The payer's account at the provider: the WeChat openid for JSAPI. */
  readonly payerAccount?: string;
  /** The member's IP address (WeChat H5 requires it). */
  readonly clientIp?: string;
  /** Where the provider sends the member's browser afterwards (H5 / WAP / page). */
  readonly returnUrl?: string;
  /** The payment cannot be paid after this instant. */
  readonly expiresAt: Date;
}

/**
 * How the member site starts the payment: call WeChat's JSAPI with `params`
 * (WeixinJSBridge getBrandWCPayRequest / wx.chooseWXPay), send the browser to
 * `url`, or show `codeUrl` as a QR code.
 */
export type PaymentLaunch =
  | { readonly kind: "jsapi"; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: "redirect"; readonly url: string }
  | { readonly kind: "qr"; readonly codeUrl: string };

/**
 * A payment as the provider reports it (notification or query). `paid` is the
 * only status that credits anything; `closed` is final without money.
 */
export interface PaymentReport {
  readonly kind: "payment";
  readonly outTradeNo: string;
  /** The provider's transaction id (WeChat transaction_id, Alipay trade_no); null before payment. */
  readonly providerTxId: string | null;
  /** The amount the member paid, fen-exact, in micro units. */
  readonly amountMicro: bigint;
  readonly status: "paid" | "pending" | "closed";
  readonly paidAt: Date | null;
  /** The payer's account at the provider (openid), when given. */
  readonly payerAccount?: string;
}

/** What a refund request needs: our refund number (idempotency key) and both amounts. */
export interface RefundInput {
  readonly outTradeNo: string;
  readonly providerTxId: string;
  /** Our number of the refund (payment_refunds.out_refund_no), unique for ever. */
  readonly outRefundNo: string;
  readonly refundMicro: bigint;
  /** The whole payment's amount (WeChat asks for it). */
  readonly totalMicro: bigint;
  readonly reason: string;
}

/** A refund as the provider reports it (answer, notification or query). */
export interface RefundReport {
  readonly kind: "refund";
  readonly outRefundNo: string;
  readonly outTradeNo: string;
  readonly providerRefundId: string | null;
  readonly amountMicro: bigint;
  readonly status: "succeeded" | "pending" | "failed";
}

/** A payout (transfer to a member's account at the provider, for a withdrawal). */
export interface PayoutInput {
  /** Our transfer number, stored before the provider is called; the provider's idempotency key. */
  readonly payoutNo: string;
  readonly amountMicro: bigint;
  /** The member's account at the provider: WeChat openid, Alipay login id or user id. */
  readonly account: string;
  /** The account holder's real name, when the provider checks it. */
  readonly accountName?: string;
  readonly remark: string;
}

/**
 * A payout as the provider reports it. `not_found`: the provider never
 * received the transfer (safe to send it again under the same number);
 * `paying`: accepted, not final; `paid` and `failed` are final.
 */
export interface PayoutReport {
  readonly kind: "payout";
  readonly payoutNo: string;
  readonly providerPayoutId: string | null;
  readonly status: "not_found" | "paying" | "paid" | "failed";
  /** The provider's reason of a failure. */
  readonly failure?: string;
  /**
   * Something the member must do to receive the transfer (WeChat's
   * package_info for requestMerchantTransfer), while status is `paying`.
   */
  readonly memberAction?: string;
}

/** A notification as it arrived: the exact bytes and the headers (lower-case names). */
export interface RawNotification {
  readonly rawBody: Buffer;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly contentType: string;
}

/** What a verified notification says. */
export type ProviderReport = PaymentReport | RefundReport | PayoutReport;

/** The HTTP answer a provider's protocol requires for a notification. */
export interface NotificationAnswer {
  readonly statusCode: number;
  readonly contentType: string;
  readonly body: string;
}

/**
 * One payment provider, configured for the shop. Methods throw
 * `PaymentProviderError` when the provider refuses, cannot be reached or
 * times out, and AppError PAYMENT_NOTIFICATION_INVALID for a notification
 * whose signature, timestamp or encryption does not check out.
 */
export interface PaymentProvider {
  readonly name: ProviderName;
  /** The scenes this configuration can serve. */
  readonly scenes: readonly PaymentScene[];
  /** Whether it can pay withdrawals out. */
  readonly payouts: boolean;
  createPayment(input: CreatePaymentInput): Promise<PaymentLaunch>;
  /** The payment with our number, from the provider (catches a notification that never came). */
  queryPayment(outTradeNo: string): Promise<PaymentReport | null>;
  /** Verifies a notification's signature and decrypts it; throws on anything forged or malformed. */
  verifyNotification(raw: RawNotification): Promise<ProviderReport>;
  /** The answer the protocol requires: `ok` after the report was applied (or was a repeat). */
  answerNotification(ok: boolean, message?: string): NotificationAnswer;
  refund(input: RefundInput): Promise<RefundReport>;
  queryRefund(outRefundNo: string, outTradeNo: string): Promise<RefundReport | null>;
  payout(input: PayoutInput): Promise<PayoutReport>;
  queryPayout(payoutNo: string): Promise<PayoutReport>;
}

/** A provider call that did not get a definite answer or was refused by the provider. */
export class PaymentProviderError extends Error {
  /** The provider's own code (e.g. WeChat's PARAM_ERROR), or TIMEOUT / NETWORK / BAD_ANSWER. */
  readonly providerCode: string;
  /** The HTTP status of the provider's answer (0: none). */
  readonly httpStatus: number;
  /**
   * True when the request may have taken effect at the provider (timeout,
   * network error, 5xx): the caller must query before treating it as failed.
   */
  readonly uncertain: boolean;
  constructor(providerCode: string, message: string, httpStatus: number, uncertain: boolean) {
    super(message);
    this.name = "PaymentProviderError";
    this.providerCode = providerCode;
    this.httpStatus = httpStatus;
    this.uncertain = uncertain;
  }
}

/** What a provider factory gets besides its configuration. */
export interface ProviderDeps {
  /** The fetch to call the provider with (tests pass one with a short timeout). */
  readonly fetch: typeof fetch;
  /** Milliseconds before a provider call is abandoned (answered as an uncertain TIMEOUT). */
  readonly timeoutMs: number;
  readonly now: () => Date;
}

/**
 * A provider's configuration as stored in server_settings: plain strings.
 * A secret is either its value (`privateKey`) or a file holding it
 * (`privateKeyFile`); see `secretValue`.
 */
export type ProviderConfig = Readonly<Record<string, string>>;

/** Makes a provider from its stored configuration. */
export interface ProviderFactory {
  readonly name: ProviderName;
  /** Fields that are secrets: never shown back (masked), never logged. */
  readonly secretFields: readonly string[];
  /** Fields that must be present (a secret may come as its `…File` instead). */
  readonly requiredFields: readonly string[];
  create(config: ProviderConfig, deps: ProviderDeps): PaymentProvider;
}
