/**
 * The parameters API (issue 8): an empty change is refused; the §5 risk
 * warning (rewards on, cooling-off shorter than the return window) comes with
 * the set in force, the next day's set, a saved change and a preview that
 * saves nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call, count, openTestApp, operatorToken, operatorWithRole, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

const COOLING = "COOLING_OFF_SHORTER_THAN_RETURN_WINDOW";
/** The defaults' star levels and peer bonus reach any depth of the referral tree (docs/rules.md "Risks"). */
const DEPTH = "REWARDS_REACH_ANY_DEPTH";
const codes = (warnings: { code: string }[]) => warnings.map((w) => w.code);

for (const target of dbTargets()) {
  describe(`parameters API on ${target.name}`, () => {
    let t: TestApp;
    let admin: string;
    before(async () => {
      t = await openTestApp(target);
      admin = await operatorToken(t);
    });
    after(async () => {
      await t?.cleanup();
    });

    test("an empty change is refused with a code and saves nothing", async () => {
      const before = await count(t, "config_versions");
      for (const params of [{}, { release: {} }, { withdrawal: {}, equity: {} }]) {
        for (const url of ["/admin/config", "/admin/config/preview"]) {
          const refused = await call(t, "POST", url, { token: admin, body: { params } });
          assert.deepEqual(
            [refused.statusCode, refused.data.code, refused.data.field],
            [400, "CONFIG_CHANGE_EMPTY", "params"],
            `${url} ${JSON.stringify(params)}`,
          );
          assert.match(refused.data.messageEn, /must change at least one parameter/);
        }
      }
      assert.equal(await count(t, "config_versions"), before);
    });

    test("warnings with the set in force, the next day's set, a preview (nothing saved) and a saved change", async () => {
      const current = await call(t, "GET", "/admin/config", { token: admin });
      assert.equal(current.statusCode, 200, current.body);
      assert.deepEqual(
        current.data.warnings.map((w: { code: string; key: string }) => [w.code, w.key]),
        [
          [COOLING, "coolingOffDays"],
          [DEPTH, "release.starLevels"],
        ],
        "the defaults pay rewards with no cooling-off",
      );
      assert.match(
        current.data.warnings[0].zh,
        /^冷静期为 0 天，短于 7 天的退货期，而奖励已开启（消费增值、循环购、积分通证）/,
      );
      assert.equal(current.data.next.businessDay, "2026-01-06");
      assert.deepEqual(codes(current.data.next.warnings), [COOLING, DEPTH]);

      const versions = await count(t, "config_versions");
      const preview = await call(t, "POST", "/admin/config/preview", {
        token: admin,
        body: { params: { coolingOffDays: 7 } },
      });
      assert.equal(preview.statusCode, 200, preview.body);
      assert.deepEqual(
        [preview.data.effectiveDay, preview.data.config.coolingOffDays, codes(preview.data.warnings)],
        ["2026-01-06", "7", [DEPTH]],
      );
      assert.equal(preview.data.config.release.pointsPayRatio, "1", "the whole effective set");
      const risky = await call(t, "POST", "/admin/config/preview", {
        token: admin,
        body: { params: { coolingOffDays: 3 } },
      });
      assert.deepEqual(codes(risky.data.warnings), [COOLING, DEPTH]);
      const invalid = await call(t, "POST", "/admin/config/preview", {
        token: admin,
        body: { params: { coolingOffDays: -1 } },
      });
      assert.deepEqual(
        [invalid.statusCode, invalid.data.code, invalid.data.field],
        [400, "INVALID_CONFIG", "coolingOffDays"],
      );
      const support = await operatorWithRole(t, "support");
      const denied = await call(t, "POST", "/admin/config/preview", {
        token: support,
        body: { params: { coolingOffDays: 7 } },
      });
      assert.equal(denied.statusCode, 403);
      assert.equal(await count(t, "config_versions"), versions, "a preview saves nothing");

      const saved = await call(t, "POST", "/admin/config", {
        token: admin,
        body: { params: { coolingOffDays: 7 }, note: "7-day returns" },
      });
      assert.equal(saved.statusCode, 201, saved.body);
      assert.deepEqual([saved.data.effectiveDay, codes(saved.data.warnings)], ["2026-01-06", [DEPTH]]);
      const after = await call(t, "GET", "/admin/config", { token: admin });
      assert.deepEqual(codes(after.data.warnings), [COOLING, DEPTH], "today's set is unchanged");
      assert.deepEqual(
        [after.data.next.versionId, codes(after.data.next.warnings)],
        [saved.data.versionId, [DEPTH]],
      );
      assert.equal(after.data.next.config.coolingOffDays, "7", "numbers are kept as their decimal text");

      const shorter = await call(t, "POST", "/admin/config", {
        token: admin,
        body: { params: { coolingOffDays: 2 } },
      });
      assert.equal(shorter.statusCode, 201, "a warning does not stop the operator");
      assert.deepEqual(codes(shorter.data.warnings), [COOLING, DEPTH]);
      const audit = await call(t, "GET", "/admin/audit-log?action=config.change", { token: admin });
      assert.deepEqual(audit.data.items[0]?.detail.warnings, [COOLING, DEPTH]);
    });
  });
}
