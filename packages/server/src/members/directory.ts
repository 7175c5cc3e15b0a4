/**
 * The operators' member directory (issue 10): the search behind the members
 * page, one level of the referral tree at a time, and who may read a member's
 * full phone number. Every query is a keyset page on an index:
 * `members.id` (the list), `members_referrer_idx (referrer_id, id)` (a member's
 * direct referrals, however many), `members.phone` (a whole number looked up
 * by equality), `member_stars` by primary key.
 */
import { Type } from "@fastify/type-provider-typebox";
import { parseDecimal } from "@jifen/engine";
import { addDays, dayStart } from "../clock/index.ts";
import type { Queryable } from "../db/index.ts";
import type { AuthOperator } from "../http/context.ts";
import { formatYuan, iso } from "../http/format.ts";
import { Day, Instant, Nullable, Text } from "../http/schemas.ts";
import { maskPhone } from "../sms/index.ts";

/**
 * Roles that read members' phone numbers in full (the admin, and finance, who
 * pays withdrawals and must reach the member); every other role — support —
 * gets 138****1234 in every answer of the member directory. Enforced here, in
 * the server's answers, not only in the console.
 */
export const PHONE_ROLES: readonly AuthOperator["role"][] = ["admin", "finance"];

/** True when `operator` may read full phone numbers. */
export function seesPhones(operator: AuthOperator): boolean {
  return PHONE_ROLES.includes(operator.role);
}

/** `phone` as `operator` may read it. */
export function phoneFor(operator: AuthOperator, phone: string): string {
  return seesPhones(operator) ? phone : maskPhone(phone);
}

/** A member in the operators' directory. */
export const DirectoryMemberSchema = Type.Object({
  id: Type.String(),
  phone: Type.String({ description: "full for admin and finance, masked (138****1234) for other roles" }),
  phoneMasked: Type.Boolean({ description: "true when phone is masked for the caller's role" }),
  inviteCode: Type.String(),
  referrerId: Nullable(Type.String()),
  depth: Type.Integer({ description: "generations below the top of the referral tree" }),
  status: Type.String({ description: "active or disabled" }),
  star: Nullable(Type.String({ description: "星级 as of the last settlement (null: none)" })),
  createdAt: Instant,
});

/** A member in the members list: a directory member with the figures a list of members shows. */
export const ListedMemberSchema = Type.Object({
  ...DirectoryMemberSchema.properties,
  referrals: Type.Integer({ description: "推广人数: members who registered with this member's invite code" }),
  spent: Type.String({ description: "消费金额 (yuan): the paid orders not refunded, points included" }),
});

/** A member of the referral tree: a directory member and whether it has referrals below. */
export const TreeMemberSchema = Type.Object({
  ...DirectoryMemberSchema.properties,
  hasReferrals: Type.Boolean({ description: "true when the member referred anyone (the node opens)" }),
});

interface DirectoryRow {
  id: string;
  phone: string;
  invite_code: string;
  referrer_id: string | null;
  depth: number;
  status: string;
  star: string | null;
  created_at: Date;
  has_referrals?: boolean;
  referrals?: string;
  spent?: string;
}

const COLUMNS = "m.id, m.phone, m.invite_code, m.referrer_id, m.depth, m.status, s.star, m.created_at";
const FROM = "from members m left join member_stars s on s.member_id = m.id";

function view(operator: AuthOperator, row: DirectoryRow) {
  return {
    id: String(row.id),
    phone: phoneFor(operator, row.phone),
    phoneMasked: !seesPhones(operator),
    inviteCode: row.invite_code,
    referrerId: row.referrer_id === null ? null : String(row.referrer_id),
    depth: Number(row.depth),
    status: row.status,
    star: row.star,
    createdAt: iso(row.created_at),
  };
}

/** What the members page searches by; every filter optional, all of them combined with AND. */
export interface MemberFilters {
  /** 1 to 11 digits: the start of the number (11 digits: that number, by its unique index). */
  readonly phone?: string;
  /** An invite code, matched without regard to case. */
  readonly inviteCode?: string;
  /** A star level's name; "none" for members without one. */
  readonly star?: string;
  /** Joined on or after this business day (YYYY-MM-DD, the business time zone). */
  readonly joinedFrom?: string;
  /** Joined on or before this business day. */
  readonly joinedTo?: string;
}

/** The WHERE clause and parameters of `filters` (parameters from $1; the caller adds its own after). */
export function memberWhere(filters: MemberFilters, timeZone: string): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const parts: string[] = [];
  const add = (clause: (n: string) => string, value: unknown) => {
    params.push(value);
    parts.push(clause(`$${params.length}`));
  };
  if (filters.phone) {
    if (filters.phone.length === 11) add((n) => `m.phone = ${n}`, filters.phone);
    else add((n) => `m.phone like ${n} || '%'`, filters.phone);
  }
  if (filters.inviteCode) add((n) => `m.invite_code = ${n}`, filters.inviteCode.trim().toUpperCase());
  if (filters.star === "none") parts.push("s.star is null");
  else if (filters.star) add((n) => `s.star = ${n}`, filters.star);
  if (filters.joinedFrom)
    add((n) => `m.created_at >= ${n}::timestamptz`, iso(dayStart(filters.joinedFrom, timeZone)));
  if (filters.joinedTo) {
    const next = dayStart(addDays(filters.joinedTo, 1), timeZone); // the next day's start, exclusive
    add((n) => `m.created_at < ${n}::timestamptz`, iso(next));
  }
  return { sql: parts.length > 0 ? parts.join(" and ") : "true", params };
}

/**
 * The list's figures of each member on the page: direct referrals (an
 * index-only count on members_referrer_idx) and paid orders (orders_member_idx).
 * Computed only for the rows the page returns (the LIMIT stops the scan).
 */
const LIST_FIGURES = `
  (select count(*) from members c where c.referrer_id = m.id)::text as referrals,
  (select coalesce(sum(o.amount), 0)::text from orders o where o.member_id = m.id and o.status = 'paid') as spent`;

/** One page of members matching `filters`, newest first (keyset on id), with the list's figures. */
export async function searchMembers(
  q: Queryable,
  operator: AuthOperator,
  options: { filters: MemberFilters; timeZone: string; cursor: string | null; limit: number },
) {
  const where = memberWhere(options.filters, options.timeZone);
  const n = where.params.length;
  const rows = await q.query<DirectoryRow>(
    `select ${COLUMNS},${LIST_FIGURES}
     ${FROM} where ${where.sql} and ($${n + 1}::bigint is null or m.id < $${n + 1}::bigint)
     order by m.id desc limit $${n + 2}`,
    [...where.params, options.cursor, options.limit + 1],
  );
  return pageOf(
    rows.rows.map((r) => ({
      ...view(operator, r),
      referrals: Number(r.referrals ?? "0"),
      spent: formatYuan(parseDecimal(r.spent ?? "0")),
    })),
    options.limit,
  );
}

/**
 * One page of a member's direct referrals, newest first, each saying whether
 * it has referrals of its own: an index range scan of members_referrer_idx from
 * the cursor, and one index probe per row — the same cost for a member with 3
 * referrals or 50,000, on a chain 10,000 deep or 1 deep.
 */
// A scalar subquery with LIMIT 1 is one index probe per row; `exists` may be planned as a hashed
// subplan that reads every member once.
export const REFERRALS_SQL = `select ${COLUMNS},
    (select true from members c where c.referrer_id = m.id limit 1) is not null as has_referrals
  ${FROM}
  where m.referrer_id = $1::bigint and ($2::bigint is null or m.id < $2::bigint)
  order by m.id desc limit $3`;

/** The page of `memberId`'s direct referrals after `cursor`, and (first page only) how many there are. */
export async function referralPage(
  q: Queryable,
  operator: AuthOperator,
  options: { memberId: string; cursor: string | null; limit: number },
) {
  const rows = await q.query<DirectoryRow>(REFERRALS_SQL, [
    options.memberId,
    options.cursor,
    options.limit + 1,
  ]);
  const page = pageOf(
    rows.rows.map((r) => ({ ...view(operator, r), hasReferrals: r.has_referrals === true })),
    options.limit,
  );
  let total: number | null = null;
  if (options.cursor === null) {
    const counted = await q.query<{ n: string }>(
      "select count(*) as n from members where referrer_id = $1::bigint",
      [options.memberId],
    );
    total = Number(counted.rows[0]?.n ?? 0);
  }
  return { ...page, total };
}

function pageOf<T extends { id: string }>(items: T[], limit: number) {
  const page = items.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page, nextCursor: items.length > limit && last ? last.id : null };
}

/** One page of the audit log's entries about `memberId` (adjustments and the like), newest first. */
export async function memberAuditPage(
  q: Queryable,
  options: { memberId: string; cursor: string | null; limit: number },
) {
  const rows = await q.query<{
    id: string;
    operator_name: string;
    action: string;
    detail: unknown;
    request_id: string | null;
    created_at: Date;
  }>(
    `select id, operator_name, action, detail, request_id, created_at from audit_log
     where target_type = 'member' and target_id = $1 and ($2::bigint is null or id < $2::bigint)
     order by id desc limit $3`,
    [options.memberId, options.cursor, options.limit + 1],
  );
  const items = rows.rows.map((r) => ({
    id: String(r.id),
    operatorName: r.operator_name,
    action: r.action,
    detail: r.detail,
    requestId: r.request_id,
    createdAt: iso(r.created_at),
  }));
  return pageOf(items, options.limit);
}

/** The members list's filters in the querystring. */
export const MemberFilterQuery = {
  phone: Type.Optional(
    Type.String({
      pattern: "^[0-9]{1,11}$",
      description: "手机号前缀或完整号码 / phone prefix or whole number",
    }),
  ),
  inviteCode: Type.Optional(
    Type.String({ pattern: "^[0-9A-Za-z]{1,16}$", description: "邀请码 / invite code (any case)" }),
  ),
  star: Type.Optional(
    Text({ maxLength: 32, description: "星级名称，none 为无星级 / star level name, none: without" }),
  ),
  joinedFrom: Type.Optional(Day("注册日期起（含）/ joined on or after this business day")),
  joinedTo: Type.Optional(Day("注册日期止（含）/ joined on or before this business day")),
};

/** The filters of a members query. */
export function memberFilters(query: {
  phone?: string;
  inviteCode?: string;
  star?: string;
  joinedFrom?: string;
  joinedTo?: string;
}): MemberFilters {
  const { phone, inviteCode, star, joinedFrom, joinedTo } = query;
  return {
    ...(phone ? { phone } : {}),
    ...(inviteCode ? { inviteCode } : {}),
    ...(star ? { star } : {}),
    ...(joinedFrom ? { joinedFrom } : {}),
    ...(joinedTo ? { joinedTo } : {}),
  };
}

/** A directory member as the admin sees it (examples in the API document). */
export const EX_DIRECTORY_MEMBER = {
  id: "1024",
  phone: "13812345678",
  phoneMasked: false,
  inviteCode: "K7P2QX9M",
  referrerId: "1001",
  depth: 2,
  status: "active",
  star: "一星",
  createdAt: "2026-01-05T02:13:07.000Z",
};
