/** Browser helpers of the console's tests and screenshots: sign in through the page, open a route. */
import type { Locator, Page } from "playwright-core";

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

/**
 * Picks `option` in an antd select (`select`: its input, e.g. found by its label) and waits until the
 * select shows it. The click on the option waits for the list to stop moving: antd opens it with a
 * slide motion (scaled, from a placeholder position before it is aligned), and a click made while the
 * list still opens may miss the option or not take (a loaded machine once left a select unchanged).
 */
export async function chooseOption(page: Page, select: Locator, option: string): Promise<void> {
  const id = await select.getAttribute("id");
  if (!id) throw new Error("chooseOption: the select's input has no id");
  await select.click();
  const list = page.locator(
    '.ant-select-dropdown:not(.ant-select-dropdown-hidden):not([class*="-appear"]):not([class*="-enter"]):not([class*="-leave"])',
    { has: page.locator(`[id="${id}_list"]`) },
  );
  await list.locator(".ant-select-item-option", { has: page.getByText(option, { exact: true }) }).click();
  // The select shows its value in the input's parent (`.ant-select-content`, titled with the value).
  await select.locator(`xpath=parent::*[@title="${option}"]`).waitFor();
}
