/**
 * `/me` and the admin member view show the star level (as the settlement
 * stored it), the membership grade, and what the next star level needs.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call, openTestApp, operatorToken, register, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

const DAY_MS = 86_400_000;

for (const target of dbTargets()) {
  describe(`member standing on ${target.name}`, () => {
    let t: TestApp;
    before(async () => {
      t = await openTestApp(target);
    });
    after(async () => {
      await t?.cleanup();
    });

    test("star level, grade, team performance and the next level's shortfall, before and after a settlement", async () => {
      let admin = await operatorToken(t);
      const a = await register(t, "13500000001");
      const b = await register(t, "13500000002", a.inviteCode);
      const c = await register(t, "13500000003", b.inviteCode);
      const buy = async (who: { token: string }, productId: string, quantity: number) => {
        const order = await call(t, "POST", "/orders", { token: who.token, body: { productId, quantity } });
        assert.equal(order.statusCode, 201, order.body);
        const paid = await call(t, "POST", `/admin/orders/${order.data.id}/confirm-payment`, {
          token: admin,
        });
        assert.equal(paid.statusCode, 200, paid.body);
        return order.data.id as string;
      };
      // Single-order amounts pick the package: 9,000 中级会员, 3,000 初级会员, 45,000 高级会员.
      await buy(b, "2", 1);
      await buy(b, "1", 1);
      const big = await buy(b, "2", 5);
      await buy(c, "4", 1); // 199 yuan of cycle goods: team performance of A and B, no grade

      const fresh = await call(t, "GET", "/me", { token: a.token });
      assert.equal(fresh.statusCode, 200, fresh.body);
      assert.equal(fresh.data.phone, "13500000001", "the profile is still there");
      assert.deepEqual(fresh.data.standing, {
        star: null,
        starSince: null,
        grade: null,
        teamPerformance: "57199.00",
        performanceDay: "2026-01-05",
        nextStar: { name: "二星", threshold: "200000.00", shortfall: "142801.00" },
      });
      const bBefore = await call(t, "GET", "/me", { token: b.token });
      assert.deepEqual(
        [bBefore.data.standing.grade, bBefore.data.standing.teamPerformance, bBefore.data.standing.nextStar],
        ["高级会员", "199.00", { name: "一星", threshold: "50000.00", shortfall: "49801.00" }],
      );

      // The settlement of 2026-01-05 stores A's star level.
      t.clock.advance(DAY_MS);
      admin = await operatorToken(t);
      const run = await call(t, "POST", "/admin/settlements/run", { token: admin, body: {} });
      assert.equal(run.data.outcomes[0]?.status, "settled", run.body);
      const settled = await call(t, "GET", "/me", { token: a.token });
      assert.deepEqual(
        [settled.data.standing.star, settled.data.standing.starSince, settled.data.standing.performanceDay],
        ["一星", "2026-01-05", "2026-01-06"],
      );
      const view = await call(t, "GET", `/admin/members/${a.id}`, { token: admin });
      assert.equal(view.statusCode, 200, view.body);
      assert.deepEqual(view.data.standing, settled.data.standing, "the admin view shows the same");
      const bView = await call(t, "GET", `/admin/members/${b.id}`, { token: admin });
      assert.deepEqual([bView.data.standing.star, bView.data.standing.grade], [null, "高级会员"]);

      // A refunded order no longer counts: B's grade and A's team performance drop.
      const refund = await call(t, "POST", `/admin/orders/${big}/refund`, {
        token: admin,
        body: { reason: "顾客退货 / returned" },
      });
      assert.equal(refund.statusCode, 200, refund.body);
      const bAfter = await call(t, "GET", "/me", { token: b.token });
      assert.equal(bAfter.data.standing.grade, "中级会员");
      const aAfter = await call(t, "GET", "/me", { token: a.token });
      assert.deepEqual(
        [aAfter.data.standing.star, aAfter.data.standing.teamPerformance, aAfter.data.standing.nextStar],
        ["一星", "12199.00", { name: "一星", threshold: "50000.00", shortfall: "37801.00" }],
      );

      // The parameter set in force decides the levels: a lower 二星 from the next day.
      const cfg = await call(t, "POST", "/admin/config", {
        token: admin,
        body: {
          params: {
            release: {
              starLevels: [
                { name: "一星", minPerformance: "5000", rate: "0.1" },
                { name: "二星", minPerformance: "20000", rate: "0.2" },
              ],
            },
          },
        },
      });
      assert.equal(cfg.statusCode, 201, cfg.body);
      t.clock.advance(2 * DAY_MS);
      admin = await operatorToken(t);
      const two = await call(t, "POST", "/admin/settlements/run", { token: admin, body: {} });
      assert.deepEqual(
        two.data.outcomes.map((o: { status: string }) => o.status),
        ["settled", "settled"],
      );
      // 2026-01-06 (old levels): 12,199 is below 一星, the star is gone; 2026-01-07 (new levels): 一星 again.
      const top = await call(t, "GET", "/me", { token: a.token });
      assert.deepEqual(
        [top.data.standing.star, top.data.standing.starSince, top.data.standing.nextStar],
        ["一星", "2026-01-07", { name: "二星", threshold: "20000.00", shortfall: "7801.00" }],
      );
    });
  });
}
