/**
 * POST /admin/simulations (issue 12): a plan under the set in force and under
 * a draft change, both daily series back; admins only; bad plans, bad drafts
 * and runs past the bound are coded refusals; nothing is written.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MAX_MEMBER_DAYS } from "../src/simulations/routes.ts";
import { call, count, openTestApp, operatorToken, operatorWithRole, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

const plan = {
  days: 15,
  seed: 5,
  startMembers: 10,
  growth: { curve: "constant", perDay: "3", stopDay: 10 },
  referrer: "preferential",
  purchases: {
    ordersPerMemberPerMonth: "6",
    mix: [
      { plans: ["release"], share: "0.6", packages: { 初级会员: "1" } },
      { plans: ["cycle", "equity"], share: "0.4", amounts: ["500"] },
    ],
  },
  behaviour: { equitySellShare: "0.05", cashWithdrawShare: "0.5" },
};

for (const target of dbTargets()) {
  describe(`simulations API on ${target.name}`, () => {
    let t: TestApp;
    let admin: string;
    before(async () => {
      t = await openTestApp(target);
      admin = await operatorToken(t);
    });
    after(async () => {
      await t?.cleanup();
    });

    test("both series: the set in force and the draft, same members and orders, nothing written", async () => {
      const before = await count(t, "ledger_transactions");
      const draft = { release: { dailyRate: "0.006" } };
      const r = await call(t, "POST", "/admin/simulations", { token: admin, body: { plan, draft } });
      assert.equal(r.statusCode, 200, r.body);
      const { current, draft: b } = r.data;
      assert.equal(current.rows.length, 15);
      assert.equal(b.rows.length, 15);
      assert.deepEqual(
        b.rows.map((x: { members: number; orders: number }) => [x.members, x.orders]),
        current.rows.map((x: { members: number; orders: number }) => [x.members, x.orders]),
      );
      assert.equal(current.rows[14].members, 37);
      assert.ok(
        Number(b.rows[14].releaseStatic) < Number(current.rows[14].releaseStatic),
        "half the daily rate",
      );
      assert.equal(current.summary.growthStopDay, 10);
      assert.match(current.summary.lines[0], /^负债峰值 .* Liabilities peak at/);
      assert.equal(await count(t, "ledger_transactions"), before);
      assert.equal(await count(t, "config_versions"), 0, "the draft is not saved");
    });

    test("refusals: a bad plan, a bad draft, past the bound, not an admin", async () => {
      const bad = await call(t, "POST", "/admin/simulations", {
        token: admin,
        body: { plan: { ...plan, growth: { curve: "linear" } }, draft: {} },
      });
      assert.deepEqual(
        [bad.statusCode, bad.data.code, bad.data.field],
        [400, "SIMULATION_PLAN_INVALID", "plan.growth.curve"],
      );
      assert.match(bad.data.message, /PLAN_BAD_CHOICE/);
      const draft = await call(t, "POST", "/admin/simulations", {
        token: admin,
        body: { plan, draft: { release: { dailyRate: "2" } } },
      });
      assert.deepEqual([draft.statusCode, draft.data.code], [400, "INVALID_CONFIG"]);
      const days = Math.floor(MAX_MEMBER_DAYS / 1000) + 1;
      const large = await call(t, "POST", "/admin/simulations", {
        token: admin,
        body: {
          plan: { ...plan, days, startMembers: 1000, growth: { curve: "constant", perDay: "0" } },
          draft: {},
        },
      });
      assert.deepEqual([large.statusCode, large.data.code], [400, "SIMULATION_TOO_LARGE"]);
      const support = await operatorWithRole(t, "support");
      const denied = await call(t, "POST", "/admin/simulations", {
        token: support,
        body: { plan, draft: {} },
      });
      assert.equal(denied.statusCode, 403);
    });
  });
}
