import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call, count, credit, openTestApp, operatorToken, register, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import { nextDay, paidOrder } from "./support/equity.ts";

for (const target of dbTargets()) {
  describe(`admin parameters, referral reach and liabilities on ${target.name}`, () => {
    let t: TestApp;
    let admin: string;

    before(async () => {
      t = await openTestApp(target);
      admin = await operatorToken(t);
    });
    after(async () => {
      await t?.cleanup();
    });

    test("an invalid parameter set is refused naming the key, and nothing is stored", async () => {
      const cases: [object, string, string][] = [
        [
          { equity: { buyerShare: "0.8", referrerShare: "0.3" } },
          "equity.referrerShare",
          "与 buyerShare 之和不能超过 1",
        ],
        [{ equity: { sellFeeRate: "1.5" } }, "equity.sellFeeRate", "须在 0 到 1 之间"],
        [{ equity: { initialPrice: "0" } }, "equity.initialPrice", "须大于 0"],
        [{ equity: { exitQuotaMultiple: "-1" } }, "equity.exitQuotaMultiple", "不能为负数"],
        [{ equity: { bogus: "1" } }, "equity.bogus", "不是已知的参数"],
        [{ coolingOffDays: -1 }, "coolingOffDays", "须为 0 或更大的整数天数"],
        [{ cycle: { preset: "pyramid" } }, "cycle.preset", '不是已知的预设 "pyramid"（可选 cycle、energy）'],
        [
          {
            release: {
              packages: [
                { name: "a", minAmount: "3000", multiple: "2" },
                { name: "b", minAmount: "3000", multiple: "3" },
              ],
            },
          },
          "release.packages[1].minAmount",
          "须大于前一项",
        ],
        [{ withdrawal: { feeRate: "2" } }, "withdrawal.feeRate", "须在 0 到 1 之间"],
        [{ nonsense: true }, "nonsense", "不是已知的参数"],
      ];
      const versions = await count(t, "config_versions");
      const audits = await count(t, "audit_log", "action = 'config.change'");
      const shown = await call(t, "GET", "/admin/config", { token: admin });
      for (const [params, key, zh] of cases) {
        const response = await call(t, "POST", "/admin/config", { token: admin, body: { params } });
        assert.deepEqual(
          [response.statusCode, response.data.code, response.data.field],
          [400, "INVALID_CONFIG", key],
          `${JSON.stringify(params)}: ${response.body}`,
        );
        // A Chinese sentence: the key, then what it must be (no English words of the engine).
        assert.equal(response.data.message, `参数无效：${key} ${zh}。`, response.body);
        assert.ok(response.data.messageEn.includes(key), response.data.messageEn);
      }
      assert.equal(await count(t, "config_versions"), versions);
      assert.equal(await count(t, "audit_log", "action = 'config.change'"), audits);
      assert.deepEqual((await call(t, "GET", "/admin/config", { token: admin })).data, shown.data);
    });

    test("referral reach of the parameters in force, shown plainly; a change shows from its day", async () => {
      const reach = await call(t, "GET", "/admin/referral-reach", { token: admin });
      assert.equal(reach.statusCode, 200, reach.body);
      assert.equal(reach.data.deepest, null, "the defaults pay team differentials up the whole upline");
      assert.deepEqual(
        reach.data.rewards.map((r: { plan: string; levels: number | null }) => [r.plan, r.levels]),
        [
          ["equity", 0],
          ["cycle", 0],
          ["release", 2],
          ["release", null],
        ],
      );
      assert.match(reach.data.summary.zh, /不限层级/);
      assert.equal(reach.data.rewards[2].setting, "release.shareRates = [0.5, 0.3]");
      assert.equal(reach.data.rewards[2].en, "Share acceleration: 2 levels up");
      assert.equal(reach.data.rewards[2].zh, "分享加速释放：向上 2 层");
      assert.deepEqual(
        [reach.data.rewards[3].reward, reach.data.rewards[3].rewardZh, reach.data.rewards[3].rewardEn],
        ["release.team", "团队级差、平级奖", "Team differential and peer bonus"],
      );

      const params = {
        equity: { referrerShare: "0.1" },
        cycle: { referralWeightRatio: "0.5" },
        release: { shareRates: ["0.5"], starLevels: [], peerRate: "0" },
      };
      const changed = await call(t, "POST", "/admin/config", {
        token: admin,
        body: { params, note: "一层" },
      });
      assert.equal(changed.statusCode, 201, changed.body);
      const today = await call(t, "GET", "/admin/referral-reach", { token: admin });
      assert.equal(today.data.deepest, null, "a change takes effect from the next business day");
      const tomorrow = await call(t, "GET", `/admin/referral-reach?day=${changed.data.effectiveDay}`, {
        token: admin,
      });
      assert.equal(tomorrow.data.versionId, changed.data.versionId);
      assert.equal(tomorrow.data.deepest, 1);
      assert.equal(
        tomorrow.data.summary.en,
        "Under the parameters in force, rewards reach at most 1 level above the member.",
      );
      await nextDay(t);
      admin = await operatorToken(t);
      const opened = await call(t, "GET", "/admin/referral-reach", { token: admin });
      assert.deepEqual(
        [opened.data.businessDay, opened.data.deepest],
        [changed.data.effectiveDay, 1],
        "once its day opens",
      );
      const bad = await call(t, "GET", "/admin/referral-reach?day=2026-13-45", { token: admin });
      assert.deepEqual([bad.statusCode, bad.data.code, bad.data.field], [400, "INVALID_DATE", "day"]);
    });

    test("liabilities: one aggregate over the balances, equal to the wallets' sums", async () => {
      const m = await register(t, "13900000101");
      const n = await register(t, "13900000102");
      await paidOrder(t, m, "1", admin); // 初级会员礼包 3000: a gift of 2.5 × 3000
      await paidOrder(t, n, "4", admin); // 循环购 199: quota 2 × 199
      await paidOrder(t, n, "3", admin); // 增值 99
      await credit(t, m.id, "cash", "100");
      await credit(t, n.id, "stable", "12.5");
      const w = await call(t, "POST", "/me/withdrawals", { token: m.token, body: { amount: "30" } });
      assert.equal(w.statusCode, 201, w.body);
      const owed = await call(t, "GET", "/admin/liabilities", { token: admin });
      assert.equal(owed.statusCode, 200, owed.body);
      assert.deepEqual(
        {
          gift: owed.data.giftPoints,
          quota: owed.data.dividendQuota,
          exit: owed.data.exitQuota,
          stable: owed.data.stablePoints,
          cash: owed.data.cash,
          debts: owed.data.debts,
        },
        {
          gift: "7500",
          quota: "398",
          exit: "297",
          stable: "12.5",
          cash: { memberCash: "70.00", withdrawalsPending: "30.00" },
          debts: { cash: "0.00", points: "0", equity: "0", stable: "0", weight: "0" },
        },
      );
      const equity = await call(t, "GET", "/admin/equity", { token: admin });
      assert.equal(owed.data.equity.pool, equity.data.pool);
      assert.equal(owed.data.equity.heldByMembers, equity.data.circulating);
      assert.equal(owed.data.equity.treasury, "0");
      assert.equal(owed.data.equity.price, equity.data.price);
    });
  });
}
