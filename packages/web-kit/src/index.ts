export { fill, type I18n, I18nProvider, type Language, useI18n } from "./i18n.tsx";
export { payoutFailureText } from "./payout-failure.ts";
export { createSessionStore, type SessionStore } from "./session-store.ts";
