/**
 * The writer's memory of one batch (issue 14): the equity state, the balance
 * rows and the exit queue as the batch's commands left them, over one open
 * transaction that holds their row locks. Each command runs the engine's steps
 * (packages/engine/src/equity-steps.ts) over a `CommandView`: reads see the
 * batch so far, writes stay in the view until the command succeeds (a refused
 * command leaves nothing). `write` then stores the whole batch set-based: one
 * statement per table, not one per command.
 *
 * It answers each store call exactly as the database store (rewards/store.ts)
 * would at that point of the serial order: a balance read is the locked row
 * (absent = 0) as earlier commands left it, an append refuses what the
 * balances' sign rule or limit refuses (BALANCE_CONFLICT, BALANCE_LIMIT), the
 * exit queue's candidates are the stored rows re-filed by the batch.
 */

import {
  type AsyncRewardStore,
  type BalanceSource,
  type Config,
  type EquityState,
  formatDecimal,
  meetsExitQuota,
  memberAccount,
  type OrderEffects,
  type Posting,
  parseDecimal,
  type RewardOrder,
  type Shortage,
  type TransactionKind,
  withInitialPrice,
} from "@jifen/engine";
import type { AuditEntry } from "../audit/index.ts";
import { type Tx, withArrayLiterals } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import {
  type BalanceKey,
  checkedPostings,
  memberIdOf,
  netByAccount,
  refuseOverLimit,
  signAllows,
} from "../ledger/index.ts";
import {
  lockEquityState,
  orderRewardValues,
  ratio12,
  ratio12Text,
  refuseSettling,
  refuseShort,
} from "../rewards/index.ts";

const cellKey = (account: string, asset: string) => `${account}\u0000${asset}`;

/** One balance row as the batch knows it: its amount now, at load, and whether the row exists. */
interface Cell {
  readonly account: string;
  readonly asset: string;
  amount: bigint;
  readonly loaded: bigint;
  readonly existed: boolean;
  /** A command of the batch moved it (a row absent at load is then inserted, even back at 0, as the serial append does). */
  touched: boolean;
}

/** A member's row in the exit queue (null: not queued); threshold is quota / held × 10^12, rounded down. */
type ExitRow = { readonly held: bigint; readonly quota: bigint; readonly threshold: bigint } | null;

/** One ledger transaction of the batch; `local` is its id until `write` numbers it. */
interface Entry {
  readonly local: string;
  readonly businessDay: string;
  readonly kind: TransactionKind;
  readonly ref: string;
  readonly createdAt: Date;
  readonly postings: readonly Posting[];
}

/** A ledger ref with the batch's local order ids replaced by the orders' ids. */
function refOf(ref: string, idOf: (local: string) => string): string {
  return ref.startsWith(`order:${ORDER_PREFIX}`) ? `order:${idOf(ref.slice("order:".length))}` : ref;
}

/** An idempotency key to store with the batch, with the answer it replays. */
export interface KeyRow {
  readonly scope: string;
  readonly key: string;
  readonly hash: string;
  readonly status: number;
  readonly body: unknown;
}

const LOCAL_PREFIX = "batch:";
/** The local id of an order created in the batch, until `write` numbers it (its ledger ref: `order:<local>`). */
const ORDER_PREFIX = "batch-order:";

/**
 * An order created and paid in the batch (a flash sale's webhook delivery of the
 * shop's own order, issue 14): the row the serial path leaves after
 * `createOrder` and `markPaid`.
 */
export interface NewOrder {
  readonly local: string;
  readonly memberId: string;
  readonly productId: string;
  readonly quantity: number;
  readonly plans: readonly string[];
  readonly amount: bigint;
  readonly pointsPaid: bigint;
  readonly provider: string;
  readonly externalId: string | null;
  readonly at: Date;
  readonly paidDay: string;
  readonly eligibleDay: string;
}

/** What an order of the batch gave when it became eligible (its `order_rewards` row, its open gift). */
interface NewReward {
  readonly order: NewOrder;
  readonly effects: OrderEffects;
  readonly day: string;
}

/** The local ids of orders created in the batch (`batch-order:N`); any other id is a stored order's. */
export function isLocalOrder(id: string): boolean {
  return id.startsWith(ORDER_PREFIX);
}

/** A refund of the batch: when and why (the order's `refunded_at`, `refund_reason`). */
interface Refund {
  readonly at: Date;
  readonly reason: string;
}

/**
 * What the store asks of the order a command refunds (the refund steps'
 * `effectsOf`, `takeOpenGift`, `recordReversed`): its id (stored or local),
 * what it gave and on which day (undefined: never eligible, or reversed before
 * the batch), the open day's gift row still to release (stored orders), and
 * the day being settled, if any.
 */
export interface RefundContext {
  readonly id: string;
  readonly reward: { readonly effects: OrderEffects; readonly eligibleOn: string } | undefined;
  readonly openGift: bigint;
  readonly settling: readonly string[];
}

/** What the store asks of the order a command pays (the reward steps' `referrerOf`, `recordEligible`). */
export interface OrderContext {
  readonly order: NewOrder;
  readonly referrer: string | undefined;
}

/** A decimal text with at most 12 places (exit_queue.threshold) × 10^12. */
function parse12(text: string): bigint {
  const [whole = "0", frac = ""] = text.split(".");
  return BigInt(whole) * 10n ** 12n + BigInt(frac.padEnd(12, "0").slice(0, 12) || "0");
}

/**
 * The write of a batch, one statement: the transactions, their postings, the
 * changed balances (existing rows updated, new rows inserted), the exit queue,
 * the equity state (when $23 is not null), the idempotency keys, and the
 * orders created and paid in the batch: their rows, their products' stock,
 * what they gave (`order_rewards`, numbered in batch order) and their open
 * gifts (`release_progress`, with the seq their reward row got); an order
 * created and refunded in the batch is inserted refunded, its reward row
 * reversed, its gift not opened. Stored orders refunded in the batch: their
 * rows marked refunded, their rewards reversed, their open gifts closed.
 */
const WRITE_SQL = `with t as (
         insert into ledger_transactions (id, business_day, kind, ref, created_at)
         select * from unnest($1::bigint[], $2::date[], $3::text[], $4::text[], $5::timestamptz[])
       ), p as (
         insert into ledger_postings (transaction_id, account, asset, amount, member_id)
         select * from unnest($6::bigint[], $7::text[], $8::text[], $9::numeric[], $10::bigint[])
       ), u as (
         update balances b set amount = v.amount
         from unnest($11::text[], $12::text[], $13::numeric[]) as v(account, asset, amount)
         -- the = any(...) repeats the join's keys so that PostgreSQL looks them up instead of hashing the table
         where b.account = v.account and b.asset = v.asset and b.account = any($11::text[])
       ), i as (
         insert into balances (account, asset, member_id, amount)
         select * from unnest($14::text[], $15::text[], $16::bigint[], $17::numeric[])
         on conflict (account, asset) do update set amount = balances.amount + excluded.amount
       ), g as (
         delete from exit_queue where member_id = any($18::bigint[])
       ), q as (
         insert into exit_queue (member_id, held, quota, threshold)
         select * from unnest($19::bigint[], $20::numeric[], $21::numeric[], $22::numeric[])
         on conflict (member_id) do update set held = excluded.held, quota = excluded.quota, threshold = excluded.threshold
       ), s as (
         update equity_state set pool = $23::numeric, supply = $24::numeric, issued = $25::numeric,
           price_num = $26::numeric, price_den = $27::numeric
         where id = 1 and $23::numeric is not null
       ), k as (
         insert into idempotency_keys (scope, key, request_hash, status_code, response, created_at, completed_at)
         select t.scope, t.key, t.hash, t.status, r.response, $33::timestamptz, $33::timestamptz
         from unnest($28::text[], $29::text[], $30::text[], $31::int[]) with ordinality as t(scope, key, hash, status, n)
         -- the answers as one JSON array ($32), not a text[] whose every element is quoted and escaped
         join jsonb_array_elements($32::jsonb) with ordinality as r(response, n) on r.n = t.n
       ), o as (
         insert into orders (id, member_id, product_id, quantity, plans, amount, points_paid, status, provider,
           external_id, created_at, paid_at, paid_day, eligible_day, refunded_at, refund_reason)
         select v.id, v.member_id, v.product_id, v.quantity, string_to_array(v.plans, ','), v.amount, v.points_paid,
           case when v.refunded_at is null then 'paid' else 'refunded' end, v.provider, v.external_id, v.at, v.at,
           v.paid_day, v.eligible_day, v.refunded_at, v.refund_reason
         from unnest($34::bigint[], $35::bigint[], $36::bigint[], $37::int[], $38::text[], $39::numeric[],
           $40::numeric[], $41::text[], $42::text[], $43::timestamptz[], $44::date[], $45::date[],
           $71::timestamptz[], $72::text[])
           as v(id, member_id, product_id, quantity, plans, amount, points_paid, provider, external_id, at,
             paid_day, eligible_day, refunded_at, refund_reason)
       ), st as (
         update products p set stock = v.stock
         from unnest($46::bigint[], $47::int[]) as v(id, stock) where p.id = v.id
       ), r as (
         insert into order_rewards (order_id, member_id, eligible_on, amount, points_paid, in_cycle,
           equity_buyer, equity_referrer_id, equity_referrer, exit_quota,
           cycle_quota, cycle_weight, cycle_referrer_id, cycle_referrer_weight,
           release_grade, release_grade_min, release_gift, release_base, reversed_on)
         select v.order_id, v.member_id, v.eligible_on, v.amount, v.points_paid, v.in_cycle,
           v.equity_buyer, v.equity_referrer_id, v.equity_referrer, v.exit_quota,
           v.cycle_quota, v.cycle_weight, v.cycle_referrer_id, v.cycle_referrer_weight,
           v.release_grade, v.release_grade_min, v.release_gift, v.release_base, v.reversed_on
         from unnest($48::bigint[], $49::bigint[], $50::date[], $51::numeric[], $52::numeric[], $53::boolean[],
           $54::numeric[], $55::bigint[], $56::numeric[], $57::numeric[],
           $58::numeric[], $59::numeric[], $60::bigint[], $61::numeric[],
           $62::text[], $63::numeric[], $64::numeric[], $65::numeric[], $73::date[]) with ordinality
           as v(order_id, member_id, eligible_on, amount, points_paid, in_cycle,
             equity_buyer, equity_referrer_id, equity_referrer, exit_quota,
             cycle_quota, cycle_weight, cycle_referrer_id, cycle_referrer_weight,
             release_grade, release_grade_min, release_gift, release_base, reversed_on, n)
         order by v.n
         returning order_id, seq
       ), rp as (
         insert into release_progress (day, order_id, member_id, seq, base, remaining)
         select v.day, v.order_id, v.member_id, r.seq, v.base, v.remaining
         from unnest($66::date[], $67::bigint[], $68::bigint[], $69::numeric[], $70::numeric[])
           as v(day, order_id, member_id, base, remaining)
         join r on r.order_id = v.order_id
       ), ro as (
         update orders o set status = 'refunded', refunded_at = v.at, refund_reason = v.reason
         from unnest($74::bigint[], $75::timestamptz[], $76::text[]) as v(id, at, reason) where o.id = v.id
       ), rv as (
         update order_rewards w set reversed_on = v.day
         from unnest($77::bigint[], $78::date[]) as v(order_id, day) where w.order_id = v.order_id
       ), rg as (
         delete from release_progress where day = $80::date and order_id = any($79::bigint[])
       ), al as (
         insert into audit_log (operator_id, operator_name, action, target_type, target_id, detail, request_id, created_at)
         select v.operator_id, v.operator_name, v.action, v.target_type, v.target_id, v.detail::jsonb, v.request_id, v.at
         from unnest($81::bigint[], $82::text[], $83::text[], $84::text[], $85::text[], $86::text[], $87::text[],
           $88::timestamptz[]) with ordinality
           as v(operator_id, operator_name, action, target_type, target_id, detail, request_id, at, n)
         order by v.n
       )
       select 1`;

/** The batch's state over its transaction. */
export class BatchState {
  private readonly cells = new Map<string, Cell>();
  private state: EquityState;
  private stateChanged = false;
  private readonly exitRows = new Map<string, ExitRow>();
  /** The stored exit queue rows read so far: every row with threshold ≤ `storedBound`. */
  private readonly storedExit = new Map<string, ExitRow>();
  private storedBound = -1n;
  private readonly entries: Entry[] = [];
  /** Orders created and paid in the batch, what they gave, their products' stock (limited stock only). */
  private readonly orders: NewOrder[] = [];
  private readonly rewards: NewReward[] = [];
  /** The batch's orders by provider and external id, its rewards by local order id (the first of each). */
  private readonly byExternalId = new Map<string, NewOrder>();
  private readonly rewardByLocal = new Map<string, NewReward>();
  private readonly stock = new Map<string, { amount: number; readonly loaded: number }>();
  /** Orders refunded in the batch (stored or local ids), rewards it reversed (→ the day), open gifts it closed. */
  private readonly refunds = new Map<string, Refund>();
  private readonly reversals = new Map<string, string>();
  private readonly giftsTaken = new Set<string>();
  /** The audit-log rows of the batch's operator commands (an operator's refund). */
  private readonly audits: AuditEntry[] = [];

  private constructor(
    readonly tx: Tx,
    readonly config: Config,
    readonly businessDay: string,
    state: EquityState,
  ) {
    this.state = state;
  }

  /**
   * Opens the batch: locks the operator's cash row and the equity state (the
   * lock order of every equity movement), then the balance rows of `keys` (the
   * rows its commands will read) in key order, in one statement. Only those:
   * a member's other rows (points, a payment's) are locked by orders before
   * the operator's row, and taking them here would deadlock with them.
   */
  static async open(tx: Tx, config: Config, businessDay: string, keys: readonly BalanceKey[]) {
    const batch = new BatchState(tx, config, businessDay, await lockEquityState(tx, config));
    await batch.load(keys);
    return batch;
  }

  private remember(account: string, asset: string, amount: bigint, existed: boolean): void {
    this.cells.set(cellKey(account, asset), {
      account,
      asset,
      amount,
      loaded: amount,
      existed,
      touched: false,
    });
  }

  /** True when every row of `keys` is loaded (nothing for `load` to read). */
  knows(keys: readonly BalanceKey[]): boolean {
    for (const k of keys) if (!this.cells.has(cellKey(k.account, k.asset))) return false;
    return true;
  }

  /** Loads (and locks, in key order) the rows of `keys` the batch does not know yet. */
  async load(keys: readonly BalanceKey[]): Promise<void> {
    const wanted = new Map<string, BalanceKey>();
    for (const k of keys)
      if (!this.cells.has(cellKey(k.account, k.asset))) wanted.set(cellKey(k.account, k.asset), k);
    const missing = [...wanted.values()];
    if (missing.length === 0) return;
    const rows = await this.tx.query<{ account: string; asset: string; amount: string }>(
      `select b.account, b.asset, b.amount from balances b
       join unnest($1::text[], $2::text[]) as k(account, asset) on b.account = k.account and b.asset = k.asset
       -- repeats the join's keys: PostgreSQL looks them up instead of hashing the whole table
       where b.account = any($1::text[])
       order by b.account, b.asset for update of b`,
      withArrayLiterals([missing.map((k) => k.account), missing.map((k) => k.asset)]),
    );
    for (const row of rows.rows) this.remember(row.account, row.asset, parseDecimal(row.amount), true);
    for (const k of missing)
      if (!this.cells.has(cellKey(k.account, k.asset))) this.remember(k.account, k.asset, 0n, false);
  }

  /** The amount of a loaded row. */
  amount(account: string, asset: string): bigint {
    const cell = this.cells.get(cellKey(account, asset));
    if (!cell) throw new Error(`writer: balance ${account} ${asset} read before it was loaded`);
    return cell.amount;
  }

  equityState(): EquityState {
    return this.state;
  }

  /**
   * The stored exit-queue rows with threshold ≤ `bound` at least. Read ahead to
   * 1/64 above the bound asked for: every sell lifts the price a little, and a
   * read per command would cost more than the rest of the command.
   */
  async storedExitRows(asked: bigint): Promise<ReadonlyMap<string, ExitRow>> {
    if (asked > this.storedBound) {
      const bound = asked + asked / 64n + 1n;
      const rows = await this.tx.query<{ member_id: string; held: string; quota: string; threshold: string }>(
        `select member_id::text, held::text, quota::text, threshold::text from exit_queue
         where threshold > $1::numeric and threshold <= $2::numeric`,
        [this.storedBound < 0n ? "-1" : ratio12Text(this.storedBound), ratio12Text(bound)],
      );
      for (const r of rows.rows)
        this.storedExit.set(r.member_id, {
          held: parseDecimal(r.held),
          quota: parseDecimal(r.quota),
          threshold: parse12(r.threshold),
        });
      this.storedBound = bound;
    }
    return this.storedExit;
  }

  /** The stored exit-queue rows when those up to `asked` were read already (undefined: a read is needed). */
  storedExitRowsKnown(asked: bigint): ReadonlyMap<string, ExitRow> | undefined {
    return asked > this.storedBound ? undefined : this.storedExit;
  }

  /** Members the batch re-filed in the exit queue. */
  refiled(): ReadonlyMap<string, ExitRow> {
    return this.exitRows;
  }

  /** The local id the next entry gets. */
  nextLocal(offset: number): string {
    return `${LOCAL_PREFIX}${this.entries.length + offset}`;
  }

  /** Seeds a product's limited stock as read (and locked) for the batch's orders. */
  seedStock(productId: string, stock: number): void {
    if (!this.stock.has(productId)) this.stock.set(productId, { amount: stock, loaded: stock });
  }

  /** A product's stock as the batch left it (undefined: not seeded, unlimited). */
  stockOf(productId: string): number | undefined {
    return this.stock.get(productId)?.amount;
  }

  /** True when an order of the batch already has this provider's external id. */
  hasExternalId(provider: string, externalId: string): boolean {
    return this.byExternalId.has(cellKey(provider, externalId));
  }

  /** The order of the batch with this provider's external id. */
  findOrder(provider: string, externalId: string): NewOrder | undefined {
    return this.byExternalId.get(cellKey(provider, externalId));
  }

  /** What an order of the batch gave when it became eligible in the batch. */
  rewardOf(local: string): NewReward | undefined {
    return this.rewardByLocal.get(local);
  }

  /** Whether the batch refunded an order, reversed its rewards, closed its gift. */
  refundOf(id: string): Refund | undefined {
    return this.refunds.get(id);
  }
  reversed(id: string): boolean {
    return this.reversals.has(id);
  }
  giftTaken(id: string): boolean {
    return this.giftsTaken.has(id);
  }

  /** The local id the next order gets. */
  nextOrderLocal(offset: number): string {
    return `${ORDER_PREFIX}${this.orders.length + offset}`;
  }

  /** A command's view of the batch. */
  begin(now: Date): CommandView {
    return new CommandView(this, now);
  }

  /** Keeps what a successful command wrote. */
  commit(view: CommandView): void {
    view.cells.forEach((amount, key) => {
      const cell = this.cells.get(key) as Cell;
      cell.amount = amount;
      cell.touched = true;
    });
    if (view.state) {
      this.state = view.state;
      this.stateChanged = true;
    }
    view.exitRows.forEach((row, id) => {
      this.exitRows.set(id, row);
    });
    for (const e of view.entries) this.entries.push(e);
    this.commitOrders(view);
  }

  /** (commit) The orders, rewards, stock, refunds and audit rows of a command, when it wrote any. */
  private commitOrders(view: CommandView): void {
    for (const o of view.ownOrders ?? []) {
      this.orders.push(o);
      // The first order with an external id is the one `find` found.
      const key = o.externalId === null ? undefined : cellKey(o.provider, o.externalId);
      if (key !== undefined && !this.byExternalId.has(key)) this.byExternalId.set(key, o);
    }
    for (const r of view.ownRewards ?? []) {
      this.rewards.push(r);
      if (!this.rewardByLocal.has(r.order.local)) this.rewardByLocal.set(r.order.local, r);
    }
    for (const [id, amount] of view.ownStock ?? [])
      (this.stock.get(id) as { amount: number }).amount = amount;
    for (const [id, refund] of view.ownRefunds ?? []) this.refunds.set(id, refund);
    for (const [id, day] of view.ownReversals ?? []) this.reversals.set(id, day);
    for (const id of view.ownGiftsTaken ?? []) this.giftsTaken.add(id);
    for (const a of view.ownAudits ?? []) this.audits.push(a);
  }

  /** How many ledger transactions the batch appends. */
  get transactions(): number {
    return this.entries.length;
  }

  /**
   * Numbers the batch's transactions from the ledger's sequence (in batch order)
   * and returns the map from local ids to them.
   */
  async numberTransactions(): Promise<(local: string) => string> {
    const ids = new Map<string, string>();
    // Orders created in the batch are numbered in batch order too (the serial path's inserts, one by one).
    const [transactions, orders] = [this.entries.map((e) => e.local), this.orders.map((o) => o.local)];
    if (transactions.length + orders.length > 0) {
      const rows = await this.tx.query<{ seq: string; id: string }>(
        `select 't' as seq, nextval('ledger_transactions_id_seq')::text as id from generate_series(1, $1::int)
         union all
         select 'o', nextval(pg_get_serial_sequence('orders', 'id'))::text from generate_series(1, $2::int)`,
        [transactions.length, orders.length],
      );
      for (const [seq, locals] of [
        ["t", transactions],
        ["o", orders],
      ] as const) {
        const sorted = rows.rows
          .filter((r) => r.seq === seq)
          .map((r) => BigInt(r.id))
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        locals.forEach((local, i) => {
          ids.set(local, String(sorted[i]));
        });
      }
    }
    return (local) => {
      const id = ids.get(local);
      if (id === undefined) throw new Error(`writer: no transaction or order ${local} in this batch`);
      return id;
    };
  }

  /**
   * Writes the batch set-based in one statement (one round trip): the
   * transactions, their postings, the changed balances (existing rows updated,
   * new rows inserted), the exit queue, the equity state and the idempotency
   * keys, each table from `unnest` arrays. The postings' check that their
   * transactions exist (migration 0005's statement trigger) runs at the end of
   * the statement and sees the transactions inserted beside them.
   */
  async write(idOf: (local: string) => string, keys: readonly KeyRow[], now: Date): Promise<void> {
    const { txIds, txDays, txKinds, txRefs, txAt, pTx, pAccount, pAsset, pAmount, pMember } =
      this.ledgerArrays(idOf);
    const [updated, inserted] = this.changedBalances();
    const gone: string[] = [];
    const queued: [string, NonNullable<ExitRow>][] = [];
    for (const [id, row] of this.exitRows) {
      if (row === null) gone.push(id);
      else queued.push([id, row]);
    }
    const state = this.stateChanged ? this.state : null;
    await this.tx.query(
      WRITE_SQL,
      withArrayLiterals([
        txIds,
        txDays,
        txKinds,
        txRefs,
        txAt,
        pTx,
        pAccount,
        pAsset,
        pAmount,
        pMember,
        updated.map((c) => c.account),
        updated.map((c) => c.asset),
        updated.map((c) => formatDecimal(c.amount)),
        // A row that was absent is not locked: add, as the serial append does.
        inserted.map((c) => c.account),
        inserted.map((c) => c.asset),
        inserted.map((c) => memberIdOf(c.account)),
        inserted.map((c) => formatDecimal(c.amount)),
        gone,
        queued.map(([id]) => id),
        queued.map(([, r]) => formatDecimal(r.held)),
        queued.map(([, r]) => formatDecimal(r.quota)),
        queued.map(([, r]) => ratio12Text(r.threshold)),
        state && formatDecimal(state.pool),
        state && formatDecimal(state.supply),
        state && formatDecimal(state.issued),
        state && formatDecimal(state.priceNum),
        state && formatDecimal(state.priceDen),
        keys.map((k) => k.scope),
        keys.map((k) => k.key),
        keys.map((k) => k.hash),
        keys.map((k) => k.status),
        JSON.stringify(keys.map((k) => k.body ?? null)),
        now.toISOString(),
        ...this.orderArrays(idOf),
        ...this.refundArrays(),
      ]),
    );
  }

  /**
   * The orders created in the batch and refunded in it ($71, $72), the reversal
   * days of their rewards ($73); the stored orders the batch refunded, reversed,
   * whose gifts it closed ($74–$80).
   */
  private refundArrays(): unknown[] {
    const stored = <V>(m: ReadonlyMap<string, V>) => [...m].filter(([id]) => !isLocalOrder(id));
    const refunded = stored(this.refunds);
    const reversed = stored(this.reversals);
    return [
      this.orders.map((o) => this.refunds.get(o.local)?.at.toISOString() ?? null),
      this.orders.map((o) => this.refunds.get(o.local)?.reason ?? null),
      this.rewards.map((r) => this.reversals.get(r.order.local) ?? null),
      refunded.map(([id]) => id),
      refunded.map(([, r]) => r.at.toISOString()),
      refunded.map(([, r]) => r.reason),
      reversed.map(([id]) => id),
      reversed.map(([, day]) => day),
      [...this.giftsTaken].filter((id) => !isLocalOrder(id)),
      this.businessDay,
      ...this.auditArrays(),
    ];
  }

  /** The audit-log rows ($81–$88), as `writeAudit` inserts each. */
  private auditArrays(): unknown[] {
    const a = this.audits;
    return [
      a.map((e) => e.operator.id),
      a.map((e) => e.operator.username),
      a.map((e) => e.action),
      a.map((e) => e.targetType ?? null),
      a.map((e) => e.targetId ?? null),
      a.map((e) => JSON.stringify(e.detail ?? {})),
      a.map((e) => e.requestId),
      a.map((e) => e.now.toISOString()),
    ];
  }

  /** The orders created in the batch, their products' stock, their rewards and open gifts ($34–$70). */
  private orderArrays(idOf: (local: string) => string): unknown[] {
    const o = this.orders;
    const stocked = [...this.stock].filter(([, s]) => s.amount !== s.loaded);
    const rewardRows = this.rewards.map((r) =>
      orderRewardValues({ ...r.order, id: idOf(r.order.local) }, r.effects, r.day),
    );
    const column = (i: number) => rewardRows.map((row) => row[i] ?? null);
    // A gift the batch opened and closed again (its order refunded in the batch) is not written.
    const gifts = this.rewards.filter(
      (r) => (r.effects.release?.gift ?? 0n) > 0n && !this.giftsTaken.has(r.order.local),
    );
    return [
      o.map((x) => idOf(x.local)),
      o.map((x) => x.memberId),
      o.map((x) => x.productId),
      o.map((x) => x.quantity),
      o.map((x) => x.plans.join(",")),
      o.map((x) => formatDecimal(x.amount)),
      o.map((x) => formatDecimal(x.pointsPaid)),
      o.map((x) => x.provider),
      o.map((x) => x.externalId),
      o.map((x) => x.at.toISOString()),
      o.map((x) => x.paidDay),
      o.map((x) => x.eligibleDay),
      stocked.map(([id]) => id),
      stocked.map(([, st]) => st.amount),
      ...Array.from({ length: 18 }, (_, i) => column(i)),
      gifts.map((r) => r.day),
      gifts.map((r) => idOf(r.order.local)),
      gifts.map((r) => r.order.memberId),
      gifts.map((r) => formatDecimal(r.effects.release?.base ?? 0n)),
      gifts.map((r) => formatDecimal(r.effects.release?.gift ?? 0n)),
    ];
  }

  /** The batch's transactions and postings as the write's column arrays, numbered by `idOf`. */
  private ledgerArrays(idOf: (local: string) => string) {
    const n = this.entries.length;
    const txIds: string[] = new Array(n);
    const txDays: string[] = new Array(n);
    const txKinds: string[] = new Array(n);
    const txRefs: string[] = new Array(n);
    const txAt: string[] = new Array(n);
    const pTx: string[] = [];
    const pAccount: string[] = [];
    const pAsset: string[] = [];
    const pAmount: string[] = [];
    const pMember: (string | null)[] = [];
    for (let i = 0; i < n; i++) {
      const e = this.entries[i] as Entry;
      const id = idOf(e.local);
      txIds[i] = id;
      txDays[i] = e.businessDay;
      txKinds[i] = e.kind;
      txRefs[i] = refOf(e.ref, idOf);
      txAt[i] = e.createdAt.toISOString();
      for (const p of e.postings) {
        pTx.push(id);
        pAccount.push(p.account);
        pAsset.push(p.asset);
        pAmount.push(formatDecimal(p.amount));
        pMember.push(memberIdOf(p.account));
      }
    }
    return { txIds, txDays, txKinds, txRefs, txAt, pTx, pAccount, pAsset, pAmount, pMember };
  }

  /**
   * The balance rows the batch changed: those read (locked, their new amounts
   * exact) and those that were absent and a command moved — even when they end
   * at 0 (a debt opened and repaid in the batch): the serial path inserted the
   * row at the first move and leaves it at 0.
   */
  private changedBalances(): [Cell[], Cell[]] {
    const updated: Cell[] = [];
    const inserted: Cell[] = [];
    for (const c of this.cells.values()) {
      if (c.existed && c.amount !== c.loaded) updated.push(c);
      else if (!c.existed && c.touched) inserted.push(c);
    }
    return [updated, inserted];
  }

  /** The platform (non-member) balance rows the batch loaded: the next batch loads them up front. */
  platformKeys(): BalanceKey[] {
    const out: BalanceKey[] = [];
    for (const c of this.cells.values())
      if (!c.account.startsWith("m:"))
        out.push({ account: c.account, asset: c.asset as BalanceKey["asset"] });
    return out;
  }
}

/** One command's view of the batch: reads see the batch and the command's own writes; writes stay here until `commit`. */
export class CommandView {
  readonly cells = new Map<string, bigint>();
  state: EquityState | undefined;
  readonly exitRows = new Map<string, ExitRow>();
  readonly entries: Entry[] = [];
  // What only some commands write (orders, refunds, audits) is made at its first write, not for
  // every command (issue 14's allocation profile); `commit` reads the own* fields (undefined: none).
  ownOrders: NewOrder[] | undefined;
  ownRewards: NewReward[] | undefined;
  ownStock: Map<string, number> | undefined;
  ownRefunds: Map<string, Refund> | undefined;
  ownReversals: Map<string, string> | undefined;
  ownGiftsTaken: Set<string> | undefined;
  ownAudits: AuditEntry[] | undefined;
  get orders(): NewOrder[] {
    this.ownOrders ??= [];
    return this.ownOrders;
  }
  get rewards(): NewReward[] {
    this.ownRewards ??= [];
    return this.ownRewards;
  }
  get stock(): Map<string, number> {
    this.ownStock ??= new Map();
    return this.ownStock;
  }
  get refunds(): Map<string, Refund> {
    this.ownRefunds ??= new Map();
    return this.ownRefunds;
  }
  get reversals(): Map<string, string> {
    this.ownReversals ??= new Map();
    return this.ownReversals;
  }
  get giftsTaken(): Set<string> {
    this.ownGiftsTaken ??= new Set();
    return this.ownGiftsTaken;
  }
  get audits(): AuditEntry[] {
    this.ownAudits ??= [];
    return this.ownAudits;
  }

  constructor(
    private readonly batch: BatchState,
    readonly now: Date,
  ) {}

  /** The batch's open business day. */
  get businessDay(): string {
    return this.batch.businessDay;
  }

  /** A product's limited stock as this command sees it (undefined: unlimited). */
  stockOf(productId: string): number | undefined {
    return this.ownStock?.get(productId) ?? this.batch.stockOf(productId);
  }

  /** Takes units of a product's limited stock (the caller checked there are enough). */
  takeStock(productId: string, quantity: number): void {
    const left = this.stockOf(productId);
    if (left !== undefined) this.stock.set(productId, left - quantity);
  }

  /** True when an order of the batch (or of this command) already has this provider's external id. */
  hasExternalId(provider: string, externalId: string): boolean {
    return (
      this.batch.hasExternalId(provider, externalId) ||
      (this.ownOrders?.some((o) => o.provider === provider && o.externalId === externalId) ?? false)
    );
  }

  /** The order of the batch (or of this command) with this provider's external id. */
  findOrder(provider: string, externalId: string): NewOrder | undefined {
    return (
      this.batch.findOrder(provider, externalId) ??
      this.ownOrders?.find((o) => o.provider === provider && o.externalId === externalId)
    );
  }

  /** What an order of the batch gave when it became eligible in the batch. */
  rewardOf(local: string): NewReward | undefined {
    return this.batch.rewardOf(local) ?? this.ownRewards?.find((r) => r.order.local === local);
  }

  /** The refund of an order (stored or local id) in the batch so far, if any. */
  refundOf(id: string): Refund | undefined {
    return this.ownRefunds?.get(id) ?? this.batch.refundOf(id);
  }

  /** Marks an order (stored or local id) refunded. */
  refund(id: string, refund: Refund): void {
    this.refunds.set(id, refund);
  }

  /** Whether the batch reversed an order's rewards. */
  reversed(id: string): boolean {
    return this.ownReversals?.has(id) === true || this.batch.reversed(id);
  }

  /** Closes an order's open gift; true the first time (the serial path's delete found the row). */
  takeGift(id: string): boolean {
    if (this.ownGiftsTaken?.has(id) === true || this.batch.giftTaken(id)) return false;
    this.giftsTaken.add(id);
    return true;
  }

  /** Creates an order in the batch (paid: the row the serial path's createOrder + markPaid leave). */
  addOrder(order: Omit<NewOrder, "local">): NewOrder {
    const created = { ...order, local: this.batch.nextOrderLocal(this.ownOrders?.length ?? 0) };
    this.orders.push(created);
    return created;
  }

  /** A loaded row's amount as this command sees it. */
  amount(account: string, asset: string): bigint {
    return this.cells.get(cellKey(account, asset)) ?? this.batch.amount(account, asset);
  }

  /** The equity state as this command sees it. */
  equityState(): EquityState {
    // As the serial store reads the row: while nothing was issued, the config's initial price.
    return withInitialPrice(this.state ?? this.batch.equityState(), this.batch.config.equity);
  }

  /** True when the batch loaded every row of `keys`. */
  knows(keys: readonly BalanceKey[]): boolean {
    return this.batch.knows(keys);
  }

  /** The amounts of some rows (loaded first if needed), as this command sees them. */
  async balances(keys: readonly BalanceKey[]): Promise<(account: string, asset: string) => bigint> {
    await this.batch.load(keys);
    return (account, asset) => this.amount(account, asset);
  }

  /** True when this command appended an exit sale of `memberId` after its transaction `since`. */
  exitedAfter(memberId: string, since: string | null): boolean {
    if (since === null) return false;
    const at = this.entries.findIndex((e) => e.local === since);
    return this.entries.some((e, i) => i > at && e.kind === "equity.exit" && e.ref === `member:${memberId}`);
  }

  /**
   * (the store's; `businessDay`: an order's payment is of the day it was paid, not the open day)
   * Answered at once when its rows are loaded (most commands' rows were loaded when the batch
   * opened): no promise, no microtask per call (issue 14's profile).
   */
  append(
    kind: TransactionKind,
    ref: string,
    given: readonly Posting[],
    businessDay = this.batch.businessDay,
  ): string | null | Promise<string | null> {
    const postings = checkedPostings({ kind, ref, postings: given });
    if (postings.length === 0) return null;
    const nets = netByAccount(postings);
    if (this.batch.knows(nets)) return this.appendLoaded(kind, ref, postings, nets, businessDay);
    return this.batch.load(nets).then(() => this.appendLoaded(kind, ref, postings, nets, businessDay));
  }

  private appendLoaded(
    kind: TransactionKind,
    ref: string,
    postings: readonly Posting[],
    nets: ReturnType<typeof netByAccount>,
    businessDay: string,
  ): string {
    for (const net of nets) {
      const after = this.amount(net.account, net.asset) + net.amount;
      if (!signAllows(net.account, after)) fail("BALANCE_CONFLICT");
      refuseOverLimit(net, after);
      this.cells.set(cellKey(net.account, net.asset), after);
    }
    const local = this.batch.nextLocal(this.entries.length);
    this.entries.push({ local, businessDay, kind, ref, createdAt: this.now, postings });
    return local;
  }

  /** (the store's; at once when the members' rows are loaded) */
  refile(memberIds: readonly string[]): undefined | Promise<void> {
    if (!this.batch.knows(memberIds.flatMap((id) => exitKeys(id)))) return this.loadAndRefile(memberIds);
    this.refileLoaded(memberIds);
    return undefined;
  }

  /** Loads the members' rows one member at a time (in their order, as the serial store), then re-files them. */
  private async loadAndRefile(memberIds: readonly string[]): Promise<void> {
    for (const id of new Set(memberIds)) await this.batch.load(exitKeys(id));
    this.refileLoaded(memberIds);
  }

  private refileLoaded(memberIds: readonly string[]): void {
    for (const id of new Set(memberIds)) {
      const [equity, quota] = exitKeys(id);
      const held = this.amount(equity.account, equity.asset);
      const q = this.amount(quota.account, quota.asset);
      this.exitRows.set(
        id,
        held > 0n && q > 0n ? { held, quota: q, threshold: ratio12(q, held, false) } : null,
      );
    }
  }

  /** (the store's; at once when the stored rows up to the price's bound were read) */
  nextExit(state: EquityState): string | undefined | Promise<string | undefined> {
    const bound = state.supply === 0n ? 0n : ratio12(state.pool, state.supply, true);
    const stored = this.batch.storedExitRowsKnown(bound);
    if (stored === undefined)
      return this.batch.storedExitRows(bound).then((rows) => this.nextExitOf(state, bound, rows));
    return this.nextExitOf(state, bound, stored);
  }

  private nextExitOf(
    state: EquityState,
    bound: bigint,
    stored: ReadonlyMap<string, ExitRow>,
  ): string | undefined {
    const refiled = this.batch.refiled();
    // The lowest member id among the due rows (threshold ≤ bound) that meet the quota: the first the
    // serial store's read in id order finds. Each member once, its newest row (this command's, else
    // the batch's, else the stored one). One pass with `forEach`, nothing allocated per row (issue
    // 14's allocation profile: a sorted list of the due rows per command, and the maps' entry pairs,
    // were 11 % of what the writer allocated).
    let best: string | undefined;
    const consider = (row: ExitRow, id: string) => {
      if (row === null || row.threshold > bound) return;
      if (best !== undefined && BigInt(id) >= BigInt(best)) return;
      if (meetsExitQuota(state, row.held, row.quota)) best = id;
    };
    this.exitRows.forEach(consider);
    refiled.forEach((row, id) => {
      if (!this.exitRows.has(id)) consider(row, id);
    });
    stored.forEach((row, id) => {
      if (!this.exitRows.has(id) && !refiled.has(id)) consider(row, id);
    });
    return best === undefined ? undefined : BigInt(best).toString();
  }

  /**
   * The engine's store over this view: the member commands' calls, and with
   * `order` those of an order of the batch becoming eligible (its referrer, what it gave).
   */
  store(order?: OrderContext, refund?: RefundContext): AsyncRewardStore<RewardOrder> {
    return new ViewStore(this, order, refund);
  }
}

/** A member's equity and exit-quota rows (what re-filing reads). */
function exitKeys(id: string): [BalanceKey, BalanceKey] {
  return [
    { account: memberAccount(id, "equity"), asset: "equity" },
    { account: memberAccount(id, "exitQuota"), asset: "exitQuota" },
  ];
}

function notHere(what: string): never {
  throw new Error(`writer: ${what} is not a member command's step`);
}

/**
 * The engine's store over a command's view. A class (its methods shared on the
 * prototype) rather than an object of closures made for every command.
 */
class ViewStore implements AsyncRewardStore<RewardOrder> {
  constructor(
    private readonly view: CommandView,
    private readonly order: OrderContext | undefined,
    private readonly refund: RefundContext | undefined = undefined,
  ) {}
  referrerOf(memberId: string): string | undefined {
    if (this.order?.order.memberId !== memberId) return notHere("referrerOf");
    return this.order.referrer;
  }
  lockEquityState(): EquityState {
    return this.view.equityState();
  }
  saveEquityState(state: EquityState): void {
    this.view.state = state;
  }
  lockBalances(keys: readonly BalanceKey[]): BalanceSource | Promise<BalanceSource> {
    if (!this.view.knows(keys)) return this.view.balances(keys).then(() => this.loadedBalances(keys));
    return this.loadedBalances(keys);
  }
  /** Like the serial store's LoadedBalances: only the rows asked for; any other reads 0. */
  private loadedBalances(keys: readonly BalanceKey[]): BalanceSource {
    // The few rows asked for scanned, not a set of their keys built per call (issue 14's profile).
    return {
      balance: (account, asset) =>
        keys.some((k) => k.account === account && k.asset === asset) ? this.view.amount(account, asset) : 0n,
    };
  }
  append(kind: TransactionKind, ref: string, postings: readonly Posting[]) {
    return this.view.append(kind, ref, postings);
  }
  refileExit(memberIds: readonly string[]) {
    return this.view.refile(memberIds);
  }
  nextExit(state: EquityState) {
    return this.view.nextExit(state);
  }
  memberRef(memberId: string): string {
    return `member:${memberId}`;
  }
  refuseShort({ code, field, held, needed }: Shortage): never {
    return refuseShort(code, field, held, needed);
  }
  recordEligible(order: RewardOrder, effects: OrderEffects): void {
    const own = this.order;
    if (own === undefined || order.ref !== `order:${own.order.local}`) notHere("recordEligible");
    this.view.rewards.push({ order: own.order, effects, day: this.view.businessDay });
  }
  /** As the database store's: unreversed effects, refused while a day on or after its eligible day settles. */
  effectsOf(order: RewardOrder): Promise<OrderEffects | undefined> {
    const own = this.ownRefund(order, "effectsOf");
    const reward = own.reward;
    if (reward === undefined || this.view.reversed(own.id)) return Promise.resolve(undefined);
    const settling = own.settling.find((day) => day >= reward.eligibleOn);
    if (settling !== undefined) refuseSettling(settling);
    return Promise.resolve(reward.effects);
  }
  /** The open day's gift row, deleted: what it had still to release (none when already closed). */
  takeOpenGift(order: RewardOrder, gift: bigint): Promise<{ remaining: bigint; released: bigint }> {
    const own = this.ownRefund(order, "takeOpenGift");
    const remaining = this.view.takeGift(own.id) ? own.openGift : 0n;
    return Promise.resolve({ remaining, released: gift - remaining });
  }
  recordReversed(order: RewardOrder): Promise<void> {
    const own = this.ownRefund(order, "recordReversed");
    this.view.reversals.set(own.id, this.view.businessDay);
    return Promise.resolve();
  }
  private ownRefund(order: RewardOrder, what: string): RefundContext {
    const own = this.refund;
    if (own === undefined || order.ref !== `order:${own.id}`) return notHere(what);
    return own;
  }
}
