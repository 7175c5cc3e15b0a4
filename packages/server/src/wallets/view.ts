/**
 * A member's wallets as the API shows them (member and admin alike): each
 * wallet's balance and debt, and what of it is free to spend. Points promised
 * to orders still awaiting payment are reserved: they stay in the balance
 * until the order is paid (or are free again when it is cancelled), but no
 * other order may use them, so `available` = balance − reserved.
 */
import { Type } from "@fastify/type-provider-typebox";
import type { Queryable } from "../db/index.ts";
import { formatAmount } from "../http/format.ts";
import { memberWallets } from "../ledger/index.ts";
import { reservedPoints } from "../shop/index.ts";

/** One wallet in the API. */
export const WalletSchema = Type.Object({
  wallet: Type.String({ description: "cash, points, gift, equity, stable, quota, exitQuota, weight" }),
  asset: Type.String(),
  balance: Type.String({ description: "余额 / what the wallet holds (reserved included)" }),
  reserved: Type.String({
    description: "待支付订单占用 / promised to orders awaiting payment (points only; 0 elsewhere)",
  }),
  available: Type.String({ description: "可用 / balance − reserved: what a new order or transfer may use" }),
  debt: Type.String({ description: "欠款 / what is owed in this wallet (0 when none)" }),
});

/** A member's points: held, reserved by pending orders, available. */
export const PointsSummarySchema = Type.Object({
  balance: Type.String({ description: "已释放积分余额 / released points held" }),
  reserved: Type.String({ description: "待支付订单占用 / promised to orders awaiting payment" }),
  available: Type.String({ description: "可用 / balance − reserved" }),
});

/** Every wallet of a member as API text, with the points reserved by pending orders. */
export async function walletsView(q: Queryable, memberId: string) {
  const wallets = await memberWallets(q, memberId);
  const reserved = await reservedPoints(q, memberId);
  return wallets.map((w) => {
    const held = w.wallet === "points" ? reserved : 0n;
    const available = w.balance - held;
    return {
      wallet: w.wallet,
      asset: w.asset,
      balance: formatAmount(w.asset, w.balance),
      reserved: formatAmount(w.asset, held),
      available: formatAmount(w.asset, available < 0n ? 0n : available),
      debt: formatAmount(w.asset, w.debt),
    };
  });
}

/** The points summary of a member (the `points` wallet of `walletsView`). */
export async function pointsSummary(q: Queryable, memberId: string) {
  const points = (await walletsView(q, memberId)).find((w) => w.wallet === "points");
  return {
    balance: points?.balance ?? "0",
    reserved: points?.reserved ?? "0",
    available: points?.available ?? "0",
  };
}
