/**
 * The console's operations API (issue 10): the dashboard's daily series
 * (GET /admin/reports/daily) with its coded range errors, the parameters API
 * closed to every role but admin (with its paginated version history naming
 * who saved each version), and the settlement's progress.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import {
  call,
  count,
  openTestApp,
  operatorToken,
  operatorWithRole,
  register,
  type TestApp,
} from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import { paidOrder } from "./support/equity.ts";

/** The seeded demo products: 1 初级会员礼包 3000 (release), 3 有机大米 99 (equity), 4 茶叶 199 (cycle). */
const RELEASE = "1";
const EQUITY = "3";
const CYCLE = "4";

for (const target of dbTargets()) {
  describe(`admin reports, parameters access and settlement progress on ${target.name}`, () => {
    let t: TestApp;
    let admin: string;
    let support: string;

    before(async () => {
      t = await openTestApp(target);
      const created = await call(t, "POST", "/admin/operators", {
        token: await operatorToken(t),
        body: { username: "kefu", displayName: "客服小王", role: "support", password: "operator-pass-1" },
      });
      assert.equal(created.statusCode, 201, created.body);
    });
    // The tests move the clock by days: fresh sessions for each.
    beforeEach(async () => {
      admin = await operatorToken(t);
      support = await operatorToken(t, "kefu", "operator-pass-1");
    });
    after(async () => {
      await t?.cleanup();
    });

    test("the daily series: sales, new members, refunds, and what the settlement released, per day", async () => {
      const a = await register(t, "13800000101");
      const b = await register(t, "13800000102", a.inviteCode);
      const rice = await paidOrder(t, a, EQUITY, admin);
      await paidOrder(t, b, CYCLE, admin);
      await paidOrder(t, b, RELEASE, admin);
      t.clock.advance(86_400_000); // 2026-01-06
      admin = await operatorToken(t);
      support = await operatorToken(t, "kefu", "operator-pass-1");
      const settled = await call(t, "POST", "/admin/settlements/run", { token: admin, body: {} });
      assert.deepEqual(
        settled.data.outcomes.map((o: { day: string; status: string }) => [o.day, o.status]),
        [["2026-01-05", "settled"]],
        settled.body,
      );
      const refund = await call(t, "POST", `/admin/orders/${rice}/refund`, {
        token: admin,
        body: { reason: "质量问题退货" },
      });
      assert.equal(refund.statusCode, 200, refund.body);

      const report = await call(t, "GET", "/admin/reports/daily?from=2026-01-04&to=2026-01-06", {
        token: support,
      });
      assert.equal(report.statusCode, 200, report.body);
      const [d4, d5, d6] = report.data.days;
      assert.deepEqual(
        report.data.days.map((d: { day: string }) => d.day),
        ["2026-01-04", "2026-01-05", "2026-01-06"],
      );
      assert.deepEqual([d4.newMembers, d4.orders, d4.sales, d4.settled], [0, 0, "0.00", false]);
      assert.deepEqual([d5.newMembers, d5.orders, d5.sales, d5.refunds], [2, 3, "3298.00", 0]);
      const run = await call(t, "GET", "/admin/settlements/2026-01-05", { token: admin });
      assert.equal(d5.settled, true);
      assert.equal(d5.released, run.data.report.totals.released);
      assert.equal(d5.dividends, run.data.report.totals.dividends);
      assert.ok(Number(d5.released) > 0, "the release-plan order released points on its first day");
      assert.match(d5.equityPrice, /^\d+\.\d{4}$/);
      assert.equal(
        d5.equityPool,
        "29.7",
        "equity.contributionRate 0.3 of the 99-yuan order went into the pool",
      );
      assert.deepEqual(
        [d6.orders, d6.refunds, d6.refunded, d6.settled, d6.released],
        [0, 1, "99.00", false, null],
      );
      assert.deepEqual(report.data.totals, {
        newMembers: 2,
        orders: 3,
        sales: "3298.00",
        refunds: 1,
        refunded: "99.00",
        released: d5.released,
        dividends: d5.dividends,
      });

      const defaults = await call(t, "GET", "/admin/reports/daily", { token: admin });
      assert.equal(defaults.data.days.length, 30, "the last 30 days by default");
      assert.equal(defaults.data.to, "2026-01-06");
    });

    test("a bad range gets a coded error naming the field", async () => {
      const cases: [string, number, string, string][] = [
        ["from=2026-01-06&to=2026-01-05", 400, "REPORT_RANGE_INVALID", "from"],
        ["from=2025-01-01&to=2026-01-05", 400, "REPORT_RANGE_TOO_LONG", "to"],
        ["from=2026-02-30&to=2026-03-01", 400, "INVALID_DATE", "from"],
        ["to=tomorrow", 400, "INVALID_DATE", "to"],
      ];
      for (const [query, status, code, field] of cases) {
        const refused = await call(t, "GET", `/admin/reports/daily?${query}`, { token: admin });
        assert.deepEqual(
          [refused.statusCode, refused.data.code, refused.data.field],
          [status, code, field],
          query,
        );
        assert.match(refused.data.message, /[\u4e00-\u9fff]/);
      }
      const longest = await call(t, "GET", "/admin/reports/daily?from=2025-01-06&to=2026-01-06", {
        token: admin,
      });
      assert.equal(longest.statusCode, 200, "366 days is the longest range");
      assert.equal(longest.data.days.length, 366);
      const anonymous = await call(t, "GET", "/admin/reports/daily");
      assert.equal(anonymous.statusCode, 401);
    });

    test("the parameters API is the admin's only: support is refused every call and changes nothing", async () => {
      const versions = await count(t, "config_versions");
      for (const [method, url, body] of [
        ["GET", "/admin/config", undefined],
        ["GET", "/admin/config/versions", undefined],
        ["POST", "/admin/config/preview", { params: { coolingOffDays: 7 } }],
        ["POST", "/admin/config", { params: { coolingOffDays: 7 } }],
      ] as const) {
        const refused = await call(t, method, url, { token: support, ...(body ? { body } : {}) });
        assert.deepEqual([refused.statusCode, refused.data.code], [403, "FORBIDDEN"], `${method} ${url}`);
      }
      assert.equal(await count(t, "config_versions"), versions);
      const finance = await operatorWithRole(t, "finance");
      assert.equal((await call(t, "GET", "/admin/config", { token: finance })).statusCode, 403);
    });

    test("the whole parameter set is typed and the version history names who saved what, paginated", async () => {
      const shown = await call(t, "GET", "/admin/config", { token: admin });
      assert.equal(shown.statusCode, 200, shown.body);
      const config = shown.data.config;
      assert.deepEqual(Object.keys(config).sort(), [
        "coolingOffDays",
        "cycle",
        "equity",
        "release",
        "timezone",
        "withdrawal",
      ]);
      assert.equal(config.equity.sellFeeRate, "0.1");
      assert.equal(config.coolingOffDays, 0, "a number stays a number");
      assert.equal(config.cycle.pools[1].tiers[0].minWeight, "50");
      for (const [i, note] of ["one", "two", "three"].entries()) {
        const saved = await call(t, "POST", "/admin/config", {
          token: admin,
          body: { params: { release: { dailyRate: `0.01${i}` } }, note },
        });
        assert.equal(saved.statusCode, 201, saved.body);
      }
      const first = await call(t, "GET", "/admin/config/versions?limit=2", { token: admin });
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual(
        first.data.items.map((v: { note: string; params: unknown }) => [v.note, v.params]),
        [
          ["three", { release: { dailyRate: "0.012" } }],
          ["two", { release: { dailyRate: "0.011" } }],
        ],
      );
      assert.equal(first.data.items[0].operatorName, "管理员");
      const second = await call(t, "GET", `/admin/config/versions?limit=2&cursor=${first.data.nextCursor}`, {
        token: admin,
      });
      assert.equal(second.data.items[0].note, "one");
      const next = await call(t, "GET", "/admin/config", { token: admin });
      assert.equal(next.data.next.config.release.dailyRate, "0.012");
      assert.equal(next.data.versions[0].operatorName, "管理员");
    });

    test("the settlement's progress while a run goes on, polled beside it", async () => {
      const member = await register(t, "13800000103");
      await paidOrder(t, member, RELEASE, admin);
      t.clock.advance(86_400_000);
      admin = await operatorToken(t);
      let finished = false;
      const running = call(t, "POST", "/admin/settlements/run", { token: admin, body: {} }).then((r) => {
        finished = true;
        return r;
      });
      const seen: { running: boolean; day: string | null; phase: string | null; percent: number }[] = [];
      for (let polls = 0; !finished && polls < 500; polls++) {
        const polled = await call(t, "GET", "/admin/settlements/progress", { token: admin });
        assert.equal(polled.statusCode, 200, polled.body);
        seen.push(polled.data);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const settled = await running;
      assert.equal(settled.statusCode, 200, settled.body);
      const during = seen.filter((p) => p.running);
      if (target.name === "postgres") {
        // PGlite runs one statement at a time: its polls wait for the run's transaction.
        assert.ok(during.length > 0, `a poll saw the run: ${JSON.stringify(seen)}`);
      }
      for (const p of during) {
        assert.equal(p.day, settled.data.outcomes[0].day);
        assert.ok(p.percent >= 0 && p.percent < 100, JSON.stringify(p));
      }
      const after = await call(t, "GET", "/admin/settlements/progress", { token: admin });
      assert.deepEqual([after.data.running, after.data.day, after.data.phase], [false, null, null]);
    });

    test("the settlement's progress: idle when nothing runs, admin only", async () => {
      const idle = await call(t, "GET", "/admin/settlements/progress", { token: admin });
      assert.equal(idle.statusCode, 200, idle.body);
      assert.deepEqual([idle.data.running, idle.data.percent, idle.data.steps], [false, 0, 10]);
      const denied = await call(t, "GET", "/admin/settlements/progress", { token: support });
      assert.equal(denied.statusCode, 403);
    });
  });
}
