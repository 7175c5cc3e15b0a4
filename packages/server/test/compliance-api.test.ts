/**
 * The compliance report API (issue 12): GET /admin/compliance (the set in
 * force), POST /admin/compliance/preview (a draft, validated like a parameter
 * change, nothing saved), admins only, coded refusals.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call, count, openTestApp, operatorToken, operatorWithRole, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

type Rule = { code: string; generations: number | null; applies: boolean; entryMinAmount: string | null };
const byCode = (rules: Rule[]) => Object.fromEntries(rules.map((r) => [r.code, r]));

for (const target of dbTargets()) {
  describe(`compliance API on ${target.name}`, () => {
    let t: TestApp;
    let admin: string;
    before(async () => {
      t = await openTestApp(target);
      admin = await operatorToken(t);
    });
    after(async () => {
      await t?.cleanup();
    });

    test("the set in force (defaults): share 2 generations, team and peer unbounded, notes and disclaimer", async () => {
      const shown = await call(t, "GET", "/admin/compliance", { token: admin });
      assert.equal(shown.statusCode, 200, shown.body);
      assert.equal(shown.data.versionId, null);
      const rules = byCode(shown.data.rules);
      assert.equal(rules["release.share"]?.generations, 2);
      assert.equal(rules["release.team"]?.generations, null);
      assert.equal(rules["release.peer"]?.generations, null);
      assert.equal(rules["release.team"]?.entryMinAmount, "3000");
      assert.equal(shown.data.deepestGenerations, null);
      assert.deepEqual(
        [shown.data.teamPay, shown.data.recruiting, shown.data.entryPurchase],
        [true, true, true],
      );
      assert.ok(shown.data.notes.some((n: { zh: string }) => n.zh.includes("《禁止传销条例》第七条")));
      assert.match(shown.data.disclaimer.zh, /不构成法律意见/);
      assert.match(shown.data.disclaimer.en, /not legal advice/);
    });

    test("a draft that caps share and turns off the team rules changes the answer and saves nothing", async () => {
      const versions = await count(t, "config_versions");
      const preview = await call(t, "POST", "/admin/compliance/preview", {
        token: admin,
        body: { params: { release: { shareRates: ["0.5"], starLevels: [], peerRate: "0" } } },
      });
      assert.equal(preview.statusCode, 200, preview.body);
      assert.equal(preview.data.effectiveDay, "2026-01-06");
      const rules = byCode(preview.data.rules);
      assert.equal(rules["release.share"]?.generations, 1);
      assert.deepEqual([rules["release.team"]?.applies, rules["release.team"]?.generations], [false, 0]);
      assert.equal(preview.data.deepestGenerations, 1);
      assert.equal(await count(t, "config_versions"), versions);
    });

    test("the report follows a saved version (from its effective day) and drafts build on it", async () => {
      await t.db.query(
        `insert into config_versions (params, effective_day, operator_id, note, created_at)
         values ('{"release":{"shareRates":["0.5","0.3","0.1"]}}'::jsonb, '2000-01-01', null, 'test', now())`,
      );
      const shown = await call(t, "GET", "/admin/compliance", { token: admin });
      assert.equal(byCode(shown.data.rules)["release.share"]?.generations, 3);
      assert.ok(shown.data.versionId);
      const draft = await call(t, "POST", "/admin/compliance/preview", {
        token: admin,
        body: { params: { equity: { referrerShare: "0.1" } } },
      });
      const rules = byCode(draft.data.rules);
      assert.equal(rules["release.share"]?.generations, 3, "the draft is applied over the versions saved");
      assert.equal(rules["equity.referrer"]?.generations, 1);
    });

    test("a bad or empty draft is a coded error naming the key; nothing is saved", async () => {
      const versions = await count(t, "config_versions");
      const bad = await call(t, "POST", "/admin/compliance/preview", {
        token: admin,
        body: { params: { release: { peerRate: "1.5" } } },
      });
      assert.deepEqual([bad.statusCode, bad.data.code], [400, "INVALID_CONFIG"], bad.body);
      assert.match(bad.data.message, /release\.peerRate/);
      assert.match(bad.data.messageEn, /release\.peerRate/);
      const unknown = await call(t, "POST", "/admin/compliance/preview", {
        token: admin,
        body: { params: { release: { shareRate: ["0.5"] } } },
      });
      assert.deepEqual([unknown.statusCode, unknown.data.code], [400, "INVALID_CONFIG"]);
      const empty = await call(t, "POST", "/admin/compliance/preview", {
        token: admin,
        body: { params: { release: {} } },
      });
      assert.deepEqual(
        [empty.statusCode, empty.data.code, empty.data.field],
        [400, "CONFIG_CHANGE_EMPTY", "params"],
      );
      const missing = await call(t, "POST", "/admin/compliance/preview", { token: admin, body: {} });
      assert.equal(missing.statusCode, 400);
      assert.equal(await count(t, "config_versions"), versions);
    });

    test("admins only: support and finance are refused", async () => {
      for (const role of ["support", "finance"] as const) {
        const token = await operatorWithRole(t, role);
        const shown = await call(t, "GET", "/admin/compliance", { token });
        assert.deepEqual([shown.statusCode, shown.data.code], [403, "FORBIDDEN"]);
        const draft = await call(t, "POST", "/admin/compliance/preview", {
          token,
          body: { params: { coolingOffDays: 7 } },
        });
        assert.deepEqual([draft.statusCode, draft.data.code], [403, "FORBIDDEN"]);
      }
      assert.equal((await call(t, "GET", "/admin/compliance")).statusCode, 401);
    });
  });
}
