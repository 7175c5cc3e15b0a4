/** Issue 8, "Security": atomic lockout, no stored tokens, no free phone enumeration, headers, 403 for the wrong kind of session. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  ADMIN,
  call,
  count,
  openTestApp,
  operatorToken,
  register,
  sendCode,
  type TestApp,
} from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

for (const target of dbTargets()) {
  describe(`security on ${target.name}`, () => {
    let t: TestApp;
    before(async () => {
      t = await openTestApp(target);
    });
    after(async () => {
      await t?.cleanup();
    });

    test("40 parallel wrong passwords of a member: at most 5 are checked, then the right one is refused", async () => {
      const phone = "13900000001";
      await register(t, phone);
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          call(t, "POST", "/auth/login", { body: { phone, password: `wrong-pass-${i}` } }),
        ),
      );
      const checked = answers.filter((a) => a.statusCode === 401).length;
      assert.ok(checked <= 5, `${checked} passwords checked`);
      assert.equal(answers.filter((a) => a.data.code === "LOGIN_LOCKED").length, 40 - checked);
      const right = await call(t, "POST", "/auth/login", { body: { phone, password: "member-pass-1" } });
      assert.deepEqual([right.statusCode, right.data.code], [429, "LOGIN_LOCKED"]);
    });

    test("the right member password sent 13th in a parallel batch of 40 is refused once the limit is reached", async () => {
      const phone = "13900000002";
      await register(t, phone);
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          call(t, "POST", "/auth/login", {
            body: { phone, password: i === 12 ? "member-pass-1" : `wrong-pass-${i}` },
          }),
        ),
      );
      const wrongChecked = answers.filter((a) => a.statusCode === 401).length;
      assert.ok(wrongChecked <= 5, `${wrongChecked} wrong passwords checked`);
      const right = answers[12];
      if (right?.statusCode === 200) {
        // Allowed only when its try was reserved before the limit was reached: tries are rows
        // numbered in the order they were reserved, and the right one's row was given back.
        const rows = await t.db.query<{ id: string }>(
          "select id from login_failures where subject = $1 order by id",
          [`member:${phone}`],
        );
        const ids = rows.rows.map((r) => BigInt(r.id));
        const gap = ids.findIndex((id, i) => i > 0 && id !== (ids[i - 1] as bigint) + 1n);
        const before = gap === -1 ? ids.length : gap;
        assert.ok(before < 5, `the right password was checked after ${before} failures`);
      } else {
        assert.deepEqual([right?.statusCode, right?.data.code], [429, "LOGIN_LOCKED"]);
      }
      if (wrongChecked === 5) {
        const later = await call(t, "POST", "/auth/login", { body: { phone, password: "member-pass-1" } });
        assert.deepEqual([later.statusCode, later.data.code], [429, "LOGIN_LOCKED"]);
      }
    });

    test("40 parallel wrong operator passwords from one address: at most 5 are checked, the right one is refused", async () => {
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          call(t, "POST", "/admin/auth/login", {
            remoteAddress: "203.0.113.7",
            body: { username: ADMIN.username, password: i === 12 ? ADMIN.password : `wrong-${i}` },
          }),
        ),
      );
      const wrongChecked = answers.filter((a) => a.statusCode === 401).length;
      assert.ok(wrongChecked <= 5, `${wrongChecked} wrong passwords checked`);
      assert.ok(
        answers.every(
          (a) => a.statusCode === 401 || a.data.code === "OPERATOR_LOGIN_LOCKED" || a === answers[12],
        ),
      );
      if (wrongChecked === 5) {
        const right = await call(t, "POST", "/admin/auth/login", {
          remoteAddress: "203.0.113.7",
          body: ADMIN,
        });
        assert.deepEqual([right.statusCode, right.data.code], [429, "OPERATOR_LOGIN_LOCKED"]);
      }
      t.clock.advance(15 * 60_000 + 1);
    });

    test("sign-in and registration with an Idempotency-Key store no token and replay none", async () => {
      const phone = "13900000003";
      const code = await sendCode(t, phone, "register");
      const registered = await call(t, "POST", "/auth/register", {
        key: "reg-1",
        body: { phone, code, password: "member-pass-1" },
      });
      assert.equal(registered.statusCode, 201, registered.body);
      const again = await call(t, "POST", "/auth/register", {
        key: "reg-1",
        body: { phone, code, password: "member-pass-1" },
      });
      assert.notEqual(again.statusCode, 201);
      assert.equal(again.data.token, undefined, "no token on a repeat");

      const loginCode = await sendCode(t, phone, "login");
      const byCode = await call(t, "POST", "/auth/login", {
        key: "login-1",
        body: { phone, code: loginCode },
      });
      assert.equal(byCode.statusCode, 200, byCode.body);
      const replay = await call(t, "POST", "/auth/login", {
        key: "login-1",
        body: { phone, code: loginCode },
      });
      assert.deepEqual([replay.statusCode, replay.data.code], [400, "SMS_CODE_EXPIRED"]);
      assert.equal(replay.data.token, undefined);
      assert.equal(replay.headers["idempotent-replayed"], undefined);

      const operator = await call(t, "POST", "/admin/auth/login", { key: "op-login-1", body: ADMIN });
      assert.equal(operator.statusCode, 200, operator.body);

      const stored = await t.db.query<{ response: unknown }>("select response from idempotency_keys");
      const text = JSON.stringify(stored.rows);
      for (const token of [registered.data.token, byCode.data.token, operator.data.token]) {
        assert.ok(!text.includes(token), "no token in the idempotency table");
      }
      assert.equal(await count(t, "idempotency_keys", "key in ('reg-1', 'login-1', 'op-login-1')"), 0);
    });

    test("SMS send limits come before PHONE_TAKEN / PHONE_NOT_REGISTERED, and refusals count", async () => {
      const limited = await openTestApp(target, { smsLimits: { perAddressPerHour: 3 } });
      try {
        const taken = "13900000010";
        const taken2 = "13900000014";
        await register(limited, taken);
        await register(limited, taken2);
        const ip = { remoteAddress: "198.51.100.9" };
        // Three requests from one address: a taken number, two unregistered numbers (login).
        const first = await call(limited, "POST", "/auth/sms-codes", {
          ...ip,
          body: { phone: taken, purpose: "register" },
        });
        assert.equal(first.data.code, "PHONE_TAKEN");
        for (const phone of ["13900000011", "13900000012"]) {
          const r = await call(limited, "POST", "/auth/sms-codes", {
            ...ip,
            body: { phone, purpose: "login" },
          });
          assert.equal(r.data.code, "PHONE_NOT_REGISTERED");
        }
        // The limit of the address is reached: the answer no longer tells whether a number is registered.
        for (const [phone, purpose] of [
          [taken2, "register"],
          ["13900000013", "login"],
          ["13900000015", "register"],
          [taken2, "login"],
        ] as const) {
          const r = await call(limited, "POST", "/auth/sms-codes", { ...ip, body: { phone, purpose } });
          assert.deepEqual([r.statusCode, r.data.code], [429, "SMS_IP_LIMIT"], `${phone} ${purpose}`);
        }
        // Per number: a refusal counts for the resend wait too.
        const other = { remoteAddress: "198.51.100.10" };
        const again = await call(limited, "POST", "/auth/sms-codes", {
          ...other,
          body: { phone: taken, purpose: "register" },
        });
        assert.equal(again.data.code, "SMS_TOO_FREQUENT");
        assert.equal(await count(limited, "sms_outbox"), 2, "only the registrations' codes were sent");
      } finally {
        await limited.cleanup();
      }
    });

    test("register, code sign-in and password reset do not tell a registered number from another", async () => {
      const taken = "13900000020";
      await register(t, taken);
      const reg = await call(t, "POST", "/auth/register", {
        body: { phone: taken, code: "000000", password: "member-pass-1" },
      });
      const unknownReg = await call(t, "POST", "/auth/register", {
        body: { phone: "13900000021", code: "000000", password: "member-pass-1" },
      });
      assert.equal(reg.data.code, "SMS_CODE_EXPIRED");
      assert.equal(unknownReg.data.code, "SMS_CODE_EXPIRED");
      for (const [url, body] of [
        ["/auth/login", { phone: "13900000022", code: "000000" }],
        ["/auth/password-reset", { phone: "13900000022", code: "000000", newPassword: "member-pass-2" }],
      ] as const) {
        const unknown = await call(t, "POST", url, { body });
        const known = await call(t, "POST", url, { body: { ...body, phone: taken } });
        assert.equal(unknown.data.code, "SMS_CODE_EXPIRED", url);
        assert.equal(known.data.code, "SMS_CODE_EXPIRED", url);
      }
    });

    test("security headers: nosniff, no framing, a CSP, and no-store on API answers", async () => {
      const phone = "13900000030";
      const code = await sendCode(t, phone, "register");
      const registered = await call(t, "POST", "/auth/register", {
        body: { phone, code, password: "member-pass-1" },
      });
      const signedIn = await call(t, "POST", "/auth/login", { body: { phone, password: "member-pass-1" } });
      const operator = await call(t, "POST", "/admin/auth/login", { body: ADMIN });
      const health = await call(t, "GET", "/health");
      const missing = await call(t, "GET", "/no-such-route");
      for (const r of [registered, signedIn, operator, health, missing]) {
        assert.equal(r.headers["x-content-type-options"], "nosniff");
        assert.equal(r.headers["x-frame-options"], "DENY");
        const csp = String(r.headers["content-security-policy"]);
        assert.match(csp, /default-src 'self'/);
        assert.match(csp, /frame-ancestors 'none'/);
        assert.match(csp, /script-src 'self'/);
        assert.doesNotMatch(csp, /upgrade-insecure-requests/);
        assert.equal(r.headers["cache-control"], "no-store");
      }
      // swagger-ui works under the policy: its page loads scripts and styles from its own origin only.
      const ui = await call(t, "GET", "/docs/");
      assert.equal(ui.statusCode, 200);
      for (const src of ui.body.matchAll(/<script[^>]*src="([^"]+)"/g)) {
        assert.ok(!/^https?:/.test(src[1] ?? ""), `script ${src[1]} is same-origin`);
      }
      assert.doesNotMatch(ui.body, /<script>(?!\s*<\/script>)/, "no inline script");
      const asset = await call(t, "GET", "/docs/static/swagger-ui-bundle.js");
      assert.equal(asset.statusCode, 200);
      assert.notEqual(asset.headers["cache-control"], "no-store", "static files may be cached");
      const json = await call(t, "GET", "/docs/json");
      assert.equal(json.statusCode, 200);
    });

    test("a member token on an admin route is 403, an operator token on a member route too", async () => {
      const { token } = await register(t, "13900000040");
      const onAdmin = await call(t, "GET", "/admin/members", { token });
      assert.deepEqual([onAdmin.statusCode, onAdmin.data.code], [403, "FORBIDDEN"]);
      const admin = await operatorToken(t);
      const onMember = await call(t, "GET", "/me", { token: admin });
      assert.deepEqual([onMember.statusCode, onMember.data.code], [403, "FORBIDDEN"]);
      const unknown = await call(t, "GET", "/admin/members", { token: "jfm_not-a-token" });
      assert.deepEqual([unknown.statusCode, unknown.data.code], [401, "SESSION_EXPIRED"]);
    });
  });
}
