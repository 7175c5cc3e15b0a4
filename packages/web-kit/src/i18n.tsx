/**
 * A web app's language: zh-CN by default, English on request (remembered in
 * localStorage under `storageKey`). `t(key, values)` reads the app's one message
 * catalogue; the component library's own words follow through its locale.
 */
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";

export type Language = "zh-CN" | "en";

/** Replaces each {name} in `text` with values[name]. */
export function fill(text: string, values?: Record<string, string | number>): string {
  if (!values) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

export interface I18n<K extends string> {
  readonly language: Language;
  setLanguage(language: Language): void;
  t(key: K, values?: Record<string, string | number>): string;
}

const I18nContext = createContext<I18n<string> | null>(null);

/** One app's language over its catalogues, remembered under `storageKey`. */
export function I18nProvider<K extends string>(props: {
  storageKey: string;
  catalogues: Record<Language, Record<K, string>>;
  children: ReactNode;
}) {
  const { storageKey, catalogues, children } = props;
  const [language, setLanguageState] = useState<Language>(() =>
    localStorage.getItem(storageKey) === "en" ? "en" : "zh-CN",
  );
  const setLanguage = useCallback(
    (next: Language) => {
      localStorage.setItem(storageKey, next);
      document.documentElement.lang = next;
      setLanguageState(next);
    },
    [storageKey],
  );
  const value = useMemo<I18n<string>>(
    () => ({
      language,
      setLanguage,
      t: (key, values) => fill(catalogues[language][key as K], values),
    }),
    [language, setLanguage, catalogues],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The language of the nearest I18nProvider, with `t` over the app's keys `K`. */
export function useI18n<K extends string>(): I18n<K> {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error("useI18n outside I18nProvider");
  return i18n;
}
