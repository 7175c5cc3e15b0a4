export { type HookContext, NO_REWARD_HOOKS, type PaidOrder, type RewardHooks } from "./hooks.ts";
export { orderOperatorRoutes } from "./order-operator-routes.ts";
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
export { productOperatorRoutes } from "./product-operator-routes.ts";
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
export { shopRoutes } from "./routes.ts";
export { OrderSchema, orderView, ProductSchema, productView } from "./views.ts";
export { signWebhook } from "./webhook.ts";
