import { randomInt } from "node:crypto";
import { parseDecimal } from "@jifen/engine";
import type { Queryable, Tx } from "../db/index.ts";

/** A member as stored (without the password hash). */
export interface Member {
  readonly id: string;
  readonly phone: string;
  readonly inviteCode: string;
  readonly referrerId: string | null;
  /** Generations below the root of the referral tree (0 = no referrer). */
  readonly depth: number;
  /** Always "active": nothing disables a member (migration 0009 allows only that). */
  readonly status: "active";
  readonly createdAt: Date;
}

interface MemberRow {
  id: string;
  phone: string;
  invite_code: string;
  referrer_id: string | null;
  depth: number;
  status: "active";
  created_at: Date;
}

const COLUMNS = "id, phone, invite_code, referrer_id, depth, status, created_at";

function toMember(row: MemberRow): Member {
  return {
    id: row.id,
    phone: row.phone,
    inviteCode: row.invite_code,
    referrerId: row.referrer_id,
    depth: row.depth,
    status: row.status,
    createdAt: row.created_at,
  };
}

const INVITE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/** A random 8-character invite code without look-alike characters (40 bits). */
export function newInviteCode(): string {
  let code = "";
  for (let i = 0; i < 8; i++) code += INVITE_ALPHABET[randomInt(0, INVITE_ALPHABET.length)];
  return code;
}

/** Serializes registrations of one phone number until the transaction ends. */
export async function lockPhone(tx: Tx, phone: string): Promise<void> {
  await tx.query("select pg_advisory_xact_lock(hashtext('jifen.member.phone:' || $1))", [phone]);
}

/** Adds a member under `referrer` (depth one below it); the caller checked the phone is free. */
export async function insertMember(
  tx: Tx,
  input: { phone: string; passwordHash: string; referrer: { id: string; depth: number } | null; now: Date },
): Promise<Member> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const rows = await tx.query<MemberRow>(
      `insert into members (phone, password_hash, invite_code, referrer_id, depth, created_at)
       values ($1, $2, $3, $4::bigint, $5, $6::timestamptz)
       on conflict (invite_code) do nothing returning ${COLUMNS}`,
      [
        input.phone,
        input.passwordHash,
        newInviteCode(),
        input.referrer?.id ?? null,
        input.referrer ? input.referrer.depth + 1 : 0,
        input.now.toISOString(),
      ],
    );
    const row = rows.rows[0];
    if (row) return toMember(row);
  }
  throw new Error("no free invite code after 5 tries");
}

/** The member with this phone number, with its password hash. */
export async function findMemberByPhone(
  q: Queryable,
  phone: string,
): Promise<(Member & { passwordHash: string }) | null> {
  const rows = await q.query<MemberRow & { password_hash: string }>(
    `select ${COLUMNS}, password_hash from members where phone = $1`,
    [phone],
  );
  const row = rows.rows[0];
  return row ? { ...toMember(row), passwordHash: row.password_hash } : null;
}

/** The member with this id. */
export async function findMemberById(q: Queryable, id: string): Promise<Member | null> {
  const rows = await q.query<MemberRow>(`select ${COLUMNS} from members where id = $1::bigint`, [id]);
  const row = rows.rows[0];
  return row ? toMember(row) : null;
}

/** The member who owns an invite code (codes are matched without regard to case). */
export async function findByInviteCode(q: Queryable, code: string): Promise<Member | null> {
  const rows = await q.query<MemberRow>(`select ${COLUMNS} from members where invite_code = $1`, [
    code.trim().toUpperCase(),
  ]);
  const row = rows.rows[0];
  return row ? toMember(row) : null;
}

/** Replaces a member's password hash. */
export async function setPasswordHash(tx: Tx, memberId: string, passwordHash: string): Promise<void> {
  await tx.query("update members set password_hash = $2 where id = $1::bigint", [memberId, passwordHash]);
}

/** Members, newest first, optionally only those whose phone starts with `phonePrefix`. */
export async function listMembers(
  q: Queryable,
  options: { cursor: string | null; limit: number; phonePrefix?: string },
): Promise<{ items: Member[]; nextCursor: string | null }> {
  const rows = await q.query<MemberRow>(
    `select ${COLUMNS} from members
     where ($1::bigint is null or id < $1::bigint) and ($2::text is null or phone like $2 || '%')
     order by id desc limit $3`,
    [options.cursor, options.phonePrefix ?? null, options.limit + 1],
  );
  return pageOf(rows.rows.map(toMember), options.limit);
}

/** Generation 1 of a member (the members they referred), newest first. */
export async function directReferrals(
  q: Queryable,
  memberId: string,
  options: { cursor: string | null; limit: number },
): Promise<{ items: Member[]; nextCursor: string | null }> {
  const rows = await q.query<MemberRow>(
    `select ${COLUMNS} from members
     where referrer_id = $1::bigint and ($2::bigint is null or id < $2::bigint)
     order by id desc limit $3`,
    [memberId, options.cursor, options.limit + 1],
  );
  return pageOf(rows.rows.map(toMember), options.limit);
}

function pageOf<T extends { id: string }>(
  items: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const page = items.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page, nextCursor: items.length > limit && last ? last.id : null };
}

/** A member's referral network as of a business day. */
export interface TeamSummary {
  readonly generation1: number;
  readonly generation2: number;
  /** Everyone below the member, at any depth. */
  readonly downlineSize: number;
  /** Whole-network performance (网体总业绩): eligible, unrefunded orders of the downline, micro-units. */
  readonly performanceTotal: bigint;
  readonly performanceCash: bigint;
  readonly performancePoints: bigint;
}

/**
 * The member's downline and its performance, computed by one recursive CTE
 * walking down `referrer_id` (an index lookup per member, members_referrer_idx):
 * cost is O(downline × log members), whatever the depth; no recursion in JS and
 * no counters kept on ancestors. Orders count once eligible on or before `day`
 * and until refunded.
 */
export async function teamSummary(q: Queryable, memberId: string, day: string): Promise<TeamSummary> {
  const rows = await q.query<{
    generation1: string;
    generation2: string;
    downline: string;
    total: string;
    points: string;
  }>(
    // The recursive step is a LATERAL subquery with OFFSET 0 so that the planner
    // cannot flatten it into a hash join that scans all members once per level
    // (quadratic on a deep chain): each level is an index lookup per member.
    `with recursive downline (id, generation) as (
       select id, 1 from members where referrer_id = $1::bigint
       union all
       select c.id, d.generation + 1 from downline d
       cross join lateral (select m.id from members m where m.referrer_id = d.id offset 0) c
     )
     select
       (select count(*) from downline where generation = 1) as generation1,
       (select count(*) from downline where generation = 2) as generation2,
       (select count(*) from downline) as downline,
       coalesce(sum(o.amount), 0) as total,
       coalesce(sum(o.points_paid), 0) as points
     from downline d join orders o on o.member_id = d.id
     where o.status = 'paid' and o.eligible_day <= $2::date`,
    [memberId, day],
  );
  const row = rows.rows[0];
  const total = parseDecimal(row?.total ?? "0");
  const points = parseDecimal(row?.points ?? "0");
  return {
    generation1: Number(row?.generation1 ?? 0),
    generation2: Number(row?.generation2 ?? 0),
    downlineSize: Number(row?.downline ?? 0),
    performanceTotal: total,
    performanceCash: total - points,
    performancePoints: points,
  };
}
