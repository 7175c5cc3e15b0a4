/**
 * The reward steps (packages/engine/src/steps.ts) give the same balances over
 * the server's database store as over the replay's in-memory one: random
 * command sequences — orders in every plan and in none, some paid partly in
 * points, refunds before and after eligibility (cooling-off 0–2 days), a
 * member's equity commands (sell, redeem, equity → stable and back, stable
 * payments to another member; packages/engine/src/equity-steps.ts), a config
 * change, several settled days — are driven through the server and replayed by
 * the engine, and every member's wallets, debts, stars and daily releases and
 * dividends, and every balance of the ledger (platform accounts too), must
 * agree (issue 9).
 */
import { describe, test } from "node:test";
import fc from "fast-check";
import { auditLedger, openTestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import { compareEveryBalance, compareWithReplay, driveScenario } from "./support/scenario.ts";
import { randomScenario } from "./support/scenario-gen.ts";

for (const target of dbTargets()) {
  describe(`reward steps: database store = in-memory store, on ${target.name}`, () => {
    test("random orders, payments, refunds and equity commands give the same balances", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          fc.integer({ min: 0, max: 2 }),
          async (seed, cooling) => {
            const scenario = randomScenario(seed, {
              equity: true,
              sells: true,
              equityCommands: true,
              ordinaryGoods: true,
              coolingOffDays: cooling,
              members: 10,
              days: 5,
            });
            const t = await openTestApp(target);
            try {
              const driven = await driveScenario(t, scenario);
              await compareWithReplay(t, scenario, driven);
              await compareEveryBalance(t, scenario, driven);
              await auditLedger(t);
            } finally {
              await t.cleanup();
            }
          },
        ),
        { numRuns: 4 },
      );
    });
  });
}
