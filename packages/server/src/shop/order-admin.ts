/**
 * What the console needs of orders beyond the member's view: the search
 * (status, plan, member's mobile number, creation day), the labels of a page
 * (product name, the member's masked phone), an order's ledger effects (every
 * posting of the transactions that name it) and the refund preview, which runs
 * the refund itself (`markRefunded`) in a transaction that is rolled back.
 */
import { type Asset, parseDecimal } from "@jifen/engine";
import type { Db, Queryable } from "../db/index.ts";
import { formatAmount, iso } from "../http/format.ts";
import { describe, type Language } from "../ledger/index.ts";
import { maskPhone } from "../sms/index.ts";
import { lockOrder, markRefunded, type Order, type PaymentDeps } from "./orders.ts";
import type { Plan } from "./products.ts";

/** The ledger kinds whose transactions carry an `order:<id>` ref (the index is on kind, ref). */
export const ORDER_KINDS = [
  "order.pay",
  "order.refund",
  "equity.grant",
  "cycle.grant",
  "release.gift",
  "refund.reverse",
] as const;

/** The console's order filters; days are business days (inclusive) in `timeZone`. */
export interface OrderSearch {
  readonly cursor: string | null;
  readonly limit: number;
  readonly status?: Order["status"];
  readonly plan?: Plan;
  readonly phone?: string;
  readonly memberId?: string;
  readonly from?: string;
  readonly to?: string;
  readonly timeZone: string;
}

/** Order ids of a page of the search, newest first, and the next cursor. */
export async function searchOrderIds(
  q: Queryable,
  s: OrderSearch,
): Promise<{ ids: string[]; nextCursor: string | null }> {
  const rows = await q.query<{ id: string }>(
    `select o.id from orders o
     where ($1::bigint is null or o.id < $1::bigint)
       and ($2::text is null or o.status = $2)
       and ($3::text is null or $3 = any(o.plans))
       and ($4::text is null or o.member_id = (select m.id from members m where m.phone = $4))
       and ($5::bigint is null or o.member_id = $5::bigint)
       and ($6::date is null or o.created_at >= ($6::date)::timestamp at time zone $8)
       and ($7::date is null or o.created_at < ($7::date + 1)::timestamp at time zone $8)
     order by o.id desc limit $9`,
    [
      s.cursor,
      s.status ?? null,
      s.plan ?? null,
      s.phone ?? null,
      s.memberId ?? null,
      s.from ?? null,
      s.to ?? null,
      s.timeZone,
      s.limit + 1,
    ],
  );
  const ids = rows.rows.slice(0, s.limit).map((r) => String(r.id));
  const last = ids[ids.length - 1];
  return { ids, nextCursor: rows.rows.length > s.limit && last ? last : null };
}

/** Masked phones of members, by id (looked up once for a page). */
export async function maskedPhones(q: Queryable, memberIds: Iterable<string>): Promise<Map<string, string>> {
  const ids = [...new Set(memberIds)];
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  const rows = await q.query<{ id: string; phone: string }>(
    "select id, phone from members where id = any($1::bigint[])",
    [ids],
  );
  for (const r of rows.rows) out.set(String(r.id), maskPhone(r.phone));
  return out;
}

/** Product names by id. */
export async function productNames(q: Queryable, productIds: Iterable<string>): Promise<Map<string, string>> {
  const ids = [...new Set(productIds)];
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  const rows = await q.query<{ id: string; name: string }>(
    "select id, name from products where id = any($1::bigint[])",
    [ids],
  );
  for (const r of rows.rows) out.set(String(r.id), r.name);
  return out;
}

/** One posting of an order's effects, as API text. */
export interface EffectLine {
  readonly id: string;
  readonly transactionId: string;
  readonly kind: string;
  readonly businessDay: string;
  readonly createdAt: string;
  readonly memberId: string | null;
  readonly memberPhone: string | null;
  readonly account: string;
  readonly asset: string;
  readonly amount: string;
  readonly description: string;
}

interface PostingRow {
  id: string;
  transaction_id: string;
  kind: string;
  business_day: string;
  created_at: Date;
  member_id: string | null;
  account: string;
  asset: string;
  amount: string;
  memo: string | null;
  rule: string | null;
}

/** The wallet part of a member account (`m:12:debt:points` → `debt:points`). */
function walletOf(account: string): string {
  const m = /^m:\d+:(.+)$/.exec(account);
  return m ? (m[1] as string) : account;
}

/** The platform's cash side of a payment or refund, which the member history never shows. */
function platformCash(kind: string, orderId: string, language: Language): string | null {
  if (kind === "order.pay")
    return language === "en" ? `Payment of order #${orderId} (cash)` : `订单 #${orderId} 付款（现金）`;
  if (kind === "order.refund")
    return language === "en" ? `Refund of order #${orderId} (cash)` : `订单 #${orderId} 退款（现金）`;
  return null;
}

/** Lines of postings, described as the member history describes them. */
async function effectLines(
  q: Queryable,
  order: Order,
  rows: readonly PostingRow[],
  language: Language,
): Promise<EffectLine[]> {
  const phones = await maskedPhones(q, [
    order.memberId,
    ...rows.flatMap((r) => (r.member_id === null ? [] : [String(r.member_id)])),
  ]);
  return rows.map((r) => {
    const memberId = r.member_id === null ? null : String(r.member_id);
    const amount = parseDecimal(r.amount);
    const asReferrer = memberId !== null && memberId !== order.memberId;
    const input = {
      kind: r.kind,
      ref: `order:${order.id}`,
      memo: r.memo,
      businessDay: r.business_day,
      wallet: walletOf(r.account),
      amount,
      rule: r.rule,
      ratePpm: null,
      generation: null,
      star: null,
      orderId: order.id,
      counterpart: asReferrer ? (phones.get(order.memberId) ?? null) : null,
      asReferrer,
    };
    return {
      id: String(r.id),
      transactionId: String(r.transaction_id),
      kind: r.kind,
      businessDay: r.business_day,
      createdAt: iso(r.created_at),
      memberId,
      memberPhone: memberId === null ? null : (phones.get(memberId) ?? null),
      account: r.account,
      asset: r.asset,
      amount: formatAmount(r.asset as Asset, amount),
      description:
        (r.asset === "cny" && memberId === null ? platformCash(r.kind, order.id, language) : null) ??
        describe(input, language),
    };
  });
}

const POSTINGS_OF_ORDER = `select p.id, p.transaction_id, t.kind, t.business_day, t.created_at, p.member_id,
    p.account, p.asset, p.amount, t.memo, p.rule
  from ledger_transactions t join ledger_postings p on p.transaction_id = t.id and p.batch = t.batch
  where t.kind = any($1::text[]) and t.ref = $2`;

/** The postings of every transaction naming the order (`order:<id>`), oldest first, paginated by posting id. */
export async function orderEffects(
  q: Queryable,
  order: Order,
  page: { cursor: string | null; limit: number; language: Language },
): Promise<{ items: EffectLine[]; nextCursor: string | null }> {
  const rows = await q.query<PostingRow>(
    `${POSTINGS_OF_ORDER} and ($3::bigint is null or p.id > $3::bigint) order by p.id limit $4`,
    [ORDER_KINDS, `order:${order.id}`, page.cursor, page.limit + 1],
  );
  const items = await effectLines(q, order, rows.rows.slice(0, page.limit), page.language);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.rows.length > page.limit && last ? last.id : null };
}

/** One balance a refund would change: before, change, after (API text). */
export interface PreviewBalance {
  readonly memberId: string | null;
  readonly memberPhone: string | null;
  readonly account: string;
  readonly asset: string;
  readonly change: string;
  readonly before: string;
  readonly after: string;
}

/** What a refund would do: its postings (described) and the balances they change. */
export interface RefundPreview {
  readonly lines: EffectLine[];
  readonly balances: PreviewBalance[];
}

class RolledBack {
  constructor(readonly preview: RefundPreview) {}
}

/** Balances after the refund (read inside its transaction), with what it changed. */
async function previewBalances(
  q: Queryable,
  lines: readonly EffectLine[],
  phones: Map<string, string>,
): Promise<PreviewBalance[]> {
  const changes = new Map<string, { line: EffectLine; change: bigint }>();
  for (const line of lines) {
    const key = `${line.account}\u0000${line.asset}`;
    const seen = changes.get(key);
    changes.set(key, { line, change: (seen?.change ?? 0n) + parseDecimal(line.amount) });
  }
  const out: PreviewBalance[] = [];
  for (const { line, change } of changes.values()) {
    if (change === 0n) continue;
    const rows = await q.query<{ amount: string }>(
      "select amount::text as amount from balances where account = $1 and asset = $2",
      [line.account, line.asset],
    );
    const after = parseDecimal(rows.rows[0]?.amount ?? "0");
    const asset = line.asset as Asset;
    out.push({
      memberId: line.memberId,
      memberPhone: line.memberId === null ? null : (phones.get(line.memberId) ?? line.memberPhone),
      account: line.account,
      asset: line.asset,
      change: formatAmount(asset, change),
      before: formatAmount(asset, after - change),
      after: formatAmount(asset, after),
    });
  }
  return out;
}

/**
 * Runs the refund of order `id` exactly as POST /admin/orders/{id}/refund does
 * (`markRefunded`, hooks and all), reads what it wrote, and rolls it back.
 * Refuses as the refund would (ORDER_NOT_FOUND, ORDER_NOT_PAID …).
 */
export async function previewRefund(
  db: Db,
  id: string,
  deps: PaymentDeps,
  language: Language,
): Promise<RefundPreview> {
  try {
    await db.transaction(async (tx) => {
      const order = await lockOrder(tx, id);
      const ref = `order:${order.id}`;
      const before = await tx.query<{ last: string | null }>(
        "select max(id)::text as last from ledger_transactions where kind = any($1::text[]) and ref = $2",
        [ORDER_KINDS, ref],
      );
      await markRefunded(tx, order, deps, "preview");
      const rows = await tx.query<PostingRow>(
        `${POSTINGS_OF_ORDER} and t.id > coalesce($3::bigint, 0) order by p.id`,
        [ORDER_KINDS, ref, before.rows[0]?.last ?? null],
      );
      const lines = await effectLines(tx, order, rows.rows, language);
      const phones = await maskedPhones(tx, [order.memberId]);
      throw new RolledBack({ lines, balances: await previewBalances(tx, lines, phones) });
    });
  } catch (caught) {
    if (caught instanceof RolledBack) return caught.preview;
    throw caught;
  }
  throw new Error("unreachable: the preview transaction always rolls back");
}
