// The first path segment of every server route the member site may call. The dev server
// (vite.config.ts) forwards exactly these to the API; apps/h5/test/dev-proxy.test.ts checks
// the list against the generated API types, so a new route prefix cannot be forgotten.
export const API_PREFIXES = [
  "agreements",
  "auth",
  "checkouts",
  "equity",
  "health",
  "me",
  "orders",
  "payments",
  "products",
  "ready",
  "shop",
  "webhooks",
] as const;

/** Vite proxy key: any path whose first segment is an API prefix (not /h5/...). */
export const API_PROXY_PATTERN = `^/(${API_PREFIXES.join("|")})(/|\\?|$)`;
