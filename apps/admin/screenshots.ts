/**
 * The console's screenshots (docs/screenshots/admin/<name>.png, 1440×900, zh-CN),
 * run by `npm run screenshots`: the real server on a fresh embedded database,
 * a small shop put in through the API (test/support/demo-data.ts), a sign-in
 * through the page, then every page of the registry (`#/<key>`, whichever pages
 * it lists) and the detail views of DETAILS. SCREENSHOTS_ONLY=name,name takes only those
 * pictures (e.g. SCREENSHOTS_ONLY=compliance,parameters-compliance).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import * as React from "react";
import { ADMIN } from "../../packages/server/test/support/app.ts";
import { browserAvailable, openBrowserApp } from "../../packages/server/test/support/browser.ts";
import { paymentScreenshots } from "./screenshots/payments.ts";
import { productScreenshots } from "./screenshots/products.ts";
import { openRoute, signIn, syncClock } from "./test/support/console.ts";
import { type DemoShop, fillDemoShop } from "./test/support/demo-data.ts";

const OUT = join(import.meta.dirname, "..", "..", "docs", "screenshots", "admin");

/** A view inside a page: its route and what to do there before the picture. */
interface Detail {
  readonly name: string;
  /** A dialog's picture is the screen (its mask covers the screen, not the whole page). */
  readonly dialog?: boolean;
  route(shop: DemoShop): string;
  act?(page: Page, shop: DemoShop): Promise<void>;
}

/** Detail views worth a picture of their own (add yours here). */
const DETAILS: readonly Detail[] = [
  { name: "settlements-report", route: (shop) => `settlements/${shop.settledDays.at(-1)}` },
  {
    name: "settlements-dry-run",
    dialog: true,
    route: () => "settlements",
    act: async (page) => {
      await page.getByRole("button", { name: /试算当前营业日/ }).click();
      await page.getByTestId("settlement-report").waitFor();
    },
  },
  {
    name: "parameters-confirm",
    dialog: true,
    route: () => "parameters",
    act: async (page) => {
      await page.getByRole("tab", { name: "消费增值" }).click();
      const form = page.getByTestId("form-equity");
      await form.locator("#equity_contributionRate").fill("0.35");
      await form.locator("#equity_referrerShare").fill("0.05");
      await form.getByRole("button", { name: /保存修改/ }).click();
      await page.getByTestId("change-list").last().waitFor();
    },
  },
  {
    name: "parameters-compliance",
    dialog: true,
    route: () => "parameters",
    act: async (page) => {
      await page.getByRole("tab", { name: "积分通证" }).click();
      const form = page.getByTestId("form-release");
      await form.locator("#release_peerRate").fill("0");
      await form.getByRole("button", { name: "查看草稿的合规报告" }).click();
      await page.getByRole("dialog").getByTestId("compliance-report").waitFor();
    },
  },
  {
    name: "parameters-simulation",
    dialog: true,
    route: () => "parameters",
    act: async (page) => {
      await page.getByRole("tab", { name: "积分通证" }).click();
      const form = page.getByTestId("form-release");
      await form.locator("#release_dailyRate").fill("0.006");
      await form.getByRole("button", { name: "模拟草稿" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByRole("button", { name: "运行模拟" }).click();
      await dialog.getByTestId("simulation-chart").locator("canvas").first().waitFor({ timeout: 120_000 });
      // The purchase mix above, both curves and the summaries below: the dialog scrolled to its result.
      await dialog.getByTestId("simulation-result").scrollIntoViewIfNeeded();
      await page.mouse.move(0, 0);
    },
  },
  {
    name: "parameters-field-error",
    route: () => "parameters",
    act: async (page) => {
      await page.getByRole("tab", { name: "积分通证" }).click();
      const form = page.getByTestId("form-release");
      await form.locator("#release_pointsPayRatio").fill("1.5");
      await form.getByRole("button", { name: /保存修改/ }).click();
      await page.getByTestId("params-refusal").waitFor();
    },
  },
];

/** What a registry page shows before its picture, when its first view would be empty. */
const PAGE_ACTIONS: Readonly<Record<string, (page: Page) => Promise<void>>> = {
  // 数据备份 with one backup taken now, written, read back and checked.
  backups: async (page) => {
    await page.getByTestId("backup-now").click();
    await page.getByTestId("backups-table").getByText("已校验").waitFor({ timeout: 60_000 });
  },
};

/** The registry's pages (a .tsx module: its JSX needs React in scope under this script's compiler settings). */
async function registryPages(): Promise<readonly { key: string }[]> {
  (globalThis as { React?: unknown }).React = React;
  const registry = "./src/pages/registry.tsx";
  const module = (await import(registry)) as { PAGES: readonly { key: string }[] };
  return module.PAGES;
}

/** The pictures SCREENSHOTS_ONLY names (all when it is unset). */
const ONLY = (process.env.SCREENSHOTS_ONLY ?? "").split(",").filter((name) => name !== "");
const wanted = (name: string) => ONLY.length === 0 || ONLY.includes(name);

async function main(): Promise<void> {
  if (!browserAvailable("admin")) throw new Error("screenshots need chromium and the built console");
  mkdirSync(OUT, { recursive: true });
  const backupDir = mkdtempSync(join(tmpdir(), "jifen-screenshots-backups-"));
  const web = await openBrowserApp({ backups: { dir: backupDir, time: "03:30", keep: 7 } });
  try {
    const shop = await fillDemoShop(web.server);
    console.log(
      `demo shop: ${shop.members} members, ${shop.orders} orders, ${shop.settledDays.length} days settled`,
    );
    const page = await web.newPage();
    await syncClock(page, web.server.clock.now());
    await signIn(page, ADMIN.username, ADMIN.password);
    const shots = async (name: string, fullPage = true) => {
      await page.locator(".ant-spin-spinning").first().waitFor({ state: "detached" });
      await page.waitForTimeout(800); // charts animate in
      await page.screenshot({ path: join(OUT, `${name}.png`), fullPage });
      console.log(`docs/screenshots/admin/${name}.png`);
    };
    for (const entry of (await registryPages()).filter((e) => wanted(e.key))) {
      await openRoute(page, entry.key);
      await PAGE_ACTIONS[entry.key]?.(page);
      await shots(entry.key);
    }
    for (const detail of DETAILS.filter((d) => wanted(d.name))) {
      await openRoute(page, detail.route(shop));
      await detail.act?.(page, shop);
      await page.waitForLoadState("networkidle");
      await shots(detail.name, !detail.dialog);
    }
    // The products page again, with product photos uploaded (products.png, products-edit.png).
    if (wanted("products")) await productScreenshots(web);
    // 支付设置 with WeChat Pay configured against the local fake, and withdrawals paid out through it.
    if (wanted("payments") || wanted("withdrawals-payouts")) await paymentScreenshots(web, page);
  } finally {
    await web.close();
    rmSync(backupDir, { recursive: true, force: true });
  }
}

await main();
