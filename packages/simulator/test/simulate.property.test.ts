/**
 * Property: for any small plan (curve, rates, referrer choice, mix, behaviour,
 * seed), every simulated day conserves the equity points and the pool, its
 * stocks equal a scan over the replayed members, and a second run gives the
 * same bytes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDecimal, parseDecimal } from "@jifen/engine";
import fc from "fast-check";
import { parsePlan, simulate, toCsv } from "../src/index.ts";
import { SMALL_PARAMS, scan, stepReplay } from "./support.ts";

const share = fc.integer({ min: 0, max: 1000 }).map((n) => formatDecimal(BigInt(n) * 1000n));

const planArb = fc.record({
  days: fc.integer({ min: 1, max: 10 }),
  seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  startMembers: fc.integer({ min: 1, max: 6 }),
  growth: fc.oneof(
    fc.record({
      curve: fc.constant("constant"),
      perDay: share.map((s) => formatDecimal(parseDecimal(s) * 3n)),
    }),
    fc.record({ curve: fc.constant("exponential"), rate: share }),
    fc.record({ curve: fc.constant("logistic"), rate: share, ceiling: fc.integer({ min: 1, max: 40 }) }),
  ),
  referrer: fc.constantFrom("uniform", "preferential"),
  weights: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5), fc.nat(5)),
  orders: fc.integer({ min: 0, max: 20 }),
  sell: share,
  withdraw: share,
  pointsPaid: share,
});

type PlanInput = typeof planArb extends fc.Arbitrary<infer T> ? T : never;

function planOf(p: PlanInput) {
  const [a, b, c, d] = p.weights;
  const total = a + b + c + d + 1;
  const part = (n: number) => formatDecimal((BigInt(n) * 1_000_000n) / BigInt(total));
  const shares = [part(a), part(b), part(c)];
  const last = formatDecimal(1_000_000n - shares.reduce((s, x) => s + parseDecimal(x), 0n));
  return parsePlan({
    days: p.days,
    seed: p.seed,
    startMembers: p.startMembers,
    growth: p.growth,
    referrer: p.referrer,
    purchases: {
      ordersPerMemberPerMonth: String(p.orders),
      mix: [
        { plans: ["release"], share: shares[0], packages: { 初级会员: "0.5", 中级会员: "0.5" } },
        { plans: ["cycle", "equity"], share: shares[1], amounts: ["299.99"] },
        { plans: ["equity"], share: shares[2], amounts: ["100", "1000"] },
        { plans: [], share: last, amounts: ["9.9"] },
      ],
      pointsPaidShare: p.pointsPaid,
    },
    behaviour: { equitySellShare: p.sell, cashWithdrawShare: p.withdraw },
    params: {},
  });
}

test("every day conserves equity points and the pool, and matches the replayed members", () => {
  fc.assert(
    fc.property(planArb, (p) => {
      const plan = planOf(p);
      const result = simulate({ plan, params: SMALL_PARAMS, events: true });
      const rows = result.primary.rows;
      for (const r of rows) {
        const held = parseDecimal(r.equityHeld) + parseDecimal(r.treasury) + parseDecimal(r.burned);
        assert.equal(parseDecimal(r.issued), held, `day ${r.day}: issued = wallets + treasury + burned`);
      }
      stepReplay(SMALL_PARAMS, result.events ?? [], ({ day, engine, contributionsMicro, poolPaidMicro }) => {
        const row = rows[day - 1];
        assert.equal(row?.equityPool, formatDecimal(contributionsMicro - poolPaidMicro), `day ${day}: pool`);
        assert.equal(row?.giftUnreleased, scan(engine, "gift"));
        assert.equal(row?.cashHeld, scan(engine, "cash"));
        assert.equal(row?.stableFloat, scan(engine, "stable"));
      });
      assert.equal(toCsv(simulate({ plan, params: SMALL_PARAMS })), toCsv(result), "same seed, same bytes");
    }),
    { numRuns: 25, seed: 20261129 },
  );
});
