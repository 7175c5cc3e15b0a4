import { type Static, Type } from "@fastify/type-provider-typebox";
import { EX_PENDING_ORDER } from "../http/examples.ts";
import { formatYuan, iso } from "../http/format.ts";
import { Instant } from "../http/schemas.ts";
import type { Checkout, CheckoutPlan } from "./checkouts.ts";
import { imageUrl } from "./images.ts";
import type { Order } from "./orders.ts";
import { OrderSchema, orderView } from "./views.ts";

/** How a member may pay: the demo method only when an operator turned it on. */
export const PaymentMethods = Type.Array(
  Type.Union([Type.Literal("wechat"), Type.Literal("alipay"), Type.Literal("demo"), Type.Literal("manual")]),
  {
    description:
      "wechat: 微信支付 / alipay: 支付宝 (when the shop configured and turned it on; then POST /checkouts/{id}/payments); demo: 演示支付 (no money moves; only when the operator turned it on); manual: the operator confirms the payment",
  },
);

/** A priced cart as the API shows it (the checkout preview). */
export const CheckoutPreviewSchema = Type.Object({
  lines: Type.Array(
    Type.Object({
      productId: Type.String(),
      name: Type.String(),
      imageUrl: Type.Union([Type.String(), Type.Null()]),
      quantity: Type.Integer(),
      price: Type.String({ description: "yuan per unit" }),
      amount: Type.String({ description: "this order's amount (yuan)" }),
      pointsCap: Type.String({ description: "the most points this order may be paid with" }),
      points: Type.String({ description: "this order's share of the points (largest remainder)" }),
      cash: Type.String(),
    }),
  ),
  amount: Type.String({ description: "the cart's amount (yuan)" }),
  ratioCap: Type.String({ description: "the most points the points pay ratio allows for the cart" }),
  pointsAvailable: Type.String({ description: "the member's released points free to spend" }),
  maxPoints: Type.String({ description: "the most points the member can pay now: min(ratioCap, available)" }),
  points: Type.String({ description: "the points asked for" }),
  cash: Type.String({ description: "what is left to pay (yuan)" }),
  paymentMethods: PaymentMethods,
});

/** A checkout preview as API text. */
export function checkoutPreviewView(
  plan: CheckoutPlan,
  methods: Static<typeof PaymentMethods>,
): Static<typeof CheckoutPreviewSchema> {
  return {
    lines: plan.lines.map((line) => ({
      productId: line.product.id,
      name: line.product.name,
      imageUrl: line.product.imageId === null ? null : imageUrl(line.product.imageId),
      quantity: line.quantity,
      price: formatYuan(line.product.price),
      amount: formatYuan(line.amount),
      pointsCap: formatYuan(line.cap),
      points: formatYuan(line.points),
      cash: formatYuan(line.amount - line.points),
    })),
    amount: formatYuan(plan.amount),
    ratioCap: formatYuan(plan.ratioCap),
    pointsAvailable: formatYuan(plan.available - (plan.available % 10_000n)),
    maxPoints: formatYuan(plan.maxPoints),
    points: formatYuan(plan.points),
    cash: formatYuan(plan.amount - plan.points),
    paymentMethods: methods,
  };
}

/** A checkout as the API shows it. */
export const CheckoutSchema = Type.Object({
  id: Type.String(),
  status: Type.Union(
    [Type.Literal("pending"), Type.Literal("paid"), Type.Literal("refunded"), Type.Literal("cancelled")],
    {
      description:
        "pending: an order awaits payment; paid: every order paid (some may be refunded since); refunded / cancelled: all of them",
    },
  ),
  provider: Type.String({ description: "manual, demo (演示支付) or webhook" }),
  amount: Type.String({ description: "yuan, the orders' amounts together" }),
  points: Type.String({ description: "points paid for the cart, split across its orders" }),
  cash: Type.String({ description: "the one payment (yuan)" }),
  createdAt: Instant,
  demoPayment: Type.Boolean({ description: "whether the demo payment method is on now" }),
  orders: Type.Array(Type.Object({ ...OrderSchema.properties, productName: Type.String() })),
});

/** The checkout's status, derived from its orders. */
export function checkoutStatus(orders: readonly Order[]): "pending" | "paid" | "refunded" | "cancelled" {
  if (orders.some((o) => o.status === "pending")) return "pending";
  if (orders.every((o) => o.status === "cancelled")) return "cancelled";
  if (orders.every((o) => o.status === "refunded")) return "refunded";
  return "paid";
}

/** A checkout as API text (product names from `names`). */
export function checkoutView(
  checkout: Checkout,
  names: ReadonlyMap<string, string>,
  demoPayment: boolean,
): Static<typeof CheckoutSchema> {
  return {
    id: checkout.id,
    status: checkoutStatus(checkout.orders),
    provider: checkout.provider,
    amount: formatYuan(checkout.amount),
    points: formatYuan(checkout.pointsPaid),
    cash: formatYuan(checkout.amount - checkout.pointsPaid),
    createdAt: iso(checkout.createdAt),
    demoPayment,
    orders: checkout.orders.map((o) => ({ ...orderView(o), productName: names.get(o.productId) ?? "" })),
  };
}

/** A checkout preview example: a package and two bags of rice, 500.00 points split by amount. */
export const EX_CHECKOUT_PREVIEW = {
  lines: [
    {
      productId: "1",
      name: "初级会员礼包",
      imageUrl: null,
      quantity: 1,
      price: "3000.00",
      amount: "3000.00",
      pointsCap: "3000.00",
      points: "468.75",
      cash: "2531.25",
    },
    {
      productId: "3",
      name: "有机大米 5kg",
      imageUrl: null,
      quantity: 2,
      price: "99.00",
      amount: "198.00",
      pointsCap: "198.00",
      points: "31.25",
      cash: "166.75",
    },
  ],
  amount: "3198.00",
  ratioCap: "3198.00",
  pointsAvailable: "1200.00",
  maxPoints: "1200.00",
  points: "500.00",
  cash: "2698.00",
  paymentMethods: ["demo", "manual"],
};

/** A checkout example: two orders awaiting the demo payment. */
export const EX_CHECKOUT = {
  id: "88",
  status: "pending",
  provider: "demo",
  amount: "3198.00",
  points: "500.00",
  cash: "2698.00",
  createdAt: "2026-01-05T03:20:00.000Z",
  demoPayment: true,
  orders: [
    {
      ...EX_PENDING_ORDER,
      id: "1025",
      productId: "1",
      quantity: 1,
      plans: ["release"],
      amount: "3000.00",
      points: "468.75",
      cash: "2531.25",
      provider: "demo",
      checkoutId: "88",
      productName: "初级会员礼包",
    },
    {
      ...EX_PENDING_ORDER,
      id: "1026",
      productId: "3",
      quantity: 2,
      plans: ["equity"],
      amount: "198.00",
      points: "31.25",
      cash: "166.75",
      provider: "demo",
      checkoutId: "88",
      productName: "有机大米 5kg",
    },
  ],
};
