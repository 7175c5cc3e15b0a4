import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ADMIN } from "../../../packages/server/test/support/app.ts";
import {
  type BrowserApp,
  browserAvailable,
  openBrowserApp,
} from "../../../packages/server/test/support/browser.ts";

let web: BrowserApp | null = null;
before(async () => {
  if (browserAvailable("admin")) web = await openBrowserApp();
});
after(async () => {
  await web?.close();
});

test("an operator signs in with a wrong password, sees the server's Chinese refusal, then signs in", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await web.newPage();
  const failed: string[] = [];
  page.on("response", (r) => {
    if (r.status() === 404) failed.push(r.url());
  });
  await page.goto("/admin/");
  const margin = await page.evaluate("getComputedStyle(document.body).margin");
  assert.equal(margin, "0px", "no default body margin around the console");
  await page.getByLabel("用户名").fill(ADMIN.username);
  await page.getByLabel("密码").fill("not-the-password");
  await page.getByRole("button", { name: /登\s*录/ }).click();
  const refusal = page.getByTestId("sign-in-error");
  await refusal.waitFor();
  assert.match((await refusal.textContent()) ?? "", /[\u4e00-\u9fff]/);
  await page.getByLabel("密码").fill(ADMIN.password);
  await page.getByRole("button", { name: /登\s*录/ }).click();
  await page.getByText("数据看板").first().waitFor();
  assert.match(page.url(), /#\/dashboard$/);
  assert.deepEqual(failed, [], "no file the page asks for is missing (the favicon included)");
});

test("the console's files are served with long caching, its index revalidated, and the API keeps /admin/…", async (t) => {
  if (!web) return t.skip("no browser");
  const index = await fetch(`${web.baseUrl}/admin/`);
  assert.equal(index.status, 200);
  assert.equal(index.headers.get("cache-control"), "no-cache");
  const html = await index.text();
  const asset = /src="\/admin\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(asset, "index.html names a hashed script");
  const script = await fetch(`${web.baseUrl}/admin/${asset}`);
  assert.equal(script.status, 200);
  assert.match(script.headers.get("cache-control") ?? "", /immutable/);
  const members = await fetch(`${web.baseUrl}/admin/members`);
  assert.equal(members.status, 401);
  assert.equal(((await members.json()) as { code: string }).code, "UNAUTHENTICATED");
  for (const path of ["/admin/favicon.svg", "/h5/favicon.svg", "/favicon.ico"]) {
    const icon = await fetch(`${web.baseUrl}${path}`);
    assert.equal(icon.status, 200, path);
    assert.match(icon.headers.get("content-type") ?? "", /svg/, path);
    assert.match(await icon.text(), /积/, path);
  }
});
