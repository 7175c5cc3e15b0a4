/**
 * The member site's one message catalogue, assembled from one file per area
 * (messages/*.ts, each with its Chinese and English words). Add an area's file
 * to AREAS; a key defined twice throws when the site loads (and fails every browser test).
 */
import { type KeysOfAreas, mergeAreas } from "@jifen/web-kit";
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

export type MessageKey = KeysOfAreas<typeof AREAS>;

export const zhCN = mergeAreas(AREAS, "zh");
export const en = mergeAreas(AREAS, "en");
