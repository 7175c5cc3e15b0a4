import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { call } from "../../../packages/server/test/support/app.ts";
import {
  type BrowserApp,
  browserAvailable,
  openBrowserApp,
} from "../../../packages/server/test/support/browser.ts";
import { type DemoMember, demoNetwork, productId } from "./support.ts";

// The smallest phone the member site supports.
const SMALL = { width: 360, height: 740 };

let web: BrowserApp | null = null;
let a: DemoMember;
let rice: string;
before(async () => {
  if (!browserAvailable("h5")) return;
  web = await openBrowserApp();
  ({ a } = await demoNetwork(web.server));
  rice = await productId(web.server, "有机大米 5kg");
});
after(async () => {
  await web?.close();
});

/** Every page of the site, with a text each shows once its data has loaded. */
function pages(): { path: string; ready: string }[] {
  return [
    { path: "/h5/me", ready: '[data-testid="assets"]' },
    { path: "/h5/team", ready: "main, body" },
    { path: "/h5/records", ready: "main, body" },
    { path: "/h5/records?asset=gift", ready: "main, body" },
    { path: "/h5/equity", ready: '[data-testid="held-equity"]' },
    { path: "/h5/invite", ready: "main, body" },
    { path: "/h5/withdraw", ready: "main, body" },
    { path: "/h5/shop", ready: "main, body" },
    { path: `/h5/shop/products/${rice}`, ready: "main, body" },
    { path: "/h5/shop/cart", ready: "main, body" },
    { path: "/h5/shop/orders", ready: "main, body" },
  ];
}

async function page360(language: "en" | "zh-CN", signedIn: boolean): Promise<Page> {
  if (!web) throw new Error("no browser");
  const page = await web.newPage(SMALL);
  const login = await fetch(`${web.baseUrl}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ phone: a.phone, password: "member-pass-1" }),
  }).then((r) => r.json());
  const session = signedIn
    ? `localStorage.setItem("jifen.h5.session", ${JSON.stringify(JSON.stringify(login))});`
    : "";
  await page.addInitScript({
    content: `localStorage.setItem("jifen.h5.language", "${language}");${session}`,
  });
  return page;
}

async function overflowOf(page: Page, path: string, ready: string): Promise<number> {
  await page.goto(path);
  await page.locator(ready).first().waitFor();
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(150);
  return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") as Promise<number>;
}

for (const language of ["en", "zh-CN"] as const) {
  test(`no page scrolls sideways at 360×740 in ${language}`, async (t) => {
    if (!web) return t.skip("no browser");
    const page = await page360(language, true);
    const wide: string[] = [];
    for (const { path, ready } of pages()) {
      const extra = await overflowOf(page, path, ready);
      if (extra > 0) wide.push(`${path} +${extra}px`);
    }
    assert.deepEqual(wide, []);
    // Signed out: the sign-in, register and reset pages.
    const guest = await page360(language, false);
    for (const path of ["/h5/sign-in", "/h5/register", "/h5/reset-password"]) {
      const extra = await overflowOf(guest, path, "input");
      assert.ok(extra <= 0, `${path} +${extra}px`);
    }
  });
}

test("我的 in English at 360 px: every asset caption is shown whole, none cut or overlapping", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await page360("en", true);
  await page.goto("/h5/me");
  await page.getByTestId("assets").waitFor();
  await page.getByText("Released daily").waitFor();
  const cut = await page.evaluate(`[...document.querySelectorAll('[data-testid="assets"] a *')]
    .filter((el) => el.children.length === 0 && el.scrollWidth > el.clientWidth + 1)
    .map((el) => el.textContent)`);
  assert.deepEqual(cut, []);
  // Default star and grade names read in English too (data names an operator gave would stay).
  const me = await call(web.server, "GET", "/me", { token: a.token });
  const header = (await page.getByTestId("star").locator("..").textContent()) ?? "";
  assert.ok(!/[星级会员]/.test(header), header);
  if (me.data.standing.star === "一星") assert.match(header, /★ 1-star/);
  if (me.data.standing.grade === "初级会员") assert.match(header, /Junior member/);
});
