import assert from "node:assert/strict";
import { test } from "node:test";
import { payoutFailureText } from "../src/payout-failure.ts";

test("a payout failure code is shown in words, with the code kept for support", () => {
  const cases: [string, string, string][] = [
    [
      "ACCOUNT_FROZEN",
      "该用户的微信账户已被冻结（ACCOUNT_FROZEN）",
      "the member's WeChat account is frozen (ACCOUNT_FROZEN)",
    ],
    [
      "CANCELLED",
      "转账已撤销（会员未在期限内确认收款）（CANCELLED）",
      "the transfer was cancelled (not confirmed in time) (CANCELLED)",
    ],
    [
      "PAYEE_NOT_EXIST: payee missing",
      "收款支付宝账号不存在（PAYEE_NOT_EXIST）",
      "the payee's Alipay account does not exist (PAYEE_NOT_EXIST)",
    ],
    [
      "FAIL: ACCOUNT_FROZEN",
      "该用户的微信账户已被冻结（ACCOUNT_FROZEN）",
      "the member's WeChat account is frozen (ACCOUNT_FROZEN)",
    ],
    ["FAIL: 收款方账户不存在", "收款方账户不存在（FAIL）", "收款方账户不存在 (FAIL)"],
    ["SOMETHING_NEW", "SOMETHING_NEW", "SOMETHING_NEW"],
    ["网络异常", "网络异常", "网络异常"],
  ];
  for (const [reason, zh, en] of cases) {
    assert.equal(payoutFailureText(reason, "zh-CN"), zh, reason);
    assert.equal(payoutFailureText(reason, "en"), en, reason);
  }
});
