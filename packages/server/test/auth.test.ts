import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call, count, latestCode, openTestApp, register, sendCode, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

for (const target of dbTargets()) {
  describe(`accounts on ${target.name}`, () => {
    let t: TestApp;
    before(async () => {
      t = await openTestApp(target);
    });
    after(async () => {
      await t?.cleanup();
    });

    test("register with an SMS code, then sign in by password and by code", async () => {
      const code = await sendCode(t, "13800000001", "register");
      const registered = await call(t, "POST", "/auth/register", {
        body: { phone: "13800000001", code, password: "secret-pass-1" },
      });
      assert.equal(registered.statusCode, 201, registered.body);
      assert.equal(registered.data.member.phone, "13800000001");
      assert.match(registered.data.member.inviteCode, /^[2-9A-HJ-NP-Z]{8}$/);
      assert.equal(registered.data.member.depth, 0);
      const me = await call(t, "GET", "/me", { token: registered.data.token });
      assert.equal(me.statusCode, 200);
      assert.equal(me.data.id, registered.data.member.id);

      const byPassword = await call(t, "POST", "/auth/login", {
        body: { phone: "13800000001", password: "secret-pass-1" },
      });
      assert.equal(byPassword.statusCode, 200, byPassword.body);
      const wrong = await call(t, "POST", "/auth/login", {
        body: { phone: "13800000001", password: "nope-nope-1" },
      });
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.data.code, "LOGIN_FAILED");
      assert.equal(wrong.data.message, "手机号或密码错误。");

      const loginCode = await sendCode(t, "13800000001", "login");
      const byCode = await call(t, "POST", "/auth/login", {
        body: { phone: "13800000001", code: loginCode },
      });
      assert.equal(byCode.statusCode, 200, byCode.body);
      const reused = await call(t, "POST", "/auth/login", {
        body: { phone: "13800000001", code: loginCode },
      });
      assert.equal(reused.data.code, "SMS_CODE_EXPIRED", "a code works once");
    });

    test("a malformed phone is refused with INVALID_PHONE naming the field, and nothing is written", async () => {
      const before = await count(t, "sms_codes");
      for (const phone of ["12800000000", "1380000000", "138000000001", "abc", "23800000000"]) {
        const response = await call(t, "POST", "/auth/sms-codes", { body: { phone, purpose: "register" } });
        assert.equal(response.statusCode, 400);
        assert.deepEqual(
          { code: response.data.code, field: response.data.field },
          { code: "INVALID_PHONE", field: "phone" },
        );
        assert.equal(response.data.message, "手机号格式不正确，请输入 11 位中国大陆手机号。");
        assert.equal(typeof response.data.messageEn, "string");
        assert.equal(response.data.requestId, response.headers["x-request-id"]);
      }
      assert.equal(await count(t, "sms_codes"), before);
    });

    test("wrong, expired and over-tried codes are refused; the member table is untouched", async () => {
      const phone = "13800000002";
      const members = await count(t, "members");
      const code = await sendCode(t, phone, "register");
      const bad = code === "000000" ? "111111" : "000000";
      for (let i = 1; i <= 4; i++) {
        const response = await call(t, "POST", "/auth/register", {
          body: { phone, code: bad, password: "secret-pass-1" },
        });
        assert.equal(response.statusCode, 400);
        assert.equal(response.data.code, "SMS_CODE_INVALID");
        assert.equal(response.data.field, "code");
        assert.match(response.data.message, new RegExp(`还可尝试 ${5 - i} 次`));
      }
      const fifth = await call(t, "POST", "/auth/register", {
        body: { phone, code: bad, password: "secret-pass-1" },
      });
      assert.equal(fifth.statusCode, 429);
      assert.equal(fifth.data.code, "SMS_CODE_TOO_MANY_TRIES");
      const evenRight = await call(t, "POST", "/auth/register", {
        body: { phone, code, password: "secret-pass-1" },
      });
      assert.equal(
        evenRight.data.code,
        "SMS_CODE_TOO_MANY_TRIES",
        "the right code no longer works after 5 wrong tries",
      );
      assert.equal(await count(t, "members"), members);

      const fresh = await sendCode(t, phone, "register");
      t.clock.advance(5 * 60_000);
      const expired = await call(t, "POST", "/auth/register", {
        body: { phone, code: fresh, password: "secret-pass-1" },
      });
      assert.equal(expired.statusCode, 400);
      assert.equal(expired.data.code, "SMS_CODE_EXPIRED");
      assert.equal(await count(t, "members"), members);
      const attempts = await t.db.query<{ attempts: number }>(
        "select attempts from sms_codes where phone = $1 order by id",
        [phone],
      );
      assert.deepEqual(
        attempts.rows.map((r) => r.attempts),
        [5, 0],
        "wrong tries are counted even though the requests failed",
      );
    });

    test("an unknown invite code is a clear error and creates nothing", async () => {
      const phone = "13800000003";
      const code = await sendCode(t, phone, "register");
      const members = await count(t, "members");
      const response = await call(t, "POST", "/auth/register", {
        body: { phone, code, password: "secret-pass-1", inviteCode: "ZZZZZZZZ" },
      });
      assert.equal(response.statusCode, 400);
      assert.deepEqual([response.data.code, response.data.field], ["INVITE_CODE_UNKNOWN", "inviteCode"]);
      assert.equal(response.data.message, "邀请码不存在，请核对后重新输入。");
      assert.equal(await count(t, "members"), members);
      const consumed = await t.db.query<{ consumed_at: Date | null }>(
        "select consumed_at from sms_codes where phone = $1",
        [phone],
      );
      assert.equal(
        consumed.rows[0]?.consumed_at,
        null,
        "the code is still usable after a refused registration",
      );
      const retry = await call(t, "POST", "/auth/register", {
        body: { phone, code, password: "secret-pass-1" },
      });
      assert.equal(retry.statusCode, 201, retry.body);
    });

    test("one account per number", async () => {
      await register(t, "13800000004");
      const again = await call(t, "POST", "/auth/sms-codes", {
        body: { phone: "13800000004", purpose: "register" },
      });
      assert.equal(again.statusCode, 409);
      assert.equal(again.data.code, "PHONE_TAKEN");
    });

    test("weak passwords and missing fields name the field", async () => {
      const short = await call(t, "POST", "/auth/register", {
        body: { phone: "13800000005", code: "123456", password: "short" },
      });
      assert.deepEqual(
        [short.statusCode, short.data.code, short.data.field],
        [400, "WEAK_PASSWORD", "password"],
      );
      const missing = await call(t, "POST", "/auth/register", {
        body: { phone: "13800000005", password: "long-enough-1" },
      });
      assert.deepEqual(
        [missing.statusCode, missing.data.code, missing.data.field],
        [400, "VALIDATION_FAILED", "code"],
      );
      assert.match(missing.data.message, /code 必填/);
    });

    test("codes are limited: one a minute and ten a day per number", async () => {
      const phone = "13800000006";
      const first = await call(t, "POST", "/auth/sms-codes", { body: { phone, purpose: "register" } });
      assert.equal(first.statusCode, 200);
      const soon = await call(t, "POST", "/auth/sms-codes", { body: { phone, purpose: "register" } });
      assert.deepEqual([soon.statusCode, soon.data.code], [429, "SMS_TOO_FREQUENT"]);
      for (let i = 2; i <= 10; i++) {
        t.clock.advance(61_000);
        const ok = await call(t, "POST", "/auth/sms-codes", { body: { phone, purpose: "register" } });
        assert.equal(ok.statusCode, 200, `send ${i}`);
      }
      t.clock.advance(61_000);
      const eleventh = await call(t, "POST", "/auth/sms-codes", { body: { phone, purpose: "register" } });
      assert.deepEqual([eleventh.statusCode, eleventh.data.code], [429, "SMS_DAILY_LIMIT"]);
      t.clock.advance(24 * 3_600_000);
      const nextDay = await call(t, "POST", "/auth/sms-codes", { body: { phone, purpose: "register" } });
      assert.equal(nextDay.statusCode, 200);
    });

    test("password reset by SMS code ends the old sessions", async () => {
      const phone = "13800000007";
      const { token } = await register(t, phone);
      const code = await sendCode(t, phone, "reset");
      const reset = await call(t, "POST", "/auth/password-reset", {
        body: { phone, code, newPassword: "brand-new-pass" },
      });
      assert.equal(reset.statusCode, 200, reset.body);
      const old = await call(t, "GET", "/me", { token });
      assert.deepEqual([old.statusCode, old.data.code], [401, "SESSION_EXPIRED"]);
      const login = await call(t, "POST", "/auth/login", { body: { phone, password: "brand-new-pass" } });
      assert.equal(login.statusCode, 200);
      const unknown = await call(t, "POST", "/auth/sms-codes", {
        body: { phone: "13900000000", purpose: "reset" },
      });
      assert.deepEqual([unknown.statusCode, unknown.data.code], [404, "PHONE_NOT_REGISTERED"]);
    });

    test("sessions: bearer tokens are stored hashed, expire, and end at logout", async () => {
      const { token } = await register(t, "13800000008");
      const stored = await t.db.query<{ token_hash: string }>("select token_hash from sessions");
      assert.ok(stored.rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash) && r.token_hash !== token));
      const none = await call(t, "GET", "/me");
      assert.deepEqual([none.statusCode, none.data.code], [401, "UNAUTHENTICATED"]);
      const out = await call(t, "POST", "/auth/logout", { token });
      assert.equal(out.statusCode, 200);
      const after = await call(t, "GET", "/me", { token });
      assert.equal(after.data.code, "SESSION_EXPIRED");
      const { token: second } = await register(t, "13800000009");
      t.clock.advance(31 * 86_400_000);
      const expired = await call(t, "GET", "/me", { token: second });
      assert.equal(expired.data.code, "SESSION_EXPIRED");
    });

    test("a stored password hash that cannot be read is a server fault (INTERNAL_ERROR), not a wrong password", async () => {
      const phone = "13800000031";
      await register(t, phone);
      await t.db.query("update members set password_hash = 'not-a-phc-string' where phone = $1", [phone]);
      const login = await call(t, "POST", "/auth/login", { body: { phone, password: "member-pass-1" } });
      assert.deepEqual([login.statusCode, login.data.code], [500, "INTERNAL_ERROR"], login.body);
      assert.doesNotMatch(login.body, /phc|decod|hash/i, "the cause stays in the log");
    });

    test("five wrong passwords lock password sign-in for 15 minutes", async () => {
      const phone = "13800000020";
      await register(t, phone);
      for (let i = 0; i < 5; i++) {
        const wrong = await call(t, "POST", "/auth/login", { body: { phone, password: `wrong-pass-${i}` } });
        assert.equal(wrong.data.code, "LOGIN_FAILED");
      }
      const locked = await call(t, "POST", "/auth/login", { body: { phone, password: "member-pass-1" } });
      assert.deepEqual([locked.statusCode, locked.data.code], [429, "LOGIN_LOCKED"]);
      const code = await sendCode(t, phone, "login");
      const byCode = await call(t, "POST", "/auth/login", { body: { phone, code } });
      assert.equal(byCode.statusCode, 200, "SMS sign-in still works");
      t.clock.advance(15 * 60_000);
      const later = await call(t, "POST", "/auth/login", { body: { phone, password: "member-pass-1" } });
      assert.equal(later.statusCode, 200);
      for (let i = 0; i < 5; i++) {
        await call(t, "POST", "/admin/auth/login", { body: { username: "admin", password: `nope-${i}` } });
      }
      const operatorLocked = await call(t, "POST", "/admin/auth/login", {
        body: { username: "admin", password: "x" },
      });
      assert.equal(operatorLocked.data.code, "OPERATOR_LOGIN_LOCKED");
    });

    test("codes are stored hashed, never in clear", async () => {
      await call(t, "POST", "/auth/sms-codes", { body: { phone: "13800000010", purpose: "register" } });
      const code = await latestCode(t, "13800000010");
      const rows = await t.db.query<{ code_hash: string }>(
        "select code_hash from sms_codes where phone = '13800000010'",
      );
      assert.match(rows.rows[0]?.code_hash ?? "", /^[0-9a-f]{64}$/);
      assert.ok(!rows.rows[0]?.code_hash.includes(code));
    });
  });
}

for (const target of dbTargets()) {
  describe(`per-address limit on ${target.name}`, () => {
    test("twenty codes an hour from one address", async () => {
      const t = await openTestApp(target, { smsLimits: { perAddressPerHour: 20 } });
      try {
        for (let i = 0; i < 20; i++) {
          const response = await call(t, "POST", "/auth/sms-codes", {
            body: { phone: `1370000${String(i).padStart(4, "0")}`, purpose: "register" },
          });
          assert.equal(response.statusCode, 200);
        }
        const limited = await call(t, "POST", "/auth/sms-codes", {
          body: { phone: "13799999999", purpose: "register" },
        });
        assert.deepEqual([limited.statusCode, limited.data.code], [429, "SMS_IP_LIMIT"]);
        t.clock.advance(3_600_001);
        const later = await call(t, "POST", "/auth/sms-codes", {
          body: { phone: "13799999999", purpose: "register" },
        });
        assert.equal(later.statusCode, 200);
      } finally {
        await t.cleanup();
      }
    });
  });
}
