/** Browser helpers of the console's tests and screenshots: sign in through the page, open a route. */
import type { Page } from "playwright-core";

/**
 * Starts the page's clock at the server's (a ManualClock the tests move by
 * days): the console keeps a session until its expiry by the browser's clock,
 * which must agree with the server's, as on a real machine. Time then flows.
 */
export async function syncClock(page: Page, now: Date): Promise<void> {
  await page.clock.install({ time: now });
}

/** Signs in through the sign-in page and waits for the console's menu. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto("/admin/#/sign-in");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: /登\s*录/ }).click();
  await page.locator(".ant-layout-sider .ant-menu").waitFor();
}

/** Opens `#/<route>` afresh (a reload: no dialog or message of the page before) and waits until the network is quiet. */
export async function openRoute(page: Page, route: string): Promise<void> {
  await page.goto(`/admin/#/${route}`);
  await page.reload();
  await page.waitForLoadState("networkidle");
}
