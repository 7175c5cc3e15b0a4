import { Type } from "@fastify/type-provider-typebox";
import { formatYuan, iso } from "../http/format.ts";
import { Instant, Nullable } from "../http/schemas.ts";
import { imageUrl } from "./images.ts";
import type { Order } from "./orders.ts";
import type { Product } from "./products.ts";

/** A product as the API shows it. */
export const ProductSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  price: Type.String({ description: "yuan" }),
  plans: Type.Array(Type.String(), { description: "equity, cycle, release" }),
  membershipPackage: Type.Boolean({ description: "会员礼包" }),
  active: Type.Boolean(),
  stock: Nullable(Type.Integer({ minimum: 0, description: "units left to sell; null = unlimited" })),
  soldOut: Type.Boolean({ description: "售罄 / no unit left (stock 0)" }),
  imageUrl: Nullable(Type.String({ description: "the product image (hashed URL, cached for good)" })),
});

/** A product as API text. */
export function productView(p: Product) {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    price: formatYuan(p.price),
    plans: p.plans,
    membershipPackage: p.membershipPackage,
    active: p.active,
    stock: p.stock,
    soldOut: p.stock === 0,
    imageUrl: p.imageId === null ? null : imageUrl(p.imageId),
  };
}

/** An order as the API shows it. */
export const OrderSchema = Type.Object({
  id: Type.String(),
  memberId: Type.String(),
  productId: Type.String(),
  quantity: Type.Integer(),
  plans: Type.Array(Type.String()),
  amount: Type.String({ description: "order amount (yuan), cash + points" }),
  points: Type.String({ description: "part paid with released points" }),
  cash: Type.String({ description: "part paid with money" }),
  status: Type.String({ description: "pending, paid, refunded, cancelled" }),
  provider: Type.String({ description: "manual, webhook or demo (演示支付)" }),
  externalId: Nullable(Type.String()),
  createdAt: Instant,
  paidAt: Nullable(Instant),
  paidDay: Nullable(Type.String()),
  eligibleDay: Nullable(Type.String({ description: "rewards happen from this business day" })),
  refundedAt: Nullable(Instant),
  refundReason: Nullable(Type.String({ description: "退款原因 / why the order was refunded" })),
  checkoutId: Nullable(Type.String({ description: "the checkout (cart) it was paid in with other orders" })),
});

/** An order as API text. */
export function orderView(o: Order) {
  return {
    id: o.id,
    memberId: o.memberId,
    productId: o.productId,
    quantity: o.quantity,
    plans: o.plans,
    amount: formatYuan(o.amount),
    points: formatYuan(o.pointsPaid),
    cash: formatYuan(o.amount - o.pointsPaid),
    status: o.status,
    provider: o.provider,
    externalId: o.externalId,
    createdAt: iso(o.createdAt),
    paidAt: o.paidAt ? iso(o.paidAt) : null,
    paidDay: o.paidDay,
    eligibleDay: o.eligibleDay,
    refundedAt: o.refundedAt ? iso(o.refundedAt) : null,
    refundReason: o.refundReason,
    checkoutId: o.checkoutId,
  };
}
