import { defineMessages } from "../define.ts";

/** 支付设置 / Payments: the payment methods and each provider's settings (admin only). */
export const payments = defineMessages(
  {
    "menu.payments": "支付设置",
    "payments.intro":
      "会员下单与提现打款使用的收款方式。密钥只写不读：保存后只显示“已设置”，留空保存会保留原值，重新输入才会替换。每次保存都记入操作日志（只记字段名，不记内容）。",
    "payments.methods": "收款方式",
    "payments.method.manual": "人工收款",
    "payments.method.manual.note": "始终可用：会员线下付款后，财务在“订单”中确认收款。",
    "payments.method.webhook": "通用支付回调（Webhook）",
    "payments.method.webhook.note":
      "由服务器环境变量 PAYMENT_WEBHOOK_SECRET 开启，外部收银系统以 HMAC 签名回调 /webhooks/payments；不在此处修改。",
    "payments.method.wechat": "微信支付",
    "payments.method.alipay": "支付宝",
    "payments.on": "已开启",
    "payments.off": "未开启",
    "payments.payoutsOn": "提现打款",
    "payments.enabled": "开启收款",
    "payments.enabled.help": "开启后会员结算时可选择此支付方式。",
    "payments.payouts": "提现打款",
    "payments.payouts.help":
      "开启后，财务批准的提现通过此平台自动打款（微信：商家转账到零钱；支付宝：转账到支付宝账户）。只应有一个平台开启。",
    "payments.secret.set": "已设置",
    "payments.secret.unset": "未设置",
    "payments.secret.keep": "已设置，留空则保持不变",
    "payments.secret.enter": "未设置，请输入",
    "payments.save": "保存",
    "payments.saved": "{name}配置已保存",
    "payments.group.basic": "基本信息",
    "payments.group.keys": "API 密钥与证书",
    "payments.group.advanced": "高级（一般无需修改）",
    "payments.needs": "需要准备",
    "payments.wechat.needs":
      "在微信支付商户平台（pay.weixin.qq.com）开通 JSAPI / H5 / Native 支付与“商家转账”，并把公众号 AppID 与商户号关联；在公众号后台（mp.weixin.qq.com）登记网页授权域名（会员站域名），会员在微信内打开会员站时自动获取 openid。",
    "payments.alipay.needs":
      "在支付宝开放平台（open.alipay.com）创建网页/移动应用，签约“手机网站支付”“电脑网站支付”，提现打款还需签约“转账到支付宝账户”；接口加签方式选“公钥”（RSA2），上传应用公钥后得到支付宝公钥。",
    "payments.wechat.mchId": "商户号（mchid）",
    "payments.wechat.mchId.help": "商户平台 → 账户中心 → 商户信息。",
    "payments.wechat.appId": "公众号 AppID",
    "payments.wechat.appId.help":
      "公众号后台 → 设置与开发 → 基本配置；须已在商户平台关联。会员 openid 属于此 AppID。",
    "payments.wechat.appSecret": "公众号 AppSecret",
    "payments.wechat.appSecret.help": "公众号后台 → 基本配置 → 开发者密码。用于网页授权换取会员 openid。",
    "payments.wechat.notifyUrl": "支付通知地址",
    "payments.wechat.notifyUrl.help":
      "填写 https://<你的域名>/payments/wechat/notify，须公网 HTTPS 可达；支付、退款、转账结果都通知到这里。",
    "payments.wechat.serialNo": "商户 API 证书序列号",
    "payments.wechat.serialNo.help": "商户平台 → 账户中心 → API 安全 → 商户 API 证书 → 管理证书。",
    "payments.wechat.privateKey": "商户 API 私钥（apiclient_key.pem）",
    "payments.wechat.privateKey.help":
      "申请 API 证书时在本机生成的 apiclient_key.pem，整段粘贴（含 BEGIN/END 行）。",
    "payments.wechat.apiV3Key": "APIv3 密钥",
    "payments.wechat.apiV3Key.help": "商户平台 → API 安全 → 设置 APIv3 密钥，32 个字符；用于解密通知。",
    "payments.wechat.platformSerial": "微信支付公钥 ID",
    "payments.wechat.platformSerial.help":
      "商户平台 → API 安全 → 微信支付公钥，形如 PUB_KEY_ID_…（使用平台证书时填证书序列号）。",
    "payments.wechat.platformPublicKey": "微信支付公钥",
    "payments.wechat.platformPublicKey.help":
      "同一页面下载的 pub_key.pem，整段粘贴；用于验证应答与通知的签名。",
    "payments.wechat.scenes": "支付场景",
    "payments.wechat.scenes.help": "JSAPI：微信内；H5：手机浏览器；Native：电脑扫码。",
    "payments.wechat.transferSceneId": "转账场景 ID",
    "payments.wechat.transferSceneId.help": "商家转账 → 产品设置 中已开通的场景，默认 1000（现金营销）。",
    "payments.wechat.transferPerception": "用户收款感知",
    "payments.wechat.transferPerception.help": "会员在微信中看到的收款说明，默认“现金奖励”。",
    "payments.wechat.endpoint": "API 地址",
    "payments.wechat.endpoint.help": "默认 https://api.mch.weixin.qq.com，留空即可。",
    "payments.wechat.oauthBase": "网页授权地址",
    "payments.wechat.oauthBase.help": "默认 https://open.weixin.qq.com，留空即可。",
    "payments.wechat.snsBase": "授权换取地址",
    "payments.wechat.snsBase.help": "默认 https://api.weixin.qq.com，留空即可。",
    "payments.alipay.appId": "应用 APPID",
    "payments.alipay.appId.help": "开放平台 → 控制台 → 我的应用。",
    "payments.alipay.privateKey": "应用私钥",
    "payments.alipay.privateKey.help": "用支付宝开放平台密钥工具生成的应用私钥（PKCS8），整段粘贴。",
    "payments.alipay.alipayPublicKey": "支付宝公钥",
    "payments.alipay.alipayPublicKey.help":
      "应用 → 开发设置 → 接口加签方式 → 查看支付宝公钥（不是应用公钥）。",
    "payments.alipay.notifyUrl": "异步通知地址",
    "payments.alipay.notifyUrl.help": "填写 https://<你的域名>/payments/alipay/notify，须公网可达。",
    "payments.alipay.gateway": "网关地址",
    "payments.alipay.gateway.help":
      "默认 https://openapi.alipay.com/gateway.do；沙箱环境填 https://openapi-sandbox.dl.alipaydev.com/gateway.do。",
  },
  {
    "menu.payments": "Payments",
    "payments.intro":
      "How members pay orders and how withdrawals are paid out. Secrets are write-only: once saved they show as “set”; saving with the field empty keeps the stored value, typing a new one replaces it. Every save is written to the audit log (field names only, never values).",
    "payments.methods": "Payment methods",
    "payments.method.manual": "Manual",
    "payments.method.manual.note":
      "Always available: the member pays offline and finance confirms the payment under Orders.",
    "payments.method.webhook": "Generic payment webhook",
    "payments.method.webhook.note":
      "Turned on by the server's PAYMENT_WEBHOOK_SECRET; an outside cashier posts HMAC-signed payments to /webhooks/payments. Not changed here.",
    "payments.method.wechat": "WeChat Pay",
    "payments.method.alipay": "Alipay",
    "payments.on": "on",
    "payments.off": "off",
    "payments.payoutsOn": "pays withdrawals",
    "payments.enabled": "Take payments",
    "payments.enabled.help": "Members can choose this method at checkout.",
    "payments.payouts": "Pay withdrawals out",
    "payments.payouts.help":
      "Approved withdrawals are paid through this provider (WeChat: transfer to the member's balance; Alipay: transfer to their Alipay account). Turn it on for one provider only.",
    "payments.secret.set": "set",
    "payments.secret.unset": "not set",
    "payments.secret.keep": "set — leave empty to keep it",
    "payments.secret.enter": "not set — enter it",
    "payments.save": "Save",
    "payments.saved": "{name} settings saved",
    "payments.group.basic": "Basics",
    "payments.group.keys": "API keys and certificates",
    "payments.group.advanced": "Advanced (rarely changed)",
    "payments.needs": "What you need",
    "payments.wechat.needs":
      "On the WeChat Pay merchant platform (pay.weixin.qq.com) open JSAPI / H5 / Native payments and Merchant Transfer, and bind the official account's AppID to the merchant ID; on the official account's admin (mp.weixin.qq.com) register the member site's domain for web authorization, so members opening the site inside WeChat get their openid linked.",
    "payments.alipay.needs":
      "On the Alipay open platform (open.alipay.com) create a web/mobile app, sign Mobile Website Payment and PC Website Payment, and Transfer to Alipay Account for withdrawals; choose public-key signing (RSA2) and upload the app public key to get Alipay's public key.",
    "payments.wechat.mchId": "Merchant ID (mchid)",
    "payments.wechat.mchId.help": "Merchant platform → Account → Merchant information.",
    "payments.wechat.appId": "Official account AppID",
    "payments.wechat.appId.help":
      "Official account admin → Settings → Basic configuration; bound to the merchant ID. Members' openids belong to this AppID.",
    "payments.wechat.appSecret": "Official account AppSecret",
    "payments.wechat.appSecret.help":
      "Official account admin → Basic configuration → developer password. Used to exchange the web-authorization code for the member's openid.",
    "payments.wechat.notifyUrl": "Notification URL",
    "payments.wechat.notifyUrl.help":
      "https://<your domain>/payments/wechat/notify, reachable over public HTTPS; payments, refunds and transfers are all notified here.",
    "payments.wechat.serialNo": "Merchant API certificate serial",
    "payments.wechat.serialNo.help": "Merchant platform → Account → API security → Merchant API certificate.",
    "payments.wechat.privateKey": "Merchant API private key (apiclient_key.pem)",
    "payments.wechat.privateKey.help":
      "The apiclient_key.pem made when the API certificate was requested; paste all of it (BEGIN/END lines included).",
    "payments.wechat.apiV3Key": "APIv3 key",
    "payments.wechat.apiV3Key.help":
      "Merchant platform → API security → set the APIv3 key, 32 characters; decrypts notifications.",
    "payments.wechat.platformSerial": "WeChat Pay public key ID",
    "payments.wechat.platformSerial.help":
      "Merchant platform → API security → WeChat Pay public key, PUB_KEY_ID_… (or the platform certificate's serial).",
    "payments.wechat.platformPublicKey": "WeChat Pay public key",
    "payments.wechat.platformPublicKey.help":
      "The pub_key.pem from the same page, pasted whole; verifies the signatures of answers and notifications.",
    "payments.wechat.scenes": "Ways to pay",
    "payments.wechat.scenes.help": "JSAPI: inside WeChat; H5: phone browser; Native: QR on a desktop.",
    "payments.wechat.transferSceneId": "Transfer scene ID",
    "payments.wechat.transferSceneId.help":
      "A scene opened under Merchant Transfer → product settings; default 1000 (cash marketing).",
    "payments.wechat.transferPerception": "What the member sees",
    "payments.wechat.transferPerception.help": "The transfer's description in WeChat; default 现金奖励.",
    "payments.wechat.endpoint": "API endpoint",
    "payments.wechat.endpoint.help": "Default https://api.mch.weixin.qq.com; leave empty.",
    "payments.wechat.oauthBase": "Web authorization address",
    "payments.wechat.oauthBase.help": "Default https://open.weixin.qq.com; leave empty.",
    "payments.wechat.snsBase": "Code exchange address",
    "payments.wechat.snsBase.help": "Default https://api.weixin.qq.com; leave empty.",
    "payments.alipay.appId": "App ID",
    "payments.alipay.appId.help": "Open platform → Console → My apps.",
    "payments.alipay.privateKey": "App private key",
    "payments.alipay.privateKey.help":
      "The app private key (PKCS8) made with Alipay's key tool; paste all of it.",
    "payments.alipay.alipayPublicKey": "Alipay public key",
    "payments.alipay.alipayPublicKey.help":
      "App → Development settings → Signing → view Alipay's public key (not the app's public key).",
    "payments.alipay.notifyUrl": "Notification URL",
    "payments.alipay.notifyUrl.help":
      "https://<your domain>/payments/alipay/notify, reachable from the internet.",
    "payments.alipay.gateway": "Gateway",
    "payments.alipay.gateway.help":
      "Default https://openapi.alipay.com/gateway.do; the sandbox is https://openapi-sandbox.dl.alipaydev.com/gateway.do.",
  },
);
