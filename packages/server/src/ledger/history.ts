import { type Asset, parseDecimal } from "@jifen/engine";
import type { Queryable } from "../db/index.ts";
import {
  type Cause,
  causeOf,
  describe,
  type Language,
  maskedCounterpart,
  orderIdOfRef,
  stablePayParties,
} from "./causes.ts";

/** One line of a member's history: a posting to one of their accounts, and why it moved. */
export interface HistoryLine {
  readonly id: string;
  readonly transactionId: string;
  readonly businessDay: string;
  readonly kind: string;
  readonly ref: string;
  readonly memo: string | null;
  /** The member's account, e.g. `m:12:cash` or `m:12:debt:cash`. */
  readonly account: string;
  readonly amount: bigint;
  readonly createdAt: Date;
  /** What caused it (kind, rule, order, rate, generation, star level, day, counterpart, reason). */
  readonly cause: Cause;
  /** The cause as a sentence in the requested language. */
  readonly description: string;
}

/** A page of history, newest first, and the cursor of the next page (null at the end). */
export interface HistoryPage {
  readonly items: HistoryLine[];
  readonly nextCursor: string | null;
}

interface Row {
  id: string;
  transaction_id: string;
  business_day: string;
  kind: string;
  ref: string;
  memo: string | null;
  account: string;
  amount: string;
  created_at: Date;
  rule: string | null;
  rate_ppm: number | null;
  generation: number | null;
  star: string | null;
  order_id: string | null;
  counterpart_id: string | null;
}

/** Kinds whose `order:<id>` ref may credit someone other than the buyer (the referrer). */
const REFERRER_KINDS = new Set(["equity.grant", "cycle.grant", "refund.reverse"]);

/**
 * The page's orders (their buyers tell a referrer's line from the buyer's) and
 * the other members it names (their phones), each looked up once for the page.
 */
async function pageParties(
  q: Queryable,
  page: readonly Row[],
  memberId: string,
): Promise<{ buyers: Map<string, string>; phones: Map<string, string> }> {
  const orderIds = new Set<string>();
  const memberIds = new Set<string>();
  for (const r of page) {
    const orderId = r.order_id ?? orderIdOfRef(r.ref);
    if (orderId !== null && REFERRER_KINDS.has(r.kind)) orderIds.add(orderId);
    if (r.counterpart_id !== null) memberIds.add(r.counterpart_id);
    const parties = r.kind === "stable.pay" ? stablePayParties(r.ref) : null;
    if (parties) memberIds.add(parties.payer === memberId ? parties.merchant : parties.payer);
  }
  const buyers = new Map<string, string>();
  if (orderIds.size > 0) {
    const found = await q.query<{ id: string; member_id: string }>(
      "select id, member_id from orders where id = any($1::bigint[])",
      [[...orderIds]],
    );
    for (const o of found.rows) {
      buyers.set(String(o.id), String(o.member_id));
      if (String(o.member_id) !== memberId) memberIds.add(String(o.member_id));
    }
  }
  const phones = new Map<string, string>();
  if (memberIds.size > 0) {
    const found = await q.query<{ id: string; phone: string }>(
      "select id, phone from members where id = any($1::bigint[])",
      [[...memberIds]],
    );
    for (const m of found.rows) phones.set(String(m.id), m.phone);
  }
  return { buyers, phones };
}

/**
 * A member's postings in one asset, newest first; `cursor` is the last id of the previous page.
 * Each line carries its cause and a description in `language` (zh-CN unless given).
 */
export async function memberHistory(
  q: Queryable,
  memberId: string,
  asset: Asset,
  cursor: string | null,
  limit: number,
  language: Language = "zh-CN",
  wallet: string | null = null,
): Promise<HistoryPage> {
  // `wallet` narrows the asset to one wallet and its debt account (the points asset holds
  // both released points and gift points waiting for release).
  const accounts = wallet === null ? null : [`m:${memberId}:${wallet}`, `m:${memberId}:debt:${wallet}`];
  const rows = await q.query<Row>(
    `select p.id, p.transaction_id, t.business_day, t.kind, t.ref, t.memo, p.account, p.amount, t.created_at,
            p.rule, p.rate_ppm, p.generation, p.star, p.order_id, p.counterpart_id
     from ledger_postings p join ledger_transactions t on t.id = p.transaction_id and t.batch = p.batch
     where p.member_id = $1::bigint and p.asset = $2 and ($3::bigint is null or p.id < $3::bigint)
       and ($5::text[] is null or p.account = any($5::text[]))
     order by p.id desc limit $4`,
    [memberId, asset, cursor, limit + 1, accounts],
  );
  const page = rows.rows.slice(0, limit);

  const { buyers, phones } = await pageParties(q, page, memberId);

  const prefix = `m:${memberId}:`;
  const items = page.map((r): HistoryLine => {
    const amount = parseDecimal(r.amount);
    const orderId = r.order_id ?? orderIdOfRef(r.ref);
    const buyer = orderId !== null && REFERRER_KINDS.has(r.kind) ? buyers.get(orderId) : undefined;
    const asReferrer = buyer !== undefined && buyer !== memberId;
    let other: string | null = r.counterpart_id;
    if (asReferrer) other = buyer;
    const parties = r.kind === "stable.pay" ? stablePayParties(r.ref) : null;
    if (parties) other = parties.payer === memberId ? parties.merchant : parties.payer;
    const input = {
      kind: r.kind,
      ref: r.ref,
      memo: r.memo,
      businessDay: r.business_day,
      wallet: r.account.startsWith(prefix) ? r.account.slice(prefix.length) : r.account,
      amount,
      rule: r.rule,
      ratePpm: r.rate_ppm === null ? null : Number(r.rate_ppm),
      generation: r.generation === null ? null : Number(r.generation),
      star: r.star,
      orderId,
      counterpart: other === null ? null : maskedCounterpart(phones.get(other)),
      asReferrer,
    };
    return {
      id: r.id,
      transactionId: r.transaction_id,
      businessDay: r.business_day,
      kind: r.kind,
      ref: r.ref,
      memo: r.memo,
      account: r.account,
      amount,
      createdAt: r.created_at,
      cause: causeOf(input),
      description: describe(input, language),
    };
  });
  const last = items[items.length - 1];
  return { items, nextCursor: rows.rows.length > limit && last ? last.id : null };
}
