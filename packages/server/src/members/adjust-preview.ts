/**
 * The dry run of an operator's adjustment (issue 10): the real adjustment —
 * the same checks, the same engine command, the same debt repaid first — in a
 * transaction that is then rolled back, so the console's confirmation shows
 * the balance and debt after exactly as the server will compute them, and
 * nothing (ledger, balances, audit log) is written.
 */
import type { Db } from "../db/index.ts";
import type { AuthOperator } from "../http/context.ts";
import { walletsView } from "../wallets/index.ts";
import { type AdjustableWallet, adjustMember } from "./adjustments.ts";

const ROLLBACK = Symbol("adjustment preview: roll back");

/** The wallet's figures before and after the adjustment, as API text. */
export interface AdjustmentPreview {
  readonly wallet: AdjustableWallet;
  readonly amount: string;
  readonly balanceBefore: string;
  readonly balanceAfter: string;
  readonly debtBefore: string;
  readonly debtAfter: string;
}

/** Runs the adjustment and rolls it back; refuses exactly as the adjustment would. */
export async function previewAdjustment(
  db: Db,
  input: {
    memberId: string;
    wallet: AdjustableWallet;
    amount: bigint;
    amountText: string;
    reason: string;
    operator: AuthOperator;
    requestId: string;
    now: Date;
    timeZone: string;
  },
): Promise<AdjustmentPreview> {
  let preview: AdjustmentPreview | null = null;
  try {
    await db.transaction(async (tx) => {
      const pick = async () => (await walletsView(tx, input.memberId)).find((w) => w.wallet === input.wallet);
      const before = await pick();
      await adjustMember(tx, input);
      const after = await pick();
      preview = {
        wallet: input.wallet,
        amount: input.amountText,
        balanceBefore: before?.balance ?? "0",
        balanceAfter: after?.balance ?? "0",
        debtBefore: before?.debt ?? "0",
        debtAfter: after?.debt ?? "0",
      };
      throw ROLLBACK;
    });
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  }
  if (!preview) throw new Error("adjustment preview produced nothing");
  return preview;
}
