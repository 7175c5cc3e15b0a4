/**
 * Withdrawals paid out through a provider (WeChat Pay 商家转账, Alipay
 * transfer). The approval stored the transfer number (withdrawals.ts); this
 * module sends it and books what the provider says, so a retried approval, a
 * crash between steps or a restart never pays twice:
 *
 * - Before sending, the provider is asked about the number: only a transfer
 *   it has never seen (`not_found`) is sent, always under the same number
 *   (which the provider also refuses to pay twice).
 * - approved → paying when the provider has it; paying → paid (withdrawal.pay:
 *   held cash → outside, fee → fee income) or failed (withdrawal.fail: held
 *   cash back to the member). A final state is booked once (row lock + status).
 * - `followPayouts` runs periodically and finishes every payout not final.
 */
import { businessDay } from "../clock/index.ts";
import type { Db } from "../db/index.ts";
import {
  findMemberAccount,
  type PaymentLog,
  type PaymentProvider,
  PaymentProviderError,
  type PaymentRegistry,
  type PayoutReport,
} from "../payments/index.ts";
import {
  bookCashReturn,
  bookPayout,
  COLUMNS,
  lockWithdrawal,
  toWithdrawal,
  type Withdrawal,
  type WithdrawalRow,
} from "./withdrawals.ts";

/** What payouts need. */
export interface PayoutServices {
  readonly db: Db;
  readonly registry: PaymentRegistry;
  readonly now: () => Date;
  readonly timeZone: string;
  readonly log: PaymentLog;
}

/**
 * Books a provider's report about a withdrawal's payout (answer, query or
 * notification). Returns the withdrawal as it stands; an unknown number or a
 * withdrawal already final changes nothing.
 */
export async function applyPayoutReport(
  svc: PayoutServices,
  report: PayoutReport,
): Promise<Withdrawal | null> {
  return svc.db.transaction(async (tx) => {
    const found = await tx.query<{ id: string }>("select id from withdrawals where payout_no = $1", [
      report.payoutNo,
    ]);
    const id = found.rows[0]?.id;
    if (id === undefined) return null;
    const withdrawal = await lockWithdrawal(tx, String(id));
    if (withdrawal.status !== "approved" && withdrawal.status !== "paying") return withdrawal;
    if (report.status === "not_found") return withdrawal;
    const now = svc.now();
    const at = { day: businessDay(now, svc.timeZone), now };
    if (report.status === "paid") await bookPayout(tx, withdrawal, at);
    if (report.status === "failed")
      await bookCashReturn(tx, withdrawal, "withdrawal.fail", { ...at, memo: report.failure ?? "" });
    const final = report.status === "paid" || report.status === "failed";
    const rows = await tx.query<WithdrawalRow>(
      `update withdrawals set status = $2, payout_provider_id = coalesce($3, payout_provider_id),
         payout_failure = $4, payout_action = $5, payout_finished_at = $6::timestamptz
       where id = $1::bigint returning ${COLUMNS}`,
      [
        withdrawal.id,
        report.status,
        report.providerPayoutId,
        report.failure ?? null,
        report.memberAction ?? null,
        final ? now.toISOString() : null,
      ],
    );
    return toWithdrawal(rows.rows[0] as WithdrawalRow);
  });
}

/**
 * Sends (or resumes) the payout of an approved withdrawal: asks the provider
 * about its number first and sends it only when the provider has never seen
 * it, then books the answer. A provider that cannot be reached leaves the
 * withdrawal as it was; the follower tries again.
 */
export async function sendPayout(svc: PayoutServices, withdrawal: Withdrawal): Promise<Withdrawal> {
  const payout = withdrawal.payout;
  if (payout === null || (withdrawal.status !== "approved" && withdrawal.status !== "paying"))
    return withdrawal;
  const provider = await svc.registry.provider(svc.db, payout.provider, "any");
  if (!provider) return withdrawal;
  try {
    const holder = await findMemberAccount(svc.db, withdrawal.memberId, payout.provider);
    const accountName = holder?.account === payout.account ? (holder.accountName ?? undefined) : undefined;
    const report = await resumeTransfer(provider, withdrawal, accountName);
    return (await applyPayoutReport(svc, report)) ?? withdrawal;
  } catch (error) {
    if (error instanceof PaymentProviderError && !error.uncertain && withdrawal.status === "approved") {
      // A definite refusal of a transfer that was never accepted: final failure, the cash goes back.
      const failed = {
        kind: "payout",
        payoutNo: payout.payoutNo,
        providerPayoutId: null,
        status: "failed",
        failure: `${error.providerCode}: ${error.message}`,
      } as const;
      return (await applyPayoutReport(svc, failed)) ?? withdrawal;
    }
    svc.log.warn(
      { withdrawal: withdrawal.id, error: error instanceof Error ? error.message : String(error) },
      "payout not sent",
    );
    return withdrawal;
  }
}

/** Asks about the transfer, sends it if the provider never saw it; `accountName` for a provider that checks it (Alipay). */
async function resumeTransfer(
  provider: PaymentProvider,
  withdrawal: Withdrawal,
  accountName: string | undefined,
): Promise<PayoutReport> {
  const payout = withdrawal.payout as NonNullable<Withdrawal["payout"]>;
  const known = await provider.queryPayout(payout.payoutNo);
  if (known.status !== "not_found") return known;
  return provider.payout({
    payoutNo: payout.payoutNo,
    amountMicro: withdrawal.amount - withdrawal.fee,
    account: payout.account,
    ...(accountName !== undefined ? { accountName } : {}),
    remark: `提现 #${withdrawal.id}`,
  });
}

/** Every payout not yet final, oldest first: sent or queried, and booked when final. */
export async function followPayouts(svc: PayoutServices, limit = 100): Promise<number> {
  const rows = await svc.db.query<WithdrawalRow>(
    `select ${COLUMNS} from withdrawals where status in ('approved', 'paying') and payout_no is not null
     order by id limit $1`,
    [limit],
  );
  let moved = 0;
  for (const row of rows.rows) {
    const before = toWithdrawal(row);
    const after = await sendPayout(svc, before);
    if (after.status !== before.status) moved++;
  }
  return moved;
}
