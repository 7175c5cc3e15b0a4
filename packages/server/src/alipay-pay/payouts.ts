/**
 * Withdrawals paid out through Alipay (alipay.fund.trans.uni.transfer to the
 * member's Alipay account). The withdrawal stays pending (its cash held)
 * while the payout is `sending`; the payout number `W<withdrawal id>` is
 * written before the first call, so after a crash or a lost answer the same
 * payout is asked about (and, if Alipay never got it, sent) again: one
 * payout per withdrawal, never two. Success approves the withdrawal (the
 * money leaves, the fee is earned); a refusal rejects it, which gives the held
 * cash back to the member in a ledger transaction.
 */
import { formatDecimal, parseDecimal } from "@jifen/engine";
import type { Db, Queryable } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import type { AlipayPayee, AlipayProvider, PayoutOutcome } from "../payments/alipay/index.ts";
import { decideWithdrawal } from "../wallets/index.ts";

/** The member's Alipay account, as they gave it. */
export async function payoutAccount(q: Queryable, memberId: string): Promise<AlipayPayee | null> {
  const rows = await q.query<{
    identity: string;
    identity_type: AlipayPayee["identityType"];
    real_name: string | null;
  }>(
    "select identity, identity_type, real_name from member_payout_accounts where member_id = $1::bigint and provider = 'alipay'",
    [memberId],
  );
  const row = rows.rows[0];
  if (!row) return null;
  return {
    identity: row.identity,
    identityType: row.identity_type,
    ...(row.real_name ? { name: row.real_name } : {}),
  };
}

/** Stores (or replaces) a member's Alipay account. */
export async function setPayoutAccount(
  q: Queryable,
  memberId: string,
  payee: AlipayPayee,
  now: Date,
): Promise<void> {
  await q.query(
    `insert into member_payout_accounts (member_id, provider, identity, identity_type, real_name, updated_at)
     values ($1::bigint, 'alipay', $2, $3, $4, $5::timestamptz)
     on conflict (member_id, provider) do update set identity = excluded.identity,
       identity_type = excluded.identity_type, real_name = excluded.real_name, updated_at = excluded.updated_at`,
    [memberId, payee.identity, payee.identityType, payee.name ?? null, now.toISOString()],
  );
}

interface PayoutRow {
  payout_no: string;
  amount: string;
  status: "sending" | "succeeded" | "failed";
  member_id: string;
}

export interface PayoutInput {
  readonly withdrawalId: string;
  readonly operatorId: string;
  readonly now: Date;
  readonly timeZone: string;
}

/** Records the payout (once) for a pending withdrawal; returns it with the member's account. */
async function recordPayout(db: Db, input: PayoutInput): Promise<{ row: PayoutRow; payee: AlipayPayee }> {
  return db.transaction(async (tx) => {
    const found = await tx.query<{ member_id: string; amount: string; fee: string; status: string }>(
      "select member_id, amount, fee, status from withdrawals where id = $1::bigint for update",
      [input.withdrawalId],
    );
    const w = found.rows[0];
    if (!w) fail("WITHDRAWAL_NOT_FOUND");
    const payee = await payoutAccount(tx, w.member_id);
    if (!payee) fail("PAYOUT_ACCOUNT_MISSING");
    if (w.status === "pending") {
      const amount = formatDecimal(parseDecimal(w.amount) - parseDecimal(w.fee));
      await tx.query(
        `insert into withdrawal_payouts (withdrawal_id, provider, payout_no, amount, status, created_at)
         values ($1::bigint, 'alipay', $2, $3::numeric, 'sending', $4::timestamptz) on conflict (withdrawal_id) do nothing`,
        [input.withdrawalId, `W${input.withdrawalId}`, amount, input.now.toISOString()],
      );
    }
    const rows = await tx.query<PayoutRow>(
      `select p.payout_no, p.amount, p.status, w.member_id from withdrawal_payouts p
       join withdrawals w on w.id = p.withdrawal_id where p.withdrawal_id = $1::bigint`,
      [input.withdrawalId],
    );
    const row = rows.rows[0];
    if (!row) fail("WITHDRAWAL_NOT_PENDING");
    return { row, payee };
  });
}

/** Records a final outcome: success approves the withdrawal, failure rejects it (the cash goes back). */
async function finish(db: Db, input: PayoutInput, outcome: PayoutOutcome): Promise<void> {
  if (outcome.status !== "succeeded" && outcome.status !== "failed") return;
  await db.transaction(async (tx) => {
    const rows = await tx.query<{ status: string }>(
      "select status from withdrawal_payouts where withdrawal_id = $1::bigint for update",
      [input.withdrawalId],
    );
    if (rows.rows[0]?.status !== "sending") return;
    const succeeded = outcome.status === "succeeded";
    await decideWithdrawal(tx, {
      id: input.withdrawalId,
      approve: succeeded,
      operatorId: input.operatorId,
      reason: succeeded
        ? null
        : `支付宝打款失败，退回余额 / Alipay payout failed: ${outcome.reason}`.slice(0, 200),
      now: input.now,
      timeZone: input.timeZone,
    });
    await tx.query(
      `update withdrawal_payouts set status = $2, provider_ref = $3, failure = $4, finished_at = $5::timestamptz
       where withdrawal_id = $1::bigint`,
      [
        input.withdrawalId,
        outcome.status,
        succeeded ? outcome.providerRef : null,
        succeeded ? null : outcome.reason,
        input.now.toISOString(),
      ],
    );
  });
}

/**
 * Pays a pending withdrawal out (or follows a payout already sent): asks
 * Alipay about the payout number first and sends it only when Alipay never
 * received it. Returns the payout's status after the call.
 */
export async function payOutWithdrawal(
  db: Db,
  provider: AlipayProvider,
  input: PayoutInput,
): Promise<"sending" | "succeeded" | "failed"> {
  const { row, payee } = await recordPayout(db, input);
  if (row.status !== "sending") return row.status;
  let outcome = await provider.queryPayout(row.payout_no);
  if (outcome.status === "absent") {
    outcome = await provider.payout({
      payoutNo: row.payout_no,
      amountMicro: parseDecimal(row.amount),
      payee,
      title: "积分商城提现 / withdrawal",
    });
  }
  await finish(db, input, outcome);
  return outcome.status === "succeeded" || outcome.status === "failed" ? outcome.status : "sending";
}
