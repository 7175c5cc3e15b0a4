/**
 * The rows of each export, one keyset page per query: members and orders by
 * descending id (their primary keys; a member's orders on orders_member_idx),
 * a member's history by descending posting id (ledger_postings_member_idx, the
 * same pages as the history API, causes and sentences included).
 */
import { parseDecimal } from "@jifen/engine";
import type { Queryable } from "../db/index.ts";
import type { AuthOperator } from "../http/context.ts";
import { formatAmount, formatYuan } from "../http/format.ts";
import { type Language, memberHistory } from "../ledger/index.ts";
import { type MemberFilters, memberWhere, phoneFor } from "../members/index.ts";
import { csvText, keysetPages, localTime } from "./csv.ts";

type Field = string | number | null;

/** Header and rows of a members export. */
export function memberExport(
  q: Queryable,
  operator: AuthOperator,
  options: { filters: MemberFilters; timeZone: string; pageSize?: number },
) {
  const where = memberWhere(options.filters, options.timeZone);
  const n = where.params.length;
  interface Row {
    id: string;
    phone: string;
    invite_code: string;
    referrer_id: string | null;
    depth: number;
    status: string;
    star: string | null;
    created_at: Date;
  }
  const pages = keysetPages<Row>(
    async (cursor, limit) =>
      (
        await q.query<Row>(
          `select m.id, m.phone, m.invite_code, m.referrer_id, m.depth, m.status, s.star, m.created_at
           from members m left join member_stars s on s.member_id = m.id
           where ${where.sql} and ($${n + 1}::bigint is null or m.id < $${n + 1}::bigint)
           order by m.id desc limit $${n + 2}`,
          [...where.params, cursor, limit],
        )
      ).rows,
    (row) => String(row.id),
    options.pageSize,
  );
  return {
    header: ["会员ID", "手机号", "邀请码", "推荐人ID", "层级", "状态", "星级", "注册时间"],
    pages,
    fields: (r: Row): Field[] => [
      String(r.id),
      phoneFor(operator, r.phone),
      r.invite_code,
      r.referrer_id === null ? "" : String(r.referrer_id),
      Number(r.depth),
      r.status === "active" ? "正常" : "停用",
      r.star ?? "",
      localTime(r.created_at, options.timeZone),
    ],
  };
}

const ORDER_STATUS: Record<string, string> = {
  pending: "待支付",
  paid: "已支付",
  refunded: "已退款",
  cancelled: "已取消",
};

const ORDER_HEADER = [
  "订单号",
  "会员ID",
  "手机号",
  "商品ID",
  "商品",
  "数量",
  "参与计划",
  "订单金额",
  "现金支付",
  "积分抵扣",
  "状态",
  "支付方式",
  "外部单号",
  "下单时间",
  "支付营业日",
  "奖励生效日",
  "退款时间",
  "退款原因",
];

/** What an orders export may be narrowed to. */
export interface OrderExportFilters {
  readonly status?: string;
  readonly memberId?: string;
  /** Placed on or after this instant. */
  readonly from?: Date;
  /** Placed before this instant. */
  readonly before?: Date;
}

interface OrderRow {
  id: string;
  member_id: string;
  phone: string;
  product_id: string;
  product_name: string;
  quantity: number;
  plans: string[];
  amount: string;
  points_paid: string;
  status: string;
  provider: string;
  external_id: string | null;
  created_at: Date;
  paid_day: string | null;
  eligible_day: string | null;
  refunded_at: Date | null;
  refund_reason: string | null;
}

async function orderPage(q: Queryable, f: OrderExportFilters, cursor: string | null, limit: number) {
  const rows = await q.query<OrderRow>(
    `select o.id, o.member_id, m.phone, o.product_id, p.name as product_name, o.quantity, o.plans,
                  o.amount, o.points_paid, o.status, o.provider, o.external_id, o.created_at,
                  o.paid_day::text as paid_day, o.eligible_day::text as eligible_day, o.refunded_at,
                  o.refund_reason
           from orders o join members m on m.id = o.member_id join products p on p.id = o.product_id
           where ($1::text is null or o.status = $1) and ($2::bigint is null or o.member_id = $2::bigint)
             and ($3::timestamptz is null or o.created_at >= $3::timestamptz)
             and ($4::timestamptz is null or o.created_at < $4::timestamptz)
             and ($5::bigint is null or o.id < $5::bigint)
           order by o.id desc limit $6`,
    [
      f.status ?? null,
      f.memberId ?? null,
      f.from?.toISOString() ?? null,
      f.before?.toISOString() ?? null,
      cursor,
      limit,
    ],
  );
  return rows.rows;
}

/** Header and rows of an orders export. */
export function orderExport(
  q: Queryable,
  operator: AuthOperator,
  options: { filters: OrderExportFilters; timeZone: string; pageSize?: number },
) {
  const f = options.filters;
  const pages = keysetPages<OrderRow>(
    (cursor, limit) => orderPage(q, f, cursor, limit),
    (row) => String(row.id),
    options.pageSize,
  );
  return {
    header: ORDER_HEADER,
    pages,
    fields: (r: OrderRow): Field[] => {
      const amount = parseDecimal(String(r.amount));
      const points = parseDecimal(String(r.points_paid));
      return [
        String(r.id),
        String(r.member_id),
        phoneFor(operator, r.phone),
        String(r.product_id),
        csvText(r.product_name),
        Number(r.quantity),
        r.plans.join("、"),
        formatYuan(amount),
        formatYuan(amount - points),
        formatYuan(points),
        ORDER_STATUS[r.status] ?? r.status,
        r.provider === "manual" ? "人工确认" : "支付回调",
        csvText(r.external_id),
        localTime(r.created_at, options.timeZone),
        r.paid_day ?? "",
        r.eligible_day ?? "",
        localTime(r.refunded_at, options.timeZone),
        csvText(r.refund_reason),
      ];
    },
  };
}

/** Header and rows of one member's history in one asset, every line with its cause in words. */
export function historyExport(
  q: Queryable,
  options: { memberId: string; asset: "cny"; language: Language; timeZone: string; pageSize?: number },
) {
  type Line = Awaited<ReturnType<typeof memberHistory>>["items"][number];
  const pages = keysetPages<Line>(
    async (cursor, limit) =>
      (await memberHistory(q, options.memberId, options.asset, cursor, limit, options.language)).items,
    (line) => line.id,
    options.pageSize,
  );
  return {
    header: ["流水号", "交易号", "营业日", "时间", "类型", "说明", "金额", "关联订单", "账户"],
    pages,
    fields: (l: Line): Field[] => [
      l.id,
      l.transactionId,
      l.businessDay,
      localTime(l.createdAt, options.timeZone),
      l.kind,
      csvText(l.description),
      formatAmount(options.asset, l.amount),
      l.cause.orderId ?? "",
      l.account,
    ],
  };
}
