/**
 * The console's one message catalogue, assembled from one file per area
 * (messages/*.ts, each with its Chinese and English words). Add an area's file
 * to AREAS; a key defined twice throws when the console loads (and fails every browser test).
 */
import { agreements } from "./messages/agreements.ts";
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
  agreements,
] as const;

type Area = (typeof AREAS)[number];
type KeysOf<A> = A extends { zh: Readonly<Record<infer K, string>> } ? K : never;
export type MessageKey = KeysOf<Area>;

function merge(language: "zh" | "en"): Record<MessageKey, string> {
  const all: Record<string, string> = {};
  for (const area of AREAS) {
    for (const [key, text] of Object.entries(area[language])) {
      if (key in all) throw new Error(`message key ${key} is defined twice`);
      all[key] = text;
    }
  }
  return all as Record<MessageKey, string>;
}

export const zhCN = merge("zh");
export const en = merge("en");
