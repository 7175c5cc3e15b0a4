/** complianceReport (docs/compliance.md): generations, the three patterns, and the notes. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { COMPLIANCE_DISCLAIMER, complianceReport, complianceReportJson } from "./compliance.ts";
import { configFromInput } from "./config.ts";

const report = (patch: unknown = {}) => complianceReport(configFromInput(patch).config);
const rule = (patch: unknown, code: string) => {
  const found = report(patch).rules.find((r) => r.code === code);
  assert.ok(found, code);
  return found;
};

test("the defaults: share acceleration reaches 2 generations, team differential and peer bonus are unbounded", () => {
  const r = report();
  const share = r.rules.find((x) => x.code === "release.share");
  assert.equal(share?.generations, 2);
  assert.equal(share?.applies, true);
  assert.equal(r.rules.find((x) => x.code === "release.team")?.generations, null);
  assert.equal(r.rules.find((x) => x.code === "release.peer")?.generations, null);
  assert.equal(r.deepestGenerations, null);
  assert.deepEqual(
    r.rules.filter((x) => x.applies).map((x) => x.code),
    ["equity.buyer", "cycle.dividend", "release.static", "release.share", "release.team", "release.peer"],
  );
  // The referrer rewards are off under the defaults (referrerShare 0, referralWeightRatio 0).
  assert.equal(r.rules.find((x) => x.code === "equity.referrer")?.applies, false);
  assert.equal(r.rules.find((x) => x.code === "cycle.referrer")?.generations, 0);
});

test("the defaults: 团队计酬, 拉人头 and 入门费 are all found, the smallest package is the entry", () => {
  const r = report();
  assert.equal(r.teamPay, true);
  assert.equal(r.recruiting, true);
  assert.equal(r.entryPurchase, true);
  assert.equal(rule({}, "release.team").entryMinAmountMicro, 3_000_000_000n);
  assert.equal(rule({}, "release.static").onOthersPurchases, false);
  assert.equal(rule({}, "cycle.dividend").onOthersPurchases, true);
  assert.equal(rule({}, "cycle.dividend").onRecruiting, false);
  assert.equal(r.largestReturnMultiple, 4_000_000n);
  assert.deepEqual(
    r.notes.map((n) => n.code),
    ["RECRUITING", "ENTRY_PURCHASE", "TEAM_PAY", "THREE_LEVELS", "CONSUMPTION_REBATE"],
  );
  assert.match(r.notes[0]?.zh ?? "", /《禁止传销条例》第七条第（一）项/);
  assert.match(r.notes[1]?.zh ?? "", /至少 3000 元/);
  assert.match(r.notes[4]?.zh ?? "", /消费返利.*4 倍/);
  assert.deepEqual(r.disclaimer, COMPLIANCE_DISCLAIMER);
  assert.match(r.disclaimer.en, /not legal advice/);
});

test("a parameter set that caps or turns off a rule changes the answer", () => {
  assert.equal(rule({ release: { shareRates: ["0.5"] } }, "release.share").generations, 1);
  assert.equal(rule({ release: { shareRates: ["0.5", "0", "0.1"] } }, "release.share").generations, 3);
  // A trailing zero rate pays nobody: the reach ends at the last positive rate.
  assert.equal(rule({ release: { shareRates: ["0.5", "0"] } }, "release.share").generations, 1);
  const noShare = rule({ release: { shareRates: [] } }, "release.share");
  assert.equal(noShare.applies, false);
  assert.equal(noShare.generations, 0);
  assert.equal(noShare.onRecruiting, false);
  const zeroStars = {
    release: {
      starLevels: [
        { name: "一星", minPerformance: "50000", rate: "0" },
        { name: "二星", minPerformance: "200000", rate: "0" },
      ],
    },
  };
  assert.equal(rule(zeroStars, "release.team").generations, 0);
  // The peer bonus needs a differential to have been paid first: with every star rate 0 it never pays.
  assert.equal(rule(zeroStars, "release.peer").applies, false);
  assert.equal(rule({ release: { peerRate: "0" } }, "release.peer").generations, 0);
  assert.equal(rule({ release: { peerRate: "0" } }, "release.team").generations, null);
  assert.equal(rule({ equity: { referrerShare: "0.1" } }, "equity.referrer").generations, 1);
  assert.equal(rule({ cycle: { preset: "energy" } }, "cycle.referrer").generations, 1);
});

test("a release plan that pays nothing turns off every release rule, whatever its rates", () => {
  for (const patch of [
    { release: { dailyRate: "0" } },
    {
      release: {
        packages: [{ name: "初级会员", minAmount: "3000", multiple: "0" }],
      },
    },
  ]) {
    const r = report(patch);
    for (const code of ["release.static", "release.share", "release.team", "release.peer"]) {
      const x = r.rules.find((y) => y.code === code);
      assert.equal(x?.applies, false, code);
      assert.equal(x?.generations, 0, code);
    }
    assert.equal(r.deepestGenerations, 0);
  }
});

test("the entry amount is the smallest package that gifts points", () => {
  const patch = {
    release: {
      packages: [
        { name: "体验", minAmount: "100", multiple: "0" },
        { name: "初级会员", minAmount: "3000", multiple: "2" },
      ],
    },
  };
  assert.equal(rule(patch, "release.share").entryMinAmountMicro, 3_000_000_000n);
});

test("with every plan off there are no findings, only the NO_FINDINGS note and the disclaimer", () => {
  const off = {
    equity: { contributionRate: "0" },
    cycle: { quotaMultiple: "0" },
    release: { dailyRate: "0" },
  };
  const r = report(off);
  assert.deepEqual(
    r.rules.filter((x) => x.applies),
    [],
  );
  assert.equal(r.deepestGenerations, 0);
  assert.equal(r.teamPay || r.recruiting || r.entryPurchase, false);
  assert.equal(r.largestReturnMultiple, 0n);
  assert.deepEqual(
    r.notes.map((n) => n.code),
    ["NO_FINDINGS"],
  );
  assert.match(r.notes[0]?.zh ?? "", /没有任何奖励计划/);
});

test("one generation of share only: no THREE_LEVELS note; a rebate of at most 1× is no CONSUMPTION_REBATE", () => {
  const r = report({
    equity: { exitQuotaMultiple: "1" },
    cycle: { quotaMultiple: "1" },
    release: {
      shareRates: ["0.5"],
      peerRate: "0",
      starLevels: [],
      packages: [{ name: "初级会员", minAmount: "3000", multiple: "1" }],
    },
  });
  assert.equal(r.deepestGenerations, 1);
  const codes = r.notes.map((n) => n.code);
  assert.ok(!codes.includes("THREE_LEVELS"));
  assert.ok(!codes.includes("CONSUMPTION_REBATE"));
  assert.ok(codes.includes("TEAM_PAY"));
});

test("the JSON view writes amounts as decimal strings", () => {
  const json = complianceReportJson(report());
  assert.equal(json.largestReturnMultiple, "4");
  assert.equal(json.rules.find((r) => r.code === "release.team")?.entryMinAmount, "3000");
  assert.equal(json.rules.find((r) => r.code === "equity.buyer")?.entryMinAmount, null);
  assert.doesNotThrow(() => JSON.stringify(json));
});
