export { type CartItem, findCheckout, placeCheckout, planCheckout } from "./checkouts.ts";
export {
  checkRefundReason,
  createOrder,
  findOrder,
  listOrders,
  lockOrder,
  lockOrderByExternalId,
  markCancelled,
  markPaid,
  markRefunded,
  type Order,
  type PaymentDeps,
  type PaymentProviderName,
  placeOrder,
  reservedPoints,
} from "./orders.ts";
export {
  checkPlans,
  findProduct,
  insertProduct,
  listProducts,
  PLANS,
  type Plan,
  type Product,
  type ProductInput,
  returnStock,
  takeStock,
  updateProduct,
} from "./products.ts";
export { demoPaymentOn, setDemoPayment } from "./shop-settings.ts";
export { OrderSchema, orderView, ProductSchema, productView } from "./views.ts";
export { signWebhook } from "./webhook-signature.ts";
