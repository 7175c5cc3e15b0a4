import { zhCN } from "../i18n/catalogue.ts";
import type { MessageKey } from "../i18n/index.tsx";

/**
 * Star levels and grades are data: operators name them in the parameters, and the
 * member site shows those names as they are. Only the default names (一星 … 十星,
 * 初级/中级/高级会员) have a rendering in the catalogue ("1-star" by the level's
 * number, "Junior member"), so an English page is not half Chinese; a name an
 * operator gave stays as given.
 */
type T = (key: MessageKey, values?: Record<string, string | number>) => string;

const NUMERALS = "一二三四五六七八九十";
const GRADE_KEYS = ["level.grade.junior", "level.grade.middle", "level.grade.senior"] as const;

/** A star level's name in the page's language ("一星" → "1-star" in English). */
export function starName(name: string, t: T): string {
  const match = /^([一二三四五六七八九十])星$/.exec(name);
  return match ? t("level.star", { n: NUMERALS.indexOf(match[1] as string) + 1, name }) : name;
}

/** A grade's name in the page's language ("初级会员" → "Junior member" in English). */
export function gradeName(name: string, t: T): string {
  const key = GRADE_KEYS.find((k) => zhCN[k] === name);
  return key ? t(key) : name;
}
