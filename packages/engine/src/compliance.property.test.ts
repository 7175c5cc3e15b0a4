/**
 * Property tests of complianceReport: the generations it names are ≥ 0 (or
 * unbounded only for the team rules) and agree with what the engine's own
 * settlement functions pay on a chain of members, for random parameter sets.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { complianceReport } from "./compliance.ts";
import { configFromInput } from "./config.ts";
import { formatDecimal } from "./money.ts";
import { shareEntitlements, teamEntitlements, topDownOrder } from "./settlement.ts";
import { propertyParams } from "./testing/arbitraries.ts";

const rateArb = fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 1_000_000n }));
const rateText = (r: bigint) => formatDecimal(r);

const patchArb = fc.record({
  dailyRate: rateArb,
  shareRates: fc.array(rateArb, { maxLength: 6 }),
  starRates: fc.array(rateArb, { maxLength: 4 }),
  peerRate: rateArb,
  multiple: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 5_000_000n })),
});

type Patch = typeof patchArb extends fc.Arbitrary<infer T> ? T : never;

function configOf(p: Patch) {
  return configFromInput({
    release: {
      dailyRate: rateText(p.dailyRate),
      shareRates: p.shareRates.map(rateText),
      starLevels: p.starRates.map((rate, i) => ({
        name: `S${i}`,
        minPerformance: String((i + 1) * 1000),
        rate: rateText(rate),
      })),
      peerRate: rateText(p.peerRate),
      packages: [{ name: "P", minAmount: "100", multiple: formatDecimal(p.multiple) }],
    },
  }).config;
}

/** A chain 0 ← 1 ← … ← n−1: member i's referrer is i − 1; only the last member releases. */
function chain(n: number, release: bigint) {
  const parent = Int32Array.from({ length: n }, (_, i) => i - 1);
  const staticRel = new BigInt64Array(n);
  staticRel[n - 1] = release;
  return { parent, staticRel, order: topDownOrder(parent) };
}

test("generations are ≥ 0, unbounded only for the team rules, and 0 with every flag off when a rule does not apply", () => {
  fc.assert(
    fc.property(patchArb, (p) => {
      const r = complianceReport(configOf(p));
      for (const rule of r.rules) {
        if (rule.generations === null) assert.ok(["release.team", "release.peer"].includes(rule.code));
        else assert.ok(Number.isInteger(rule.generations) && rule.generations >= 0);
        if (!rule.applies) {
          assert.equal(rule.generations, 0);
          assert.equal(rule.onOthersPurchases || rule.onRecruiting || rule.entryPurchase, false);
        }
      }
      const releaseOn = p.dailyRate > 0n && p.multiple > 0n;
      const applying = r.rules.filter((x) => x.applies && x.plan === "release").map((x) => x.code);
      if (!releaseOn) assert.deepEqual(applying, []);
    }),
    propertyParams(200),
  );
});

test("share acceleration reaches exactly the generations the report names (the engine's shareEntitlements)", () => {
  fc.assert(
    fc.property(patchArb, (p) => {
      const config = configOf(p);
      const share = complianceReport(config).rules.find((x) => x.code === "release.share");
      assert.ok(share);
      const n = p.shareRates.length + 3;
      const c = chain(n, 1_000_000_000n);
      const paid = shareEntitlements(c.parent, c.staticRel, c.order, config.release.shareRates);
      // Generation g of the releasing member (n − 1) is member n − 1 − g.
      let deepestPaid = 0;
      for (let g = 1; g < n; g++) if ((paid[n - 1 - g] as bigint) > 0n) deepestPaid = g;
      const releaseOn = p.dailyRate > 0n && p.multiple > 0n;
      assert.equal(share.generations, releaseOn ? deepestPaid : 0);
    }),
    propertyParams(200),
  );
});

test("the team differential and the peer bonus reach any depth exactly when the report says unbounded", () => {
  fc.assert(
    fc.property(patchArb, fc.integer({ min: 2, max: 40 }), (p, depth) => {
      const config = configOf(p);
      const rules = complianceReport(config).rules;
      const team = rules.find((x) => x.code === "release.team");
      const peer = rules.find((x) => x.code === "release.peer");
      assert.ok(team && peer);
      const levels = config.release.starLevels;
      const top = levels.reduce((best, s, i) => (s.rate > (levels[best]?.rate ?? -1n) ? i : best), -1);
      // Members 0 and 1 hold the top-rate level, `depth` and `depth − 1` generations above the releaser.
      const c = chain(depth + 1, 1_000_000_000n);
      const star = new Int8Array(depth + 1).fill(-1);
      if (top >= 0) star.fill(top, 0, 2);
      const { team: t, peer: pr } = teamEntitlements(c.parent, c.staticRel, c.order, star, config.release);
      const releaseOn = p.dailyRate > 0n && p.multiple > 0n;
      const teamPays = (t[1] as bigint) > 0n;
      const peerPays = (pr[0] as bigint) > 0n;
      assert.equal(team.generations === null, releaseOn && teamPays);
      assert.equal(peer.generations === null, releaseOn && peerPays);
    }),
    propertyParams(200),
  );
});
