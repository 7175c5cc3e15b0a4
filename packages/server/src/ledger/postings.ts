import { type BalanceSource, TxBuilder } from "@jifen/engine";

/** Platform accounts the server adds to the engine's `PlatformAccount`. */
export const ServerAccount = {
  /** Cash held for withdrawals awaiting a finance decision. */
  withdrawalsPending: "p:withdrawalsPending",
} as const;

/** Runs engine command functions on a `TxBuilder` over `balances` and returns the postings. */
export function buildEntry(
  balances: BalanceSource,
  build: (builder: TxBuilder) => void,
): TxBuilder["postings"] {
  const builder = new TxBuilder(balances);
  build(builder);
  return builder.postings;
}
