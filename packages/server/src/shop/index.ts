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
  updateProduct,
} from "./products.ts";
export { OrderSchema, orderView, ProductSchema, productView } from "./views.ts";
export { signWebhook } from "./webhook.ts";
