/**
 * The member site's one message catalogue, assembled from one file per area
 * (messages/*.ts, each with its Chinese and English words). Add an area's file
 * to AREAS; a key defined twice throws when the site loads (and fails every browser test).
 */
import { accounts } from "./messages/accounts.ts";
import { auth } from "./messages/auth.ts";
import { common } from "./messages/common.ts";
import { equity } from "./messages/equity.ts";
import { me } from "./messages/me.ts";
import { records } from "./messages/records.ts";
import { shop } from "./messages/shop.ts";
import { team } from "./messages/team.ts";
import { withdraw } from "./messages/withdraw.ts";

const AREAS = [common, auth, me, records, team, equity, withdraw, accounts, shop] as const;

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
