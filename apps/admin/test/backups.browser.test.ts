/**
 * 数据备份 / Backups in a real browser against the real server: the schedule
 * shows; 立即备份 starts a backup whose row turns 已校验 (written, read back and
 * checked; the list is read again while it runs) with its last transaction id; a support operator has no such page.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { call, operatorToken } from "../../../packages/server/test/support/app.ts";
import {
  type BrowserApp,
  browserAvailable,
  openBrowserApp,
} from "../../../packages/server/test/support/browser.ts";
import { openRoute, signIn, syncClock } from "./support/console.ts";

const dir = mkdtempSync(join(tmpdir(), "jifen-backups-browser-"));
let web: BrowserApp | null = null;

before(async () => {
  if (!browserAvailable("admin")) return;
  web = await openBrowserApp({ backups: { dir, time: "03:30", keep: 3 } });
});
after(async () => {
  await web?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("an admin sees the schedule, backs up now, and sees the checked backup listed", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await web.newPage();
  await syncClock(page, web.server.clock.now());
  await signIn(page, "admin", "admin-password-1");
  await openRoute(page, "backups");
  const schedule = page.getByTestId("backup-schedule");
  await schedule.waitFor();
  assert.match((await schedule.textContent()) ?? "", /每日备份时间\s*03:30[\s\S]*保留份数\s*3/);
  // The first two lists read after the click say the backup still runs (however fast it really
  // is), so the page must keep reading the list while it runs, not read it once more and stop.
  let held = 0;
  await page.route("**/admin/backups?*", async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    if (body.items[0] && held < 2) {
      held++;
      body.items[0] = { ...body.items[0], status: "running", progress: { done: held, total: 3 } };
    }
    await route.fulfill({ response, json: body });
  });
  await page.getByTestId("backup-now").click();
  const table = page.getByTestId("backups-table");
  await table.getByText("已校验").waitFor({ timeout: 30_000 });
  assert.equal(held, 2, "the page read the list while the backup ran, then its outcome");
  const list = await call(web.server, "GET", "/admin/backups", { token: await operatorToken(web.server) });
  const [run] = list.data.items;
  assert.equal(run.status, "ok");
  const row = ((await table.locator("tbody tr").first().textContent()) ?? "").replace(/\s+/g, " ");
  assert.ok(row.includes(run.fileName), row);
  assert.ok(row.includes("手动"), row);
});
