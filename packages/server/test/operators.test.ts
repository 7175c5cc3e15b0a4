/** Issue 8, "Operators": throttling that cannot lock the owner out, password change, disable/enable/role, the demo password, the outbox's codes. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildApp } from "../src/app.ts";
import { ManualClock } from "../src/clock/index.ts";
import { seed } from "../src/seed.ts";
import { DEFAULT_ADMIN_PASSWORD } from "../src/settings.ts";
import {
  ADMIN,
  CHEAP_PASSWORDS,
  call,
  openTestApp,
  operatorToken,
  sendCode,
  type TestApp,
} from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

async function createOperator(
  t: TestApp,
  admin: string,
  username: string,
  role: "admin" | "finance" | "support",
): Promise<string> {
  const created = await call(t, "POST", "/admin/operators", {
    token: admin,
    body: { username, displayName: username, role, password: "operator-pass-1" },
  });
  assert.equal(created.statusCode, 201, created.body);
  return created.data.id;
}

for (const target of dbTargets()) {
  describe(`operators on ${target.name}`, () => {
    let t: TestApp;
    before(async () => {
      t = await openTestApp(target);
    });
    after(async () => {
      await t?.cleanup();
    });

    test("a stranger's wrong passwords lock only the stranger's address; the owner signs in from elsewhere", async () => {
      const attacker = { remoteAddress: "203.0.113.66" };
      for (let i = 0; i < 5; i++) {
        const wrong = await call(t, "POST", "/admin/auth/login", {
          ...attacker,
          body: { username: ADMIN.username, password: `guess-${i}` },
        });
        assert.equal(wrong.data.code, "OPERATOR_LOGIN_FAILED");
      }
      const locked = await call(t, "POST", "/admin/auth/login", { ...attacker, body: ADMIN });
      assert.deepEqual([locked.statusCode, locked.data.code], [429, "OPERATOR_LOGIN_LOCKED"]);
      assert.doesNotMatch(`${locked.data.message} ${locked.data.messageEn}`, /验证码|SMS/i, "no SMS hint");
      const owner = await call(t, "POST", "/admin/auth/login", {
        remoteAddress: "198.51.100.1",
        body: ADMIN,
      });
      assert.equal(owner.statusCode, 200, owner.body);
      t.clock.advance(15 * 60_000 + 1);
      const later = await call(t, "POST", "/admin/auth/login", { ...attacker, body: ADMIN });
      assert.equal(later.statusCode, 200, "the address is free again after 15 minutes");
    });

    test("past the per-account ceiling, tries from any address are spaced out, never locked", async () => {
      const fast = await openTestApp(target, {
        operatorLoginLimits: { maxFailures: 5, windowMs: 15 * 60_000, accountCeiling: 6, slowdownMs: 5_000 },
      });
      try {
        for (let i = 0; i < 6; i++) {
          const wrong = await call(fast, "POST", "/admin/auth/login", {
            remoteAddress: `203.0.113.${i + 1}`,
            body: { username: ADMIN.username, password: `guess-${i}` },
          });
          assert.equal(wrong.data.code, "OPERATOR_LOGIN_FAILED");
        }
        const slowed = await call(fast, "POST", "/admin/auth/login", {
          remoteAddress: "198.51.100.1",
          body: ADMIN,
        });
        assert.deepEqual([slowed.statusCode, slowed.data.code], [429, "OPERATOR_LOGIN_SLOWED"]);
        fast.clock.advance(5_000);
        const owner = await call(fast, "POST", "/admin/auth/login", {
          remoteAddress: "198.51.100.1",
          body: ADMIN,
        });
        assert.equal(owner.statusCode, 200, owner.body);
      } finally {
        await fast.cleanup();
      }
    });

    test("an operator changes their own password: the old one stops working, other sessions end, audited", async () => {
      const admin = await operatorToken(t);
      await createOperator(t, admin, "finance-1", "finance");
      const first = await operatorToken(t, "finance-1", "operator-pass-1");
      const second = await operatorToken(t, "finance-1", "operator-pass-1");
      const wrong = await call(t, "POST", "/admin/me/password", {
        token: first,
        body: { currentPassword: "not-it-1", newPassword: "finance-pass-2" },
      });
      assert.deepEqual([wrong.statusCode, wrong.data.code], [400, "OPERATOR_PASSWORD_WRONG"]);
      const changed = await call(t, "POST", "/admin/me/password", {
        token: first,
        body: { currentPassword: "operator-pass-1", newPassword: "finance-pass-2" },
      });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.equal(
        (await call(t, "GET", "/admin/orders", { token: first })).statusCode,
        200,
        "this session stays",
      );
      assert.equal((await call(t, "GET", "/admin/orders", { token: second })).data.code, "SESSION_EXPIRED");
      const old = await call(t, "POST", "/admin/auth/login", {
        body: { username: "finance-1", password: "operator-pass-1" },
      });
      assert.equal(old.data.code, "OPERATOR_LOGIN_FAILED");
      await operatorToken(t, "finance-1", "finance-pass-2");
      const log = await call(t, "GET", "/admin/audit-log?action=operator.password.change", { token: admin });
      assert.equal(log.data.items[0]?.operatorName, "finance-1");
    });

    test("admins disable, enable and change roles, audited; a disabled operator's sessions end", async () => {
      const admin = await operatorToken(t);
      const id = await createOperator(t, admin, "support-1", "support");
      const session = await operatorToken(t, "support-1", "operator-pass-1");
      const bySupport = await call(t, "POST", `/admin/operators/${id}/disable`, { token: session });
      assert.deepEqual([bySupport.statusCode, bySupport.data.code], [403, "FORBIDDEN"]);

      const disabled = await call(t, "POST", `/admin/operators/${id}/disable`, { token: admin });
      assert.equal(disabled.statusCode, 200, disabled.body);
      assert.equal(disabled.data.active, false);
      assert.equal((await call(t, "GET", "/admin/members", { token: session })).data.code, "SESSION_EXPIRED");
      const refused = await call(t, "POST", "/admin/auth/login", {
        body: { username: "support-1", password: "operator-pass-1" },
      });
      assert.equal(refused.data.code, "OPERATOR_LOGIN_FAILED");

      const enabled = await call(t, "POST", `/admin/operators/${id}/enable`, { token: admin });
      assert.equal(enabled.data.active, true);
      const role = await call(t, "POST", `/admin/operators/${id}/role`, {
        token: admin,
        body: { role: "finance" },
      });
      assert.equal(role.data.role, "finance");
      const again = await operatorToken(t, "support-1", "operator-pass-1");
      assert.equal((await call(t, "GET", "/admin/withdrawals", { token: again })).statusCode, 200);
      const missing = await call(t, "POST", "/admin/operators/999999/disable", { token: admin });
      assert.deepEqual([missing.statusCode, missing.data.code], [404, "OPERATOR_NOT_FOUND"]);

      const log = await call(t, "GET", "/admin/audit-log", { token: admin });
      const entries = (
        log.data.items as { action: string; operatorName: string; detail: { username?: string } }[]
      )
        .filter((e) => e.action.startsWith("operator.") && e.detail.username === "support-1")
        .map((e) => [e.action, e.operatorName]);
      assert.deepEqual(entries, [
        ["operator.role", ADMIN.username],
        ["operator.enable", ADMIN.username],
        ["operator.disable", ADMIN.username],
        ["operator.create", ADMIN.username],
      ]);
    });

    test("support sees the outbox with codes masked; the admin reads the console provider's codes", async () => {
      const phone = "13700000001";
      const code = await sendCode(t, phone, "register");
      const admin = await operatorToken(t);
      const adminView = await call(t, "GET", `/admin/sms-outbox?phone=${phone}`, { token: admin });
      assert.match(adminView.data.items[0].content, new RegExp(code));
      await createOperator(t, admin, "support-2", "support");
      const support = await operatorToken(t, "support-2", "operator-pass-1");
      const supportView = await call(t, "GET", `/admin/sms-outbox?phone=${phone}`, { token: support });
      assert.equal(supportView.statusCode, 200);
      assert.doesNotMatch(supportView.data.items[0].content, new RegExp(code));
      assert.match(supportView.data.items[0].content, /\*{6}/);
    });
    test("the last active admin can be neither disabled nor demoted", async () => {
      const admin = await operatorToken(t);
      const me = (await call(t, "GET", "/admin/operators", { token: admin })).data.items.find(
        (o: { username: string }) => o.username === ADMIN.username,
      );
      const disable = await call(t, "POST", `/admin/operators/${me.id}/disable`, { token: admin });
      assert.deepEqual([disable.statusCode, disable.data.code], [409, "OPERATOR_LAST_ADMIN"]);
      const demote = await call(t, "POST", `/admin/operators/${me.id}/role`, {
        token: admin,
        body: { role: "support" },
      });
      assert.deepEqual([demote.statusCode, demote.data.code], [409, "OPERATOR_LAST_ADMIN"]);
      // With a second admin, one may go.
      const other = await createOperator(t, admin, "admin-2", "admin");
      const otherToken = await operatorToken(t, "admin-2", "operator-pass-1");
      const [a, b] = await Promise.all([
        call(t, "POST", `/admin/operators/${other}/disable`, { token: admin }),
        call(t, "POST", `/admin/operators/${me.id}/disable`, { token: otherToken }),
      ]);
      const codes = [a.statusCode, b.statusCode].sort();
      assert.ok(
        codes[0] === 200 && [401, 403, 409].includes(codes[1] as number),
        `one disable wins: ${a.body} ${b.body}`,
      );
      const active = await t.db.query<{ n: string }>(
        "select count(*) as n from operators where role = 'admin' and active",
      );
      assert.equal(Number(active.rows[0]?.n), 1, "one active admin is left");
    });
  });

  describe(`the demo password on ${target.name}`, () => {
    test("signing in with the built-in demo password requires a change before anything else", async () => {
      // A fresh database seeded with the demo password (as `npm start` without ADMIN_PASSWORD).
      const testDb = await target.open();
      const clock = new ManualClock("2026-01-05T02:00:00.000Z");
      await seed(testDb.db, {
        adminUsername: "demo",
        adminPassword: DEFAULT_ADMIN_PASSWORD,
        passwords: CHEAP_PASSWORDS,
        products: false,
        now: clock.now(),
      });
      const app = await buildApp({
        db: testDb.db,
        clock,
        secret: "test-secret-0123456789",
        passwords: CHEAP_PASSWORDS,
      });
      const t: TestApp = {
        app,
        db: testDb.db,
        clock,
        async cleanup() {
          await app.close();
          await testDb.cleanup();
        },
      };
      try {
        const signIn = await call(t, "POST", "/admin/auth/login", {
          body: { username: "demo", password: DEFAULT_ADMIN_PASSWORD },
        });
        assert.equal(signIn.statusCode, 200, signIn.body);
        assert.equal(signIn.data.mustChangePassword, true);
        const token = signIn.data.token;
        const blocked = await call(t, "GET", "/admin/members", { token });
        assert.deepEqual([blocked.statusCode, blocked.data.code], [403, "OPERATOR_PASSWORD_CHANGE_REQUIRED"]);
        const same = await call(t, "POST", "/admin/me/password", {
          token,
          body: { currentPassword: DEFAULT_ADMIN_PASSWORD, newPassword: DEFAULT_ADMIN_PASSWORD },
        });
        assert.equal(same.data.code, "OPERATOR_PASSWORD_UNCHANGED");
        const changed = await call(t, "POST", "/admin/me/password", {
          token,
          body: { currentPassword: DEFAULT_ADMIN_PASSWORD, newPassword: "my-own-password-1" },
        });
        assert.equal(changed.statusCode, 200, changed.body);
        assert.equal((await call(t, "GET", "/admin/members", { token })).statusCode, 200);
        const next = await call(t, "POST", "/admin/auth/login", {
          body: { username: "demo", password: "my-own-password-1" },
        });
        assert.equal(next.data.mustChangePassword, false);
      } finally {
        await t.cleanup();
      }
    });

    test("a password given through ADMIN_PASSWORD needs no change", async () => {
      const t = await openTestApp(target);
      try {
        const signIn = await call(t, "POST", "/admin/auth/login", { body: ADMIN });
        assert.equal(signIn.data.mustChangePassword, false);
        assert.equal((await call(t, "GET", "/admin/members", { token: signIn.data.token })).statusCode, 200);
      } finally {
        await t.cleanup();
      }
    });
  });
}
