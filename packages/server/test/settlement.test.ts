/**
 * The daily settlement through the database equals `jifen replay` of the same
 * events (release, cycle, refunds, equity), runs each day once, and leaves
 * nothing behind when it fails between write batches.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { settleBusinessDay, settleDue } from "../src/settlement/index.ts";
import { auditLedger, openTestApp, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import { compareWithReplay, driveScenario, SCENARIO_TZ, type ServerScenario } from "./support/scenario.ts";
import { randomScenario, SMALL_CONFIG } from "./support/scenario-gen.ts";

/** docs/rules.md §3.6's worked example (multiple 3), plus a cycle order. */
const RELEASE_EXAMPLE: ServerScenario = {
  config: {
    release: {
      packages: [
        { name: "初级会员", minAmount: "3000", multiple: "3" },
        { name: "中级会员", minAmount: "9000", multiple: "3" },
      ],
    },
  },
  events: [
    { type: "join", member: "A" },
    { type: "join", member: "B", referrer: "A" },
    { type: "order", member: "A", amount: "3000", plans: ["release"], id: "o1" },
    { type: "endOfDay" },
    { type: "order", member: "A", amount: "9000", plans: ["release"], id: "o2" },
    { type: "order", member: "B", amount: "3000", plans: ["release", "cycle"], id: "o3" },
    { type: "endOfDay" },
    { type: "endOfDay" },
  ],
};

/** A chain under small star levels: team differential and peer bonus both pay. */
const TEAM_EXAMPLE: ServerScenario = {
  config: { release: { ...SMALL_CONFIG.release, pointsPayRatio: "1" } },
  events: [
    { type: "join", member: "A" },
    { type: "join", member: "B", referrer: "A" },
    { type: "join", member: "C", referrer: "B" },
    { type: "join", member: "D", referrer: "C" },
    { type: "join", member: "E", referrer: "D" },
    { type: "join", member: "F", referrer: "C" },
    { type: "order", member: "A", amount: "3000", plans: ["release"], id: "a" },
    { type: "order", member: "B", amount: "3000", plans: ["release"], id: "b" },
    { type: "order", member: "C", amount: "1000", plans: ["release"], id: "c" },
    { type: "order", member: "D", amount: "4200", plans: ["release"], id: "d" },
    { type: "order", member: "E", amount: "12000", plans: ["release"], id: "e" },
    { type: "order", member: "F", amount: "1500", plans: ["release"], id: "f" },
    { type: "endOfDay" },
    { type: "order", member: "E", amount: "1000", plans: ["release"], id: "e2", points: "300" },
    { type: "endOfDay" },
    { type: "refund", order: "e2" },
    { type: "endOfDay" },
  ],
};

/** Cycle pools: weighted and tiers, a member capped by its quota, an empty tier, a same-day refund. */
const CYCLE_EXAMPLE: ServerScenario = {
  config: { cycle: SMALL_CONFIG.cycle },
  events: [
    { type: "join", member: "A" },
    { type: "join", member: "B", referrer: "A" },
    { type: "join", member: "C", referrer: "A" },
    { type: "order", member: "A", amount: "100", plans: ["cycle"], id: "a1" },
    { type: "order", member: "B", amount: "5000", plans: ["cycle"], id: "b1" },
    { type: "order", member: "C", amount: "1200", plans: ["cycle"], id: "c1" },
    { type: "order", member: "C", amount: "300", plans: ["cycle"], id: "c2" },
    { type: "refund", order: "c2" },
    { type: "endOfDay" },
    { type: "order", member: "A", amount: "20000", plans: ["cycle", "release"], id: "a2" },
    { type: "endOfDay" },
    { type: "refund", order: "b1" },
    { type: "endOfDay" },
    { type: "endOfDay" },
  ],
};

/** Debts: points spent then taken back, cash paid out then taken back; later releases and dividends repay them. */
const DEBT_EXAMPLE: ServerScenario = {
  config: {
    release: { ...SMALL_CONFIG.release, pointsPayRatio: "1", dailyRate: "0.2" },
    cycle: SMALL_CONFIG.cycle,
  },
  events: [
    { type: "join", member: "A" },
    { type: "join", member: "B", referrer: "A" },
    { type: "order", member: "A", amount: "1000", plans: ["release", "cycle"], id: "r1" },
    { type: "order", member: "B", amount: "3000", plans: ["cycle"], id: "b1" },
    { type: "order", member: "A", amount: "3000", plans: ["release"], id: "r2" },
    { type: "endOfDay" },
    { type: "endOfDay" },
    { type: "order", member: "A", amount: "1600", plans: ["equity"], id: "spend", points: "1600" },
    { type: "adjust", member: "A", asset: "cash", amount: "-10", reason: "drain" },
    { type: "refund", order: "r1" },
    { type: "endOfDay" },
    { type: "order", member: "B", amount: "2000", plans: ["cycle"], id: "b2" },
    { type: "endOfDay" },
    { type: "endOfDay" },
  ],
};

async function withApp(target: ReturnType<typeof dbTargets>[number], fn: (t: TestApp) => Promise<void>) {
  const t = await openTestApp(target);
  try {
    await fn(t);
  } finally {
    await t.cleanup();
  }
}

/** What a settlement could change: row counts, every balance, the clock, the runs. */
async function snapshot(t: TestApp): Promise<string> {
  const parts = await Promise.all([
    t.db.query("select count(*)::text as n from ledger_transactions"),
    t.db.query("select count(*)::text as n from ledger_postings"),
    t.db.query("select account, asset, amount::text from balances order by account, asset"),
    t.db.query(
      "select day, order_id, seq, base::text, remaining::text from release_progress order by day, order_id",
    ),
    t.db.query("select member_id, star from member_stars order by member_id"),
    t.db.query("select open_day from reward_clock"),
    t.db.query(
      "select business_day, status from settlement_runs where status = 'done' order by business_day",
    ),
  ]);
  return JSON.stringify(parts.map((p) => p.rows));
}

for (const target of dbTargets()) {
  describe(`settlement on ${target.name}`, () => {
    for (const [name, scenario] of [
      ["release example (§3.6)", RELEASE_EXAMPLE],
      ["team differential and peer bonus", TEAM_EXAMPLE],
      ["cycle pools, caps and refunds", CYCLE_EXAMPLE],
      ["debts repaid by releases and dividends", DEBT_EXAMPLE],
    ] as const) {
      test(`${name} equals the replay`, async () => {
        await withApp(target, async (t) => {
          const driven = await driveScenario(t, scenario);
          await compareWithReplay(t, scenario, driven);
          await auditLedger(t);
          const reports = driven.settlements.map((s) => (s.status === "settled" ? s.report : null));
          assert.ok(reports.every((r) => r !== null));
          if (scenario === TEAM_EXAMPLE) {
            assert.ok(
              reports.some((r) => r && r.totals.team !== "0"),
              "team differential paid",
            );
            assert.ok(
              reports.some((r) => r && r.totals.peer !== "0"),
              "peer bonus paid",
            );
            assert.ok(
              reports.some((r) => r && r.totals.share !== "0"),
              "share acceleration paid",
            );
          }
          if (scenario === CYCLE_EXAMPLE) {
            assert.ok(
              reports.some((r) => r && r.totals.returned !== "0"),
              "pools returned something",
            );
            assert.ok(
              reports.some((r) => r && r.totals.dividends !== "0"),
              "dividends paid",
            );
          }
        });
      });
    }

    for (const seed of [1, 2, 3, 4]) {
      test(`random scenario ${seed} (all plans, refunds, points, a config change) equals the replay`, async () => {
        const scenario = randomScenario(seed, { equity: true });
        await withApp(target, async (t) => {
          const driven = await driveScenario(t, scenario);
          await compareWithReplay(t, scenario, driven);
          await auditLedger(t);
        });
      });
    }

    test("a second run of a settled day does nothing and says so; a dry run writes nothing", async () => {
      await withApp(target, async (t) => {
        const driven = await driveScenario(t, TEAM_EXAMPLE);
        const last = driven.settlements.at(-1);
        assert.equal(last?.status, "settled");
        const before = await snapshot(t);
        const options = { now: t.clock.now(), timeZone: SCENARIO_TZ };
        const again = await settleBusinessDay(t.db, last?.day as string, options);
        assert.equal(again.status, "already-settled");
        assert.equal(again.status === "already-settled" && again.report?.day, last?.day);
        const due = await settleDue(t.db, options);
        assert.deepEqual(
          due.map((o) => o.status),
          ["already-settled"],
        );
        const open = (await t.db.query<{ d: string }>("select open_day as d from reward_clock")).rows[0]
          ?.d as string;
        const dry = await settleBusinessDay(t.db, open, { ...options, dryRun: true });
        assert.equal(dry.status, "dry-run");
        assert.ok(dry.status === "dry-run" && dry.report.members === 6);
        const early = await settleBusinessDay(t.db, open, options);
        assert.equal(early.status, "not-due", "the open day is not over");
        assert.equal(await snapshot(t), before);
      });
    });

    test("two settlements at once: one settles the day, the other is busy or finds it settled", async () => {
      await withApp(target, async (t) => {
        await driveScenario(t, {
          config: RELEASE_EXAMPLE.config,
          events: RELEASE_EXAMPLE.events.slice(0, 3),
        });
        t.clock.advance(86_400_000);
        const before = await snapshot(t);
        const options = { now: t.clock.now(), timeZone: SCENARIO_TZ };
        const [a, b] = await Promise.all([settleDue(t.db, options), settleDue(t.db, options)]);
        const statuses = [...(a ?? []), ...(b ?? [])].map((o) => o.status).sort();
        assert.equal(statuses.filter((s) => s === "settled").length, 1, JSON.stringify(statuses));
        assert.ok(statuses.every((s) => s === "settled" || s === "busy" || s === "already-settled"));
        const runs = await t.db.query<{ n: string }>(
          "select count(*)::text as n from settlement_runs where status = 'done'",
        );
        assert.equal(runs.rows[0]?.n, "1");
        const txs = await t.db.query<{ n: string }>(
          "select count(*)::text as n from ledger_transactions where kind = 'release.daily'",
        );
        assert.equal(txs.rows[0]?.n, "1", "the day's release written once");
        assert.notEqual(await snapshot(t), before);
      });
    });

    test("a failure before the close leaves nothing; after it the day stays closed; the next run completes it", async () => {
      const scenario = randomScenario(7, { equity: true });
      const phases = [
        "transactions",
        "postings",
        "balances",
        "orders",
        "open-next-day",
        "apply",
        "close",
        "computed",
      ];
      const beforeClose = ["close", "open-next-day"];
      let n = 0;
      await withApp(target, async (t) => {
        const driven = await driveScenario(t, scenario, {
          beforeEndOfDay: async (day) => {
            const phase = phases[n++ % phases.length] as string;
            const before = await snapshot(t);
            await assert.rejects(
              settleDue(t.db, {
                now: t.clock.now(),
                timeZone: SCENARIO_TZ,
                afterBatch: (current) => {
                  if (current === phase) throw new Error(`injected failure after ${phase}`);
                },
              }),
              /injected failure/,
            );
            const open = await t.db.query<{ d: string }>(
              "select business_day::text as d from settlement_open",
            );
            if (beforeClose.includes(phase))
              assert.equal(await snapshot(t), before, `nothing of ${day} after a failure in ${phase}`);
            else
              assert.deepEqual(open.rows, [{ d: day }], `${day} closed, resumed by the next run (${phase})`);
            const failed = await t.db.query<{ status: string }>(
              "select status from settlement_runs where business_day = $1::date",
              [day],
            );
            assert.equal(failed.rows[0]?.status, "failed");
          },
        });
        await compareWithReplay(t, scenario, driven);
        await auditLedger(t);
      });
    });
  });
}
