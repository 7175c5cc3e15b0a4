export {
  fill,
  type I18n,
  I18nProvider,
  type KeysOfAreas,
  type Language,
  type MessageArea,
  mergeAreas,
  useI18n,
} from "./i18n.tsx";
export { payoutFailureText } from "./payout-failure.ts";
export { createSessionStore, type SessionStore } from "./session-store.ts";
