import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { call, latestCode, operatorToken, sendCode } from "../../../packages/server/test/support/app.ts";
import {
  type BrowserApp,
  browserAvailable,
  openBrowserApp,
  PHONE,
} from "../../../packages/server/test/support/browser.ts";
import { horizontalOverflow, member, signedInPage } from "./support.ts";

let web: BrowserApp | null = null;
before(async () => {
  if (browserAvailable("h5")) web = await openBrowserApp();
});
after(async () => {
  await web?.close();
});

test("a new member registers through a first member's invite link with the SMS code", async (t) => {
  if (!web) return t.skip("no browser");
  const first = await member(web.server, "13800138000");
  const page = await web.newPage(PHONE);
  await page.goto(`/h5/register?invite=${first.inviteCode}`);
  await page.getByTestId("invited-by").waitFor();
  assert.equal(await page.getByLabel("邀请码").inputValue(), first.inviteCode);

  const phone = "13912345678";
  await page.getByLabel("手机号").fill(phone);
  await page.getByTestId("send-code").click();
  // The send button counts the server's 60 seconds down and cannot be pressed again meanwhile.
  await page.getByText(/^(60|59) 秒后重发$/).waitFor();
  assert.equal(await page.getByTestId("send-code").isDisabled(), true);
  await page.getByLabel("验证码").fill(await latestCode(web.server, phone));
  await page.getByLabel("新密码").fill("chun-tian-2026");
  // The consent box starts unticked, and registering needs it.
  await page.getByRole("button", { name: "注册并登录" }).click();
  await page
    .getByTestId("form-error")
    .getByText("请先阅读并勾选同意《会员服务协议》和《隐私政策》。")
    .waitFor();
  // Each title opens its text; the member reads it and closes it.
  await page.getByTestId("agreement-privacy").click();
  await page
    .getByTestId("agreement-text")
    .getByText(/我们重视您的个人信息保护/)
    .waitFor();
  await page.getByRole("button", { name: "我知道了" }).click();
  await page.getByTestId("agreement-text").waitFor({ state: "detached" });
  const consent = page.getByTestId("consent");
  assert.equal(await consent.textContent(), "我已阅读并同意《会员服务协议》和《隐私政策》");
  assert.equal(
    await consent.locator(".adm-checkbox-checked").count(),
    0,
    "opening a text does not tick the box",
  );
  await consent.locator(".adm-checkbox-icon").click();
  await consent.locator(".adm-checkbox-checked").waitFor();
  await page.getByRole("button", { name: "注册并登录" }).click();

  await page.waitForURL(/\/h5\/me$/);
  await page.getByTestId("me-phone").getByText("139****5678").waitFor();
  assert.equal(await horizontalOverflow(page), 0);

  // The server put the new member under the first one.
  const referrals = await call(web.server, "GET", "/me/referrals", { token: first.token });
  assert.deepEqual(
    referrals.data.items.map((r: { phone: string }) => r.phone),
    ["139****5678"],
  );
  const signedIn = await call(web.server, "POST", "/auth/login", {
    body: { phone, password: "chun-tian-2026" },
  });
  assert.equal(signedIn.data.member.referrerId, first.id);
  // The versions read were recorded with the registration (the inviter's, made like the site's, is the other).
  const admin = await operatorToken(web.server);
  const agreements = await call(web.server, "GET", "/admin/agreements", { token: admin });
  assert.deepEqual(
    agreements.data.items.map((a: { kind: string; version: number; consents: number }) => [
      a.kind,
      a.version,
      a.consents,
    ]),
    [
      ["terms", 1, 2],
      ["privacy", 1, 2],
    ],
  );
});

test("a phone number already registered is refused in Chinese when the code is asked for", async (t) => {
  if (!web) return t.skip("no browser");
  await member(web.server, "13700137000");
  web.server.clock.advance(61_000);
  const page = await web.newPage(PHONE);
  await page.goto("/h5/register");
  await page.getByLabel("手机号").fill("13700137000");
  await page.getByTestId("send-code").click();
  await page.getByTestId("form-error").getByText("该手机号已注册").waitFor();
  assert.equal(
    await page.getByTestId("send-code").textContent(),
    "获取验证码",
    "no countdown: nothing was sent",
  );
  assert.match(page.url(), /\/h5\/register$/);
});

test("a wrong SMS code five times locks the code, with the Chinese message", async (t) => {
  if (!web) return t.skip("no browser");
  const m = await member(web.server, "13600136000");
  web.server.clock.advance(61_000);
  const page = await web.newPage(PHONE);
  await page.goto("/h5/sign-in");
  await page.getByLabel("手机号").fill(m.phone);
  await page.getByTestId("send-code").click();
  await page.getByText(/秒后重发/).waitFor();
  const code = await latestCode(web.server, m.phone);
  const wrong = code === "000000" ? "111111" : "000000";
  const error = page.getByTestId("form-error");
  for (let attempt = 1; attempt <= 4; attempt++) {
    await page.getByLabel("验证码").fill(wrong);
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await error.getByText(`还可尝试 ${5 - attempt} 次`).waitFor();
    assert.match((await error.textContent()) ?? "", /验证码错误/);
  }
  await page.getByLabel("验证码").fill(wrong);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await error.getByText("验证码错误次数过多，请重新获取").waitFor();
  // The right code no longer works either: the code is locked.
  await page.getByLabel("验证码").fill(code);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await page.waitForTimeout(300);
  await error.getByText("验证码错误次数过多，请重新获取").waitFor();
  assert.match(page.url(), /\/h5\/sign-in$/);
});

test("a member resets the password with an SMS code and is signed in with the new one", async (t) => {
  if (!web) return t.skip("no browser");
  const m = await member(web.server, "13500135000");
  web.server.clock.advance(61_000);
  const page = await web.newPage(PHONE);
  await page.goto("/h5/sign-in");
  await page.getByRole("link", { name: "忘记密码" }).click();
  await page.waitForURL(/\/h5\/reset-password$/);
  await page.getByLabel("手机号").fill(m.phone);
  await page.getByTestId("send-code").click();
  await page.getByText(/秒后重发/).waitFor();
  await page.getByLabel("验证码").fill(await latestCode(web.server, m.phone));
  await page.getByLabel("新密码").fill("xia-tian-2026");
  await page.getByRole("button", { name: "重置并登录" }).click();
  await page.waitForURL(/\/h5\/me$/);
  await page.getByTestId("me-phone").getByText("135****5000").waitFor();
  const old = await call(web.server, "POST", "/auth/login", {
    body: { phone: m.phone, password: "member-pass-1" },
  });
  assert.equal(old.statusCode, 401, "the old password no longer works");
  const fresh = await call(web.server, "POST", "/auth/login", {
    body: { phone: m.phone, password: "xia-tian-2026" },
  });
  assert.equal(fresh.statusCode, 200);
});

test("the member site switches to English and back", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await web.newPage(PHONE);
  await page.goto("/h5/sign-in");
  await page.getByRole("button", { name: "English" }).click();
  await page.getByText("Welcome to the member centre").waitFor();
  await page.reload();
  await page.getByText("Welcome to the member centre").waitFor();
  await page.getByRole("button", { name: "中文" }).click();
  await page.getByText("欢迎来到会员中心").waitFor();
});

test("/ leads to the member site and a member page asks to sign in first", async (t) => {
  if (!web) return t.skip("no browser");
  const page = await web.newPage(PHONE);
  await page.goto("/");
  await page.waitForURL(/\/h5\/shop$/);
  await page.goto("/h5/team");
  await page.waitForURL(/\/h5\/sign-in\?redirect=%2Fteam$/);
  await page.getByText("验证码登录").waitFor();
});

test("a member asked to accept the texts in force accepts them, and is asked again after a new version", async (t) => {
  if (!web) return t.skip("no browser");
  // Registered through the API without the agreements: nothing recorded, so the site asks.
  const phone = "13600136001";
  const code = await sendCode(web.server, phone, "register");
  const made = await call(web.server, "POST", "/auth/register", {
    body: { phone, code, password: "member-pass-1" },
  });
  assert.equal(made.statusCode, 201, made.body);
  const m = {
    id: made.data.member.id,
    token: made.data.token,
    inviteCode: made.data.member.inviteCode,
    phone,
  };
  const page = await signedInPage(web, m);
  await page.goto("/h5/me");
  const update = page.getByTestId("agreement-update");
  await update.getByText("我们更新了《会员服务协议》和《隐私政策》。请阅读并同意后继续使用。").waitFor();
  await update.getByRole("button", { name: "同意并继续" }).click();
  await update.waitFor({ state: "detached" });
  const none = await call(web.server, "GET", "/me/agreements", { token: m.token });
  assert.deepEqual(none.data.pending, []);

  const published = await call(web.server, "POST", "/admin/agreements/privacy", {
    token: await operatorToken(web.server),
    body: { title: "隐私政策", body: "第二版：我们不会出售您的个人信息。" },
  });
  assert.equal(published.statusCode, 200, published.body);
  await page.reload();
  await update.getByText("我们更新了《隐私政策》。请阅读并同意后继续使用。").waitFor();
  await update.getByTestId("agreement-privacy").click();
  await page.getByTestId("agreement-text").getByText("第二版：我们不会出售您的个人信息。").waitFor();
  await page.getByRole("button", { name: "我知道了" }).click();
  await update.getByRole("button", { name: "不同意，退出登录" }).click();
  await page.waitForURL(/\/h5\/sign-in/);
  const still = await call(web.server, "GET", "/me/agreements", { token: m.token });
  assert.deepEqual(
    still.data.pending.map((a: { kind: string; version: number }) => [a.kind, a.version]),
    [["privacy", 2]],
    "declining records nothing",
  );
});
