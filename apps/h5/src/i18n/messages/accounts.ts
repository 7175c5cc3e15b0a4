import { defineMessages } from "../define.ts";

/** 收款账户: where withdrawals are paid (the WeChat openid by authorization, the Alipay account typed in). */
export const accounts = defineMessages(
  {
    "accounts.title": "收款账户",
    "accounts.intro": "提现批准后，款项打到这里绑定的账户（本店使用哪个平台打款由商家设置）。",
    "accounts.wechat": "微信零钱",
    "accounts.wechat.linked": "已绑定",
    "accounts.wechat.unlinked": "未绑定",
    "accounts.wechat.link": "微信授权绑定",
    "accounts.wechat.relink": "重新授权",
    "accounts.wechat.note":
      "在微信中打开本页面后点击授权，自动获取你在本店公众号下的身份（openid），无需输入。",
    "accounts.wechat.outside": "当前不在微信中，授权需要在微信里打开本页面。",
    "accounts.wechat.done": "微信已绑定",
    "accounts.alipay": "支付宝",
    "accounts.alipay.account": "支付宝账号",
    "accounts.alipay.accountPlaceholder": "手机号或邮箱",
    "accounts.alipay.name": "真实姓名",
    "accounts.alipay.namePlaceholder": "与支付宝实名一致",
    "accounts.alipay.note": "支付宝转账会核对真实姓名，不一致时打款失败，款项退回余额。",
    "accounts.alipay.save": "保存支付宝账户",
    "accounts.alipay.done": "支付宝账户已保存",
    "accounts.alipay.required": "请填写支付宝账号和真实姓名",
  },
  {
    "accounts.title": "Payout accounts",
    "accounts.intro":
      "Once a withdrawal is approved, the money goes to the account linked here (the shop chooses which provider pays out).",
    "accounts.wechat": "WeChat balance",
    "accounts.wechat.linked": "linked",
    "accounts.wechat.unlinked": "not linked",
    "accounts.wechat.link": "Link with WeChat",
    "accounts.wechat.relink": "Authorize again",
    "accounts.wechat.note":
      "Open this page inside WeChat and authorize: your identity under the shop's official account (openid) is linked, nothing to type.",
    "accounts.wechat.outside": "This page is not open inside WeChat; authorizing needs WeChat.",
    "accounts.wechat.done": "WeChat linked",
    "accounts.alipay": "Alipay",
    "accounts.alipay.account": "Alipay account",
    "accounts.alipay.accountPlaceholder": "phone number or e-mail",
    "accounts.alipay.name": "Real name",
    "accounts.alipay.namePlaceholder": "as verified by Alipay",
    "accounts.alipay.note":
      "Alipay transfers check the real name; if it differs the payout fails and the money returns to your balance.",
    "accounts.alipay.save": "Save Alipay account",
    "accounts.alipay.done": "Alipay account saved",
    "accounts.alipay.required": "Enter the Alipay account and the real name",
  },
);
