/**
 * The engine's refusals: one catalogue of stable codes with a Chinese and an
 * English message. A refusal means nothing changed.
 */

export const ERRORS = {
  INVALID_AMOUNT: { zh: "金额格式无效。", en: "The amount is not a valid decimal." },
  AMOUNT_NOT_POSITIVE: { zh: "金额必须大于零。", en: "The amount must be greater than zero." },
  AMOUNT_NEGATIVE: { zh: "金额不能为负数。", en: "The amount must not be negative." },
  TOO_MANY_PLACES: { zh: "小数位数过多。", en: "The amount has too many decimal places." },
  AMOUNT_TOO_LARGE: { zh: "金额超过上限。", en: "The amount exceeds its limit." },
  UNKNOWN_MEMBER: { zh: "会员不存在。", en: "The member is unknown." },
  DUPLICATE_MEMBER: { zh: "会员已存在。", en: "The member already exists." },
  UNKNOWN_REFERRER: { zh: "推荐人不存在。", en: "The referrer is unknown." },
  UNKNOWN_PLAN: { zh: "未知的奖励方案。", en: "The plan is unknown." },
  DUPLICATE_ORDER: { zh: "订单号重复。", en: "The order id is already used." },
  UNKNOWN_ORDER: { zh: "订单不存在。", en: "The order is unknown." },
  ORDER_REFUNDED: { zh: "订单已退款。", en: "The order was already refunded." },
  INSUFFICIENT_POINTS: { zh: "可用积分不足。", en: "There are not enough points." },
  INSUFFICIENT_EQUITY: { zh: "增值积分不足。", en: "There are not enough equity points." },
  INSUFFICIENT_STABLE: { zh: "恒定积分不足。", en: "There are not enough stable points." },
  INSUFFICIENT_CASH: { zh: "余额不足。", en: "There is not enough cash." },
  POINTS_OVER_RATIO: { zh: "积分抵扣超过比例上限。", en: "The points exceed the points pay ratio." },
  POINTS_OVER_AMOUNT: { zh: "积分抵扣超过订单金额。", en: "The points exceed the order amount." },
  TREASURY_SHORT: { zh: "平台库存增值积分不足。", en: "The platform treasury lacks equity points." },
  NO_PRICE: {
    zh: "当前没有流通的增值积分，无法定价。",
    en: "No equity points are in circulation, so there is no price.",
  },
  ADJUST_ASSET: {
    zh: "只能调整余额、积分或恒定积分。",
    en: "Only cash, points or stable points can be adjusted.",
  },
  ADJUST_BELOW_ZERO: { zh: "调整后余额不能为负。", en: "An adjustment may not take a balance below zero." },
  MISSING_REASON: { zh: "必须填写调整原因。", en: "An adjustment needs a reason." },
  SELF_PAYMENT: { zh: "不能向自己付款。", en: "A member cannot pay themselves." },
  INVALID_FIELD: { zh: "字段无效。", en: "A field is invalid." },
  INVALID_CONFIG: { zh: "参数无效。", en: "A parameter is invalid." },
} as const;

export type ErrorCode = keyof typeof ERRORS;

const END_ZH = /[。！？]$/;
const END_EN = /[.!?]$/;

/**
 * A message with its detail, still one whole sentence: `head` (a catalogue
 * sentence) loses its full stop, the detail follows after a colon, and the
 * whole ends with one ("金额格式无效：字段 amount。", "The amount is not a valid decimal: field amount.").
 */
export function withDetail(head: string, detail: string, language: "zh" | "en"): string {
  if (language === "zh") {
    const text = `${head.replace(END_ZH, "")}：${detail}`;
    return END_ZH.test(text) ? text : `${text}。`;
  }
  const text = `${head.replace(END_EN, "")}: ${detail}`;
  return END_EN.test(text) ? text : `${text}.`;
}

/**
 * A refused command: `code` is stable, `detail` names what was wrong (English),
 * `detailZh` the same in Chinese when the refusal has its own Chinese words
 * (config validation); otherwise it is `detail`. `zh`/`en` (the replay's output)
 * show `detail` only; the server shows `detailZh` in its Chinese message.
 */
export class EngineError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly detailZh: string;
  readonly field: string | undefined;
  constructor(code: ErrorCode, detail: string, field?: string, detailZh?: string) {
    const text = ERRORS[code];
    super(`${withDetail(text.zh, detail, "zh")} / ${withDetail(text.en, detail, "en")}`);
    this.name = "EngineError";
    this.code = code;
    this.detail = detail;
    this.detailZh = detailZh ?? detail;
    this.field = field;
  }
  /** The Chinese message. */
  get zh(): string {
    return withDetail(ERRORS[this.code].zh, this.detail, "zh");
  }
  /** The English message. */
  get en(): string {
    return withDetail(ERRORS[this.code].en, this.detail, "en");
  }
}

/** Throws an engine error: a refusal of the input, nothing changed. */
export function refuse(code: ErrorCode, detail: string, field?: string, detailZh?: string): never {
  throw new EngineError(code, detail, field, detailZh);
}

/** Refuses a parameter `key`: `en` and `zh` say what it must be ("must be positive", "须大于 0"). */
export function refuseConfig(key: string, en: string, zh: string): never {
  throw new EngineError("INVALID_CONFIG", `${key}: ${en}`, key, `${key} ${zh}`);
}

/** An invariant that must hold; failing it is a programmer error, never input. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${message}`);
}
