export { ADJUSTABLE, type AdjustableWallet, adjustMember, checkAdjustable } from "./adjustments.ts";
export { findOperatorByUsername, insertOperator, listOperators, type Operator } from "./operators.ts";
export { adminRoutes } from "./routes.ts";
