/**
 * Every error the API answers with: a stable code, an HTTP status, a Chinese
 * and an English message (like fastify's lib/errors.js). Codes shared with the
 * engine (`ERRORS` of @jifen/engine) keep the engine's name and wording.
 */
import { type ErrorCode as EngineErrorCode, ERRORS } from "@jifen/engine";

/** One catalogue entry. */
export interface ErrorSpec {
  readonly status: number;
  readonly zh: string;
  readonly en: string;
}

/** The HTTP status of each engine refusal when it reaches the API. */
const ENGINE_STATUS: Record<EngineErrorCode, number> = {
  INVALID_AMOUNT: 400,
  AMOUNT_NOT_POSITIVE: 400,
  AMOUNT_NEGATIVE: 400,
  TOO_MANY_PLACES: 400,
  AMOUNT_TOO_LARGE: 400,
  UNKNOWN_MEMBER: 404,
  DUPLICATE_MEMBER: 409,
  UNKNOWN_REFERRER: 400,
  UNKNOWN_PLAN: 400,
  DUPLICATE_ORDER: 409,
  UNKNOWN_ORDER: 404,
  ORDER_REFUNDED: 409,
  INSUFFICIENT_POINTS: 409,
  INSUFFICIENT_EQUITY: 409,
  INSUFFICIENT_STABLE: 409,
  INSUFFICIENT_CASH: 409,
  POINTS_OVER_RATIO: 400,
  POINTS_OVER_AMOUNT: 400,
  TREASURY_SHORT: 409,
  NO_PRICE: 409,
  ADJUST_ASSET: 400,
  ADJUST_BELOW_ZERO: 409,
  MISSING_REASON: 400,
  SELF_PAYMENT: 400,
  INVALID_FIELD: 400,
  INVALID_CONFIG: 400,
};

/** Status of an engine error code (400 for a code added to the engine later). */
export function engineStatus(code: string): number {
  return (ENGINE_STATUS as Record<string, number>)[code] ?? 400;
}

const engineEntries = Object.fromEntries(
  Object.entries(ERRORS).map(([code, text]) => [code, { status: engineStatus(code), ...text }]),
) as Record<EngineErrorCode, ErrorSpec>;

const SERVER_ERRORS = {
  BAD_REQUEST: {
    status: 400,
    zh: "请求格式错误，服务器无法读取。",
    en: "The request is malformed and the server cannot read it.",
  },
  BODY_TOO_DEEP: {
    status: 400,
    zh: "请求体嵌套过深：对象和数组最多嵌套 32 层。",
    en: "The request body is nested too deeply: objects and arrays may be nested at most 32 levels.",
  },
  VALIDATION_FAILED: { status: 400, zh: "请求参数不合法。", en: "A request parameter is invalid." },
  INVALID_INTEGER: {
    status: 400,
    zh: "该值须为正整数，只能由数字组成（不带符号、小数点、指数或空格）。",
    en: "The value must be a positive whole number in plain digits (no sign, point, exponent or spaces).",
  },
  AMOUNT_TOO_LARGE: { status: 400, zh: "数值超过上限。", en: "The value is above its limit." },
  INVALID_TEXT: {
    status: 400,
    zh: "文本不能包含控制字符（如 NUL）。",
    en: "Text must not contain control characters (such as NUL).",
  },
  INVALID_DATE: {
    status: 400,
    zh: "日期不存在或格式不正确，须为 YYYY-MM-DD。",
    en: "The date does not exist or is not in the form YYYY-MM-DD.",
  },
  INVALID_PHONE: {
    status: 400,
    zh: "手机号格式不正确，请输入 11 位中国大陆手机号。",
    en: "This is not a mainland China mobile number; enter 11 digits.",
  },
  WEAK_PASSWORD: {
    status: 400,
    zh: "密码长度须为 8 到 72 位。",
    en: "A password must have 8 to 72 characters.",
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    zh: "不支持该内容类型，请以 JSON 发送请求。",
    en: "This content type is not supported; send the request as JSON.",
  },
  PAYLOAD_TOO_LARGE: { status: 413, zh: "请求内容过大。", en: "The request body is too large." },
  UNAUTHENTICATED: { status: 401, zh: "请先登录。", en: "Please sign in first." },
  SESSION_EXPIRED: {
    status: 401,
    zh: "登录已失效，请重新登录。",
    en: "Your session has expired; please sign in again.",
  },
  FORBIDDEN: { status: 403, zh: "当前角色无权执行此操作。", en: "Your role may not do this." },
  METRICS_TOKEN_INVALID: {
    status: 401,
    zh: "指标接口需要正确的令牌（Authorization: Bearer <METRICS_TOKEN>）。",
    en: "The metrics endpoint needs the right token (Authorization: Bearer <METRICS_TOKEN>).",
  },
  NOT_READY: {
    status: 503,
    zh: "服务尚未就绪：数据库不可达、迁移未完成或结算调度已停止。",
    en: "The server is not ready: the database is unreachable, migrations are not applied, or the settlement scheduler has stopped.",
  },
  NOT_FOUND: { status: 404, zh: "接口不存在。", en: "There is no such route." },
  MEMBER_NOT_FOUND: { status: 404, zh: "会员不存在。", en: "The member was not found." },
  ORDER_NOT_FOUND: { status: 404, zh: "订单不存在。", en: "The order was not found." },
  PRODUCT_NOT_FOUND: { status: 404, zh: "商品不存在。", en: "The product was not found." },
  WITHDRAWAL_NOT_FOUND: { status: 404, zh: "提现申请不存在。", en: "The withdrawal was not found." },
  WITHDRAWAL_NO_CONFIRM: {
    status: 409,
    zh: "这笔提现现在不需要在微信中确认收款。",
    en: "This withdrawal does not wait for you to confirm it in WeChat now.",
  },
  PHONE_TAKEN: {
    status: 409,
    zh: "该手机号已注册，请直接登录。",
    en: "This phone number is already registered; sign in instead.",
  },
  PHONE_NOT_REGISTERED: { status: 404, zh: "该手机号未注册。", en: "This phone number is not registered." },
  INVITE_CODE_UNKNOWN: {
    status: 400,
    zh: "邀请码不存在，请核对后重新输入。",
    en: "The invite code is unknown; check it and enter it again.",
  },
  SMS_CODE_INVALID: { status: 400, zh: "验证码错误。", en: "The verification code is wrong." },
  SMS_CODE_EXPIRED: {
    status: 400,
    zh: "验证码已过期或未发送，请重新获取。",
    en: "The verification code has expired or was never sent; request a new one.",
  },
  SMS_CODE_TOO_MANY_TRIES: {
    status: 429,
    zh: "验证码错误次数过多，请重新获取。",
    en: "Too many wrong tries; request a new code.",
  },
  SMS_TOO_FREQUENT: {
    status: 429,
    zh: "验证码发送过于频繁，请 60 秒后再试。",
    en: "A code was sent less than 60 seconds ago; try again later.",
  },
  SMS_DAILY_LIMIT: {
    status: 429,
    zh: "该手机号今日验证码次数已达上限，请明天再试。",
    en: "This number has reached today's limit of codes; try again tomorrow.",
  },
  SMS_IP_LIMIT: {
    status: 429,
    zh: "当前网络获取验证码过于频繁，请稍后再试。",
    en: "Too many codes were requested from this address; try again later.",
  },
  SMS_SEND_FAILED: {
    status: 502,
    zh: "短信发送失败，请稍后再试。",
    en: "The SMS provider refused the message; try again later.",
  },
  LOGIN_FAILED: { status: 401, zh: "手机号或密码错误。", en: "The phone number or password is wrong." },
  LOGIN_LOCKED: {
    status: 429,
    zh: "密码错误次数过多，请 15 分钟后再试或使用验证码登录。",
    en: "Too many wrong passwords; wait 15 minutes or sign in with an SMS code.",
  },
  OPERATOR_LOGIN_FAILED: { status: 401, zh: "用户名或密码错误。", en: "The username or password is wrong." },
  OPERATOR_TAKEN: { status: 409, zh: "该用户名已存在。", en: "This username is taken." },
  OPERATOR_LOGIN_LOCKED: {
    status: 429,
    zh: "该账号在当前网络的密码错误次数过多，请 15 分钟后再试，或请其他管理员协助。",
    en: "Too many wrong passwords for this account from this address; wait 15 minutes or ask another admin.",
  },
  OPERATOR_LOGIN_SLOWED: {
    status: 429,
    zh: "该账号近期密码错误次数过多，登录已放慢。",
    en: "This account had many wrong passwords lately, so sign-in is slowed down.",
  },
  OPERATOR_PASSWORD_CHANGE_REQUIRED: {
    status: 403,
    zh: "请先修改初始密码（POST /admin/me/password）。",
    en: "Change the initial password first (POST /admin/me/password).",
  },
  OPERATOR_PASSWORD_WRONG: { status: 400, zh: "当前密码不正确。", en: "The current password is wrong." },
  OPERATOR_PASSWORD_UNCHANGED: {
    status: 400,
    zh: "新密码不能与当前密码或演示密码相同。",
    en: "The new password must differ from the current one and from the demo password.",
  },
  OPERATOR_NOT_FOUND: { status: 404, zh: "运营账号不存在。", en: "The operator was not found." },
  OPERATOR_LAST_ADMIN: {
    status: 409,
    zh: "不能停用或降级最后一个启用的管理员。",
    en: "The last active admin cannot be disabled or given another role.",
  },
  DEBT_BLOCKS_WITHDRAWAL: {
    status: 409,
    zh: "存在未还清的欠款，暂不能提现。",
    en: "A member with unpaid debt cannot withdraw.",
  },
  WITHDRAWAL_BELOW_MINIMUM: {
    status: 400,
    zh: "提现金额低于最低限额。",
    en: "The amount is below the minimum withdrawal.",
  },
  WITHDRAWAL_PAYOUT_NOT_OPEN: {
    status: 409,
    zh: "该提现没有待完成的平台打款（未批准、人工打款或已到账/已失败）。",
    en: "This withdrawal has no provider payout still open (not approved, paid by hand, or already paid or failed).",
  },
  WITHDRAWAL_NOT_PENDING: {
    status: 409,
    zh: "该提现申请已处理。",
    en: "This withdrawal was already decided.",
  },
  ORDER_NOT_PENDING: { status: 409, zh: "订单不是待支付状态。", en: "The order is not awaiting payment." },
  ORDER_NOT_PAID: { status: 409, zh: "订单未支付或已退款。", en: "The order is not paid or was refunded." },
  REFUND_REASON_REQUIRED: {
    status: 400,
    zh: "退款必须填写原因（reason，不能为空）。",
    en: "A refund needs a reason (reason, not empty).",
  },
  AGREEMENT_OUTDATED: {
    status: 409,
    zh: "《会员服务协议》或《隐私政策》已更新，请阅读并同意新版本后再提交。",
    en: "The member terms or the privacy policy changed; read and accept the new version, then submit again.",
  },
  AGREEMENT_EMPTY: {
    status: 400,
    zh: "协议的标题和正文都不能只有空白。",
    en: "An agreement's title and text must not be blank.",
  },
  PRODUCT_INACTIVE: { status: 409, zh: "商品已下架。", en: "The product is not on sale." },
  EXTERNAL_ORDER_DUPLICATE: {
    status: 409,
    zh: "该外部订单号已处理过。",
    en: "This external order id was already accepted.",
  },
  WEBHOOK_ORDER_MISMATCH: {
    status: 409,
    zh: "回调内容与订单不符，未入账。",
    en: "The payment event contradicts the order; nothing was credited.",
  },
  WEBHOOK_SIGNATURE_INVALID: {
    status: 401,
    zh: "回调签名校验失败，未入账。",
    en: "The webhook signature does not match; nothing was credited.",
  },
  WEBHOOK_DISABLED: {
    status: 503,
    zh: "未配置支付回调密钥，回调已停用。",
    en: "The payment webhook is off because no shared secret is set.",
  },
  PAYMENT_NOTIFICATION_INVALID: {
    status: 401,
    zh: "支付通知的签名、时间戳或加密内容校验失败，未入账。",
    en: "The payment notification's signature, timestamp or encrypted content does not check out; nothing was credited.",
  },
  PAYMENT_UNKNOWN: {
    status: 404,
    zh: "支付通知所指的支付单不是本店的，未入账。",
    en: "The payment the notification names is not ours; nothing was credited.",
  },
  PAYMENT_AMOUNT_MISMATCH: {
    status: 409,
    zh: "支付通知的金额与订单应付金额不符，未入账。",
    en: "The notification's amount differs from what the order owes; nothing was credited.",
  },
  PAYMENT_TX_REUSED: {
    status: 409,
    zh: "该支付交易号已用于另一笔支付，未入账。",
    en: "This provider transaction already paid another payment; nothing was credited.",
  },
  PAYMENT_PAID_TWICE: {
    status: 409,
    zh: "该支付单已由另一笔交易支付，本笔未入账，请核实后退款。",
    en: "This payment was already paid by another transaction; this one was not credited — check it and refund it.",
  },
  PAYMENT_ORDER_NOT_PENDING: {
    status: 409,
    zh: "订单已不是待支付状态，款项未入账，请退款给会员。",
    en: "The order is no longer awaiting payment; the money was not credited — refund it to the member.",
  },
  PAYMENT_PROVIDER_UNAVAILABLE: {
    status: 409,
    zh: "该支付方式未开通或未配置。",
    en: "This payment method is not turned on or not configured.",
  },
  PAYMENT_PROVIDER_MISMATCH: {
    status: 409,
    zh: "订单下单时选择了其他支付方式。",
    en: "The order was placed with another payment method.",
  },
  PAYMENT_PROVIDER_FAILED: {
    status: 502,
    zh: "支付平台拒绝了请求或暂时无法连接，请稍后重试。",
    en: "The payment provider refused the request or could not be reached; try again later.",
  },
  PAYMENT_SCENE_UNSUPPORTED: {
    status: 400,
    zh: "该支付方式不支持这种支付场景。",
    en: "This payment method does not support this way of paying.",
  },
  PAYMENT_ACCOUNT_MISSING: {
    status: 409,
    zh: "尚未绑定该支付平台的账户（如微信 openid）。",
    en: "No account at this payment provider is linked yet (such as a WeChat openid).",
  },
  PAYMENT_ACCOUNT_INVALID: {
    status: 400,
    zh: "支付账户格式不正确（1 至 128 个可见字符）。",
    en: "The payment account is malformed (1 to 128 visible characters).",
  },
  WECHAT_OAUTH_UNAVAILABLE: {
    status: 409,
    zh: "本店未配置微信公众号的 AppID 与 AppSecret，无法获取微信 openid。",
    en: "The shop has not configured its WeChat official account's AppID and AppSecret, so the WeChat openid cannot be obtained.",
  },
  WECHAT_OAUTH_STATE_INVALID: {
    status: 400,
    zh: "微信授权的 state 无效或已过期，请重新授权。",
    en: "The WeChat authorization's state is invalid or expired; authorize again.",
  },
  WECHAT_OAUTH_FAILED: {
    status: 502,
    zh: "微信授权失败，未绑定 openid，请重新授权。",
    en: "The WeChat authorization failed and no openid was linked; authorize again.",
  },
  PAYMENT_SETTINGS_INVALID: {
    status: 400,
    zh: "支付配置不完整或无法读取。",
    en: "The payment settings are incomplete or cannot be read.",
  },
  IDEMPOTENCY_KEY_INVALID: {
    status: 400,
    zh: "Idempotency-Key 须为 1 到 128 位可见字符。",
    en: "The Idempotency-Key must be 1 to 128 visible characters.",
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 409,
    zh: "该幂等键已用于另一个不同的请求。",
    en: "This Idempotency-Key was used for a different request.",
  },
  BALANCE_LIMIT: {
    status: 409,
    zh: "此次入账将使余额超过上限，未执行。",
    en: "This credit would take a balance past its limit; nothing was done.",
  },
  BALANCE_CONFLICT: {
    status: 409,
    zh: "余额不足或已被并发操作占用。",
    en: "The balance is too low or was taken by a concurrent request.",
  },
  CONFIG_CHANGE_EMPTY: {
    status: 400,
    zh: "参数修改至少要包含一个参数（params 不能为空对象）。",
    en: "A parameter change must change at least one parameter (params may not be empty).",
  },
  SIMULATION_PLAN_INVALID: {
    status: 400,
    zh: "模拟计划无效，未运行模拟。",
    en: "The simulation plan is invalid; nothing was simulated.",
  },
  SIMULATION_TOO_LARGE: {
    status: 400,
    zh: "模拟规模超过服务器允许的上限（天数 × 会员数），请缩短天数或减少会员，或在命令行运行 jifen simulate。",
    en: "The simulation is larger than the server allows (days × members); shorten it or run jifen simulate on the command line.",
  },
  SETTLEMENT_NOT_FOUND: {
    status: 404,
    zh: "该营业日没有日结记录。",
    en: "There is no settlement for this business day.",
  },
  SETTLEMENT_FAILED: {
    status: 500,
    zh: "日结失败，未写入任何数据。",
    en: "The daily settlement failed; nothing was written.",
  },
  SETTLEMENT_RUNNING: {
    status: 409,
    zh: "该订单的奖励正在日结中，请在日结完成后（通常一分钟内）重试退款。",
    en: "The order's rewards are being settled right now; retry the refund once the settlement is done (usually within a minute).",
  },
  REPORT_RANGE_INVALID: {
    status: 400,
    zh: "开始日期不能晚于结束日期。",
    en: "The start day must not be after the end day.",
  },
  REPORT_RANGE_TOO_LONG: {
    status: 400,
    zh: "报表日期范围最多 366 天，请缩短范围。",
    en: "A report covers at most 366 days; choose a shorter range.",
  },
  OUT_OF_STOCK: {
    status: 409,
    zh: "商品库存不足，已售罄或剩余数量少于购买数量。",
    en: "Not enough stock: the product is sold out or fewer units are left than you asked for.",
  },
  IMAGE_INVALID: {
    status: 400,
    zh: "图片数据无效：请以 base64 编码上传图片文件。",
    en: "The image data is invalid: upload the image file encoded as base64.",
  },
  IMAGE_TOO_LARGE: {
    status: 413,
    zh: "图片过大：单张图片不能超过 2 MB。",
    en: "The image is too large: an image may be at most 2 MB.",
  },
  IMAGE_TYPE_UNSUPPORTED: {
    status: 415,
    zh: "不支持的图片格式：只能上传 PNG、JPEG 或 WebP 图片。",
    en: "Unsupported image format: only PNG, JPEG or WebP images can be uploaded.",
  },
  IMAGE_NOT_FOUND: {
    status: 404,
    zh: "图片不存在，请先上传图片。",
    en: "No such image; upload the image first.",
  },
  CHECKOUT_NOT_FOUND: { status: 404, zh: "该支付单不存在。", en: "No such checkout." },
  CHECKOUT_NOT_PENDING: {
    status: 409,
    zh: "该支付单没有待支付的订单。",
    en: "This checkout has no order awaiting payment.",
  },
  DEMO_PAYMENT_DISABLED: {
    status: 409,
    zh: "演示支付未开启：请由商家在后台开启，或选择其他支付方式。",
    en: "The demo payment method is off: the shop's operator can turn it on, or choose another way to pay.",
  },
  BACKUP_FILE_EXISTS: {
    status: 409,
    zh: "备份文件已存在，不会覆盖它；请换一个文件名。",
    en: "The backup file exists already and is not overwritten; choose another name.",
  },
  BACKUP_DATA_DIR_IN_USE: {
    status: 409,
    zh: "内置数据库正由运行中的服务使用（PGlite 只服务一个进程），命令行不能同时打开它。请在管理后台「设置 → 数据备份」点「立即备份」（或调用 POST /admin/backups），或先停止服务再运行本命令。",
    en: "The embedded database is in use by the running server (PGlite serves one process), so the command cannot open it. Use 立即备份 / Back up now in the admin console (Settings → Backups, or POST /admin/backups), or stop the server first.",
  },
  BACKUP_NOT_A_BACKUP: {
    status: 400,
    zh: "这不是 Jifen 备份文件（应为 jifen backup 写出的 gzip 文件）。",
    en: "This is not a Jifen backup (a gzip file written by jifen backup).",
  },
  BACKUP_CORRUPT: {
    status: 400,
    zh: "备份文件已损坏或不完整，没有写入任何数据。",
    en: "The backup file is damaged or incomplete; nothing was written.",
  },
  BACKUP_CHECKSUM_MISMATCH: {
    status: 400,
    zh: "备份文件的内容与清单中的 SHA-256 校验和不符（文件被改动或损坏），没有写入任何数据。",
    en: "The backup's contents do not match the SHA-256 checksum in its manifest (the file was altered or damaged); nothing was written.",
  },
  BACKUP_MANIFEST_MISMATCH: {
    status: 400,
    zh: "备份文件的数据与清单不符（行数、余额合计或最后流水号），没有写入任何数据。",
    en: "The backup's data does not match its manifest (row counts, balance totals or the last transaction id); nothing was written.",
  },
  BACKUP_FORMAT_NEWER: {
    status: 400,
    zh: "备份文件的格式比本程序新，请用新版本的 Jifen 恢复。",
    en: "The backup's format is newer than this program reads; restore it with a newer Jifen.",
  },
  BACKUP_SCHEMA_NEWER: {
    status: 400,
    zh: "备份来自更新的数据库结构，请先把 Jifen 升级到同一版本再恢复。",
    en: "The backup comes from a newer database schema; upgrade Jifen to the same version before restoring.",
  },
  BACKUP_SCHEMA_OLDER: {
    status: 400,
    zh: "备份来自较旧的数据库结构，请用写出它的 Jifen 版本恢复，启动一次服务完成升级后再备份。",
    en: "The backup comes from an older database schema; restore it with the Jifen version that wrote it, start the server once to upgrade, then back up again.",
  },
  RESTORE_TARGET_NOT_EMPTY: {
    status: 409,
    zh: "目标数据库已有数据，没有写入任何数据；确认要整体替换时请加 --replace。",
    en: "The target database holds data; nothing was written. Add --replace to replace all of it.",
  },
  RESTORE_CHECK_FAILED: {
    status: 500,
    zh: "恢复后的校验未通过，已全部回滚，目标数据库保持原样。",
    en: "The restored data failed its checks; everything was rolled back and the target is unchanged.",
  },
  BACKUPS_OFF: {
    status: 503,
    zh: "这台服务没有开启备份。",
    en: "Backups are not set up on this server.",
  },
  BACKUP_RUNNING: {
    status: 409,
    zh: "已有一个备份正在进行，请等它完成。",
    en: "A backup is running already; wait for it to finish.",
  },
  BATCH_FAILED: {
    status: 503,
    zh: "本批指令未能写入，未做任何更改，请用同一个 Idempotency-Key 重试。",
    en: "The batch this request was in could not be written and nothing was changed; retry it with the same Idempotency-Key.",
  },
  WRITER_STOPPING: {
    status: 503,
    zh: "服务正在停止，本指令未被接收，未做任何更改，请稍后重试。",
    en: "The server is stopping and did not take this request; nothing was changed, so retry it shortly.",
  },
  WRITER_NOT_LEADER: {
    status: 503,
    zh: "这个服务进程不是记账写入者，本指令未执行，未做任何更改，请重试。",
    en: "This server process is not the equity writer and did not apply this request; nothing was changed, so retry it.",
  },
  WRITER_UNAVAILABLE: {
    status: 503,
    zh: "记账写入者正在切换，暂时无法确认本指令是否已执行；请用同一个 Idempotency-Key 重试，已执行的指令只会返回原结果。",
    en: "The equity writer is changing over and this request's outcome could not be confirmed; retry it with the same Idempotency-Key, and a request already applied only replays its answer.",
  },
  INTERNAL_ERROR: {
    status: 500,
    zh: "服务器内部错误，请稍后再试。",
    en: "An internal server error occurred; try again later.",
  },
} as const satisfies Record<string, ErrorSpec>;

/** The whole catalogue: the engine's refusals and the server's own errors. */
export const CATALOGUE: Readonly<Record<AppErrorCode, ErrorSpec>> = { ...engineEntries, ...SERVER_ERRORS };

/** Every code the API can answer with. */
export type AppErrorCode = EngineErrorCode | keyof typeof SERVER_ERRORS;
