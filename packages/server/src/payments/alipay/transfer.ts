/**
 * Payouts: alipay.fund.trans.uni.transfer (TRANS_ACCOUNT_NO_PWD, DIRECT_TRANSFER)
 * to a member's Alipay account, and alipay.fund.trans.common.query. The
 * merchant's `out_biz_no` is the payout's key: Alipay pays one number once,
 * so a retried call after a crash or timeout cannot pay twice.
 */
import { microToYuanText } from "./amounts.ts";
import type { AlipayClient } from "./client.ts";
import { AlipayBusinessError } from "./trade.ts";
import type { AlipayTransferState } from "./types.ts";

/** The member's Alipay account: a login id (phone or e-mail, with the real name) or a user id (2088…). */
export interface AlipayPayee {
  readonly identity: string;
  readonly identityType: "ALIPAY_LOGON_ID" | "ALIPAY_USER_ID";
  /** The account holder's real name; Alipay checks it (required with a login id). */
  readonly name?: string;
}

/** Sub-codes after which the outcome is unknown (query later, never pay again under a new number). */
const UNKNOWN_OUTCOME = new Set(["SYSTEM_ERROR", "aop.SYSTEM_ERROR", "isp.unknow-error"]);

/** The product and scene of a transfer to an Alipay account without password. */
const TRANSFER_KIND = { product_code: "TRANS_ACCOUNT_NO_PWD", biz_scene: "DIRECT_TRANSFER" } as const;

/** Sends a transfer; a business refusal is FAIL (nothing paid), an unknown outcome DEALING. */
export async function transfer(
  client: AlipayClient,
  input: { outBizNo: string; amountMicro: bigint; payee: AlipayPayee; title: string },
): Promise<AlipayTransferState> {
  const answer = await client.call("alipay.fund.trans.uni.transfer", {
    out_biz_no: input.outBizNo,
    trans_amount: microToYuanText(input.amountMicro),
    ...TRANSFER_KIND,
    order_title: input.title,
    payee_info: {
      identity: input.payee.identity,
      identity_type: input.payee.identityType,
      ...(input.payee.name ? { name: input.payee.name } : {}),
    },
  });
  if (answer.code === "10000") return stateOf(answer.fields);
  if (answer.code === "20000" || UNKNOWN_OUTCOME.has(answer.subCode ?? ""))
    return { status: "DEALING", orderId: null };
  if (answer.code === "40004") return { status: "FAIL", reason: `${answer.subCode}: ${answer.subMsg ?? ""}` };
  throw new AlipayBusinessError("alipay.fund.trans.uni.transfer", answer);
}

/** The state of a transfer by our number; ABSENT when Alipay never received it. */
export async function queryTransfer(client: AlipayClient, outBizNo: string): Promise<AlipayTransferState> {
  const method = "alipay.fund.trans.common.query";
  const answer = await client.call(method, { out_biz_no: outBizNo, ...TRANSFER_KIND });
  if (answer.subCode === "ORDER_NOT_EXIST") return { status: "ABSENT" };
  if (answer.code !== "10000") throw new AlipayBusinessError(method, answer);
  return stateOf(answer.fields);
}

function stateOf(fields: Readonly<Record<string, unknown>>): AlipayTransferState {
  const status = String(fields.status ?? "");
  const orderId = typeof fields.order_id === "string" ? fields.order_id : null;
  if (status === "SUCCESS")
    return {
      status: "SUCCESS",
      orderId: orderId ?? "",
      payFundOrderId: typeof fields.pay_fund_order_id === "string" ? fields.pay_fund_order_id : null,
    };
  if (status === "FAIL" || status === "REFUND" || status === "CLOSED")
    return { status: "FAIL", reason: `${status}: ${String(fields.fail_reason ?? fields.error_code ?? "")}` };
  return { status: "DEALING", orderId };
}
