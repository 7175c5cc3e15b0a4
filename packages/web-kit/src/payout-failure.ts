/**
 * A failed payout's reason in words. The server keeps what the provider said:
 * a bare code (WeChat Pay 商家转账's fail_reason, e.g. ACCOUNT_FROZEN), or
 * "CODE: message" (a refused transfer; Alipay's "FAIL: 收款方账户不存在").
 * People read words, with the code after them for support: 该用户微信账户被冻结（ACCOUNT_FROZEN）.
 */
import type { Language } from "./i18n.tsx";

type Words = readonly [zh: string, en: string];

/** WeChat Pay 商家转账 fail_reason values, Alipay transfer error codes, and our own CANCELLED. */
const REASONS: Readonly<Record<string, Words>> = {
  ACCOUNT_FROZEN: ["该用户的微信账户已被冻结", "the member's WeChat account is frozen"],
  ACCOUNT_NOT_EXIST: ["该用户的微信账户不存在", "the member's WeChat account does not exist"],
  REAL_NAME_CHECK_FAIL: ["收款人未完成微信实名认证", "the payee has not verified their real name in WeChat"],
  NAME_NOT_CORRECT: ["收款人姓名与实名不一致", "the payee's name does not match their real name"],
  ID_CARD_NOT_CORRECT: ["收款人身份证校验不通过", "the payee's ID card check failed"],
  OPENID_INVALID: [
    "会员的微信身份（openid）无效或不属于本商户的公众号",
    "the member's WeChat openid is invalid or belongs to another app",
  ],
  TRANSFER_QUOTA_EXCEED: ["超过该用户单笔收款额度", "above the member's limit for one transfer"],
  DAY_RECEIVED_QUOTA_EXCEED: ["超过该用户当日收款额度", "above the member's daily receiving limit"],
  MONTH_RECEIVED_QUOTA_EXCEED: ["超过该用户当月收款额度", "above the member's monthly receiving limit"],
  DAY_RECEIVED_COUNT_EXCEED: ["超过该用户当日收款次数", "above the member's daily number of transfers"],
  REALNAME_ACCOUNT_RECEIVED_QUOTA_EXCEED: ["该用户账户收款受限", "the member's account may not receive more"],
  BLOCK_B2C_USERLIMITAMOUNT_MONTH: [
    "该用户账户存在风险，收款受限",
    "the member's account is restricted for risk",
  ],
  BLOCK_B2C_USERLIMITAMOUNT_BSRULE_MONTH: [
    "超出该用户单月转账收款限额",
    "above the member's monthly limit for transfers",
  ],
  PAYEE_ACCOUNT_ABNORMAL: ["该用户账户收款异常", "the member's account cannot receive payments"],
  PAYER_ACCOUNT_ABNORMAL: ["商户账户付款受限", "the shop's account is restricted from paying"],
  PRODUCT_AUTH_CHECK_FAIL: [
    "商户未开通商家转账，或该权限已被冻结",
    "the shop has not enabled transfers, or the permission is frozen",
  ],
  RECEIVE_ACCOUNT_NOT_PERMMIT: ["该用户未被设置为转账收款人", "the member is not allowed as a payee"],
  RECEIVE_ACCOUNT_NOT_CONFIGURE: [
    "商户平台尚未配置该转账场景的收款人",
    "the payee is not configured for this transfer scene in the merchant platform",
  ],
  TRANSFER_SCENE_UNAVAILABLE: ["该转账场景暂不可用", "the transfer scene is unavailable"],
  TRANSFER_SCENE_INVALID: ["商户尚未开通该转账场景", "the shop has not been granted this transfer scene"],
  TRANSFER_REMARK_SET_FAIL: ["转账备注设置失败", "the transfer remark could not be set"],
  TRANSFER_RISK: ["该笔转账可能存在风险，已被微信拦截", "WeChat Pay stopped the transfer as risky"],
  OVERDUE_CLOSE: ["超过系统重试期，已自动关闭", "closed after the retry period ran out"],
  MERCHANT_REJECT: ["商户转账验密人已驳回该笔转账", "the shop's transfer approver rejected it"],
  MERCHANT_NOT_CONFIRM: ["商户转账验密人超时未确认", "the shop's transfer approver did not confirm in time"],
  OTHER_FAIL_REASON_TYPE: ["其他原因（请在商户平台查看详情）", "another reason (see the merchant platform)"],
  CANCELLED: ["转账已撤销（会员未在期限内确认收款）", "the transfer was cancelled (not confirmed in time)"],
  NOT_ENOUGH: ["商户账户余额不足", "the shop's account balance is too low"],
  PAYEE_NOT_EXIST: ["收款支付宝账号不存在", "the payee's Alipay account does not exist"],
  PAYEE_USER_INFO_ERROR: [
    "收款人姓名与支付宝账号不匹配",
    "the payee's name does not match the Alipay account",
  ],
  PAYEE_CERT_INFO_ERROR: ["收款人证件信息不匹配", "the payee's ID does not match"],
  PAYEE_ACCOUNT_STATUS_ERROR: [
    "收款支付宝账户状态异常",
    "the payee's Alipay account is not in good standing",
  ],
  PAYEE_ACC_OCUPIED: [
    "该手机号对应多个支付宝账户，请改用其他账号",
    "several Alipay accounts use this phone number",
  ],
  PAYER_BALANCE_NOT_ENOUGH: ["商户支付宝账户余额不足", "the shop's Alipay balance is too low"],
  EXCEED_LIMIT_SM_AMOUNT: ["单笔金额超过限额", "above the limit for one transfer"],
  EXCEED_LIMIT_DM_AMOUNT: ["超过当日转账限额", "above the daily transfer limit"],
};

const CODE = /^[A-Z][A-Z0-9_]+$/;

/**
 * The words of `reason` in `language`, with its code in brackets when a code is
 * known; a message the provider gave in words is shown as it is, with its code.
 */
export function payoutFailureText(reason: string, language: Language): string {
  const text = reason.trim();
  const colon = text.indexOf(":");
  const head = (colon < 0 ? text : text.slice(0, colon)).trim();
  const rest = colon < 0 ? "" : text.slice(colon + 1).trim();
  const words = REASONS[head];
  if (words) return `${language === "en" ? words[1] : words[0]}${bracket(head, language)}`;
  if (CODE.test(head) && rest) {
    const inner = payoutFailureText(rest, language);
    return inner.endsWith(bracket(rest, language)) ? inner : `${inner}${bracket(head, language)}`;
  }
  return text;
}

function bracket(code: string, language: Language): string {
  return language === "en" ? ` (${code})` : `（${code}）`;
}
