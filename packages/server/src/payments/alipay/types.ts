/** Settings of one Alipay application (open platform, RSA2 public-key mode). */
export interface AlipayOptions {
  /** The application's APPID (开放平台应用 APPID). */
  readonly appId: string;
  /** The application's private key (PKCS#8 PEM or the bare base64 text the key tool prints). */
  readonly privateKey: string;
  /** Alipay's public key (支付宝公钥; SPKI PEM or bare base64). */
  readonly alipayPublicKey: string;
  /** Default https://openapi.alipay.com/gateway.do (tests point it at a local fake). */
  readonly gateway?: string;
  /** Where Alipay posts the asynchronous notifications (异步通知地址). */
  readonly notifyUrl?: string;
  /** Milliseconds before a call is abandoned (its outcome is then unknown: query it). */
  readonly timeoutMs?: number;
  /** The fetch to call the gateway with (default: the global one). */
  readonly fetch?: typeof fetch;
  /** For tests: a fixed clock. */
  readonly now?: () => Date;
}

/** The gateway could not be reached, did not answer in time, or answered something unverifiable. */
export class AlipayCallError extends Error {
  constructor(
    readonly kind: "network" | "timeout" | "signature" | "protocol",
    message: string,
  ) {
    super(`alipay ${kind}: ${message}`);
    this.name = "AlipayCallError";
  }
}

/** A verified gateway answer: `code` "10000" is success; otherwise `subCode` names the failure. */
export interface AlipayAnswer {
  readonly code: string;
  readonly msg: string;
  readonly subCode: string | null;
  readonly subMsg: string | null;
  /** Every field of the `<method>_response` object (strings as given; numbers as exact text). */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** A trade as alipay.trade.query reports it. */
export type AlipayTrade =
  | { readonly found: false }
  | {
      readonly found: true;
      readonly tradeNo: string;
      readonly outTradeNo: string;
      /** WAIT_BUYER_PAY, TRADE_CLOSED, TRADE_SUCCESS or TRADE_FINISHED. */
      readonly tradeStatus: string;
      readonly totalAmountMicro: bigint;
    };

/** The state of a transfer (alipay.fund.trans.uni.transfer / common.query). */
export type AlipayTransferState =
  | { readonly status: "SUCCESS"; readonly orderId: string; readonly payFundOrderId: string | null }
  | { readonly status: "DEALING"; readonly orderId: string | null }
  | { readonly status: "FAIL"; readonly reason: string }
  | { readonly status: "ABSENT" };
