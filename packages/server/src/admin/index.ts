export { ADJUSTABLE, type AdjustableWallet, adjustMember, checkAdjustable } from "./adjustments.ts";
export {
  findOperatorByUsername,
  insertOperator,
  listOperators,
  lockActiveAdmins,
  lockOperator,
  type Operator,
  updateOperator,
} from "./operators.ts";
export { adminRoutes } from "./routes.ts";
