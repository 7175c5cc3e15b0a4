/**
 * The simulator against the engine's own replay: a small simulation equals,
 * day by day, `jifen replay` of the events it emits; conservation holds every
 * day; stopped growth leaves liabilities that no sale pays down; the same seed
 * gives the same bytes; bad plans are refused with codes.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { formatDecimal, formatPrice, PlatformAccount } from "@jifen/engine";
import { PlanError, parsePlan, simulate, toCsv, toHtml, toJson, toScenario } from "../src/index.ts";
import { SMALL_PARAMS, scan, smallPlan, stepReplay } from "./support.ts";

const bin = join(import.meta.dirname, "..", "..", "cli", "bin", "jifen.js");
const tmp = mkdtempSync(join(tmpdir(), "jifen-simulate-"));

test("a small simulation equals jifen replay of its events, day by day", () => {
  const result = simulate({ plan: smallPlan(), params: SMALL_PARAMS, events: true });
  const events = result.events ?? [];
  assert.ok(
    events.some((e) => e.type === "sell"),
    "the plan sells equity points",
  );
  assert.ok(
    events.some((e) => e.type === "adjust"),
    "the plan withdraws cash",
  );
  assert.ok(
    events.some((e) => e.type === "order" && e.points !== undefined),
    "orders paid partly with points",
  );
  const file = join(tmp, "events.json");
  writeFileSync(file, toScenario(result));
  const replay = spawnSync(process.execPath, [bin, "replay", file], { encoding: "utf8" });
  assert.equal(replay.status, 0, replay.stderr);
  // Every day's settlement per member and the final balances, byte for byte.
  assert.equal(replay.stdout, `${JSON.stringify(result.final, null, 2)}\n`);
  const rows = result.primary.rows;
  assert.equal(rows.length, 20);
  stepReplay(SMALL_PARAMS, events, ({ day, engine }) => {
    const row = rows[day - 1];
    assert.ok(row);
    const s = engine.equity;
    assert.equal(row.members, engine.memberIds().length, `day ${day} members`);
    assert.equal(row.giftUnreleased, scan(engine, "gift"), `day ${day} gift`);
    assert.equal(row.pointsHeld, scan(engine, "points"), `day ${day} points`);
    assert.equal(row.quotaUnpaid, scan(engine, "quota"), `day ${day} quota`);
    assert.equal(row.exitQuotaOutstanding, scan(engine, "exitQuota"), `day ${day} exit quota`);
    assert.equal(row.cashHeld, scan(engine, "cash"), `day ${day} cash`);
    assert.equal(row.equityHeld, scan(engine, "equity"), `day ${day} equity`);
    assert.equal(row.issued, formatDecimal(s.issued));
    assert.equal(row.equityPool, formatDecimal(s.pool));
    assert.equal(row.burned, formatDecimal(engine.equityBurned()));
    assert.equal(
      row.equityPrice,
      formatPrice(s.supply > 0n ? s.pool : s.priceNum, s.supply > 0n ? s.supply : s.priceDen),
    );
    const t = engine.settlements[day - 1]?.totals;
    assert.equal(row.releaseStatic, formatDecimal(t?.static ?? -1n));
    assert.equal(row.cycleDividends, formatDecimal(t?.dividend ?? -1n));
  });
  const last = rows[rows.length - 1];
  assert.ok(last && Number(last.releaseShare) > 0 && Number(last.releaseTeam) > 0, "share and team reached");
});

test("conservation holds every day: issued = wallets + treasury + burned, pool = contributions − paid out", () => {
  const result = simulate({ plan: smallPlan({ days: "30" }), params: SMALL_PARAMS, events: true });
  let days = 0;
  stepReplay(SMALL_PARAMS, result.events ?? [], ({ day, engine, contributionsMicro, poolPaidMicro }) => {
    let wallets = 0n;
    for (const id of engine.memberIds()) wallets += engine.balance(id, "equity");
    const treasury = engine.book.balance(PlatformAccount.treasury, "equity");
    assert.equal(engine.equity.issued, wallets + treasury + engine.equityBurned(), `day ${day}: issued`);
    assert.equal(engine.equity.pool, contributionsMicro - poolPaidMicro, `day ${day}: pool`);
    assert.equal(result.primary.rows[day - 1]?.equityPool, formatDecimal(engine.equity.pool));
    days++;
  });
  assert.equal(days, 30);
  assert.ok(
    result.primary.rows.some((r) => Number(r.equitySold) > 0),
    "the pool paid something out",
  );
});

test("when growth and sales stop, liabilities stop falling: nothing new funds paying them", () => {
  const plan = smallPlan({
    days: "40",
    growth: { curve: "exponential", rate: "0.2", stopDay: "15" },
    purchases: {
      ordersPerMemberPerMonth: "8",
      stopDay: "15",
      mix: [
        { plans: ["release"], share: "0.5", packages: { 初级会员: "1" } },
        { plans: ["cycle"], share: "0.3", amounts: ["999"] },
        { plans: ["equity"], share: "0.2", amounts: ["500"] },
      ],
    },
    behaviour: {},
  });
  const { rows, summary } = simulate({ plan, params: SMALL_PARAMS }).primary;
  const before = rows.slice(0, 14);
  const after = rows.slice(14);
  assert.ok(
    Number(before[13]?.liabilities) > Number(before[0]?.liabilities),
    "liabilities grow while sales come in",
  );
  assert.ok(Number(after[0]?.giftUnreleased) > 0 && Number(after[0]?.quotaUnpaid) > 0);
  for (let i = 1; i < after.length; i++) {
    const [a, b] = [after[i - 1], after[i]];
    assert.ok(a && b);
    assert.equal(b.sales, "0");
    assert.equal(b.liabilities, a.liabilities, `day ${b.day}: still owed in full`);
    assert.equal(b.quotaUnpaid, a.quotaUnpaid, `day ${b.day}: no sales, no dividend`);
    assert.equal(b.cycleDividends, "0");
    assert.equal(b.equityPrice, a.equityPrice, `day ${b.day}: the price stands still`);
    assert.ok(Number(b.giftUnreleased) <= Number(a.giftUnreleased), "gift only turns into points");
  }
  assert.equal(summary.growthStopDay, 15);
  assert.equal(summary.owedAfterStop?.liabilities, summary.owedAtStop?.liabilities);
  assert.equal(summary.owedAfterStop?.daysAfterStop, 25, "30 days after day 15 is past day 40: the last day");
  assert.equal(summary.equityPrice.stalls, true);
  assert.equal(summary.equityPrice.firstStallDay, 15);
});

test("the same plan and seed give the same bytes; another seed does not", () => {
  const run = (seed?: number) =>
    simulate({ plan: smallPlan(), params: SMALL_PARAMS, compare: {}, ...(seed ? { seed } : {}) });
  const [a, b] = [run(), run()];
  assert.equal(toCsv(a), toCsv(b));
  assert.equal(toJson(a), toJson(b));
  assert.equal(toHtml(a), toHtml(b));
  assert.notEqual(toCsv(run(8)), toCsv(a));
});

test("--compare runs both parameter sets on the same members and orders", () => {
  const draft = { release: { dailyRate: "0.006" } };
  const result = simulate({ plan: smallPlan(), params: SMALL_PARAMS, compare: draft });
  const [a, b] = [result.primary.rows, result.compare?.rows ?? []];
  assert.equal(b.length, a.length);
  for (let i = 0; i < a.length; i++) {
    assert.equal(b[i]?.members, a[i]?.members);
    assert.equal(b[i]?.orders, a[i]?.orders);
  }
  assert.ok(Number(b[5]?.releaseStatic) < Number(a[5]?.releaseStatic), "a lower daily rate releases less");
  const csv = toCsv(result).split("\n")[0] ?? "";
  assert.match(csv, /^day,members,members\.compare,/);
  assert.match(toHtml(result), /stroke-dasharray/);
});

const bad: [string, Record<string, unknown>, string, string][] = [
  ["days missing", { days: undefined }, "PLAN_MISSING", "days"],
  ["days zero", { days: "0" }, "PLAN_BAD_INTEGER", "days"],
  ["days a fraction", { days: "1.5" }, "PLAN_BAD_INTEGER", "days"],
  ["an unknown key", { speed: "1" }, "PLAN_UNKNOWN_KEY", "speed"],
  ["an unknown curve", { growth: { curve: "linear" } }, "PLAN_BAD_CHOICE", "growth.curve"],
  [
    "logistic without ceiling",
    { growth: { curve: "logistic", rate: "0.1" } },
    "PLAN_MISSING",
    "growth.ceiling",
  ],
  ["a negative rate", { growth: { curve: "exponential", rate: "-0.1" } }, "PLAN_BAD_DECIMAL", "growth.rate"],
  [
    "a rate with 7 places",
    { growth: { curve: "exponential", rate: "0.0000001" } },
    "PLAN_BAD_DECIMAL",
    "growth.rate",
  ],
  ["an unknown referrer choice", { referrer: "random" }, "PLAN_BAD_CHOICE", "referrer"],
  [
    "shares not adding up",
    { purchases: { ordersPerMemberPerMonth: "1", mix: [{ plans: [], share: "0.9", amounts: ["1"] }] } },
    "PLAN_SHARES_SUM",
    "purchases.mix",
  ],
  [
    "an unknown plan",
    { purchases: { ordersPerMemberPerMonth: "1", mix: [{ plans: ["gold"], share: "1", amounts: ["1"] }] } },
    "PLAN_BAD_CHOICE",
    "purchases.mix[0].plans[0]",
  ],
  [
    "an amount of 3 places",
    { purchases: { ordersPerMemberPerMonth: "1", mix: [{ plans: [], share: "1", amounts: ["1.005"] }] } },
    "PLAN_BAD_DECIMAL",
    "purchases.mix[0].amounts[0]",
  ],
  [
    "a share over 1",
    { behaviour: { equitySellShare: "1.5" } },
    "PLAN_BAD_DECIMAL",
    "behaviour.equitySellShare",
  ],
];

for (const [name, change, code, field] of bad) {
  test(`a bad plan is refused with a code: ${name}`, () => {
    const base = JSON.parse(
      JSON.stringify({ days: "5", startMembers: "1", growth: { curve: "constant", perDay: "1" } }),
    );
    const plan = {
      ...base,
      purchases: { ordersPerMemberPerMonth: "1", mix: [{ plans: [], share: "1", amounts: ["1"] }] },
      ...change,
    };
    assert.throws(
      () => parsePlan(plan),
      (e: unknown) =>
        e instanceof PlanError && e.code === code && e.field === field && /[\u4e00-\u9fff]/.test(e.zh),
    );
  });
}

test("a package the parameter set lacks, or a refused parameter set, is a coded error", () => {
  const plan = smallPlan({
    purchases: {
      ordersPerMemberPerMonth: "1",
      mix: [{ plans: ["release"], share: "1", packages: { 钻石: "1" } }],
    },
  });
  assert.throws(
    () => simulate({ plan, params: {} }),
    (e: unknown) => e instanceof PlanError && e.code === "PLAN_UNKNOWN_PACKAGE",
  );
  assert.throws(
    () => simulate({ plan: smallPlan(), params: { release: { dailyRate: "2" } } }),
    (e: unknown) => e instanceof PlanError && e.code === "PLAN_PARAMS_INVALID",
  );
});
