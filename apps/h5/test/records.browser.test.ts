import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { parseDecimal } from "@jifen/engine";
import { call } from "../../../packages/server/test/support/app.ts";
import {
  type BrowserApp,
  browserAvailable,
  openBrowserApp,
} from "../../../packages/server/test/support/browser.ts";
import {
  buy,
  type DemoMember,
  horizontalOverflow,
  member,
  productId,
  settleNextDay,
  signedInPage,
} from "./support.ts";

let web: BrowserApp | null = null;
let referrer: DemoMember;
let buyer: DemoMember;
let orderId: string;
before(async () => {
  if (!browserAvailable("h5")) return;
  web = await openBrowserApp();
  const server = web.server;
  referrer = await member(server, "13800000011");
  buyer = await member(server, "13912340022", referrer);
  const starter = await productId(server, "初级会员礼包");
  await buy(server, referrer, starter);
  orderId = await buy(server, buyer, starter);
  await settleNextDay(server);
});
after(async () => {
  await web?.close();
});

test("after the day's settlement the buyer sees the static release and the referrer the share acceleration, explained", async (t) => {
  if (!web) return t.skip("no browser");
  const buyerPage = await signedInPage(web, buyer);
  await buyerPage.goto("/h5/records?asset=points");
  const buyerLines = buyerPage.getByTestId("record-line");
  await buyerLines.getByText(`订单 #${orderId} 静态释放 1.2%`).waitFor();
  assert.equal(await horizontalOverflow(buyerPage), 0);

  const referrerPage = await signedInPage(web, referrer);
  await referrerPage.goto("/h5/records?asset=points");
  const share = referrerPage.getByTestId("record-line").filter({ hasText: "加速释放" });
  await share.first().waitFor();
  const text = (await share.first().textContent()) ?? "";
  assert.match(text, /直推 139\*\*\*\*0022 加速释放 50%/);
  // The amount shown is the ledger's.
  const ledger = await call(web.server, "GET", "/me/ledger?asset=points&wallet=points", {
    token: referrer.token,
  });
  const line = (ledger.data.items as { description: string; amount: string }[]).find((l) =>
    l.description.includes("加速释放"),
  );
  assert.ok(line);
  assert.ok(text.includes(`+${line.amount}`), `${text} shows +${line.amount}`);

  // The same lines in English follow the language switch.
  await referrerPage.goto("/h5/me");
  await referrerPage.getByText("语言 / Language").click();
  await referrerPage.goto("/h5/records?asset=points");
  await referrerPage
    .getByTestId("record-line")
    .getByText(/Share release 50% from direct referral/)
    .first()
    .waitFor();
});

test("我的 shows yesterday's arrivals and the team page the referral, masked", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await signedInPage(web, referrer);
  await page.goto("/h5/me");
  const arrivals = page.getByTestId("arrivals");
  await arrivals.getByText("积分", { exact: true }).waitFor();
  const api = await call(web.server, "GET", "/me/arrivals", { token: referrer.token });
  const points = (api.data.items as { wallet: string; amount: string }[]).find((i) => i.wallet === "points");
  assert.ok(points);
  await arrivals.getByText(`+${points.amount}`).waitFor();
  await page.goto("/h5/team");
  await page.getByTestId("referrals").getByText("139****0022").waitFor();
  await page.getByTestId("network").getByText("1", { exact: true }).first().waitFor();
  assert.equal(await horizontalOverflow(page), 0);
});

/** The sum, in micro-units, of every line of one ledger tab (all pages). */
async function tabSum(m: DemoMember, query: string): Promise<{ sum: bigint; descriptions: string[] }> {
  if (!web) throw new Error("no browser");
  let sum = 0n;
  const descriptions: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await call(
      web.server,
      "GET",
      `/me/ledger?${query}&limit=100${cursor ? `&cursor=${cursor}` : ""}`,
      {
        token: m.token,
      },
    );
    assert.equal(res.statusCode, 200, res.body);
    for (const line of res.data.items as { amount: string; description: string }[]) {
      sum += parseDecimal(line.amount);
      descriptions.push(line.description);
    }
    cursor = res.data.nextCursor;
  } while (cursor);
  return { sum, descriptions };
}

test("积分 and 待释放 are separate tabs, each adding up to its own balance on 我的", async (t) => {
  if (!web) return t.skip("no browser");
  const wallets = await call(web.server, "GET", "/me/wallets", { token: buyer.token });
  const balance = (w: string) =>
    parseDecimal(
      (wallets.data.wallets as { wallet: string; balance: string }[]).find((x) => x.wallet === w)?.balance ??
        "0",
    );
  const points = await tabSum(buyer, "asset=points&wallet=points");
  const gift = await tabSum(buyer, "asset=points&wallet=gift");
  assert.equal(points.sum, balance("points"));
  assert.equal(gift.sum, balance("gift"));
  assert.ok(gift.sum > 0n && points.sum > 0n);
  const grant = gift.descriptions.find((d) => d.includes(`#${orderId}`) && !d.includes("释放"));
  assert.ok(grant, gift.descriptions.join(" | "));
  assert.ok(!points.descriptions.includes(grant), "the gift grant is not in the 积分 tab");

  // The page: the gift cell of 我的 leads to the 待释放 tab, which shows the grant; 积分 does not.
  const page = await signedInPage(web, buyer);
  await page.goto("/h5/me");
  await page.getByTestId("gift").click();
  await page.waitForURL(/asset=gift/);
  await page.getByTestId("record-line").getByText(grant, { exact: true }).waitFor();
  await page.getByRole("tab", { name: "积分", exact: true }).click();
  await page.waitForURL(/asset=points/);
  await page.getByTestId("record-line").getByText(`订单 #${orderId} 静态释放 1.2%`).waitFor();
  assert.equal(await page.getByTestId("record-line").getByText(grant, { exact: true }).count(), 0);
});
