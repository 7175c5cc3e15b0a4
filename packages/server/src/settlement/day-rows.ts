/**
 * The settlement's CPU work after the load, free of I/O so that it can run in
 * a worker thread (`compute.ts`, issue 17): the engine's `settleDay` over the
 * loaded columns, the checks of its result, and the COPY text of every row the
 * day writes — the ledger's postings and transactions, the net balance deltas,
 * D + 1's release progress and the stars that changed. Each producer is a
 * generator of COPY text chunks whose return value is its row count; the same
 * code runs in the worker and (`JIFEN_SETTLE_COMPUTE=inline`) on the caller's
 * thread, so the text is byte for byte the same either way.
 */
import {
  type Asset,
  accountMember,
  type CycleConfig,
  FEN,
  type Posting,
  type PostingCause,
  type ReleaseConfig,
  type SettlementResult,
  type SettlementTotals,
  settleDay,
  settlementTransactions,
  type Transaction,
} from "@jifen/engine";
import { COPY_NULL, CopyChunker, escapeCopy } from "./copy-text.ts";
import type { DayColumns } from "./load.ts";

/** What the compute needs of the loaded day: `DayColumns` with the member ids as numbers only, and the day's configuration. */
export type DayInput = Omit<DayColumns, "memberIds" | "memberNumbers"> & {
  /** Member id of each index, as numbers (the strings are `String(id)`). */
  readonly memberNumbers: Float64Array;
  readonly release: ReleaseConfig;
  readonly cycle: CycleConfig;
};

/** The report's figures of a result (`buildReport`), counted where the result is. */
export interface ResultSummary {
  readonly membersPaid: number;
  readonly ordersReleased: number;
  /** Members per star level name. */
  readonly stars: Record<string, number>;
  readonly totals: SettlementTotals;
  readonly pools: SettlementResult["pools"];
}

/** A computed day: the loaded input, the member id strings and the engine's result. */
export interface ComputedDay {
  readonly day: DayInput;
  readonly memberIds: string[];
  readonly result: SettlementResult;
  /** The transactions' COPY text, collected while the postings stream (`postingRows`). */
  transactionChunks: string[] | null;
  /** Transactions generated so far by `postingRows` (its progress). */
  generated: number;
}

/** Runs the engine's settlement over the loaded day. */
export function computeDay(day: DayInput): ComputedDay {
  const memberIds = new Array<string>(day.memberNumbers.length);
  for (let i = 0; i < memberIds.length; i++) memberIds[i] = String(day.memberNumbers[i]);
  const result = settleDay(day.input, day.release, day.cycle);
  return { day, memberIds, result, transactionChunks: null, generated: 0 };
}

/** The figures of the report (members paid, orders released, stars per level, totals, pools). */
export function resultSummary(computed: ComputedDay): ResultSummary {
  const { result } = computed;
  const starNames = computed.day.release.starLevels.map((s) => s.name);
  let membersPaid = 0;
  let ordersReleased = 0;
  const stars: Record<string, number> = {};
  for (let i = 0; i < computed.memberIds.length; i++) {
    const released =
      (result.static[i] as bigint) +
      (result.share[i] as bigint) +
      (result.team[i] as bigint) +
      (result.peer[i] as bigint);
    if (released > 0n || (result.dividend[i] as bigint) > 0n) membersPaid++;
    const level = result.star[i] as number;
    if (level >= 0) {
      const name = starNames[level] ?? String(level);
      stars[name] = (stars[name] ?? 0) + 1;
    }
  }
  for (const r of result.orderReleased) if (r > 0n) ordersReleased++;
  return { membersPaid, ordersReleased, stars, totals: result.totals, pools: result.pools };
}

/** How many ledger transactions a day's result yields (without building them). */
export function countTransactions(result: SettlementResult): number {
  let n = (result.totals.pooled > 0n ? 1 : 0) + (result.totals.returned > 0n ? 1 : 0);
  const members = result.static.length;
  for (let i = 0; i < members; i++) {
    const released =
      (result.static[i] as bigint) +
      (result.share[i] as bigint) +
      (result.team[i] as bigint) +
      (result.peer[i] as bigint);
    if (released > 0n) n++;
    if ((result.dividend[i] as bigint) > 0n) n++;
  }
  return n;
}

/**
 * Every amount a day's result credits is ≥ 0 (a 64-bit sum that wrapped shows
 * as a negative number): throws before anything is written otherwise, and the
 * settlement rolls back. The inputs are checked when loaded (load.ts).
 */
export function assertResultRange(result: SettlementResult, memberIds: readonly string[]): void {
  const columns = [
    ["static release", result.static],
    ["share acceleration", result.share],
    ["team acceleration", result.team],
    ["peer acceleration", result.peer],
    ["dividend", result.dividend],
    ["quota", result.quota],
    ["team performance", result.teamPerformance],
  ] as const;
  for (const [name, values] of columns) {
    for (let i = 0; i < values.length; i++) {
      if ((values[i] as bigint) < 0n)
        throw new Error(
          `settlement: member ${memberIds[i]}'s ${name} is negative (${values[i]}): out of range`,
        );
    }
  }
  for (const [name, values] of [
    ["remaining gift", result.orderRemaining],
    ["release", result.orderReleased],
  ] as const) {
    for (let o = 0; o < values.length; o++) {
      if ((values[o] as bigint) < 0n)
        throw new Error(`settlement: an order's ${name} is negative (${values[o]}): out of range`);
    }
  }
}

/** Checks the result's range and counts its transactions: what the writing starts with. */
export function prepareWrite(computed: ComputedDay): number {
  assertResultRange(computed.result, computed.memberIds);
  return countTransactions(computed.result);
}

/** Micro-units as decimal text with 6 places ("12.500000", "-0.000001"): what numeric(30,6) reads. */
export function microText(micro: bigint): string {
  const negative = micro < 0n;
  const digits = (negative ? -micro : micro).toString().padStart(7, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -6)}.${digits.slice(-6)}`;
}

/** The member id inside a member account name (`m:<id>:…`), or null. */
const memberOf = accountMember;

/**
 * Net balance change per (account, asset), produced while the postings stream
 * by: member accounts are grouped per member (each member's transactions are
 * contiguous, in index order — asserted), platform accounts summed apart.
 */
class DeltaCollector {
  private readonly out = new CopyChunker();
  private member: string | null = null;
  private cursor = 0;
  private readonly memberRows: { account: string; asset: Asset; amount: bigint }[] = [];
  private readonly platform = new Map<string, { account: string; asset: Asset; amount: bigint }>();
  constructor(private readonly memberIds: readonly string[]) {}

  add(account: string, asset: Asset, amount: bigint, member: string | null): void {
    if (member === null) {
      const key = `${account}\u0000${asset}`;
      const row = this.platform.get(key);
      if (row) row.amount += amount;
      else this.platform.set(key, { account, asset, amount });
      return;
    }
    if (member !== this.member) {
      this.flushMember();
      // Members appear in index order, each once: advance the cursor to it.
      while (this.cursor < this.memberIds.length && this.memberIds[this.cursor] !== member) this.cursor++;
      if (this.cursor >= this.memberIds.length)
        throw new Error(`settlement: postings of member ${member} are not contiguous in member order`);
      this.cursor++;
      this.member = member;
    }
    for (const row of this.memberRows) {
      if (row.account === account && row.asset === asset) {
        row.amount += amount;
        return;
      }
    }
    this.memberRows.push({ account, asset, amount });
  }

  private flushMember(): void {
    for (const row of this.memberRows) {
      if (row.amount !== 0n)
        this.out.push(`${row.account}\t${row.asset}\t${this.member}\t${microText(row.amount)}`);
    }
    this.memberRows.length = 0;
  }

  /** The chunks of COPY text completed so far (members whose rows are complete). */
  drain(): string[] {
    return this.out.drain();
  }

  /** Every delta row as COPY text chunks (platform rows last). */
  finish(): string[] {
    this.flushMember();
    for (const row of this.platform.values()) {
      if (row.amount !== 0n)
        this.out.push(`${row.account}\t${row.asset}\t${COPY_NULL}\t${microText(row.amount)}`);
    }
    return this.out.finish();
  }

  get rows(): number {
    return this.out.rows;
  }
}

/** Checks a transaction sums to zero per asset and moves whole fen on member cash (as appendTransaction does). */
function assertTransaction(t: Transaction): void {
  const postings = t.postings;
  let balanced = true;
  for (let i = 0; i < postings.length && balanced; i++) {
    const asset = (postings[i] as Posting).asset;
    let sum = 0n;
    for (const p of postings) if (p.asset === asset) sum += p.amount;
    balanced = sum === 0n;
  }
  if (!balanced) throw new Error(`settlement: ${t.kind} does not balance`);
  for (const p of postings) {
    if (p.asset === "cny" && p.amount % FEN !== 0n && p.account.startsWith("m:"))
      throw new Error(`settlement: ${p.account} moves part of a fen (${p.amount})`);
  }
}

/** What `settlementTransactions` needs besides the result. */
function ledgerInput(computed: ComputedDay) {
  return {
    memberIds: computed.memberIds,
    pointsOwed: computed.day.pointsOwed,
    cashOwed: computed.day.cashOwed,
    release: computed.day.release,
    orderIds: computed.day.orderIds,
  };
}

/** The posting columns of a cause (migration 0006), in COPY order. */
export const CAUSE_COLUMNS = "rule, rate_ppm, generation, star, order_id, counterpart_id";
/** The cause columns of a posting without one. */
const NO_CAUSE = `${COPY_NULL}\t${COPY_NULL}\t${COPY_NULL}\t${COPY_NULL}\t${COPY_NULL}\t${COPY_NULL}`;

/** A posting's cause as its COPY columns (rates are micro-units of 1, i.e. parts per million). */
function causeText(c: PostingCause): string {
  return `${c.rule}\t${c.rate}\t${c.generation ?? COPY_NULL}\t${
    c.star === undefined ? COPY_NULL : escapeCopy(c.star)
  }\t${c.order ?? COPY_NULL}\t${c.counterpart ?? COPY_NULL}`;
}

/** The ids and time the ledger rows are written with. */
export interface PostingArgs {
  /** One reserved `ledger_transactions` id per transaction, in order. */
  readonly ids: Float64Array;
  /** `created_at` of every transaction (ISO text). */
  readonly createdAt: string;
}

/**
 * The engine's transactions in one pass: the postings' COPY text (rows of
 * `ledger_postings_d<day>`: transaction_id, account, asset, amount, member_id,
 * cause columns) is yielded, while the transactions' rows are collected into
 * `computed.transactionChunks` (for `transactionRows`). Returns the postings
 * written; checks the transaction count against the ids.
 */
export function* postingRows(computed: ComputedDay, args: PostingArgs): Generator<string, number> {
  const { day } = computed.day;
  const { ids, createdAt } = args;
  const ref = escapeCopy(`day:${day}`);
  const transactionText = new CopyChunker();
  const rows = new CopyChunker();
  let k = 0;
  let postings = 0;
  computed.generated = 0;
  for (const t of settlementTransactions(0, computed.result, ledgerInput(computed))) {
    assertTransaction(t);
    if (k >= ids.length) throw new Error(`settlement: generated more than ${ids.length} transactions`);
    const id = ids[k++];
    transactionText.push(`${id}\t${day}\t${t.kind}\t${ref}\t${COPY_NULL}\t${createdAt}`);
    for (const p of t.postings) {
      if (p.amount === 0n) continue;
      const member = memberOf(p.account);
      rows.push(
        `${id}\t${p.account}\t${p.asset}\t${microText(p.amount)}\t${member ?? COPY_NULL}\t${
          p.cause === undefined ? NO_CAUSE : causeText(p.cause)
        }`,
      );
      postings++;
    }
    computed.generated = k;
    yield* rows.drain();
  }
  yield* rows.finish();
  if (k !== ids.length) throw new Error(`settlement: generated ${k} of ${ids.length} transactions`);
  computed.transactionChunks = transactionText.finish();
  return postings;
}

/** The transactions' COPY text collected by `postingRows` (each chunk let go once handed over). */
export function* transactionRows(computed: ComputedDay): Generator<string, number> {
  const chunks = computed.transactionChunks;
  if (chunks === null) throw new Error("settlement: the transactions come after the postings");
  computed.transactionChunks = null;
  for (let c = 0; c < chunks.length; c++) {
    yield chunks[c] as string;
    chunks[c] = ""; // handed over: let it go
  }
  return chunks.length;
}

/**
 * The net balance delta per (account, asset) of the day's transactions as COPY text, streamed
 * member by member (a pass of its own over the engine's deterministic generator, so the
 * balances' deltas are stored while the stage writes the ledger rows). Returns the rows.
 */
export function* deltaRows(computed: ComputedDay): Generator<string, number> {
  const deltas = new DeltaCollector(computed.memberIds);
  for (const t of settlementTransactions(0, computed.result, ledgerInput(computed))) {
    for (const p of t.postings)
      if (p.amount !== 0n) deltas.add(p.account, p.asset, p.amount, memberOf(p.account));
    yield* deltas.drain();
  }
  yield* deltas.finish();
  return deltas.rows;
}

/** D + 1's release progress: the orders with gift left (order_id, member_id, seq, base, remaining). */
export function* progressRows(computed: ComputedDay): Generator<string, number> {
  const { orderIds, orderSeq, input } = computed.day;
  const { orderMember, orderBase } = input;
  const rows = new CopyChunker();
  for (let o = 0; o < orderIds.length; o++) {
    const remaining = computed.result.orderRemaining[o] as bigint;
    if (remaining === 0n) continue;
    rows.push(
      `${orderIds[o]}\t${computed.memberIds[orderMember[o] as number]}\t${orderSeq[o]}\t${microText(
        orderBase[o] as bigint,
      )}\t${microText(remaining)}`,
    );
    yield* rows.drain();
  }
  yield* rows.finish();
  return rows.rows;
}

/** The stars that changed (member_id, star or NULL for none). */
export function* starRows(computed: ComputedDay): Generator<string, number> {
  const starNames = computed.day.release.starLevels.map((s) => s.name);
  const rows = new CopyChunker();
  const { currentStar } = computed.day;
  for (let i = 0; i < computed.memberIds.length; i++) {
    const level = computed.result.star[i] as number;
    const next = level >= 0 ? (starNames[level] ?? null) : null;
    if (next !== currentStar[i])
      rows.push(`${computed.memberIds[i]}\t${next === null ? COPY_NULL : escapeCopy(next)}`);
    yield* rows.drain();
  }
  yield* rows.finish();
  return rows.rows;
}

/** The producers, by name: what a worker thread can be asked to stream. */
export const PRODUCERS = {
  postings: postingRows,
  transactions: transactionRows,
  deltas: deltaRows,
  progress: progressRows,
  stars: starRows,
} as const;

export type ProducerName = keyof typeof PRODUCERS;
