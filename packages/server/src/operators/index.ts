/** Operators: accounts, roles, sign-in, the SMS outbox and the audit log, with their /admin routes. */

export {
  findOperatorByUsername,
  insertOperator,
  listOperators,
  lockActiveAdmins,
  lockOperator,
  type Operator,
  updateOperator,
} from "./repository.ts";
