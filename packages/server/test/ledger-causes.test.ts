/**
 * Members can see why (issue 8): the daily release is written as one credit per
 * rule (static, share per generation, team, peer), each carrying the engine's
 * rule, rate, generation, star level, order and counterpart; the member's and
 * the admin's history return the cause and a sentence in Chinese or English.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Posting, parseDecimal, runScenario } from "@jifen/engine";
import { createSession } from "../src/auth/sessions.ts";
import { addConfigVersion } from "../src/config/index.ts";
import { openDay } from "../src/rewards/index.ts";
import { call, credit, openTestApp, operatorToken, register, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import { equityProduct, paidOrder } from "./support/equity.ts";
import {
  compareWithReplay,
  type DrivenScenario,
  driveScenario,
  type ServerScenario,
} from "./support/scenario.ts";
import { randomScenario, SMALL_CONFIG } from "./support/scenario-gen.ts";

/**
 * models.md §3.3–§3.5 on one chain: A referred B, B referred C, A and B 一星 (10%),
 * C none. C releases 1,000: B gets share 50% = 500 and team 10% = 100; A gets share
 * 30% = 300 (generation 2) and the peer bonus 3% = 30 ("B gets 100, A gets 30");
 * B's own 2,000 gives A share 1,000 and team 200.
 */
const CHAIN: ServerScenario = {
  config: {
    release: {
      packages: [{ name: "会员", minAmount: "100", multiple: "3" }],
      dailyRate: "0.1",
      shareRates: ["0.5", "0.3"],
      starLevels: [
        { name: "一星", minPerformance: "10000", rate: "0.1" },
        { name: "二星", minPerformance: "1000000", rate: "0.2" },
      ],
      peerRate: "0.03",
    },
  },
  events: [
    { type: "join", member: "A" },
    { type: "join", member: "B", referrer: "A" },
    { type: "join", member: "C", referrer: "B" },
    { type: "order", member: "A", amount: "20000", plans: ["release"], id: "a" },
    { type: "order", member: "B", amount: "20000", plans: ["release"], id: "b" },
    { type: "order", member: "C", amount: "10000", plans: ["release"], id: "c" },
    { type: "endOfDay" },
    { type: "order", member: "A", amount: "100", plans: ["release"], id: "a2" },
    { type: "endOfDay" },
  ],
};

/** Points spent then taken back by a refund: the next releases repay the debt, rule by rule. */
const DEBT: ServerScenario = {
  config: { release: { ...SMALL_CONFIG.release, pointsPayRatio: "1", dailyRate: "0.2" } },
  events: [
    { type: "join", member: "A" },
    { type: "join", member: "B", referrer: "A" },
    { type: "order", member: "A", amount: "1000", plans: ["release"], id: "r1" },
    { type: "order", member: "A", amount: "3000", plans: ["release"], id: "r2" },
    { type: "order", member: "B", amount: "3000", plans: ["release"], id: "b1" },
    { type: "endOfDay" },
    { type: "endOfDay" },
    { type: "order", member: "A", amount: "1600", plans: ["equity"], id: "spend", points: "1600" },
    { type: "refund", order: "r1" },
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

/** One release posting as comparable text, in scenario names. */
function key(
  day: number,
  member: string,
  wallet: string,
  amount: string,
  c: {
    rule: string | null;
    rate: string | null;
    generation: number | null;
    star: string | null;
    order: string | null;
    counterpart: string | null;
  },
): string {
  return [day, member, wallet, amount, c.rule, c.rate, c.generation, c.star, c.order, c.counterpart].join(
    "|",
  );
}

/** The engine's daily-release member postings of a scenario, as `key` text. */
function engineReleaseLines(scenario: ServerScenario): string[] {
  const { engine } = runScenario(scenario);
  const out: string[] = [];
  for (const t of engine.book.transactions) {
    if (t.kind !== "release.daily") continue;
    for (const p of t.postings as Posting[]) {
      const m = /^m:([^:]+):(.+)$/.exec(p.account);
      if (!m) continue;
      const c = p.cause;
      out.push(
        key(t.day, m[1] as string, m[2] as string, String(p.amount), {
          rule: c?.rule ?? null,
          rate: c ? String(c.rate) : null,
          generation: c?.generation ?? null,
          star: c?.star ?? null,
          order: c?.order ?? null,
          counterpart: c?.counterpart ?? null,
        }),
      );
    }
  }
  return out.sort();
}

/** The server's daily-release member postings, mapped back to scenario names and day numbers. */
async function serverReleaseLines(t: TestApp, driven: DrivenScenario): Promise<string[]> {
  const memberName = new Map([...driven.members].map(([name, id]) => [id, name]));
  const orderName = new Map([...driven.orders].map(([name, id]) => [id, name]));
  const dayNumber = new Map(driven.settlements.map((s, i) => [s.day, i + 1]));
  const rows = await t.db.query<{
    business_day: string;
    account: string;
    amount: string;
    rule: string | null;
    rate_ppm: number | null;
    generation: number | null;
    star: string | null;
    order_id: string | null;
    counterpart_id: string | null;
  }>(
    `select t.business_day, p.account, (p.amount * 1000000)::bigint::text as amount, p.rule, p.rate_ppm,
            p.generation, p.star, p.order_id::text, p.counterpart_id::text
     from ledger_postings p join ledger_transactions t on t.id = p.transaction_id and t.batch = p.batch
     where t.kind = 'release.daily' and p.member_id is not null`,
  );
  return rows.rows
    .map((r) => {
      const m = /^m:([^:]+):(.+)$/.exec(r.account) as RegExpExecArray;
      return key(
        dayNumber.get(String(r.business_day)) as number,
        memberName.get(m[1] as string) as string,
        m[2] as string,
        r.amount,
        {
          rule: r.rule,
          rate: r.rate_ppm === null ? null : String(r.rate_ppm),
          generation: r.generation === null ? null : Number(r.generation),
          star: r.star,
          order: r.order_id === null ? null : (orderName.get(r.order_id) as string),
          counterpart: r.counterpart_id === null ? null : (memberName.get(r.counterpart_id) as string),
        },
      );
    })
    .sort();
}

/** Sums of the release credits per (day, member, rule) from the `key` lines. */
function ruleSums(lines: readonly string[]): Map<string, bigint> {
  const sums = new Map<string, bigint>();
  for (const line of lines) {
    const [day, member, wallet, amount, rule] = line.split("|");
    if (wallet === "gift") continue;
    const k = `${day}|${member}|${rule}`;
    sums.set(k, (sums.get(k) ?? 0n) + BigInt(amount as string));
  }
  return sums;
}

async function memberToken(t: TestApp, memberId: string): Promise<string> {
  const session = await t.db.transaction((tx) =>
    createSession(tx, { type: "member", id: memberId }, 86_400_000, t.clock.now()),
  );
  return session.token;
}

for (const target of dbTargets()) {
  describe(`ledger causes on ${target.name}`, () => {
    for (const [name, scenario] of [
      ["the §3.3–§3.5 chain", CHAIN],
      ["debts repaid by releases", DEBT],
      ["random scenario 1", randomScenario(1, { equity: true })],
      ["random scenario 2", randomScenario(2, { equity: true })],
    ] as const) {
      test(`${name}: the settlement writes the engine's release split, and it sums to the replay's figures`, async () => {
        await withApp(target, async (t) => {
          const driven = await driveScenario(t, scenario);
          await compareWithReplay(t, scenario, driven);
          const server = await serverReleaseLines(t, driven);
          const engine = engineReleaseLines(scenario);
          assert.ok(engine.length > 0, "the scenario releases something");
          assert.deepEqual(server, engine);
          if (scenario === DEBT)
            assert.ok(
              server.some((l) => l.includes("|debt:points|") && l.includes("|release.")),
              "a release repays debt",
            );
          // Parity with the replay's totals: each rule's credits add up to the day's figure.
          const sums = ruleSums(server);
          const { output } = runScenario(scenario);
          for (const [d, settlement] of output.settlements.entries()) {
            for (const [member, figures] of Object.entries(settlement.members)) {
              for (const rule of ["static", "share", "team", "peer"] as const) {
                const got = sums.get(`${d + 1}|${member}|release.${rule}`) ?? 0n;
                const want = parseDecimal(figures[rule]);
                assert.equal(got, want, `day ${d + 1} ${member} ${rule}`);
              }
            }
          }
        });
      });
    }

    test("the chain's split: rates, generations, star levels, orders and counterparts", async () => {
      await withApp(target, async (t) => {
        const driven = await driveScenario(t, CHAIN);
        const lines = (await serverReleaseLines(t, driven)).filter((l) => l.startsWith("1|"));
        assert.deepEqual(
          lines,
          [
            "1|A|gift|-3530000000||||||",
            "1|A|points|1000000000|release.share|500000|1|||B",
            "1|A|points|2000000000|release.static|100000|||a|",
            "1|A|points|200000000|release.team|100000||一星||",
            "1|A|points|300000000|release.share|300000|2|||C",
            "1|A|points|30000000|release.peer|30000||一星||",
            "1|B|gift|-2600000000||||||",
            "1|B|points|100000000|release.team|100000||一星||",
            "1|B|points|2000000000|release.static|100000|||b|",
            "1|B|points|500000000|release.share|500000|1|||C",
            "1|C|gift|-1000000000||||||",
            "1|C|points|1000000000|release.static|100000|||c|",
          ].sort(),
        );
        // Day 2: A released from two orders, so its static line names none.
        const day2 = (await serverReleaseLines(t, driven)).filter((l) => l.startsWith("2|A|points"));
        assert.ok(
          day2.some((l) => l.includes("|release.static|100000||||")),
          day2.join("\n"),
        );
      });
    });

    test("the member's history names each line's cause, in Chinese by default and in English", async () => {
      await withApp(target, async (t) => {
        const driven = await driveScenario(t, CHAIN);
        const a = driven.members.get("A") as string;
        const b = driven.orders.get("a") as string;
        const token = await memberToken(t, a);
        const zh = await call(t, "GET", "/me/ledger?asset=points&limit=100", { token });
        assert.equal(zh.statusCode, 200, zh.body);
        const day1 = driven.settlements[0]?.day as string;
        const lines = zh.data.items.filter(
          (i: { businessDay: string; kind: string }) => i.businessDay === day1 && i.kind === "release.daily",
        );
        const text = lines.map(
          (i: { description: string; amount: string }) => `${i.description} ${i.amount}`,
        );
        // Members are 139000000NN in join order: A …00, B …01, C …02.
        assert.deepEqual(
          text.sort(),
          [
            "每日释放（赠送积分转为积分） -3530",
            "平级奖 一星 3% 30",
            "直推 139****0001 加速释放 50% 1000",
            "第2代 139****0002 加速释放 30% 300",
            `订单 #${b} 静态释放 10% 2000`,
            "团队级差 一星 10% 200",
          ].sort(),
        );
        const team = lines.find((i: { cause: { rule: string } }) => i.cause.rule === "release.team");
        assert.deepEqual(team.cause, {
          kind: "release.daily",
          rule: "release.team",
          orderId: null,
          rate: "0.1",
          generation: null,
          starLevel: "一星",
          day: day1,
          counterpart: null,
          reason: null,
        });
        const share2 = lines.find((i: { cause: { generation: number } }) => i.cause.generation === 2);
        assert.equal(share2.cause.counterpart, "139****0002");
        assert.equal(share2.cause.rate, "0.3");
        const gift = zh.data.items.find(
          (i: { kind: string; ref: string }) => i.kind === "release.gift" && i.ref === `order:${b}`,
        );
        assert.equal(gift.description, `订单 #${b} 赠送积分`);
        assert.equal(gift.cause.orderId, b);

        const en = await call(t, "GET", "/me/ledger?asset=points&limit=100", {
          token,
          headers: { "accept-language": "en-US,en;q=0.9" },
        });
        const enText = en.data.items
          .filter(
            (i: { businessDay: string; kind: string }) =>
              i.businessDay === day1 && i.kind === "release.daily",
          )
          .map((i: { description: string }) => i.description);
        assert.deepEqual(
          enText.sort(),
          [
            "Daily release (gift points to points)",
            "Peer bonus, 一星 3%",
            "Share release 30% from generation 2 139****0002",
            "Share release 50% from direct referral 139****0001",
            `Static release 10% of order #${b}`,
            "Team differential, 一星 10%",
          ].sort(),
        );

        // The admin's view of the member's history carries the same causes.
        const admin = await call(t, "GET", `/admin/members/${a}/ledger?asset=points&limit=100`, {
          token: await operatorToken(t),
          headers: { "accept-language": "en" },
        });
        assert.equal(admin.statusCode, 200, admin.body);
        const adminTeam = admin.data.items.find(
          (i: { businessDay: string; cause: { rule: string } }) =>
            i.businessDay === day1 && i.cause.rule === "release.team",
        );
        assert.equal(adminTeam.description, "Team differential, 一星 10%");
      });
    });
  });
}

/** Each line of a history page as `kind wallet amount: description`. */
async function historyText(t: TestApp, token: string, asset: string, language?: string): Promise<string[]> {
  const response = await call(t, "GET", `/me/ledger?asset=${asset}&limit=100`, {
    token,
    ...(language ? { headers: { "accept-language": language } } : {}),
  });
  assert.equal(response.statusCode, 200, response.body);
  return response.data.items.map(
    (i: { kind: string; wallet: string; amount: string; description: string }) =>
      `${i.kind} ${i.wallet} ${i.amount}: ${i.description}`,
  );
}

for (const target of dbTargets()) {
  describe(`history descriptions of every movement on ${target.name}`, () => {
    test("grants (buyer and referrer), sale, conversions, stable payment, adjustment, refund reversal, withdrawal", async () => {
      await withApp(target, async (t) => {
        const a = await register(t, "13800000001");
        const b = await register(t, "13800000002", a.inviteCode);
        // A referrer's share of the grant (the default gives the referrer none).
        const operator = await t.db.query<{ id: string }>("select id from operators order by id limit 1");
        const today = await openDay(t.db);
        await t.db.transaction((tx) =>
          addConfigVersion(tx, {
            patch: { equity: { buyerShare: "0.6", referrerShare: "0.1" } },
            effectiveDay: today,
            operatorId: String(operator.rows[0]?.id),
            note: "test",
            now: t.clock.now(),
          }),
        );
        const product = await equityProduct(t, "1000");
        const order = await paidOrder(t, b, product);
        await credit(t, b.id, "cash", "50");
        const sell = await call(t, "POST", "/me/equity/sell", { token: b.token, body: { points: "1" } });
        assert.equal(sell.statusCode, 200, sell.body);
        const toStable = await call(t, "POST", "/me/equity/to-stable", {
          token: b.token,
          body: { points: "2" },
        });
        assert.equal(toStable.statusCode, 200, toStable.body);
        const pay = await call(t, "POST", "/me/stable/pay", {
          token: b.token,
          body: { stable: "1", merchantId: a.id },
        });
        assert.equal(pay.statusCode, 200, pay.body);
        const withdraw = await call(t, "POST", "/me/withdrawals", { token: b.token, body: { amount: "10" } });
        assert.equal(withdraw.statusCode, 201, withdraw.body);
        const refund = await call(t, "POST", `/admin/orders/${order}/refund`, {
          token: await operatorToken(t),
          body: { reason: "顾客退货" },
        });
        assert.equal(refund.statusCode, 200, refund.body);

        const bEquity = await historyText(t, b.token, "equity");
        const has = (lines: string[], pattern: RegExp) =>
          assert.ok(
            lines.some((l) => pattern.test(l)),
            `${pattern} in\n${lines.join("\n")}`,
          );
        has(bEquity, new RegExp(`^equity\\.grant equity [0-9.]+: 订单 #${order} 增值积分奖励$`));
        has(bEquity, /^equity\.sell equity -1: 出售增值积分 1$/);
        has(bEquity, /^equity\.toStable equity -2: 增值积分转为恒定积分$/);
        has(bEquity, new RegExp(`^refund\\.reverse (equity|debt:equity) -[0-9.]+: 退款冲回 订单 #${order}`));
        const bCash = await historyText(t, b.token, "cny");
        has(bCash, /^equity\.sell cash [0-9.]+: 出售增值积分所得$/);
        has(bCash, /^adjustment cash 50\.00: 人工调整：test funding/);
        has(bCash, /^withdrawal\.request cash -10\.00: 提现申请$/);
        const bStable = await historyText(t, b.token, "stable");
        has(bStable, /^stable\.pay stable -1: 恒定积分付款给 138\*\*\*\*0001$/);
        const bExit = await historyText(t, b.token, "exitQuota");
        has(bExit, new RegExp(`^equity\\.grant exitQuota [0-9.]+: 订单 #${order} 出局额度$`));

        // The referrer's lines name the buyer; the merchant's the payer.
        const aEquity = await historyText(t, a.token, "equity");
        has(
          aEquity,
          new RegExp(`^equity\\.grant equity [0-9.]+: 推荐 138\\*\\*\\*\\*0002 订单 #${order} 增值积分奖励$`),
        );
        has(
          aEquity,
          new RegExp(`^refund\\.reverse (equity|debt:equity) -[0-9.]+: 退款冲回 订单 #${order}（推荐奖励）`),
        );
        has(
          await historyText(t, a.token, "stable"),
          /^stable\.pay stable 1: 收到 138\*\*\*\*0002 恒定积分付款$/,
        );

        // English.
        const en = await historyText(t, a.token, "equity", "en");
        has(
          en,
          new RegExp(
            `^equity\\.grant equity [0-9.]+: Equity points reward for referring 138\\*\\*\\*\\*0002's order #${order}$`,
          ),
        );
        has(
          en,
          new RegExp(
            `^refund\\.reverse (equity|debt:equity) -[0-9.]+: Refund reversal of order #${order} \\(referral reward\\)`,
          ),
        );
        const bEn = await historyText(t, b.token, "cny", "en");
        has(bEn, /^equity\.sell cash [0-9.]+: Proceeds of equity points sold$/);
        has(bEn, /^adjustment cash 50\.00: Adjustment: test funding/);
        has(bEn, /^withdrawal\.request cash -10\.00: Withdrawal requested$/);
      });
    });
  });
}
