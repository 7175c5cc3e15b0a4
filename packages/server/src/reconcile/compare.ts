/**
 * Reconciliation (对账): every payment and refund of the provider's statement
 * of day D against ours. Lines are keyed by our order number (and the refund
 * number for a refund); several lines under one key are added up, so a
 * payment taken twice shows as a different amount. Our records are read over
 * a window around D (a payment at 23:59:59 may be recorded here after
 * midnight), and only ours of day D itself can be "here but not there".
 */
import { formatFixed } from "@jifen/engine";
import type { MoneyLine } from "./statement.ts";

/** paid there but not here · here but not there · both, with different amounts. */
export type DifferenceKind = "missing_here" | "missing_there" | "amount_differs";

export interface Difference {
  readonly kind: DifferenceKind;
  readonly line: "payment" | "refund";
  readonly outTradeNo: string;
  readonly refundNo: string | null;
  readonly tradeNo: string | null;
  /** Yuan with two decimals; null on the side that has nothing. */
  readonly there: string | null;
  readonly here: string | null;
  readonly at: string;
}

export interface Reconciliation {
  readonly provider: string;
  readonly date: string;
  readonly statementLines: number;
  readonly ourLines: number;
  readonly matched: number;
  readonly differences: Difference[];
}

interface Group {
  readonly first: MoneyLine;
  amountMicro: bigint;
}

const keyOf = (l: MoneyLine) =>
  l.kind === "payment" ? `p|${l.outTradeNo}` : `r|${l.outTradeNo}|${l.refundNo ?? ""}`;

function grouped(lines: readonly MoneyLine[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const line of lines) {
    const group = groups.get(keyOf(line));
    if (group) group.amountMicro += line.amountMicro;
    else groups.set(keyOf(line), { first: line, amountMicro: line.amountMicro });
  }
  return groups;
}

const yuan = (micro: bigint) => formatFixed(micro, 2);

function difference(
  kind: DifferenceKind,
  line: MoneyLine,
  there: bigint | null,
  here: bigint | null,
): Difference {
  return {
    kind,
    line: line.kind,
    outTradeNo: line.outTradeNo,
    refundNo: line.refundNo,
    tradeNo: line.tradeNo,
    there: there === null ? null : yuan(there),
    here: here === null ? null : yuan(here),
    at: line.at,
  };
}

/** Compares a statement with our lines of the window; `inDay` tells ours of day D itself. */
export function compareStatement(
  input: { provider: string; date: string; there: readonly MoneyLine[]; here: readonly MoneyLine[] },
  inDay: (line: MoneyLine) => boolean,
): Reconciliation {
  const there = grouped(input.there);
  const here = grouped(input.here);
  const differences: Difference[] = [];
  let matched = 0;
  for (const [key, t] of there) {
    const h = here.get(key);
    if (!h) differences.push(difference("missing_here", t.first, t.amountMicro, null));
    else if (h.amountMicro !== t.amountMicro)
      differences.push(difference("amount_differs", t.first, t.amountMicro, h.amountMicro));
    else matched++;
  }
  for (const [key, h] of here) {
    if (!there.has(key) && inDay(h.first))
      differences.push(difference("missing_there", h.first, null, h.amountMicro));
  }
  return {
    provider: input.provider,
    date: input.date,
    statementLines: input.there.length,
    ourLines: input.here.filter(inDay).length,
    matched,
    differences,
  };
}

const KIND_TEXT: Record<DifferenceKind, string> = {
  missing_here: "支付方有、本系统无 / paid there but not here",
  missing_there: "本系统有、支付方无 / here but not there",
  amount_differs: "金额不一致 / different amounts",
};

/** The report as the command prints it, Chinese first. */
export function formatReconciliation(r: Reconciliation): string {
  const head = `对账 / reconciliation ${r.provider} ${r.date}: 对账单 ${r.statementLines} 笔 / statement lines, 本系统 ${r.ourLines} 笔 / ours, 一致 ${r.matched} / matched, 差异 ${r.differences.length} / differences`;
  const lines = r.differences.map((d) => {
    const what = d.line === "payment" ? "支付 payment" : `退款 refund ${d.refundNo ?? ""}`.trimEnd();
    return `  ${KIND_TEXT[d.kind]}: ${what} ${d.outTradeNo}${d.tradeNo ? ` (${d.tradeNo})` : ""} 支付方 there ${d.there ?? "—"} 本系统 here ${d.here ?? "—"} ${d.at}`.trimEnd();
  });
  return [head, ...(r.differences.length === 0 ? ["  无差异 / no differences"] : lines)].join("\n");
}
