/**
 * A member's standing (issue 8): the star level (星级) as the last settlement
 * stored it (`member_stars`), the membership grade (会员等级: the highest
 * package among the member's release-plan orders still counted), and what the
 * next star level needs — the team performance so far (the downline's
 * eligible, unrefunded orders of every plan up to and including the open
 * business day, exactly what the next settlement counts), the next level above
 * it in the parameter set in force, and the shortfall. Amounts are yuan as
 * decimal strings.
 */
import { Type } from "@fastify/type-provider-typebox";
import { parseDecimal } from "@jifen/engine";
import { configForDay } from "../config/index.ts";
import type { Queryable } from "../db/index.ts";
import { formatYuan } from "../http/format.ts";
import { Nullable } from "../http/schemas.ts";
import { openDay } from "../rewards/index.ts";

/** The standing in the API. */
export const StandingSchema = Type.Object({
  star: Nullable(Type.String({ description: "星级 as of the last settlement (null: none)" })),
  starSince: Nullable(Type.String({ description: "the settled business day that set this star level" })),
  grade: Nullable(
    Type.String({
      description: "会员等级: highest package among the member's release-plan orders (null: none)",
    }),
  ),
  teamPerformance: Type.String({
    description: "团队业绩 (yuan): the downline's eligible, unrefunded orders up to performanceDay",
  }),
  performanceDay: Type.String({ description: "the open business day: the next settlement counts up to it" }),
  nextStar: Nullable(
    Type.Object(
      {
        name: Type.String(),
        threshold: Type.String({ description: "team performance the level needs (yuan)" }),
        shortfall: Type.String({ description: "threshold − teamPerformance (yuan)" }),
      },
      { description: "下一星级: the lowest level above teamPerformance (null: the top is reached)" },
    ),
  ),
});

/** A member's standing as API text. */
export async function memberStanding(q: Queryable, memberId: string) {
  const day = await openDay(q);
  const { config } = await configForDay(q, day);
  const star = await q.query<{ star: string; business_day: string }>(
    "select star, business_day from member_stars where member_id = $1::bigint",
    [memberId],
  );
  const grade = await q.query<{ release_grade: string }>(
    `select release_grade from order_rewards
     where member_id = $1::bigint and release_grade is not null and reversed_on is null
     order by release_grade_min desc limit 1`,
    [memberId],
  );
  // The settlement's team performance (load.ts): eligible, unreversed orders of the whole downline.
  // The recursive step stays a LATERAL index lookup (see teamSummary).
  const team = await q.query<{ total: string }>(
    `with recursive downline (id) as (
       select id from members where referrer_id = $1::bigint
       union all
       select c.id from downline d
       cross join lateral (select m.id from members m where m.referrer_id = d.id offset 0) c
     )
     select coalesce(sum(r.amount), 0) as total
     from downline d join order_rewards r on r.member_id = d.id
     where r.eligible_on <= $2::date and r.reversed_on is null`,
    [memberId, day],
  );
  const performance = parseDecimal(team.rows[0]?.total ?? "0");
  const next = [...config.release.starLevels]
    .sort((a, b) => (a.minPerformance < b.minPerformance ? -1 : a.minPerformance > b.minPerformance ? 1 : 0))
    .find((level) => level.minPerformance > performance);
  return {
    star: star.rows[0]?.star ?? null,
    starSince: star.rows[0]?.business_day ?? null,
    grade: grade.rows[0]?.release_grade ?? null,
    teamPerformance: formatYuan(performance),
    performanceDay: day,
    nextStar: next
      ? {
          name: next.name,
          threshold: formatYuan(next.minPerformance),
          shortfall: formatYuan(next.minPerformance - performance),
        }
      : null,
  };
}
