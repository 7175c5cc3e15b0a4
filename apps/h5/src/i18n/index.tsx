/**
 * The member site's language: zh-CN by default, English on request (remembered in
 * localStorage). `t(key, values)` reads the one message catalogue; antd-mobile's own
 * words follow through its locale.
 */
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";
import { en, type MessageKey, zhCN } from "./catalogue.ts";

export type Language = "zh-CN" | "en";
export type { MessageKey };

const STORAGE_KEY = "jifen.h5.language";
const CATALOGUES: Record<Language, Record<MessageKey, string>> = { "zh-CN": zhCN, en };

function initialLanguage(): Language {
  return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "zh-CN";
}

/** Replaces each {name} in `text` with values[name]. */
export function fill(text: string, values?: Record<string, string | number>): string {
  if (!values) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

interface I18n {
  readonly language: Language;
  setLanguage(language: Language): void;
  t(key: MessageKey, values?: Record<string, string | number>): string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem(STORAGE_KEY, next);
    document.documentElement.lang = next;
    setLanguageState(next);
  }, []);
  const value = useMemo<I18n>(
    () => ({
      language,
      setLanguage,
      t: (key, values) => fill(CATALOGUES[language][key], values),
    }),
    [language, setLanguage],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error("useI18n outside I18nProvider");
  return i18n;
}
