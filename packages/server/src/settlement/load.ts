/**
 * Loads the columns the engine's `settleDay` needs for business day D, with
 * streaming reads (COPY … TO STDOUT) inside the settlement's transaction:
 * members and their referrers, own performance, open release-plan orders,
 * quota / weight / debts, the day's cycle sales and the stars last shown.
 *
 * Amounts leave the database as integers of micro-units (`amount * 10⁶` cast
 * to bigint in SQL, exact for numeric(30,6)) and become bigints with `BigInt`;
 * no float ever carries money.
 */
import { checkInt64, type SettlementInput } from "@jifen/engine";
import type { Tx } from "../db/index.ts";
import { readCopyRows, readIntegerRows } from "./copy-text.ts";

/** Everything loaded for one day, with member indexes dense from 0 in member id order. */
export interface DayColumns {
  readonly day: string;
  /** Member id of each index (ascending ids). */
  readonly memberIds: string[];
  /** The same ids as numbers (what a compute worker is sent; derived from `memberIds` when absent). */
  readonly memberNumbers?: Float64Array;
  readonly input: SettlementInput;
  /** Order id of each open release-plan order (same order as `input.orderMember`: by seq). */
  readonly orderIds: Float64Array;
  /** Each open order's place in the release plan's FIFO order (`order_rewards.seq`). */
  readonly orderSeq: Float64Array;
  /** What each member owes in points and cash before the day (positive micro-units). */
  readonly pointsOwed: BigInt64Array;
  readonly cashOwed: BigInt64Array;
  /** Star level name each member shows now (null for none), from member_stars. */
  readonly currentStar: (string | null)[];
}

/** Progress of a long phase: `done` of `total` units (total 0 when unknown). */
export type ProgressFn = (phase: string, done: number, total: number) => void;

/** A YYYY-MM-DD day that is safe to inline in SQL (COPY takes no parameters). */
export function assertDay(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)))
    throw new Error(`not a business day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  return day;
}

/** Maps member ids (numbers) to dense indexes: a flat array when ids are dense enough, else a Map. */
class IdIndex {
  private readonly flat: Int32Array | null;
  private readonly map: Map<number, number> | null;
  constructor(ids: Float64Array, count: number) {
    let max = 0;
    for (let i = 0; i < count; i++) max = Math.max(max, ids[i] as number);
    if (max <= 4 * count + 1_000_000) {
      this.flat = new Int32Array(max + 1).fill(-1);
      this.map = null;
      for (let i = 0; i < count; i++) this.flat[ids[i] as number] = i;
    } else {
      this.flat = null;
      this.map = new Map();
      for (let i = 0; i < count; i++) this.map.set(ids[i] as number, i);
    }
  }
  /** The index of member `id`, or −1. */
  of(id: number): number {
    if (this.flat) return id < this.flat.length ? (this.flat[id] as number) : -1;
    return this.map?.get(id) ?? -1;
  }
}

function safeId(text: string | null | undefined, what: string): number {
  return positiveId(Number(text), what);
}

function positiveId(id: number, what: string): number {
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`settlement: bad ${what} id ${id}`);
  return id;
}

/** `values` reordered: element k of the result is `values[by[k]]`. */
function permute<T extends Float64Array | Int32Array | BigInt64Array>(values: T, by: readonly number[]): T {
  const out = values.slice(0, by.length) as T;
  for (let k = 0; k < by.length; k++) out[k] = values[by[k] as number] as T[number];
  return out;
}

function micro(text: string | null): bigint {
  return text === null ? 0n : BigInt(text);
}

/** Grows a typed array (doubling) so that index `need` fits. */
function grow<T extends Float64Array | Int32Array | BigInt64Array>(array: T, need: number): T {
  if (need < array.length) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(need + 1, array.length * 2));
  next.set(array as never);
  return next;
}

/** The members in id order: their ids, referrers' positions, and a lookup by id. */
interface MemberColumns {
  readonly count: number;
  readonly ids: Float64Array;
  readonly memberIds: string[];
  readonly parent: Int32Array;
  /** The position of member `id`; throws for an unknown member. */
  readonly indexOfId: (id: number) => number;
}

/** The open release-plan orders, oldest eligible first (the FIFO order). */
interface OrderColumns {
  readonly orderIds: Float64Array;
  readonly orderSeq: Float64Array;
  readonly orderMember: Int32Array;
  readonly orderRemainingMicro: BigInt64Array;
  readonly orderBaseMicro: BigInt64Array;
}

/** Reads every column of day `day` inside `tx`. */
export async function loadDayColumns(tx: Tx, day: string, progress?: ProgressFn): Promise<DayColumns> {
  assertDay(day);
  const members = await loadMembers(tx, progress);
  const ownPerformance = await loadOwnPerformance(tx, day, members, progress);
  const orders = await loadOpenOrders(tx, day, members, progress);
  const balances = await loadBalances(tx, day, members, progress);
  const cycleSalesMicro = await loadCycleSales(tx, day);
  const currentStar = await loadStars(tx, members, progress);
  return {
    day,
    memberIds: members.memberIds,
    memberNumbers: members.ids.slice(0, members.count),
    input: {
      memberCount: members.count,
      parent: members.parent,
      ownPerformance,
      orderMember: orders.orderMember,
      orderRemaining: orders.orderRemainingMicro,
      orderBase: orders.orderBaseMicro,
      quota: balances.quota,
      weight: balances.weight,
      cycleSales: cycleSalesMicro,
    },
    orderIds: orders.orderIds,
    orderSeq: orders.orderSeq,
    pointsOwed: balances.pointsOwed,
    cashOwed: balances.cashOwed,
    currentStar,
  };
}

/** 1. Members, in id order, and their referrers. */
async function loadMembers(tx: Tx, progress?: ProgressFn): Promise<MemberColumns> {
  let ids = new Float64Array(1024);
  let referrers = new Float64Array(1024);
  let count = 0;
  await readIntegerRows(tx.copyTo("select id, referrer_id from members order by id"), 2, (v) => {
    ids = grow(ids, count);
    referrers = grow(referrers, count);
    ids[count] = positiveId(v[0] as number, "member");
    referrers[count] = Number.isNaN(v[1]) ? 0 : positiveId(v[1] as number, "referrer");
    count++;
    if ((count & 0xffff) === 0) progress?.("load:members", count, 0);
  });
  progress?.("load:members", count, count);
  const index = new IdIndex(ids, count);
  const parent = new Int32Array(count);
  const memberIds = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    memberIds[i] = String(ids[i]);
    const r = referrers[i] as number;
    parent[i] = r === 0 ? -1 : index.of(r);
    if (r !== 0 && parent[i] === -1)
      throw new Error(`settlement: member ${ids[i]} has unknown referrer ${r}`);
  }
  const indexOfId = (id: number) => {
    const i = index.of(id);
    if (i < 0) throw new Error(`settlement: unknown member ${id}`);
    return i;
  };
  return { count, ids, memberIds, parent, indexOfId };
}

/**
 * 2. Own performance: eligible, unreversed orders of every plan up to and including D
 *    (summed here: PostgreSQL's hash aggregate of a million groups is the slower side).
 */
async function loadOwnPerformance(
  tx: Tx,
  day: string,
  members: MemberColumns,
  progress?: ProgressFn,
): Promise<BigInt64Array> {
  const { count, ids, indexOfId } = members;
  const ownPerformance = new BigInt64Array(count);
  await readIntegerRows(
    tx.copyTo(
      `select member_id, (amount * 1000000)::bigint from order_rewards
       where eligible_on <= '${day}'::date and (reversed_on is null or reversed_on > '${day}'::date)`,
    ),
    2,
    (v) => {
      const i = indexOfId(v[0] as number);
      // A sum past a BigInt64Array slot throws (the settlement rolls back rather than wrap).
      ownPerformance[i] = checkInt64(
        (ownPerformance[i] as bigint) + BigInt(v[1] as number),
        `settlement: member ${ids[i]}'s own performance`,
      );
    },
  );
  progress?.("load:performance", count, count);
  // Team performance sums subtrees of these in 64-bit columns: the whole network's total bounds
  // every subtree's, so checking it here rules out a silent wrap in the engine.
  let totalPerformance = 0n;
  for (let i = 0; i < count; i++) totalPerformance += ownPerformance[i] as bigint;
  checkInt64(totalPerformance, "settlement: the network's total performance");
  return ownPerformance;
}

/** 3. Open release-plan orders, oldest eligible first (the FIFO order). */
async function loadOpenOrders(
  tx: Tx,
  day: string,
  members: MemberColumns,
  progress?: ProgressFn,
): Promise<OrderColumns> {
  let orderIds = new Float64Array(1024);
  let orderSeq = new Float64Array(1024);
  let orderMember = new Int32Array(1024);
  let orderRemainingMicro = new BigInt64Array(1024);
  let orderBaseMicro = new BigInt64Array(1024);
  let orders = 0;
  await readIntegerRows(
    tx.copyTo(
      `select order_id, member_id, (remaining * 1000000)::bigint, (base * 1000000)::bigint, seq
       from release_progress where day = '${day}'::date`,
    ),
    5,
    (v) => {
      if (orders >= orderIds.length) {
        orderIds = grow(orderIds, orders);
        orderSeq = grow(orderSeq, orders);
        orderMember = grow(orderMember, orders);
        orderRemainingMicro = grow(orderRemainingMicro, orders);
        orderBaseMicro = grow(orderBaseMicro, orders);
      }
      orderIds[orders] = positiveId(v[0] as number, "order");
      orderSeq[orders] = positiveId(v[4] as number, "order seq");
      orderMember[orders] = members.indexOfId(v[1] as number);
      orderRemainingMicro[orders] = BigInt(v[2] as number);
      orderBaseMicro[orders] = BigInt(v[3] as number);
      orders++;
      if ((orders & 0xffff) === 0) progress?.("load:orders", orders, 0);
    },
  );
  const columns = {
    orderIds: orderIds.slice(0, orders),
    orderSeq: orderSeq.slice(0, orders),
    orderMember: orderMember.slice(0, orders),
    orderRemainingMicro: orderRemainingMicro.slice(0, orders),
    orderBaseMicro: orderBaseMicro.slice(0, orders),
  };
  const fifo = inSeqOrder(columns);
  progress?.("load:orders", orders, orders);
  return fifo;
}

/**
 * The FIFO order: a day's rows are written in seq order and appended in seq order, so a
 * table scan returns them sorted (checked here: PostgreSQL promises no order without ORDER BY,
 * and sorting 2 M rows there costs seconds); sorted here when they are not.
 */
function inSeqOrder(columns: OrderColumns): OrderColumns {
  const { orderSeq } = columns;
  const orders = orderSeq.length;
  let sorted = true;
  for (let o = 1; o < orders && sorted; o++) sorted = (orderSeq[o - 1] as number) < (orderSeq[o] as number);
  if (sorted) return columns;
  const by = Array.from({ length: orders }, (_, o) => o).sort(
    (a, b) => (orderSeq[a] as number) - (orderSeq[b] as number),
  );
  return {
    orderIds: permute(columns.orderIds, by),
    orderSeq: permute(columns.orderSeq, by),
    orderMember: permute(columns.orderMember, by),
    orderRemainingMicro: permute(columns.orderRemainingMicro, by),
    orderBaseMicro: permute(columns.orderBaseMicro, by),
  };
}

/**
 * 4. Quota, weight and debts as the day closed: the balances less what the
 * live ledger moved on later days (D + 1's commands run while D settles; this
 * one statement reads both in one snapshot, and gives the same on a rerun).
 */
async function loadBalances(tx: Tx, day: string, members: MemberColumns, progress?: ProgressFn) {
  const { count } = members;
  const quota = new BigInt64Array(count);
  const weight = new BigInt64Array(count);
  const pointsOwed = new BigInt64Array(count);
  const cashOwed = new BigInt64Array(count);
  await readCopyRows(
    tx.copyTo(
      `with later as (
         select p.account, p.asset, sum(p.amount) as amount
         from ledger_transactions_live t join ledger_postings_live p on p.transaction_id = t.id
         where t.business_day > '${day}'::date and p.member_id is not null
           and (p.asset in ('quota', 'weight') or p.account like '%:debt:%')
         group by p.account, p.asset)
       select b.member_id, b.account, b.asset, ((b.amount - coalesce(l.amount, 0)) * 1000000)::bigint
       from balances b left join later l on l.account = b.account and l.asset = b.asset
       where b.member_id is not null and (b.asset in ('quota', 'weight') or b.account like '%:debt:%')
         and b.amount - coalesce(l.amount, 0) <> 0`,
    ),
    (c) => {
      const id = c[0] as string;
      const i = members.indexOfId(safeId(id, "member"));
      const wallet = (c[1] as string).slice(id.length + 3); // after "m:<id>:"
      const amountMicro = checkInt64(micro(c[3] as string), `settlement: balance ${c[1]} ${c[2]}`);
      const asset = c[2];
      if (wallet === "quota" && asset === "quota") quota[i] = amountMicro;
      else if (wallet === "weight" && asset === "weight") weight[i] = amountMicro;
      else if (wallet === "debt:points" && asset === "points") pointsOwed[i] = -amountMicro;
      else if (wallet === "debt:cash" && asset === "cny") cashOwed[i] = -amountMicro;
    },
  );
  progress?.("load:balances", count, count);
  return { quota, weight, pointsOwed, cashOwed };
}

/** 5. The day's eligible cycle-plan sales D, in micro-units. */
async function loadCycleSales(tx: Tx, day: string): Promise<bigint> {
  const sales = await tx.query<{ sales_micro: string }>(
    `select (coalesce(sum(amount), 0) * 1000000)::bigint as sales_micro from order_rewards
     where in_cycle and eligible_on = $1::date and (reversed_on is null or reversed_on <> $1::date)`,
    [day],
  );
  return BigInt(sales.rows[0]?.sales_micro ?? "0");
}

/** 6. Stars shown now. */
async function loadStars(tx: Tx, members: MemberColumns, progress?: ProgressFn): Promise<(string | null)[]> {
  const currentStar = new Array<string | null>(members.count).fill(null);
  await readCopyRows(tx.copyTo("select member_id, star from member_stars"), (c) => {
    currentStar[members.indexOfId(safeId(c[0], "member"))] = c[1] ?? null;
  });
  progress?.("load:stars", members.count, members.count);
  return currentStar;
}
