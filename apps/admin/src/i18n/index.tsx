/**
 * The console's language (@jifen/web-kit's provider over this app's catalogue):
 * zh-CN by default, English on request; antd's own words follow through its locale.
 */
import {
  fill,
  type I18n,
  type Language,
  I18nProvider as LanguageProvider,
  useI18n as useLanguage,
} from "@jifen/web-kit";
import type { ReactNode } from "react";
import { en, type MessageKey, zhCN } from "./catalogue.ts";

export type { Language, MessageKey };
export { fill };

const CATALOGUES = { "zh-CN": zhCN, en };

export function I18nProvider({ children }: { children: ReactNode }) {
  return (
    <LanguageProvider storageKey="jifen.admin.language" catalogues={CATALOGUES}>
      {children}
    </LanguageProvider>
  );
}

export function useI18n(): I18n<MessageKey> {
  return useLanguage<MessageKey>();
}
