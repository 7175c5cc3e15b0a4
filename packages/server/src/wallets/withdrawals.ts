/**
 * Cash withdrawals. A request holds the amount at once (member cash →
 * p:withdrawalsPending) under a row lock on the member's cash balance, so
 * parallel requests cannot overdraw (the balances sign check backs this up).
 * Finance approves (pending → outside, fee → fee income) or rejects (pending →
 * back to the member's cash, repaying any cash debt first).
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

/** A withdrawal as stored. */
export interface Withdrawal {
  readonly id: string;
  readonly memberId: string;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly feeRate: bigint;
  readonly status: "pending" | "approved" | "rejected";
  readonly businessDay: string;
  readonly requestedAt: Date;
  readonly decidedAt: Date | null;
  readonly decidedBy: string | null;
  readonly reason: string | null;
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
}

const COLUMNS =
  "id, member_id, amount, fee, fee_rate, status, business_day, requested_at, decided_at, decided_by, reason";

function toWithdrawal(r: Row): Withdrawal {
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

/** Approves (pays out) or rejects (returns the cash of) a pending withdrawal. */
export async function decideWithdrawal(
  tx: Tx,
  input: {
    id: string;
    approve: boolean;
    operatorId: string;
    reason: string | null;
    now: Date;
    timeZone: string;
  },
): Promise<Withdrawal> {
  const found = await tx.query<Row>(`select ${COLUMNS} from withdrawals where id = $1::bigint for update`, [
    input.id,
  ]);
  const row = found.rows[0];
  if (!row) fail("WITHDRAWAL_NOT_FOUND");
  const withdrawal = toWithdrawal(row);
  if (withdrawal.status !== "pending") fail("WITHDRAWAL_NOT_PENDING");
  const day = businessDay(input.now, input.timeZone);
  const ref = `withdrawal:${withdrawal.id}`;
  const memo = input.reason ?? undefined;
  if (input.approve) {
    await appendTransaction(
      tx,
      {
        businessDay: day,
        kind: "withdrawal.pay",
        ref,
        ...(memo ? { memo } : {}),
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
      input.now,
    );
  } else {
    const debt = debtAccount(withdrawal.memberId, "cash");
    const balances = await lockBalances(tx, [{ account: debt, asset: "cny" }]);
    const postings = buildEntry(balances, (b) =>
      creditMember(b, withdrawal.memberId, "cash", withdrawal.amount, ServerAccount.withdrawalsPending),
    );
    await appendTransaction(
      tx,
      { businessDay: day, kind: "withdrawal.reject", ref, ...(memo ? { memo } : {}), postings },
      input.now,
    );
  }
  const updated = await tx.query<Row>(
    `update withdrawals set status = $2, decided_at = $3::timestamptz, decided_by = $4::bigint, reason = $5
     where id = $1::bigint returning ${COLUMNS}`,
    [
      withdrawal.id,
      input.approve ? "approved" : "rejected",
      input.now.toISOString(),
      input.operatorId,
      input.reason,
    ],
  );
  return toWithdrawal(updated.rows[0] as Row);
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
