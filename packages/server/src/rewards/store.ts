/**
 * The reward steps' store on the database (issue 9): the engine's
 * `eligibleSteps`, `refundSteps` and `exitSteps` (packages/engine/src/steps.ts)
 * and a member's equity commands (equity-steps.ts) decide what happens and in
 * which order; this file only reads and writes the
 * rows they ask for — balances, the equity state, the exit queue, what an order
 * gave (`order_rewards`) and its open gift (`release_progress`).
 */
import {
  type AsyncRewardStore,
  type Config,
  type EquityState,
  formatDecimal,
  meetsExitQuota,
  type OrderEffects,
  parseDecimal,
  type RewardOrder,
  type Shortage,
} from "@jifen/engine";
import type { Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { appendTransaction, lockBalances } from "../ledger/index.ts";
import { exitQueueBound, refreshExitQueue } from "./exit-queue.ts";
import { lockEquityState, saveEquityState } from "./state.ts";

/** When a reward movement happens: the engine's open business day and the wall-clock instant. */
export interface RewardContext {
  readonly businessDay: string;
  readonly now: Date;
}

/** An order as the database store knows it. */
export interface StoredOrder extends RewardOrder {
  /** The order's id (orders.id). */
  readonly id: string;
  readonly pointsPaid: bigint;
}

/** What an eligible order gave, as stored in `order_rewards` (decimal strings). */
export interface OrderRewardRow {
  member_id: string;
  eligible_on: string;
  reversed_on: string | null;
  equity_buyer: string;
  equity_referrer_id: string | null;
  equity_referrer: string;
  exit_quota: string;
  cycle_quota: string;
  cycle_weight: string;
  cycle_referrer_id: string | null;
  cycle_referrer_weight: string;
  release_grade: string | null;
  release_grade_min: string | null;
  release_gift: string;
  release_base: string;
  in_cycle: boolean;
}

function planList(order: Pick<RewardOrder, "plans">): readonly string[] {
  return Array.isArray(order.plans) ? order.plans : [...(order.plans as ReadonlySet<string>)];
}

/**
 * The values of an `order_rewards` row (in ORDER_REWARD_COLUMNS' order): what an
 * eligible order gave, as the serial store inserts it and the equity writer
 * writes it set-based (issue 14).
 */
export function orderRewardValues(
  order: Pick<StoredOrder, "id" | "memberId" | "amount" | "pointsPaid" | "plans">,
  effects: OrderEffects,
  day: string,
): (string | boolean | null)[] {
  const d = (v: bigint | undefined) => formatDecimal(v ?? 0n);
  const { equity, cycle, release } = effects;
  return [
    order.id,
    order.memberId,
    day,
    formatDecimal(order.amount),
    formatDecimal(order.pointsPaid),
    planList(order).includes("cycle"),
    d(equity?.buyerPoints),
    equity ? (equity.referrer ?? null) : null,
    d(equity?.referrerPoints),
    d(equity?.exitQuota),
    d(cycle?.quota),
    d(cycle?.weight),
    cycle ? (cycle.referrer ?? null) : null,
    d(cycle?.referrerWeight),
    release?.grade ?? null,
    release ? formatDecimal(release.gradeMin) : null,
    d(release?.gift),
    d(release?.base),
  ];
}

async function insertOrderRewards(tx: Tx, order: StoredOrder, effects: OrderEffects, day: string) {
  const inserted = await tx.query<{ seq: string }>(
    `insert into order_rewards (order_id, member_id, eligible_on, amount, points_paid, in_cycle,
       equity_buyer, equity_referrer_id, equity_referrer, exit_quota,
       cycle_quota, cycle_weight, cycle_referrer_id, cycle_referrer_weight,
       release_grade, release_grade_min, release_gift, release_base)
     values ($1::bigint, $2::bigint, $3::date, $4::numeric, $5::numeric, $6::boolean,
       $7::numeric, $8::bigint, $9::numeric, $10::numeric,
       $11::numeric, $12::numeric, $13::bigint, $14::numeric,
       $15, $16::numeric, $17::numeric, $18::numeric)
     returning seq`,
    orderRewardValues(order, effects, day),
  );
  return inserted.rows[0]?.seq;
}

/** What an `order_rewards` row says the order gave (the equity writer reads them set-based too, issue 14). */
export function effectsFromRow(row: OrderRewardRow, order: Pick<RewardOrder, "plans">): OrderEffects {
  const d = parseDecimal;
  const effects: OrderEffects = {};
  if (planList(order).includes("equity")) {
    effects.equity = {
      buyerPoints: d(row.equity_buyer),
      referrer: row.equity_referrer_id ?? undefined,
      referrerPoints: d(row.equity_referrer),
      exitQuota: d(row.exit_quota),
    };
  }
  if (row.in_cycle) {
    effects.cycle = {
      quota: d(row.cycle_quota),
      weight: d(row.cycle_weight),
      referrer: row.cycle_referrer_id ?? undefined,
      referrerWeight: d(row.cycle_referrer_weight),
    };
  }
  const gift = d(row.release_gift);
  if (gift > 0n) {
    effects.release = {
      grade: row.release_grade ?? "",
      gradeMin: d(row.release_grade_min ?? "0"),
      gift,
      base: d(row.release_base),
    };
  }
  return effects;
}

/** Refuses a command that needs `needed` of something of which only `held` is there, saying both. */
export function refuseShort(code: Shortage["code"], field: string, held: bigint, needed: bigint): never {
  const [h, n] = [formatDecimal(held), formatDecimal(needed)];
  const detail =
    code === "TREASURY_SHORT"
      ? {
          zh: `需要 ${n} 个增值积分，平台库存 ${h} 个`,
          en: `needs ${n} equity points, the treasury holds ${h}`,
        }
      : { zh: `需要 ${n}，持有 ${h}`, en: `needs ${n}, holds ${h}` };
  fail(code, { field, detail });
}

/**
 * A refund of an order that became eligible on or before a day still being
 * settled (closed, its deltas not all applied) is refused: what it takes back
 * depends on what that day releases from the order and pays on its quota, so
 * it comes after (docs/rules.md "Refunds while a day settles").
 */
async function refuseWhileSettling(tx: Tx, eligibleOn: string): Promise<void> {
  const settling = await tx.query<{ business_day: string }>(
    "select business_day from settlement_open where business_day >= $1::date",
    [eligibleOn],
  );
  const day = settling.rows[0]?.business_day;
  if (day) refuseSettling(day);
}

/** Refuses a refund while `day` settles (SETTLEMENT_RUNNING, naming the day). */
export function refuseSettling(day: string): never {
  fail("SETTLEMENT_RUNNING", {
    detail: { zh: `营业日 ${day} 正在日结`, en: `business day ${day} is being settled` },
  });
}

/** The store over one database transaction, under the open day's `config`. */
export function databaseStore(tx: Tx, config: Config, context: RewardContext): AsyncRewardStore<StoredOrder> {
  return {
    async referrerOf(memberId) {
      const rows = await tx.query<{ referrer_id: string | null }>(
        "select referrer_id from members where id = $1::bigint",
        [memberId],
      );
      return rows.rows[0]?.referrer_id ?? undefined;
    },
    lockEquityState: () => lockEquityState(tx, config),
    saveEquityState: (state) => saveEquityState(tx, state),
    lockBalances: (keys) => lockBalances(tx, keys),
    append: (kind, ref, postings) =>
      appendTransaction(tx, { businessDay: context.businessDay, kind, ref, postings }, context.now),
    refileExit: (memberIds) => refreshExitQueue(tx, memberIds),
    async nextExit(state: EquityState) {
      // Candidates whose rounded-down threshold the price has reached, in join order; each checked exactly.
      const candidates = await tx.query<{ member_id: string; held: string; quota: string }>(
        "select member_id, held, quota from exit_queue where threshold <= $1::numeric order by member_id",
        [exitQueueBound(state)],
      );
      return candidates.rows.find((c) => meetsExitQuota(state, parseDecimal(c.held), parseDecimal(c.quota)))
        ?.member_id;
    },
    memberRef: (memberId) => `member:${memberId}`,
    refuseShort: ({ code, field, held, needed }) => refuseShort(code, field, held, needed),
    async recordEligible(order, effects) {
      const seq = await insertOrderRewards(tx, order, effects, context.businessDay);
      // The whole gift is open from the day the order became eligible (the settlement of this day
      // releases its first part): a row in this day's release progress (migration 0005).
      const release = effects.release;
      if (release && release.gift > 0n)
        await tx.query(
          `insert into release_progress (day, order_id, member_id, seq, base, remaining)
           values ($1::date, $2::bigint, $3::bigint, $4::bigint, $5::numeric, $6::numeric)`,
          [
            context.businessDay,
            order.id,
            order.memberId,
            seq,
            formatDecimal(release.base),
            formatDecimal(release.gift),
          ],
        );
    },
    async effectsOf(order) {
      const rows = await tx.query<OrderRewardRow>(
        "select * from order_rewards where order_id = $1::bigint for update",
        [order.id],
      );
      const row = rows.rows[0];
      if (!row || row.reversed_on !== null) return undefined;
      await refuseWhileSettling(tx, row.eligible_on);
      return effectsFromRow(row, order);
    },
    async takeOpenGift(order, gift) {
      // Open orders have a row in the open day's progress; a fully released one has none.
      const progress = await tx.query<{ remaining: string }>(
        "delete from release_progress where day = $1::date and order_id = $2::bigint returning remaining",
        [context.businessDay, order.id],
      );
      const remaining = parseDecimal(progress.rows[0]?.remaining ?? "0");
      return { remaining, released: gift - remaining };
    },
    async recordReversed(order) {
      await tx.query("update order_rewards set reversed_on = $2::date where order_id = $1::bigint", [
        order.id,
        context.businessDay,
      ]);
    },
  };
}
