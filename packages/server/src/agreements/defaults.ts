/**
 * The built-in texts a shop shows until its operator publishes its own
 * (version 1). They are a starting point written for a private-domain shop
 * that pays rewards in points and cash; the console says so, and an operator
 * is expected to replace them with texts its own lawyer approved.
 */

/** The two texts a member accepts: the member terms (会员服务协议) and the privacy policy (隐私政策). */
export const AGREEMENT_KINDS = ["terms", "privacy"] as const;
export type AgreementKind = (typeof AGREEMENT_KINDS)[number];

/** The version number of the built-in text; the first published text is the next one. */
export const BUILT_IN_VERSION = 1;

export interface AgreementText {
  readonly title: string;
  readonly body: string;
}

const TERMS_BODY = `欢迎使用本商城会员服务。注册即表示您已阅读、理解并同意本协议的全部内容。

一、账户
1. 您以本人手机号注册，手机号即为账户名。请妥善保管密码和短信验证码，因您保管不善造成的损失由您自行承担。
2. 一个手机号只能注册一个账户。账户仅限本人使用，不得转让、出借或出售。

二、积分与奖励
1. 您在本商城消费可按商城公布的规则获得积分、分红额度或其他奖励。具体比例、释放速度和结算时间以会员中心和商城公告为准。
2. 积分和奖励是商城给予会员的消费优惠，不是存款、理财产品或投资收益，不保证价值，也不承诺任何回报。
3. 订单退款时，因该订单获得的积分和奖励将按规则扣回；余额不足时记为欠款，从之后的奖励中抵扣。
4. 商城可调整奖励规则。调整在公告的生效日起执行，不影响生效日之前已发放的奖励。

三、提现
1. 可提现金额、手续费和到账时间以提现页面显示为准。
2. 提现需经商城审核；发现异常交易或违反本协议的，商城可暂缓或拒绝提现并说明理由。

四、禁止行为
您不得利用本商城从事违法活动，不得以虚假交易、批量注册等方式获取奖励，不得以本商城的名义收取入门费或发展下线。

五、其他
1. 本协议适用中华人民共和国法律。
2. 如有疑问，请通过会员中心的联系方式与我们联系。`;

const PRIVACY_BODY = `我们重视您的个人信息保护。本政策说明我们收集哪些信息、为何收集、如何使用和保护，以及您享有的权利。

一、我们收集的信息
1. 注册和登录：手机号、密码（仅保存不可逆的摘要）、短信验证码。
2. 推荐关系：您填写的邀请码对应的推荐人。
3. 交易：订单、支付、退款、积分和奖励记录。
4. 提现：您填写的收款账户（如支付宝账号、微信收款标识）。
5. 安全：登录时间和网络地址，用于防止盗号和滥用短信。

二、我们如何使用
仅用于提供会员服务、计算和发放奖励、办理支付与提现、保障账户安全，以及依法配合监管。我们不会出售您的个人信息。

三、共享
仅在办理支付、退款和提现时，向微信支付、支付宝等支付机构提供完成该笔交易所必需的信息；向短信服务商提供手机号以发送验证码。法律法规要求的除外。

四、展示
在后台和团队页面，您的手机号以 138****5678 的形式显示。

五、保存与安全
交易和账目记录按会计和法律要求保存；我们采取加密传输、权限控制和操作日志等措施保护您的信息。

六、您的权利
您可以查阅和更正您的信息，可以撤回同意或注销账户（依法须保留的交易记录除外）。请通过会员中心的联系方式与我们联系，我们将在十五个工作日内答复。`;

/** The built-in text of each agreement (version 1). */
export const DEFAULT_AGREEMENTS: Readonly<Record<AgreementKind, AgreementText>> = {
  terms: { title: "会员服务协议", body: TERMS_BODY },
  privacy: { title: "隐私政策", body: PRIVACY_BODY },
};
