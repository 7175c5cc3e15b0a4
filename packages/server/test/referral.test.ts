import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { hashPassword } from "../src/auth/passwords.ts";
import {
  CHEAP_PASSWORDS,
  call,
  credit,
  openTestApp,
  operatorToken,
  register,
  type TestApp,
} from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

async function pay(t: TestApp, token: string, productId: string, points = "0"): Promise<string> {
  const order = await call(t, "POST", "/orders", { token, body: { productId, points } });
  assert.equal(order.statusCode, 201, order.body);
  const paid = await call(t, "POST", `/admin/orders/${order.data.id}/confirm-payment`, {
    token: await operatorToken(t),
  });
  assert.equal(paid.statusCode, 200, paid.body);
  return order.data.id;
}

for (const target of dbTargets()) {
  describe(`referral tree on ${target.name}`, () => {
    let t: TestApp;
    before(async () => {
      t = await openTestApp(target);
    });
    after(async () => {
      await t?.cleanup();
    });

    test("invite codes, direct referrals, downline size and whole-network performance split by payment", async () => {
      const a = await register(t, "13200000001");
      const b = await register(t, "13200000002", a.inviteCode);
      const c = await register(t, "13200000003", b.inviteCode.toLowerCase());
      const d = await register(t, "13200000004", a.inviteCode);
      const bMe = await call(t, "GET", "/me", { token: b.token });
      assert.deepEqual([bMe.data.referrerId, bMe.data.depth], [a.id, 1]);
      const cMe = await call(t, "GET", "/me", { token: c.token });
      assert.deepEqual([cMe.data.referrerId, cMe.data.depth], [b.id, 2]);

      const direct = await call(t, "GET", "/me/referrals", { token: a.token });
      assert.deepEqual(
        direct.data.items.map((m: { id: string; phone: string }) => [m.id, m.phone]),
        [
          [d.id, "132****0004"],
          [b.id, "132****0002"],
        ],
      );
      const page = await call(t, "GET", "/me/referrals?limit=1", { token: a.token });
      assert.equal(page.data.items.length, 1);
      assert.equal(page.data.nextCursor, d.id);

      await credit(t, b.id, "points", "30");
      await pay(t, b.token, "3", "30"); // 99.00: 69 cash + 30 points
      await pay(t, c.token, "4"); // 199.00 cash
      const team = await call(t, "GET", "/me/team", { token: a.token });
      assert.equal(team.statusCode, 200, team.body);
      assert.deepEqual(team.data, {
        businessDay: "2026-01-05",
        generation1: 2,
        generation2: 1,
        downlineSize: 3,
        performance: { total: "298.00", cash: "268.00", points: "30.00" },
      });
      const bTeam = await call(t, "GET", "/me/team", { token: b.token });
      assert.deepEqual([bTeam.data.downlineSize, bTeam.data.performance.total], [1, "199.00"]);
      const admin = await call(t, "GET", `/admin/members/${a.id}`, { token: await operatorToken(t) });
      assert.equal(admin.data.team.performance.total, "298.00");

      // A refunded order no longer counts.
      const orders = await call(t, "GET", "/orders", { token: c.token });
      await call(t, "POST", `/admin/orders/${orders.data.items[0].id}/refund`, {
        token: await operatorToken(t),
        body: { reason: "顾客退货 / returned" },
      });
      const after = await call(t, "GET", "/me/team", { token: a.token });
      assert.deepEqual(after.data.performance, { total: "99.00", cash: "69.00", points: "30.00" });
    });

    test("a 10,000-level chain: register at the bottom, read the top's downline", async () => {
      const depth = 10_000;
      const hash = await hashPassword("chain-pass-1", CHEAP_PASSWORDS);
      const base = 5_000_000;
      await t.db.transaction(async (tx) => {
        await tx.query(
          `insert into members (id, phone, password_hash, invite_code, referrer_id, depth, created_at)
           select $1::bigint + g, '1350' || lpad(g::text, 7, '0'), $2, 'CHAIN' || g,
                  case when g = 0 then null else $1::bigint + g - 1 end, g, $3::timestamptz
           from generate_series(0, $4::int - 1) as g`,
          [base, hash, t.clock.now().toISOString(), depth],
        );
      });
      const bottomCode = `CHAIN${depth - 1}`;
      const started = Date.now();
      const newcomer = await register(t, "13399999999", bottomCode);
      const me = await call(t, "GET", "/me", { token: newcomer.token });
      assert.equal(me.data.depth, depth);
      await pay(t, newcomer.token, "4");

      const top = await call(t, "POST", "/auth/login", {
        body: { phone: "13500000000", password: "chain-pass-1" },
      });
      assert.equal(top.statusCode, 200, top.body);
      const team = await call(t, "GET", "/me/team", { token: top.data.token });
      assert.equal(team.statusCode, 200, team.body);
      assert.equal(team.data.downlineSize, depth);
      assert.equal(team.data.generation1, 1);
      assert.equal(team.data.performance.total, "199.00");
      const middle = await call(t, "POST", "/auth/login", {
        body: { phone: "13500005000", password: "chain-pass-1" },
      });
      const middleTeam = await call(t, "GET", "/me/team", { token: middle.data.token });
      assert.equal(middleTeam.data.downlineSize, depth - 5_000);
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 20_000, `took ${elapsed} ms (a quadratic plan takes minutes)`);
    });
  });
}
