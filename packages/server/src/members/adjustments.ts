import { adjustWallet, debtAccount, memberAccount, parseDecimal, WALLET_ASSET } from "@jifen/engine";
import { writeAudit } from "../audit/index.ts";
import { businessDay } from "../clock/index.ts";
import type { Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import type { AuthOperator } from "../http/context.ts";
import { formatAmount } from "../http/format.ts";
import { appendTransaction, buildEntry, lockBalances } from "../ledger/index.ts";
import { findMemberById } from "./repository.ts";

/** The wallets an operator may adjust: never equity points, which the pool backs. */
export const ADJUSTABLE = ["cash", "points", "stable"] as const;
export type AdjustableWallet = (typeof ADJUSTABLE)[number];

/** Decimals an adjustment of each wallet may carry. */
export const ADJUST_PLACES: Record<AdjustableWallet, number> = { cash: 2, points: 6, stable: 6 };

/** Refuses a wallet that may not be adjusted. */
export function checkAdjustable(wallet: string): AdjustableWallet {
  if (!(ADJUSTABLE as readonly string[]).includes(wallet)) {
    fail("ADJUST_ASSET", { field: "wallet", detail: { zh: wallet, en: wallet } });
  }
  return wallet as AdjustableWallet;
}

/**
 * Adds to (positive, repaying debt first) or takes from (negative, never below
 * zero) a member's wallet: one ledger transaction of kind "adjustment" whose
 * memo carries the reason and the operator's name, plus an audit entry.
 * Returns the transaction id and the new balance.
 */
export async function adjustMember(
  tx: Tx,
  input: {
    memberId: string;
    wallet: AdjustableWallet;
    amount: bigint;
    reason: string;
    operator: AuthOperator;
    requestId: string;
    now: Date;
    timeZone: string;
  },
): Promise<{ transactionId: string; balance: bigint }> {
  const { memberId, wallet, amount, operator } = input;
  const reason = input.reason.trim();
  if (reason === "") fail("MISSING_REASON", { field: "reason" });
  if (!(await findMemberById(tx, memberId))) fail("MEMBER_NOT_FOUND");
  const asset = WALLET_ASSET[wallet];
  const account = memberAccount(memberId, wallet);
  const balances = await lockBalances(tx, [
    { account, asset },
    { account: debtAccount(memberId, wallet), asset },
  ]);
  const held = balances.balance(account, asset);
  if (held + amount < 0n) {
    fail("ADJUST_BELOW_ZERO", {
      field: "amount",
      detail: { zh: `当前余额 ${formatAmount(asset, held)}`, en: `balance is ${formatAmount(asset, held)}` },
    });
  }
  const postings = buildEntry(balances, (b) => adjustWallet(b, memberId, wallet, amount));
  const transactionId = (await appendTransaction(
    tx,
    {
      businessDay: businessDay(input.now, input.timeZone),
      kind: "adjustment",
      ref: `member:${memberId}`,
      memo: `${reason}（操作员 ${operator.username}）`,
      postings,
    },
    input.now,
  )) as string;
  await writeAudit(tx, {
    operator,
    action: "member.adjust",
    targetType: "member",
    targetId: memberId,
    detail: { wallet, amount: formatAmount(asset, amount), reason, transactionId },
    requestId: input.requestId,
    now: input.now,
  });
  const after = await tx.query<{ amount: string }>(
    "select amount from balances where account = $1 and asset = $2",
    [account, asset],
  );
  return { transactionId, balance: parseDecimal(after.rows[0]?.amount ?? "0") };
}
