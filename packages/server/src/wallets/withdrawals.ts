/**
 * Cash withdrawals. A request holds the amount at once (member cash →
 * p:withdrawalsPending) under a row lock on the member's cash balance, so
 * parallel requests cannot overdraw (the balances sign check backs this up).
 * Finance approves (pending → outside, fee → fee income) or rejects (pending →
 * back to the member's cash, repaying any cash debt first).
 *
 * With a payout provider configured (payments registry), an approval pays
 * through it instead (payouts.ts): approved (the transfer number stored in the
 * approval's transaction, before any provider call) → paying (the provider
 * has the transfer) → paid (pending → outside, fee → fee income) | failed
 * (pending → back to the member's cash). The cash stays held in
 * p:withdrawalsPending until the provider's answer is final.
 */
import {
  creditMember,
  DEBT_WALLETS,
  debtAccount,
  FEN,
  floorDiv,
  formatDecimal,
  memberAccount,
  mulRateFloor,
  PlatformAccount,
  parseDecimal,
  WALLET_ASSET,
} from "@jifen/engine";
import { businessDay } from "../clock/index.ts";
import { configForDay } from "../config/index.ts";
import type { Queryable, Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { formatYuan } from "../http/format.ts";
import { appendTransaction, buildEntry, lockBalances, ServerAccount } from "../ledger/index.ts";
import type { ProviderName } from "../payments/index.ts";

/** A withdrawal as stored. */
export interface Withdrawal {
  readonly id: string;
  readonly memberId: string;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly feeRate: bigint;
  /** approved without a payout provider: paid by hand (final); with one: payout under way. */
  readonly status: "pending" | "approved" | "rejected" | "paying" | "paid" | "failed";
  readonly businessDay: string;
  readonly requestedAt: Date;
  readonly decidedAt: Date | null;
  readonly decidedBy: string | null;
  readonly reason: string | null;
  /** The payout through a provider; null when paid by hand. */
  readonly payout: WithdrawalPayout | null;
}

/** A withdrawal's payout through a provider. */
export interface WithdrawalPayout {
  readonly provider: ProviderName;
  /** Our transfer number, stored before the provider was called (its idempotency key). */
  readonly payoutNo: string;
  /** The member's account at the provider (WeChat openid). */
  readonly account: string;
  readonly providerPayoutId: string | null;
  readonly failure: string | null;
  /** What the member must still do to receive it (WeChat package_info), while paying. */
  readonly memberAction: string | null;
  readonly finishedAt: Date | null;
}

interface Row {
  id: string;
  member_id: string;
  amount: string;
  fee: string;
  fee_rate: string;
  status: Withdrawal["status"];
  business_day: string;
  requested_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
  reason: string | null;
  payout_provider: ProviderName | null;
  payout_no: string | null;
  payout_account: string | null;
  payout_provider_id: string | null;
  payout_failure: string | null;
  payout_action: string | null;
  payout_finished_at: Date | null;
}

/** The columns of a withdrawal row. */
export const COLUMNS = `id, member_id, amount, fee, fee_rate, status, business_day, requested_at, decided_at, decided_by,
  reason, payout_provider, payout_no, payout_account, payout_provider_id, payout_failure, payout_action, payout_finished_at`;

function payoutOf(r: Row): WithdrawalPayout | null {
  if (r.payout_provider === null || r.payout_no === null) return null;
  return {
    provider: r.payout_provider,
    payoutNo: r.payout_no,
    account: r.payout_account ?? "",
    providerPayoutId: r.payout_provider_id,
    failure: r.payout_failure,
    memberAction: r.payout_action,
    finishedAt: r.payout_finished_at,
  };
}

/** A withdrawal row as read (for payouts.ts). */
export type WithdrawalRow = Row;

/** A row as a Withdrawal. */
export function toWithdrawal(r: Row): Withdrawal {
  return {
    id: r.id,
    memberId: r.member_id,
    amount: parseDecimal(r.amount),
    fee: parseDecimal(r.fee),
    feeRate: parseDecimal(r.fee_rate),
    status: r.status,
    businessDay: r.business_day,
    requestedAt: r.requested_at,
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
    reason: r.reason,
    payout: payoutOf(r),
  };
}

/** The fee of withdrawing `amount`: what makes the payout amount × (1 − rate) rounded down to the fen. */
export function withdrawalFee(amount: bigint, feeRate: bigint): bigint {
  const payout = floorDiv(amount - mulRateFloor(amount, feeRate), FEN) * FEN;
  return amount - payout;
}

/** Places a withdrawal request and holds the cash; refused with debt, below the minimum or beyond the balance. */
export async function requestWithdrawal(
  tx: Tx,
  input: { memberId: string; amount: bigint; now: Date; timeZone: string },
): Promise<Withdrawal> {
  const { memberId, amount, now } = input;
  const day = businessDay(now, input.timeZone);
  const { server } = await configForDay(tx, day);
  if (amount < server.withdrawal.minAmount) {
    fail("WITHDRAWAL_BELOW_MINIMUM", {
      field: "amount",
      detail: {
        zh: `最低 ${formatYuan(server.withdrawal.minAmount)} 元`,
        en: `minimum ${formatYuan(server.withdrawal.minAmount)}`,
      },
    });
  }
  const cash = memberAccount(memberId, "cash");
  const balances = await lockBalances(tx, [
    { account: cash, asset: "cny" },
    ...DEBT_WALLETS.map((w) => ({ account: debtAccount(memberId, w), asset: WALLET_ASSET[w] })),
  ]);
  const owes = DEBT_WALLETS.some((w) => balances.balance(debtAccount(memberId, w), WALLET_ASSET[w]) < 0n);
  if (owes) fail("DEBT_BLOCKS_WITHDRAWAL");
  if (balances.balance(cash, "cny") < amount) fail("INSUFFICIENT_CASH", { field: "amount" });
  const fee = withdrawalFee(amount, server.withdrawal.feeRate);
  const rows = await tx.query<Row>(
    `insert into withdrawals (member_id, amount, fee, fee_rate, status, business_day, requested_at)
     values ($1::bigint, $2::numeric, $3::numeric, $4::numeric, 'pending', $5::date, $6::timestamptz)
     returning ${COLUMNS}`,
    [
      memberId,
      formatDecimal(amount),
      formatDecimal(fee),
      formatDecimal(server.withdrawal.feeRate),
      day,
      now.toISOString(),
    ],
  );
  const withdrawal = toWithdrawal(rows.rows[0] as Row);
  await appendTransaction(
    tx,
    {
      businessDay: day,
      kind: "withdrawal.request",
      ref: `withdrawal:${withdrawal.id}`,
      postings: [
        { account: cash, asset: "cny", amount: -amount },
        { account: ServerAccount.withdrawalsPending, asset: "cny", amount },
      ],
    },
    now,
  );
  return withdrawal;
}

/** The ledger transaction of a withdrawal paid out: held cash → outside (amount − fee) and fee income. */
export async function bookPayout(
  tx: Tx,
  withdrawal: Withdrawal,
  at: { day: string; now: Date; memo?: string },
): Promise<void> {
  await appendTransaction(
    tx,
    {
      businessDay: at.day,
      kind: "withdrawal.pay",
      ref: `withdrawal:${withdrawal.id}`,
      ...(at.memo ? { memo: at.memo } : {}),
      postings: [
        { account: ServerAccount.withdrawalsPending, asset: "cny", amount: -withdrawal.amount },
        {
          account: PlatformAccount.worldWithdrawals,
          asset: "cny",
          amount: withdrawal.amount - withdrawal.fee,
        },
        { account: PlatformAccount.feeIncome, asset: "cny", amount: withdrawal.fee },
      ],
    },
    at.now,
  );
}

/**
 * The ledger transaction giving a withdrawal's held cash (fee included) back
 * to the member, repaying any cash debt first: `withdrawal.reject` when an
 * operator rejects it, `withdrawal.fail` when its payout failed.
 */
export async function bookCashReturn(
  tx: Tx,
  withdrawal: Withdrawal,
  kind: "withdrawal.reject" | "withdrawal.fail",
  at: { day: string; now: Date; memo?: string },
): Promise<void> {
  const debt = debtAccount(withdrawal.memberId, "cash");
  const balances = await lockBalances(tx, [{ account: debt, asset: "cny" }]);
  const postings = buildEntry(balances, (b) =>
    creditMember(b, withdrawal.memberId, "cash", withdrawal.amount, ServerAccount.withdrawalsPending),
  );
  const ref = `withdrawal:${withdrawal.id}`;
  await appendTransaction(
    tx,
    { businessDay: at.day, kind, ref, ...(at.memo ? { memo: at.memo } : {}), postings },
    at.now,
  );
}

/** The withdrawal with this id, locked for the transaction. */
export async function lockWithdrawal(tx: Tx, id: string): Promise<Withdrawal> {
  const found = await tx.query<Row>(`select ${COLUMNS} from withdrawals where id = $1::bigint for update`, [
    id,
  ]);
  const row = found.rows[0];
  if (!row) fail("WITHDRAWAL_NOT_FOUND");
  return toWithdrawal(row);
}

/** Our transfer number of a withdrawal's payout: fixed by its id, so a retry can only reuse it. */
export function payoutNoOf(withdrawalId: string): string {
  return `JFW${withdrawalId.padStart(6, "0")}`;
}

/**
 * Approves or rejects a pending withdrawal. Approved without `payout`: paid
 * out by hand (ledger at once, final). Approved with `payout` (the provider and
 * the member's account there): the transfer number is stored now, the cash
 * stays held; payouts.ts sends it and books the result. Rejected: the cash
 * goes back to the member.
 */
export async function decideWithdrawal(
  tx: Tx,
  input: {
    id: string;
    approve: boolean;
    operatorId: string;
    reason: string | null;
    now: Date;
    timeZone: string;
    payout?: { provider: ProviderName; account: string } | null;
  },
): Promise<Withdrawal> {
  const withdrawal = await lockWithdrawal(tx, input.id);
  if (withdrawal.status !== "pending") fail("WITHDRAWAL_NOT_PENDING");
  const at = {
    day: businessDay(input.now, input.timeZone),
    now: input.now,
    ...(input.reason ? { memo: input.reason } : {}),
  };
  const payout = input.approve ? (input.payout ?? null) : null;
  if (!input.approve) await bookCashReturn(tx, withdrawal, "withdrawal.reject", at);
  else if (payout === null) await bookPayout(tx, withdrawal, at);
  const updated = await tx.query<Row>(
    `update withdrawals set status = $2, decided_at = $3::timestamptz, decided_by = $4::bigint, reason = $5,
       payout_provider = $6, payout_no = $7, payout_account = $8
     where id = $1::bigint returning ${COLUMNS}`,
    [
      withdrawal.id,
      input.approve ? "approved" : "rejected",
      input.now.toISOString(),
      input.operatorId,
      input.reason,
      payout?.provider ?? null,
      payout ? payoutNoOf(withdrawal.id) : null,
      payout?.account ?? null,
    ],
  );
  return toWithdrawal(updated.rows[0] as Row);
}

/** The withdrawal with this id, or null. */
export async function findWithdrawal(q: Queryable, id: string): Promise<Withdrawal | null> {
  const rows = await q.query<Row>(`select ${COLUMNS} from withdrawals where id = $1::bigint`, [id]);
  const row = rows.rows[0];
  return row ? toWithdrawal(row) : null;
}

/** Withdrawals, newest first, optionally of one member and/or in one status. */
export async function listWithdrawals(
  q: Queryable,
  options: { cursor: string | null; limit: number; memberId?: string; status?: Withdrawal["status"] },
): Promise<{ items: Withdrawal[]; nextCursor: string | null }> {
  const rows = await q.query<Row>(
    `select ${COLUMNS} from withdrawals
     where ($1::bigint is null or id < $1::bigint) and ($2::bigint is null or member_id = $2::bigint)
       and ($3::text is null or status = $3)
     order by id desc limit $4`,
    [options.cursor, options.memberId ?? null, options.status ?? null, options.limit + 1],
  );
  const items = rows.rows.slice(0, options.limit).map(toWithdrawal);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.rows.length > options.limit && last ? last.id : null };
}
