/**
 * The output bytes of fixed plans and seeds, pinned by SHA-256: taken before the
 * speed work of issue 12 (the engine's cells and column caches, the simulator's
 * lean settlement), so an optimisation that changes any byte of the CSV, JSON,
 * HTML, replay scenario or final state fails here. A deliberate change of the
 * output updates the hashes in the same commit, with the reason.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { parsePlan, simulate, toCsv, toHtml, toJson, toScenario } from "../src/index.ts";
import { SMALL_PARAMS, smallPlan } from "./support.ts";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** The bench's default mix (packages/simulator/bench/simulate.bench.ts), growing to about 3,000 members. */
function benchMix(): ReturnType<typeof parsePlan> {
  return parsePlan({
    days: "150",
    seed: "20261129",
    startMembers: "30",
    growth: { curve: "exponential", rate: "0.031" },
    referrer: "preferential",
    purchases: {
      ordersPerMemberPerMonth: "1",
      mix: [
        {
          plans: ["release"],
          share: "0.3",
          packages: { 初级会员: "0.7", 中级会员: "0.25", 高级会员: "0.05" },
        },
        { plans: ["cycle"], share: "0.3", amounts: ["299", "599", "999"] },
        { plans: ["equity"], share: "0.2", amounts: ["100", "500"] },
        { plans: [], share: "0.2", amounts: ["59", "129"] },
      ],
      pointsPaidShare: "0.5",
    },
    behaviour: { equitySellShare: "0.02", cashWithdrawShare: "0.5" },
    params: {},
  });
}

test("a small shop's every output is byte for byte what it was (events, final state, comparison)", () => {
  const result = simulate({
    plan: smallPlan({ days: "60", growth: { curve: "constant", perDay: "2.5", stopDay: "40" } }),
    params: SMALL_PARAMS,
    compare: { release: { dailyRate: "0.006" } },
    events: true,
  });
  assert.equal(sha(toCsv(result)), "68193f1313660802acbb58a298a8645faa81cdb90fb9c85dc39c85108aeef8e7");
  assert.equal(sha(toJson(result)), "d35676303cb9dd364425524a6e8f8407a7375d5e49a449dbdc0710cdf4bf0a25");
  assert.equal(sha(toHtml(result)), "b73fc1fa64b97037eb385adcb3da019575124a10bb00ac1c4f3832c69f8c1186");
  assert.equal(sha(toScenario(result)), "72bd69c4ef479cb1896ae6a160b14eae0a7fa7e0f0f4153ae282443300de109e");
  assert.equal(
    sha(JSON.stringify(result.final)),
    "9454e50d93b8ffc58b33b84397f662bf348f932160a9f9eefc904bf10f9863c8",
  );
});

test("the bench's mix over 150 days is byte for byte what it was", () => {
  const result = simulate({ plan: benchMix(), params: {} });
  const last = result.primary.rows.at(-1);
  assert.ok(last && last.members > 2500, `grows to ${last?.members} members`);
  assert.equal(sha(toCsv(result)), "cb2b1c39178850487a5b2448e3867d45d4b083d63f61a36f909c2c84389ba72b");
  assert.equal(sha(toJson(result)), "10f351fc45e306ed9ca293afff464ee2fbfa5f2375e3ebe76a88dbd22e609e54");
});
