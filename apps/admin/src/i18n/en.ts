import type { MessageKey } from "./zh-CN.ts";

/** The console's words in English (every key of the Chinese catalogue). */
export const en: Record<MessageKey, string> = {
  "app.title": "Jifen Admin",
  "app.language": "中文",
  "signIn.title": "Operator sign-in",
  "signIn.subtitle": "Points, rebates and dividends",
  "signIn.username": "Username",
  "signIn.password": "Password",
  "signIn.submit": "Sign in",
  "signIn.usernameRequired": "Enter your username.",
  "signIn.passwordRequired": "Enter your password.",
  "layout.signOut": "Sign out",
  "role.admin": "Administrator",
  "role.finance": "Finance",
  "role.support": "Support",
  "menu.dashboard": "Dashboard",
  "page.loading": "Loading…",
  "page.notFound": "This page does not exist.",
  "dashboard.price": "Equity price",
  "dashboard.pool": "Pool",
};
