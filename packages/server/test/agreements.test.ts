/**
 * The member terms and the privacy policy: the built-in text is version 1; an
 * admin publishes version 2 (the first stays as it was, nothing is edited); a
 * member registering names the versions read, which must be the ones in force,
 * and the acceptance is recorded; anything else is a coded error and changes
 * nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  call,
  count,
  openTestApp,
  operatorToken,
  operatorWithRole,
  sendCode,
  type TestApp,
} from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

for (const target of dbTargets()) {
  describe(`agreements on ${target.name}`, () => {
    let t: TestApp;
    let admin: string;
    before(async () => {
      t = await openTestApp(target);
      admin = await operatorToken(t);
    });
    after(async () => {
      await t?.cleanup();
    });

    const registerWith = async (phone: string, agreements?: Record<string, unknown>) => {
      const code = await sendCode(t, phone, "register");
      return call(t, "POST", "/auth/register", {
        body: { phone, code, password: "member-pass-1", ...(agreements ? { agreements } : {}) },
      });
    };

    test("before any publication both agreements are the built-in text, version 1, for anyone", async () => {
      for (const [kind, title] of [
        ["terms", "会员服务协议"],
        ["privacy", "隐私政策"],
      ] as const) {
        const shown = await call(t, "GET", `/agreements/${kind}`);
        assert.equal(shown.statusCode, 200, shown.body);
        assert.deepEqual([shown.data.kind, shown.data.version, shown.data.title], [kind, 1, title]);
        assert.equal(shown.data.publishedAt, null);
        assert.ok(shown.data.body.length > 200, "a real text, not a placeholder");
      }
      const unknown = await call(t, "GET", "/agreements/cookies");
      assert.equal(unknown.statusCode, 400);
      assert.equal(unknown.data.code, "VALIDATION_FAILED");
    });

    test("registering with the versions in force records the member's acceptance", async () => {
      const made = await registerWith("13600000001", { terms: 1, privacy: "1" });
      assert.equal(made.statusCode, 201, made.body);
      const rows = await t.db.query<{ kind: string; version: number }>(
        "select kind, version from member_consents where member_id = $1 order by kind",
        [made.data.member.id],
      );
      assert.deepEqual(
        rows.rows.map((r) => [r.kind, r.version]),
        [
          ["privacy", 1],
          ["terms", 1],
        ],
      );
      // The console's member detail shows them; a member registered without them shows none.
      const detail = await call(t, "GET", `/admin/members/${made.data.member.id}`, { token: admin });
      assert.deepEqual(
        detail.data.consents.map((c: { kind: string; version: number }) => [c.kind, c.version]),
        [
          ["terms", 1],
          ["privacy", 1],
        ],
      );
      assert.equal(detail.data.consents[0].acceptedAt, made.data.member.createdAt);
      const bare = await registerWith("13600000009");
      assert.equal(bare.statusCode, 201, bare.body);
      const none = await call(t, "GET", `/admin/members/${bare.data.member.id}`, { token: admin });
      assert.deepEqual(none.data.consents, []);
    });

    test("an admin publishes version 2; the built-in text stays version 1's; consents are counted per version", async () => {
      const published = await call(t, "POST", "/admin/agreements/terms", {
        token: admin,
        body: {
          title: "  春田商城会员服务协议 ",
          body: "第一条　会员须遵守本协议。\n\n第二条　积分不是存款。",
        },
      });
      assert.equal(published.statusCode, 200, published.body);
      assert.deepEqual([published.data.version, published.data.title], [2, "春田商城会员服务协议"]);
      assert.ok(published.data.publishedAt);
      const shown = await call(t, "GET", "/agreements/terms");
      assert.equal(shown.data.version, 2);
      assert.equal(shown.data.body, "第一条　会员须遵守本协议。\n\n第二条　积分不是存款。");

      const listed = await call(t, "GET", "/admin/agreements", { token: admin });
      assert.equal(listed.statusCode, 200, listed.body);
      const byKind = Object.fromEntries(
        listed.data.items.map((i: { kind: string; version: number; consents: number }) => [i.kind, i]),
      );
      assert.deepEqual(
        [byKind.terms.version, byKind.terms.consents],
        [2, 0],
        "nobody accepted version 2 yet",
      );
      assert.deepEqual([byKind.privacy.version, byKind.privacy.consents], [1, 1]);
      const audit = await t.db.query<{ detail: { version: number } }>(
        "select detail from audit_log where action = 'agreement.publish'",
      );
      assert.equal(audit.rows[0]?.detail.version, 2);
    });

    test("a member who read a replaced version is asked to read the new one, and no member is created", async () => {
      const members = await count(t, "members");
      const consents = await count(t, "member_consents");
      const stale = await registerWith("13600000002", { terms: 1, privacy: 1 });
      assert.equal(stale.statusCode, 409, stale.body);
      assert.equal(stale.data.code, "AGREEMENT_OUTDATED");
      assert.equal(stale.data.field, "agreements.terms");
      assert.match(stale.data.message, /已更新，请阅读并同意新版本/);
      const future = await registerWith("13600000003", { terms: 2, privacy: 2 });
      assert.equal(future.data.code, "AGREEMENT_OUTDATED");
      assert.equal(future.data.field, "agreements.privacy");
      const zero = await registerWith("13600000004", { terms: 0, privacy: 1 });
      assert.equal(zero.statusCode, 400);
      assert.equal(zero.data.code, "INVALID_INTEGER");
      assert.equal(await count(t, "members"), members);
      assert.equal(await count(t, "member_consents"), consents);
      const fresh = await registerWith("13600000005", { terms: 2, privacy: 1 });
      assert.equal(fresh.statusCode, 201, fresh.body);
    });

    test("after a new version, a member who accepted the old one is asked again and accepts it; nothing else changes", async () => {
      const m = await registerWith("13600000006", { terms: 2, privacy: 1 });
      const token = m.data.token;
      const none = await call(t, "GET", "/me/agreements", { token });
      assert.deepEqual(none.data.pending, []);
      const published = await call(t, "POST", "/admin/agreements/privacy", {
        token: admin,
        body: { title: "隐私政策", body: "第二版：我们不会出售您的个人信息。" },
      });
      assert.equal(published.data.version, 2, published.body);
      const pending = await call(t, "GET", "/me/agreements", { token });
      assert.deepEqual(
        pending.data.pending.map((a: { kind: string; version: number }) => [a.kind, a.version]),
        [["privacy", 2]],
      );
      const consents = await count(t, "member_consents");
      const stale = await call(t, "POST", "/me/agreements", { token, body: { terms: 2, privacy: 1 } });
      assert.deepEqual(
        [stale.statusCode, stale.data.code, stale.data.field],
        [409, "AGREEMENT_OUTDATED", "agreements.privacy"],
      );
      assert.equal(await count(t, "member_consents"), consents);
      const accepted = await call(t, "POST", "/me/agreements", { token, body: { terms: 2, privacy: 2 } });
      assert.equal(accepted.statusCode, 200, accepted.body);
      assert.deepEqual(accepted.data.pending, []);
      assert.equal(
        await count(t, "member_consents"),
        consents + 1,
        "only the new privacy version is a new row",
      );
      const unsigned = await call(t, "GET", "/me/agreements");
      assert.equal(unsigned.statusCode, 401);
    });

    test("only an admin publishes; a blank or over-long text is a coded error and nothing is published", async () => {
      const finance = await operatorWithRole(t, "finance");
      const refused = await call(t, "POST", "/admin/agreements/privacy", {
        token: finance,
        body: { title: "隐私政策", body: "新的隐私政策" },
      });
      assert.equal(refused.statusCode, 403);
      const blank = await call(t, "POST", "/admin/agreements/privacy", {
        token: admin,
        body: { title: "隐私政策", body: " \n\t " },
      });
      assert.equal(blank.statusCode, 400);
      assert.deepEqual([blank.data.code, blank.data.field], ["AGREEMENT_EMPTY", "body"]);
      const long = await call(t, "POST", "/admin/agreements/privacy", {
        token: admin,
        body: { title: "隐私政策", body: "字".repeat(20_001) },
      });
      assert.equal(long.statusCode, 400);
      assert.equal(long.data.code, "VALIDATION_FAILED");
      assert.equal((await call(t, "GET", "/agreements/privacy")).data.version, 2);
      assert.equal(await count(t, "agreements", "kind = 'privacy'"), 1);
    });
  });
}
