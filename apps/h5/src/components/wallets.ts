import type { MessageKey } from "../i18n/index.tsx";

/** The wallets a member has, in the order the member site shows them, with their names. */
export const WALLET_NAMES: Readonly<Record<string, MessageKey>> = {
  cash: "wallet.cash",
  points: "wallet.points",
  gift: "wallet.gift",
  equity: "wallet.equity",
  stable: "wallet.stable",
  quota: "wallet.quota",
  exitQuota: "wallet.exitQuota",
  weight: "wallet.weight",
};

/** The name of a wallet (or of a debt account, debt:<wallet>). */
export function walletName(t: (key: MessageKey) => string, wallet: string): string {
  const debt = wallet.startsWith("debt:");
  const key = WALLET_NAMES[debt ? wallet.slice(5) : wallet];
  const name = key ? t(key) : wallet;
  return debt ? `${name}${t("wallet.debtSuffix")}` : name;
}

/** Whether a decimal string is above zero (no float: its digits are read as text). */
export function isPositive(amount: string): boolean {
  return !amount.startsWith("-") && /[1-9]/.test(amount);
}
