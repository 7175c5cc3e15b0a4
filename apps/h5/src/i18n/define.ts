/** One area's words in both languages; the English must name every Chinese key. */
export interface Messages<K extends string> {
  readonly zh: Readonly<Record<K, string>>;
  readonly en: Readonly<Record<K, string>>;
}

export function defineMessages<const Z extends Record<string, string>>(
  zh: Z,
  en: Record<keyof Z, string>,
): Messages<keyof Z & string> {
  return { zh, en };
}
