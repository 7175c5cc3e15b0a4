import { Type } from "@fastify/type-provider-typebox";
import type { Queryable } from "../db/index.ts";
import { Instant, Nullable } from "../http/schemas.ts";
import { maskedPhones, productNames } from "./order-admin.ts";
import type { Order } from "./orders.ts";
import { OrderSchema, orderView } from "./views.ts";

/** An order as the console lists it: the order, its product's name and the member's masked phone. */
export const AdminOrderSchema = Type.Object({
  ...OrderSchema.properties,
  memberPhone: Nullable(Type.String({ description: "会员手机号（打码）/ the member's phone, masked" })),
  productName: Nullable(Type.String({ description: "商品名称 / the product's name" })),
});

/** Orders as the console lists them (phones and product names looked up once per page). */
export async function adminOrderViews(q: Queryable, orders: readonly Order[]) {
  const phones = await maskedPhones(
    q,
    orders.map((o) => o.memberId),
  );
  const names = await productNames(
    q,
    orders.map((o) => o.productId),
  );
  return orders.map((o) => ({
    ...orderView(o),
    memberPhone: phones.get(o.memberId) ?? null,
    productName: names.get(o.productId) ?? null,
  }));
}

/** One ledger posting an order caused. */
export const EffectSchema = Type.Object({
  id: Type.String(),
  transactionId: Type.String(),
  kind: Type.String({ description: "ledger transaction kind: order.pay, equity.grant, refund.reverse, …" }),
  businessDay: Type.String(),
  createdAt: Instant,
  memberId: Nullable(Type.String({ description: "null: a platform account" })),
  memberPhone: Nullable(Type.String({ description: "masked" })),
  account: Type.String({ description: "m:<id>:<wallet>, m:<id>:debt:<wallet>, p:…, world:…" }),
  asset: Type.String({ description: "cny, points, equity, stable, quota, exitQuota, weight" }),
  amount: Type.String({ description: "signed decimal text" }),
  description: Type.String({ description: "why, in the request's language" }),
});

/** What a refund would write and change. */
export const RefundPreviewSchema = Type.Object({
  lines: Type.Array(EffectSchema, { description: "the postings the refund would write" }),
  balances: Type.Array(
    Type.Object({
      memberId: Nullable(Type.String()),
      memberPhone: Nullable(Type.String({ description: "masked" })),
      account: Type.String(),
      asset: Type.String(),
      change: Type.String({ description: "signed decimal text" }),
      before: Type.String(),
      after: Type.String({ description: "below 0 on a debt account: owed" }),
    }),
    { description: "every balance the refund would change, before and after" },
  ),
});

const EX_EFFECT = {
  id: "88213",
  transactionId: "40211",
  kind: "equity.grant",
  businessDay: "2026-01-13",
  createdAt: "2026-01-12T16:05:02.000Z",
  memberId: "1024",
  memberPhone: "138****5678",
  account: "m:1024:equity",
  asset: "equity",
  amount: "14.7",
  description: "订单 #1024 增值积分奖励",
};

/** An example page of effects. */
export const EX_EFFECTS = { items: [EX_EFFECT], nextCursor: null };

/** An example refund preview: the buyer's equity points taken back, part of it owed. */
export const EX_REFUND_PREVIEW = {
  lines: [
    { ...EX_EFFECT, id: "90001", kind: "refund.reverse", amount: "-4.7", description: "退款冲回 订单 #1024" },
    {
      ...EX_EFFECT,
      id: "90002",
      kind: "refund.reverse",
      account: "m:1024:debt:equity",
      amount: "-10",
      description: "退款冲回 订单 #1024（计入欠款）",
    },
  ],
  balances: [
    {
      memberId: "1024",
      memberPhone: "138****5678",
      account: "m:1024:equity",
      asset: "equity",
      change: "-4.7",
      before: "4.7",
      after: "0",
    },
    {
      memberId: "1024",
      memberPhone: "138****5678",
      account: "m:1024:debt:equity",
      asset: "equity",
      change: "-10",
      before: "0",
      after: "-10",
    },
  ],
};
