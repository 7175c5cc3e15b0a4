/**
 * Why each line of a member's history moved, in the member's language
 * (docs/server.md, "History"): a structured `cause` read from what the ledger
 * stored (the transaction's kind, ref, memo and business day; the posting's
 * cause columns of migration 0006, written by the settlement from the engine's
 * result) and a sentence naming it. Nothing here recomputes a figure.
 */
import { formatDecimal } from "@jifen/engine";
import Negotiator from "negotiator";
import { maskPhone } from "../sms/index.ts";

/** The languages descriptions are written in; zh-CN is the default. */
export type Language = "zh-CN" | "en";
export const LANGUAGES: readonly Language[] = ["zh-CN", "en"];

/** The request's language from its `Accept-Language` header (zh-CN when absent or unmatched). */
export function requestLanguage(headers: Record<string, string | string[] | undefined>): Language {
  const header = headers["accept-language"];
  if (header === undefined) return "zh-CN";
  const chosen = new Negotiator({ headers: { "accept-language": header } }).language([...LANGUAGES]);
  return chosen === "en" ? "en" : "zh-CN";
}

/** What a history line's description is made from (one posting and its transaction). */
export interface CauseInput {
  readonly kind: string;
  readonly ref: string;
  readonly memo: string | null;
  readonly businessDay: string;
  /** The wallet part of the account: `cash`, `points`, `debt:points`, … */
  readonly wallet: string;
  readonly amount: bigint;
  readonly rule: string | null;
  readonly ratePpm: number | null;
  readonly generation: number | null;
  readonly star: string | null;
  /** The order the posting names (its cause column, or the transaction's `order:<id>` ref). */
  readonly orderId: string | null;
  /** The other member, phone masked (138****5678), when the line names one. */
  readonly counterpart: string | null;
  /** Whether the member is not the order's buyer (a referrer's grant or reversal). */
  readonly asReferrer: boolean;
}

/** A line's cause as the API returns it. */
export interface Cause {
  readonly kind: string;
  readonly rule: string | null;
  readonly orderId: string | null;
  /** The rule's rate as decimal text ("0.012" = 1.2%), when it has one. */
  readonly rate: string | null;
  readonly generation: number | null;
  readonly starLevel: string | null;
  readonly day: string;
  readonly counterpart: string | null;
  /** The operator's reason (adjustments, rejected withdrawals). */
  readonly reason: string | null;
}

/** The order id of an `order:<id>` ref, or null. */
export function orderIdOfRef(ref: string): string | null {
  const m = /^order:(\d+)$/.exec(ref);
  return m ? (m[1] as string) : null;
}

/** The member ids of a stable payment's ref `member:<payer>-><merchant>`, or null. */
export function stablePayParties(ref: string): { payer: string; merchant: string } | null {
  const m = /^member:(\d+)->(\d+)$/.exec(ref);
  return m ? { payer: m[1] as string, merchant: m[2] as string } : null;
}

/** The masked phone of a member, for a counterpart. */
export function maskedCounterpart(phone: string | null | undefined): string | null {
  return phone ? maskPhone(phone) : null;
}

function percent(ppm: number): string {
  // ppm × 100 micro-units of a percent: 12000 ppm = 1.2%.
  return `${formatDecimal(BigInt(ppm) * 100n)}%`;
}

/** The structured cause of a line. */
export function causeOf(input: CauseInput): Cause {
  const reason =
    input.kind === "adjustment" || input.kind === "withdrawal.reject" ? (input.memo ?? null) : null;
  return {
    kind: input.kind,
    rule: input.rule,
    orderId: input.orderId,
    rate: input.ratePpm === null ? null : formatDecimal(BigInt(input.ratePpm)),
    generation: input.generation,
    starLevel: input.star,
    day: input.businessDay,
    counterpart: input.counterpart,
    reason,
  };
}

interface Words {
  order(id: string | null): string;
  release(input: CauseInput): string;
  line(input: CauseInput): string;
  debt(repays: boolean): string;
}

const ZH: Words = {
  order: (id) => (id ? `订单 #${id}` : "订单"),
  release(c) {
    const rate = c.ratePpm === null ? "" : ` ${percent(c.ratePpm)}`;
    switch (c.rule) {
      case "release.static":
        return c.orderId ? `订单 #${c.orderId} 静态释放${rate}` : `静态释放${rate}（多笔订单）`;
      case "release.share": {
        const who = c.generation === 1 ? "直推" : `第${c.generation}代`;
        return `${who}${c.counterpart ? ` ${c.counterpart}` : ""} 加速释放${rate}`;
      }
      case "release.team":
        return `团队级差 ${c.star ?? ""}${rate}`;
      case "release.peer":
        return `平级奖${c.star ? ` ${c.star}` : ""}${rate}`;
      default:
        return c.wallet === "gift" ? "每日释放（赠送积分转为积分）" : "每日释放";
    }
  },
  line(c) {
    const order = ZH.order(c.orderId);
    const out = c.amount < 0n;
    switch (c.kind) {
      case "order.pay":
        return `${order} 积分抵扣`;
      case "order.refund":
        return `退款 ${order} 退回积分`;
      case "equity.grant":
        if (c.asReferrer) return `推荐${c.counterpart ? ` ${c.counterpart}` : ""} ${order} 增值积分奖励`;
        return c.wallet === "exitQuota" ? `${order} 出局额度` : `${order} 增值积分奖励`;
      case "equity.sell":
        return out ? `出售增值积分 ${formatDecimal(-c.amount)}` : "出售增值积分所得";
      case "equity.exit":
        return out
          ? c.wallet === "exitQuota"
            ? "出局：出局额度清零"
            : "出局：卖出全部增值积分"
          : "出局所得";
      case "equity.redeem":
        return "增值积分兑换商品";
      case "equity.toStable":
        return "增值积分转为恒定积分";
      case "equity.fromStable":
        return "恒定积分转为增值积分";
      case "stable.pay":
        return out
          ? `恒定积分付款给${c.counterpart ? ` ${c.counterpart}` : "商家"}`
          : `收到${c.counterpart ? ` ${c.counterpart}` : ""} 恒定积分付款`;
      case "cycle.grant":
        if (c.asReferrer) return `推荐${c.counterpart ? ` ${c.counterpart}` : ""} ${order} 分红权重`;
        return c.wallet === "quota" ? `${order} 分红额度` : `${order} 分红权重`;
      case "cycle.dividend":
        return c.wallet === "quota" ? "循环分红 使用分红额度" : "循环分红";
      case "release.gift":
        return `${order} 赠送积分`;
      case "release.daily":
        return ZH.release(c);
      case "refund.reverse":
        return `退款冲回 ${order}${c.asReferrer ? "（推荐奖励）" : ""}`;
      case "adjustment":
        return c.memo ? `人工调整：${c.memo}` : "人工调整";
      case "withdrawal.request":
        return "提现申请";
      case "withdrawal.reject":
        return c.memo ? `提现驳回，退回余额：${c.memo}` : "提现驳回，退回余额";
      case "withdrawal.pay":
        return "提现已打款";
      case "withdrawal.fail":
        return "提现打款失败，退回余额";
      case "settlement.debt-repaid":
        return "日结偿还的欠款已先行还清，转入余额";
      default:
        return c.kind;
    }
  },
  debt: (repays) => (repays ? "（偿还欠款）" : "（计入欠款）"),
};

const EN: Words = {
  order: (id) => (id ? `order #${id}` : "an order"),
  release(c) {
    const rate = c.ratePpm === null ? "" : ` ${percent(c.ratePpm)}`;
    switch (c.rule) {
      case "release.static":
        return c.orderId
          ? `Static release${rate} of order #${c.orderId}`
          : `Static release${rate} (several orders)`;
      case "release.share": {
        const who = c.generation === 1 ? "direct referral" : `generation ${c.generation}`;
        return `Share release${rate} from ${who}${c.counterpart ? ` ${c.counterpart}` : "s"}`;
      }
      case "release.team":
        return `Team differential, ${c.star ?? ""}${rate}`;
      case "release.peer":
        return `Peer bonus${c.star ? `, ${c.star}` : ""}${rate}`;
      default:
        return c.wallet === "gift" ? "Daily release (gift points to points)" : "Daily release";
    }
  },
  line(c) {
    const order = EN.order(c.orderId);
    const out = c.amount < 0n;
    switch (c.kind) {
      case "order.pay":
        return `Points paid for ${order}`;
      case "order.refund":
        return `Refund of ${order}: points returned`;
      case "equity.grant":
        if (c.asReferrer)
          return `Equity points reward for referring ${c.counterpart ? `${c.counterpart}'s ` : ""}${order}`;
        return c.wallet === "exitQuota" ? `Exit quota of ${order}` : `Equity points reward of ${order}`;
      case "equity.sell":
        return out ? `Sold ${formatDecimal(-c.amount)} equity points` : "Proceeds of equity points sold";
      case "equity.exit":
        return out
          ? c.wallet === "exitQuota"
            ? "Exit: exit quota cleared"
            : "Exit: all equity points sold"
          : "Proceeds of the exit";
      case "equity.redeem":
        return "Equity points redeemed for goods";
      case "equity.toStable":
        return "Equity points converted to stable points";
      case "equity.fromStable":
        return "Stable points converted to equity points";
      case "stable.pay":
        return out
          ? `Stable points paid to ${c.counterpart ?? "a merchant"}`
          : `Stable points received${c.counterpart ? ` from ${c.counterpart}` : ""}`;
      case "cycle.grant":
        if (c.asReferrer)
          return `Dividend weight for referring ${c.counterpart ? `${c.counterpart}'s ` : ""}${order}`;
        return c.wallet === "quota" ? `Dividend quota of ${order}` : `Dividend weight of ${order}`;
      case "cycle.dividend":
        return c.wallet === "quota" ? "Cycle dividend: quota used" : "Cycle dividend";
      case "release.gift":
        return `Gift points of ${order}`;
      case "release.daily":
        return EN.release(c);
      case "refund.reverse":
        return `Refund reversal of ${order}${c.asReferrer ? " (referral reward)" : ""}`;
      case "adjustment":
        return c.memo ? `Adjustment: ${c.memo}` : "Adjustment";
      case "withdrawal.request":
        return "Withdrawal requested";
      case "withdrawal.reject":
        return c.memo ? `Withdrawal rejected, returned: ${c.memo}` : "Withdrawal rejected, returned";
      case "withdrawal.pay":
        return "Withdrawal paid out";
      case "withdrawal.fail":
        return "Withdrawal payout failed, returned";
      case "settlement.debt-repaid":
        return "Debt the settlement repaid was already repaid: moved to the balance";
      default:
        return c.kind;
    }
  },
  debt: (repays) => (repays ? " (repays debt)" : " (owed)"),
};

/** A line's description in `language`. */
export function describe(input: CauseInput, language: Language): string {
  const words = language === "en" ? EN : ZH;
  const text = words.line(input);
  return input.wallet.startsWith("debt:") ? text + words.debt(input.amount > 0n) : text;
}
