/**
 * The settlement's admin API (admin only, audited) and the scheduler: runs,
 * reports, dry runs, catching up missed days in order, and the job's timing.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cronPattern, startSettlementScheduler } from "../src/settlement/scheduler.ts";
import { call, count, openTestApp, operatorToken, operatorWithRole, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import { driveScenario, type ServerScenario } from "./support/scenario.ts";

const DAY_MS = 86_400_000;

/** Orders on the first open day, no end of day: the API settles. */
const DAY_ONE: ServerScenario = {
  events: [
    { type: "join", member: "A" },
    { type: "join", member: "B", referrer: "A" },
    { type: "order", member: "A", amount: "3000", plans: ["release", "cycle"], id: "a" },
    { type: "order", member: "B", amount: "9000", plans: ["release"], id: "b" },
  ],
};

async function openDayOf(t: TestApp): Promise<string> {
  return (await t.db.query<{ d: string }>("select open_day as d from reward_clock")).rows[0]?.d as string;
}

for (const target of dbTargets()) {
  describe(`settlement API on ${target.name}`, () => {
    test("admin runs, reads and lists settlements; others may not; every call is audited", async () => {
      const t = await openTestApp(target);
      try {
        await driveScenario(t, DAY_ONE);
        let admin = await operatorToken(t);
        const finance = await operatorWithRole(t, "finance");
        const day = await openDayOf(t);

        const denied = await call(t, "POST", "/admin/settlements/run", { token: finance, body: {} });
        assert.equal(denied.statusCode, 403);
        assert.equal(denied.data.code, "FORBIDDEN");
        assert.equal((await call(t, "GET", "/admin/settlements", { token: finance })).statusCode, 403);
        assert.equal((await call(t, "GET", "/admin/settlements")).statusCode, 401);

        const early = await call(t, "POST", "/admin/settlements/run", { token: admin, body: {} });
        assert.equal(early.statusCode, 200, early.body);
        // Nothing is over yet: yesterday is before the clock; no run exists, so none is claimed.
        const [first] = early.data.outcomes;
        assert.deepEqual(
          [first.status, first.openDay, first.report],
          ["nothing-due", day, null],
          "a fresh database says what is true",
        );
        const end = new Date(`${day}T00:00:00Z`);
        end.setUTCDate(end.getUTCDate() + 1);
        const nextDay = end.toISOString().slice(0, 10);
        assert.equal(first.dueAt, new Date(`${nextDay}T00:00:00+08:00`).toISOString(), "local midnight");
        assert.match(
          first.message,
          new RegExp(`nothing is over yet: the first business day to settle, ${day}, is still open`),
        );
        assert.match(
          first.message,
          new RegExp(`尚无结束的营业日：第一个待日结的营业日 ${day} 仍在进行，${nextDay} 00:00`),
        );
        assert.equal(await count(t, "settlement_runs"), 0);

        const dry = await call(t, "POST", "/admin/settlements/run", { token: admin, body: { dryRun: true } });
        assert.equal(dry.statusCode, 200, dry.body);
        assert.equal(dry.data.outcomes[0].status, "dry-run");
        assert.equal(dry.data.outcomes[0].report.members, 2);
        assert.equal(dry.data.outcomes[0].report.rows.postings, 0);
        assert.equal(await count(t, "settlement_runs"), 0, "a dry run writes nothing");

        t.clock.advance(2 * DAY_MS); // two days are over: both are settled, in order
        admin = await operatorToken(t); // operator sessions last 12 hours
        const run = await call(t, "POST", "/admin/settlements/run", { token: admin, body: {} });
        assert.equal(run.statusCode, 200, run.body);
        assert.deepEqual(
          run.data.outcomes.map((o: { day: string; status: string }) => o.status),
          ["settled", "settled"],
        );
        assert.equal(run.data.outcomes[0].day, day);
        const report = run.data.outcomes[0].report;
        assert.equal(report.members, 2);
        assert.notEqual(report.totals.static, "0");
        assert.notEqual(report.totals.share, "0");
        assert.notEqual(report.totals.dividends, "0");
        assert.equal(report.configVersionId, null);
        assert.ok(report.rows.transactions > 0 && report.rows.postings > 0);

        const again = await call(t, "POST", "/admin/settlements/run", { token: admin, body: {} });
        assert.equal(again.data.outcomes[0].status, "already-settled");

        const list = await call(t, "GET", "/admin/settlements?limit=1", { token: admin });
        assert.equal(list.statusCode, 200, list.body);
        assert.equal(list.data.items.length, 1);
        assert.equal(list.data.items[0].status, "done");
        const next = await call(t, "GET", `/admin/settlements?limit=1&cursor=${list.data.nextCursor}`, {
          token: admin,
        });
        assert.equal(next.data.items[0].day, day);
        assert.equal(next.data.nextCursor, null);

        const one = await call(t, "GET", `/admin/settlements/${day}`, { token: admin });
        assert.equal(one.statusCode, 200, one.body);
        assert.equal(one.data.report.totals.static, report.totals.static);
        assert.equal(one.data.memberCount, 2);
        const missing = await call(t, "GET", "/admin/settlements/2020-01-01", { token: admin });
        assert.equal(missing.statusCode, 404);
        assert.equal(missing.data.code, "SETTLEMENT_NOT_FOUND");
        const bad = await call(t, "GET", "/admin/settlements/yesterday", { token: admin });
        assert.equal(bad.statusCode, 400);

        const audited = await t.db.query<{ action: string }>(
          "select action from audit_log where action like 'settlement.%' order by id",
        );
        assert.deepEqual(
          audited.rows.map((r) => r.action),
          ["settlement.run", "settlement.dry-run", "settlement.run", "settlement.run"],
          "commands are audited; reading the list or a report is not",
        );
      } finally {
        await t.cleanup();
      }
    });

    test("the scheduler catches up missed days in order and runs at 00:05 business time", async () => {
      const t = await openTestApp(target);
      const logs: { level: string; object: object; message: string }[] = [];
      try {
        await driveScenario(t, DAY_ONE);
        const first = await openDayOf(t);
        t.clock.advance(3 * DAY_MS); // the server was down for three days
        const scheduler = startSettlementScheduler({
          db: t.db,
          clock: t.clock,
          timeZone: "Asia/Shanghai",
          runAtStart: false,
          log: {
            info: (object, message) => logs.push({ level: "info", object, message }),
            error: (object, message) => logs.push({ level: "error", object, message }),
          },
        });
        try {
          const outcomes = await scheduler.runNow();
          assert.deepEqual(
            outcomes.map((o) => o.status),
            ["settled", "settled", "settled"],
          );
          assert.equal(outcomes[0]?.day, first);
          assert.ok((outcomes[0]?.day as string) < (outcomes[1]?.day as string));
          assert.equal(logs.filter((l) => l.message === "daily settlement done").length, 3);
          const again = await scheduler.runNow();
          assert.deepEqual(
            again.map((o) => o.status),
            ["already-settled"],
          );
          const next = scheduler.nextRun();
          assert.ok(next);
          const local = new Intl.DateTimeFormat("en-GB", {
            timeZone: "Asia/Shanghai",
            hour: "2-digit",
            minute: "2-digit",
          }).format(next);
          assert.equal(local, "00:05");
        } finally {
          scheduler.stop();
        }
      } finally {
        await t.cleanup();
      }
    });
  });
}

test("SETTLEMENT_TIME is HH:MM", () => {
  assert.equal(cronPattern("00:05"), "0 5 0 * * *");
  assert.equal(cronPattern("23:59"), "0 59 23 * * *");
  assert.throws(() => cronPattern("24:00"), /HH:MM/);
  assert.throws(() => cronPattern("5"), /HH:MM/);
});
