/**
 * `jifen simulate` as a process: the same plan and seed write the same bytes;
 * the report opens offline; a bad plan exits 1 with a code; "params":
 * "database" takes the set in force (PGlite via DATA_DIR end to end, and the
 * reading itself on every test database).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { addConfigVersion, businessDay } from "@jifen/server";
import { dbTargets, openTestPgliteAt } from "../../server/test/support/db.ts";
import { paramsInForce } from "../src/simulate.ts";

const bin = join(import.meta.dirname, "..", "bin", "jifen.js");
const tmp = mkdtempSync(join(tmpdir(), "jifen-simulate-cli-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const plan = (params: unknown) => ({
  days: 12,
  seed: 3,
  startMembers: 4,
  growth: { curve: "exponential", rate: "0.3", stopDay: 9 },
  referrer: "uniform",
  purchases: {
    ordersPerMemberPerMonth: "10",
    mix: [
      { plans: ["release"], share: "0.5", packages: { 初级会员: "1" } },
      { plans: ["cycle", "equity"], share: "0.5", amounts: ["300"] },
    ],
  },
  behaviour: { equitySellShare: "0.1", cashWithdrawShare: "0.3" },
  params,
});

function jifen(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: "", BUSINESS_TZ: "Asia/Shanghai", ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) out[name] = readFileSync(join(dir, name), "utf8");
  return out;
}

const DRAFT = { release: { dailyRate: "0.006" } };

type Db = Parameters<typeof paramsInForce>[0];

/** Saves DRAFT as the version in force from `day`, by a new operator. */
async function saveDraft(db: Db, day: string): Promise<void> {
  const operator = await db.query<{ id: string }>(
    "insert into operators (username, display_name, role, password_hash, created_at) values ('sim', 'sim', 'admin', 'x', now()) returning id",
  );
  await db.transaction((tx) =>
    addConfigVersion(tx, {
      patch: DRAFT,
      effectiveDay: day,
      operatorId: String(operator.rows[0]?.id),
      note: "test",
      now: new Date(),
    }),
  );
}

test("the same plan and seed write the same bytes; the report is self-contained", () => {
  const dir = join(tmp, "same");
  mkdirSync(dir);
  writeFileSync(join(dir, "draft.json"), JSON.stringify(DRAFT));
  writeFileSync(join(dir, "plan.json"), JSON.stringify(plan("draft.json")));
  const runs = ["a", "b"].map((name) => {
    const r = jifen([
      "simulate",
      join(dir, "plan.json"),
      "--out",
      join(dir, name),
      "--events",
      join(dir, name, "events.json"),
      "--compare",
      join(dir, "draft.json"),
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Liabilities peak at/);
    return files(join(dir, name));
  });
  assert.deepEqual(Object.keys(runs[0] ?? {}), [
    "days.csv",
    "days.json",
    "events.json",
    "report.html",
    "summary.txt",
  ]);
  assert.deepEqual(runs[1], runs[0]);
  const html = runs[0]?.["report.html"] ?? "";
  assert.match(html, /<svg/);
  assert.doesNotMatch(html, /https?:|<script|<link|src=/, "nothing is fetched: the page opens offline");
  const seeded = jifen(["simulate", join(dir, "plan.json"), "--out", join(dir, "c"), "--seed", "4"]);
  assert.equal(seeded.status, 0, seeded.stderr);
  assert.notEqual(files(join(dir, "c"))["days.csv"], runs[0]?.["days.csv"]);
  const replay = jifen(["replay", join(dir, "a", "events.json")]);
  assert.equal(replay.status, 0, replay.stderr);
});

test("a bad plan exits 1 with a coded zh + en line and writes nothing", () => {
  const dir = join(tmp, "bad");
  mkdirSync(dir);
  writeFileSync(join(dir, "plan.json"), JSON.stringify({ ...plan({}), days: 0 }));
  const r = jifen(["simulate", join(dir, "plan.json"), "--out", join(dir, "out")]);
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /^PLAN_BAD_INTEGER: .*[\u4e00-\u9fff].* The field must be a whole number .*\(days: 1…3650\)/,
  );
  assert.deepEqual(readdirSync(dir), ["plan.json"]);
  writeFileSync(join(dir, "plan.json"), "{ days: 1 }");
  assert.match(jifen(["simulate", join(dir, "plan.json")]).stderr, /^PLAN_NOT_JSON/);
  assert.equal(jifen(["simulate"]).status, 2, "usage");
});

test('"params": "database" runs under the set in force in DATA_DIR', async () => {
  const dataDir = join(tmp, "data");
  const db = await openTestPgliteAt(join(dataDir, "pglite")); // where openDatabase looks under DATA_DIR
  const today = businessDay(new Date(), "Asia/Shanghai");
  await saveDraft(db, today);
  await db.close();
  const dir = join(tmp, "db");
  mkdirSync(dir);
  writeFileSync(join(dir, "plan.json"), JSON.stringify(plan("database")));
  writeFileSync(join(dir, "file.json"), JSON.stringify(plan(DRAFT)));
  const fromDb = jifen(["simulate", join(dir, "plan.json"), "--out", join(dir, "a")], { DATA_DIR: dataDir });
  assert.equal(fromDb.status, 0, fromDb.stderr);
  const fromFile = jifen(["simulate", join(dir, "file.json"), "--out", join(dir, "b")]);
  assert.equal(fromFile.status, 0, fromFile.stderr);
  assert.equal(files(join(dir, "a"))["days.csv"], files(join(dir, "b"))["days.csv"]);
});

for (const target of dbTargets()) {
  test(`the set in force is read from the database (${target.name})`, async () => {
    const { db, cleanup } = await target.open();
    try {
      const today = businessDay(new Date(), "Asia/Shanghai");
      assert.equal(
        ((await paramsInForce(db, today)) as { release: { dailyRate: string } }).release.dailyRate,
        "0.012",
      );
      await saveDraft(db, today);
      const params = (await paramsInForce(db, today)) as Record<string, { dailyRate?: string }>;
      assert.equal(params.release?.dailyRate, "0.006");
      assert.equal(params.withdrawal, undefined, "the server's own keys are not the engine's");
    } finally {
      await cleanup();
    }
  });
}
