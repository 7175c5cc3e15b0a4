/**
 * A replay scenario (docs/rules.md "Replay") driven through the server: members registered
 * through the members repository (with referrers), each order a product of its
 * own with the order's plans and price, paid manually (the reward hooks run),
 * refunds through the shop, a member's equity commands (sell, redeem, toStable,
 * fromStable, pay) through the rewards module, `setConfig` as a config version from the next day,
 * and `endOfDay` moving the injected clock to the next business day and
 * running the daily settlement of the day that ended. `compareWithReplay`
 * then checks every member's wallets and debts, stars and the per-day released
 * points and dividends against `runScenario` of the same events.
 */
import assert from "node:assert/strict";
import {
  type Config,
  DEBT_WALLETS,
  formatDecimal,
  parseDecimal,
  type ReplayOutput,
  runScenario,
  WALLETS,
} from "@jifen/engine";
import type { ManualClock } from "../../src/clock/index.ts";
import { addConfigVersion, configForDay } from "../../src/config/index.ts";
import type { Db, Tx } from "../../src/db/index.ts";
import { adjustMember, checkAdjustable, insertMember } from "../../src/members/index.ts";
import {
  type EquityMove,
  fromStable,
  payMerchant,
  REWARD_HOOKS,
  type RewardContext,
  redeemGoods,
  sellEquityPoints,
  shareOpenDay,
  toStable,
} from "../../src/rewards/index.ts";
import { type SettleOptions, type SettleOutcome, settleDue } from "../../src/settlement/index.ts";
import { createOrder, insertProduct, lockOrder, markPaid, markRefunded } from "../../src/shop/index.ts";
import type { Plan } from "../../src/shop/products.ts";

/** Where a scenario runs: a database (replaceable, e.g. reopened after another process used it) and a clock. */
export interface ScenarioHost {
  db: Db;
  readonly clock: ManualClock;
}

/** The business day time zone of the scenarios. */
export const SCENARIO_TZ = "Asia/Shanghai";
const DAY_MS = 86_400_000;

/** A scenario of replay events (join, order, refund, adjust, setConfig, endOfDay). */
export interface ServerScenario {
  readonly config?: Record<string, unknown>;
  readonly events: readonly ({ type: string } & Record<string, unknown>)[];
}

/** What a driven scenario left: scenario member / order ids → database ids, and each settlement. */
export interface DrivenScenario {
  readonly members: Map<string, string>;
  readonly orders: Map<string, string>;
  readonly settlements: SettleOutcome[];
}

async function adminId(t: ScenarioHost): Promise<string> {
  const rows = await t.db.query<{ id: string }>("select id from operators order by id limit 1");
  return rows.rows[0]?.id as string;
}

async function depthOf(t: ScenarioHost, memberId: string): Promise<number> {
  const rows = await t.db.query<{ depth: number }>("select depth from members where id = $1::bigint", [
    memberId,
  ]);
  return Number(rows.rows[0]?.depth ?? 0);
}

async function openDayOf(t: ScenarioHost): Promise<string> {
  const rows = await t.db.query<{ open_day: string }>("select open_day from reward_clock where id = 1");
  return rows.rows[0]?.open_day as string;
}

function nextDay(day: string): string {
  const at = new Date(`${day}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + 1);
  return at.toISOString().slice(0, 10);
}

/**
 * Applies the scenario's events to the server in `t`; `settle` options (hooks,
 * progress) go to each day's settlement. `beforeEndOfDay` may run its own
 * settlement first (e.g. a crashed one) and return true to skip the driver's.
 */
export async function driveScenario(
  t: ScenarioHost,
  scenario: ServerScenario,
  options: {
    settle?: Partial<SettleOptions>;
    beforeEndOfDay?: (day: string) => Promise<void>;
    /** The first member's phone (default 13900000000); a second scenario on one database needs others. */
    phoneFrom?: number;
    /** Goes on from an earlier drive (its members and orders; the scenario's config is not set again). */
    from?: DrivenScenario;
  } = {},
): Promise<DrivenScenario> {
  const members = new Map<string, string>(options.from?.members);
  const depth = new Map<string, number>();
  const orders = new Map<string, string>(options.from?.orders);
  const settlements: SettleOutcome[] = [...(options.from?.settlements ?? [])];
  const operatorId = await adminId(t);
  let phone = options.phoneFrom ?? 13900000000 + members.size;
  let seq = orders.size + (options.from ? 1_000_000 + Math.floor(Math.random() * 1e9) : 0);
  if (!options.from && scenario.config && Object.keys(scenario.config).length > 0) {
    const day = await openDayOf(t);
    await t.db.transaction((tx) =>
      addConfigVersion(tx, {
        patch: scenario.config,
        effectiveDay: day,
        operatorId,
        note: "scenario",
        now: t.clock.now(),
      }),
    );
  }
  const deps = () => ({ hooks: REWARD_HOOKS, now: t.clock.now(), timeZone: SCENARIO_TZ });
  for (const [index, event] of scenario.events.entries()) {
    const where = `event ${index} (${event.type})`;
    switch (event.type) {
      case "join": {
        const referrer = event.referrer === undefined ? null : String(event.referrer);
        const referrerId = referrer === null ? null : members.get(referrer);
        assert.ok(referrer === null || referrerId, `${where}: unknown referrer`);
        const referrerDepth = referrerId ? (depth.get(referrerId) ?? (await depthOf(t, referrerId))) : 0;
        const member = await t.db.transaction((tx) =>
          insertMember(tx, {
            phone: String(phone++),
            passwordHash: "scenario",
            referrer: referrerId ? { id: referrerId, depth: referrerDepth } : null,
            now: t.clock.now(),
          }),
        );
        members.set(String(event.member), member.id);
        depth.set(member.id, member.depth);
        break;
      }
      case "order": {
        const memberId = members.get(String(event.member));
        assert.ok(memberId, `${where}: unknown member`);
        const amount = parseDecimal(event.amount, 2);
        const points = event.points === undefined ? 0n : parseDecimal(event.points);
        const plans = event.plans as Plan[];
        const order = await t.db.transaction(async (tx) => {
          const product = await insertProduct(
            tx,
            {
              name: `scenario product ${++seq}`,
              description: "",
              price: amount,
              plans,
              membershipPackage: plans.includes("release"),
              active: true,
            },
            t.clock.now(),
          );
          const created = await createOrder(tx, {
            memberId,
            product,
            quantity: 1,
            points,
            provider: "manual",
            externalId: null,
            now: t.clock.now(),
            timeZone: SCENARIO_TZ,
          });
          return markPaid(tx, created, deps());
        });
        if (event.id !== undefined) orders.set(String(event.id), order.id);
        break;
      }
      case "refund": {
        const orderId = orders.get(String(event.order));
        assert.ok(orderId, `${where}: unknown order`);
        await t.db.transaction(async (tx) =>
          markRefunded(tx, await lockOrder(tx, orderId), deps(), "scenario refund"),
        );
        break;
      }
      case "adjust": {
        const memberId = members.get(String(event.member));
        assert.ok(memberId, `${where}: unknown member`);
        const wallet = checkAdjustable(String(event.asset));
        await t.db.transaction((tx) =>
          adjustMember(tx, {
            memberId,
            wallet,
            amount: parseDecimal(event.amount, wallet === "cash" ? 2 : 6),
            reason: String(event.reason ?? "scenario"),
            operator: { id: operatorId, username: "admin", role: "admin" },
            requestId: `scenario-${index}`,
            now: t.clock.now(),
            timeZone: SCENARIO_TZ,
          }),
        );
        break;
      }
      case "sell":
      case "redeem":
      case "toStable":
      case "fromStable":
      case "pay": {
        const memberId = members.get(String(event.member));
        assert.ok(memberId, `${where}: unknown member`);
        const merchantId = event.type === "pay" ? members.get(String(event.to)) : undefined;
        assert.ok(event.type !== "pay" || merchantId, `${where}: unknown merchant`);
        await t.db.transaction(async (tx) => {
          const businessDay = await shareOpenDay(tx);
          const { config } = await configForDay(tx, businessDay);
          const context = { businessDay, now: t.clock.now() };
          await memberCommand(tx, event, memberId, merchantId as string, config, context);
        });
        break;
      }
      case "setConfig": {
        const day = await openDayOf(t);
        await t.db.transaction((tx) =>
          addConfigVersion(tx, {
            patch: event.config,
            effectiveDay: nextDay(day),
            operatorId,
            note: "scenario setConfig",
            now: t.clock.now(),
          }),
        );
        break;
      }
      case "endOfDay": {
        const day = await openDayOf(t);
        t.clock.advance(DAY_MS);
        if (options.beforeEndOfDay) await options.beforeEndOfDay(day);
        const outcomes = await settleDue(t.db, {
          now: t.clock.now(),
          timeZone: SCENARIO_TZ,
          ...options.settle,
        });
        settlements.push(...outcomes);
        assert.equal(await openDayOf(t), nextDay(day), `${where}: day ${day} settled`);
        break;
      }
      default:
        throw new Error(`${where}: the server driver does not take ${event.type} events`);
    }
  }
  return { members, orders, settlements };
}

/** One of a member's own equity commands, through the rewards module (as the member routes run them). */
function memberCommand(
  tx: Tx,
  event: { type: string } & Record<string, unknown>,
  memberId: string,
  merchantId: string,
  config: Config,
  context: RewardContext,
): Promise<EquityMove> {
  switch (event.type) {
    case "sell":
      return sellEquityPoints(tx, memberId, parseDecimal(event.points), config, context);
    case "redeem":
      return redeemGoods(tx, memberId, parseDecimal(event.amount, 2), config, context);
    case "toStable":
      return toStable(tx, memberId, parseDecimal(event.points), config, context);
    case "fromStable":
      return fromStable(tx, memberId, parseDecimal(event.stable), config, context);
    default:
      return payMerchant(tx, memberId, merchantId, parseDecimal(event.stable), config, context);
  }
}

/** Every member's figures as the server holds them, in the replay's format. */
export async function serverMembers(
  t: ScenarioHost,
  members: Map<string, string>,
): Promise<
  Record<string, { wallets: Record<string, string>; debt: Record<string, string>; star: string | null }>
> {
  const out: Record<
    string,
    { wallets: Record<string, string>; debt: Record<string, string>; star: string | null }
  > = {};
  const balances = await t.db.query<{ account: string; amount: string }>(
    "select account, amount from balances where member_id is not null",
  );
  const byAccount = new Map(balances.rows.map((r) => [r.account, parseDecimal(r.amount)]));
  const stars = await t.db.query<{ member_id: string; star: string }>(
    "select member_id, star from member_stars",
  );
  const starOf = new Map(stars.rows.map((r) => [r.member_id, r.star]));
  for (const [name, id] of members) {
    const wallets: Record<string, string> = {};
    for (const wallet of WALLETS) wallets[wallet] = formatDecimal(byAccount.get(`m:${id}:${wallet}`) ?? 0n);
    const debt: Record<string, string> = {};
    for (const wallet of DEBT_WALLETS) {
      const owed = -(byAccount.get(`m:${id}:debt:${wallet}`) ?? 0n);
      if (owed > 0n) debt[wallet] = formatDecimal(owed);
    }
    out[name] = { wallets, debt, star: starOf.get(id) ?? null };
  }
  return out;
}

/** Per settled day (in order), per scenario member: points released and dividend paid, from the ledger. */
export async function serverSettlements(
  t: ScenarioHost,
  members: Map<string, string>,
): Promise<{ day: string; members: Record<string, { released: string; dividend: string }> }[]> {
  const names = new Map([...members].map(([name, id]) => [id, name]));
  const rows = await t.db.query<{ business_day: string; member_id: string; kind: string; amount: string }>(
    `select t.business_day, p.member_id, t.kind, -sum(p.amount) as amount
     from ledger_transactions t join ledger_postings p on p.transaction_id = t.id
     where p.member_id is not null and ((t.kind = 'release.daily' and p.account like '%:gift')
       or (t.kind = 'cycle.dividend' and p.account like '%:quota'))
     group by t.business_day, p.member_id, t.kind order by t.business_day`,
  );
  const days = await t.db.query<{ business_day: string }>(
    "select business_day from settlement_runs where status = 'done' order by business_day",
  );
  const byDay = new Map(
    days.rows.map((d) => [d.business_day, {} as Record<string, { released: string; dividend: string }>]),
  );
  for (const r of rows.rows) {
    const day = byDay.get(r.business_day);
    assert.ok(day, `ledger has settlement rows on ${r.business_day} without a settlement run`);
    const name = names.get(r.member_id) ?? `#${r.member_id}`;
    const entry = day[name] ?? { released: "0", dividend: "0" };
    day[name] = entry;
    if (r.kind === "release.daily") entry.released = formatDecimal(parseDecimal(r.amount));
    else entry.dividend = formatDecimal(parseDecimal(r.amount));
  }
  return [...byDay].map(([day, m]) => ({ day, members: m }));
}

/** The replay's figures in the same shape as `serverMembers` / `serverSettlements`. */
export function replayFigures(output: ReplayOutput) {
  const members: Record<
    string,
    { wallets: Record<string, string>; debt: Record<string, string>; star: string | null }
  > = {};
  for (const [name, m] of Object.entries(output.members)) {
    members[name] = {
      wallets: {
        cash: m.cash,
        points: m.points,
        gift: m.gift,
        equity: m.equity,
        stable: m.stable,
        quota: m.quota,
        exitQuota: m.exitQuota,
        weight: m.weight,
      },
      debt: m.debt,
      star: m.star,
    };
  }
  const settlements = output.settlements.map((s) => {
    const figures: Record<string, { released: string; dividend: string }> = {};
    for (const [name, f] of Object.entries(s.members)) {
      const released =
        parseDecimal(f.static) + parseDecimal(f.share) + parseDecimal(f.team) + parseDecimal(f.peer);
      figures[name] = { released: formatDecimal(released), dividend: f.dividend };
    }
    return figures;
  });
  return { members, settlements };
}

/** Asserts the server's state after `driven` equals `runScenario` of the same scenario. */
export async function compareWithReplay(
  t: ScenarioHost,
  scenario: ServerScenario,
  driven: DrivenScenario,
): Promise<void> {
  const { output } = runScenario({ config: scenario.config ?? {}, events: scenario.events });
  const expected = replayFigures(output);
  assert.deepEqual(
    await serverMembers(t, driven.members),
    expected.members,
    "member wallets, debts and stars",
  );
  const days = await serverSettlements(t, driven.members);
  assert.equal(days.length, expected.settlements.length, "settled days");
  days.forEach((d, i) => {
    assert.deepEqual(d.members, expected.settlements[i], `released points and dividends of ${d.day}`);
  });
}

/**
 * Every non-zero balance of the server's ledger — members' wallets and debts
 * and every platform account (pool, treasury, burns, issuance, operator) —
 * equals the replay's book, member accounts named by scenario member.
 */
export async function compareEveryBalance(
  t: ScenarioHost,
  scenario: ServerScenario,
  driven: DrivenScenario,
): Promise<void> {
  const { engine } = runScenario({ config: scenario.config ?? {}, events: scenario.events });
  const names = new Map([...driven.members].map(([name, id]) => [id, name]));
  const rows = await t.db.query<{ account: string; asset: string; amount: string }>(
    "select account, asset, amount from balances where amount <> 0",
  );
  const server: Record<string, string> = {};
  for (const r of rows.rows) {
    const account = r.account.replace(/^m:([^:]+):/, (_, id: string) => `m:${names.get(id) ?? `#${id}`}:`);
    server[`${account} ${r.asset}`] = formatDecimal(parseDecimal(r.amount));
  }
  const replay: Record<string, string> = {};
  for (const e of engine.book.entries()) replay[`${e.account} ${e.asset}`] = formatDecimal(e.balance);
  assert.deepEqual(server, replay, "every balance of the ledger");
}
