/**
 * Browser tests' harness: the real server on a fresh embedded database, listening
 * on a loopback port and serving the built web apps, and Debian's chromium driven
 * by playwright-core. Without chromium the tests skip, except under CI=true, where
 * they fail (scripts/ensure-browser.sh installs it; `npm test` runs that first).
 */
import { existsSync } from "node:fs";
import type { TestContext } from "node:test";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import type { BuildAppOptions } from "../../src/app.ts";
import { DEFAULT_WEB_APP_DIRS } from "../../src/web/index.ts";
import { openTestApp, type TestApp } from "./app.ts";
import { openTestPglite } from "./db.ts";

export const CHROMIUM = "/usr/bin/chromium";

/** A desktop screen for the console, a phone for the member site. */
export const DESKTOP = { width: 1440, height: 900 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** True when the browser tests of `webApp` can run; under CI=true a missing browser throws. */
export function browserAvailable(webApp: "admin" | "h5", t?: TestContext): boolean {
  const missing: string[] = [];
  if (!existsSync(CHROMIUM)) missing.push(CHROMIUM);
  const dir = webApp === "admin" ? DEFAULT_WEB_APP_DIRS.adminDir : DEFAULT_WEB_APP_DIRS.h5Dir;
  if (dir && !existsSync(`${dir}/index.html`)) missing.push(`${dir}/index.html (npm run build:web)`);
  if (missing.length === 0) return true;
  const why = `browser tests need ${missing.join(", ")}`;
  if (process.env.CI === "true") throw new Error(`CI=true: ${why}`);
  t?.skip(why);
  return false;
}

/** The real server on loopback with a browser pointed at it. */
export interface BrowserApp {
  readonly server: TestApp;
  readonly baseUrl: string;
  readonly browser: Browser;
  /** A fresh browser context (its own storage) and a page in it. */
  newPage(viewport?: { width: number; height: number }, locale?: string): Promise<Page>;
  close(): Promise<void>;
}

export async function openBrowserApp(options: Partial<BuildAppOptions> = {}): Promise<BrowserApp> {
  const server = await openTestApp({ name: "pglite", open: openTestPglite }, options);
  const address = await server.app.listen({ port: 0, host: "127.0.0.1" });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  const contexts: BrowserContext[] = [];
  return {
    server,
    baseUrl: address,
    browser,
    async newPage(viewport = DESKTOP, locale = "zh-CN") {
      const context = await browser.newContext({
        viewport,
        locale,
        baseURL: address,
        deviceScaleFactor: 1,
      });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      return page;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await server.cleanup();
    },
  };
}
