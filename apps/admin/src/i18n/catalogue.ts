/**
 * The console's one message catalogue, assembled from one file per area
 * (messages/*.ts, each with its Chinese and English words). Add an area's file
 * to AREAS; a key defined twice throws when the console loads (and fails every browser test).
 */
import { type KeysOfAreas, mergeAreas } from "@jifen/web-kit";
import { audit } from "./messages/audit.ts";
import { backups } from "./messages/backups.ts";
import { common } from "./messages/common.ts";
import { compliance } from "./messages/compliance.ts";
import { dashboard } from "./messages/dashboard.ts";
import { liabilities } from "./messages/liabilities.ts";
import { members } from "./messages/members.ts";
import { operators } from "./messages/operators.ts";
import { orders } from "./messages/orders.ts";
import { parameters } from "./messages/parameters.ts";
import { payments } from "./messages/payments.ts";
import { products } from "./messages/products.ts";
import { settlements } from "./messages/settlements.ts";
import { simulation } from "./messages/simulation.ts";
import { withdrawals } from "./messages/withdrawals.ts";

const AREAS = [
  common,
  dashboard,
  members,
  orders,
  products,
  withdrawals,
  settlements,
  parameters,
  payments,
  liabilities,
  compliance,
  simulation,
  operators,
  audit,
  backups,
] as const;

export type MessageKey = KeysOfAreas<typeof AREAS>;

export const zhCN = mergeAreas(AREAS, "zh");
export const en = mergeAreas(AREAS, "en");
