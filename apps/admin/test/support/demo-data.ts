/**
 * A small, realistic shop put in through the API, for the console's screenshots
 * and browser tests: members joining day after day under one another's invite
 * codes, orders in every plan (equity, cycle, release packages) paid by an
 * operator, a refund, parameter changes (one scheduled for the next business
 * day), and every day settled by the daily settlement. The server's ManualClock
 * moves one business day at a time. Deterministic: the same data every run.
 */
import { call, operatorToken, register, type TestApp } from "../../../../packages/server/test/support/app.ts";

/** The seeded demo products (packages/server/src/seed.ts). */
const PRODUCT = { starter: "1", middle: "2", rice: "3", tea: "4" } as const;

export interface DemoShop {
  /** Business days settled, oldest first. */
  readonly settledDays: string[];
  /** The open business day (today on the server's clock). */
  readonly today: string;
  readonly members: number;
  readonly orders: number;
}

interface Member {
  readonly id: string;
  readonly token: string;
  readonly inviteCode: string;
}

/** A tiny deterministic generator (the same shop every run). */
function generator(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state >>> 8) % n; // the low bits of this generator repeat quickly
  };
}

async function ok(response: Promise<{ statusCode: number; body: string; data: unknown }>, what: string) {
  const answer = await response;
  if (answer.statusCode >= 300) throw new Error(`${what}: ${answer.statusCode} ${answer.body}`);
  return answer.data as Record<string, unknown>;
}

async function buy(
  t: TestApp,
  admin: string,
  member: Member,
  productId: string,
  quantity = 1,
): Promise<string> {
  const order = await ok(
    call(t, "POST", "/orders", { token: member.token, body: { productId, quantity } }),
    "order",
  );
  await ok(call(t, "POST", `/admin/orders/${order.id}/confirm-payment`, { token: admin }), "pay");
  return String(order.id);
}

async function changeConfig(t: TestApp, admin: string, params: object, note: string): Promise<void> {
  await ok(call(t, "POST", "/admin/config", { token: admin, body: { params, note } }), "config");
}

/** One business day of the shop: members join, members buy; returns the orders placed. */
async function shopDay(
  t: TestApp,
  admin: string,
  day: number,
  members: Member[],
  pick: (n: number) => number,
) {
  const joining = day === 0 ? 4 : 2 + pick(4);
  for (let i = 0; i < joining; i++) {
    const referrer = members.length > 0 ? members[pick(members.length)] : undefined;
    const phone = `139${String(10_000_000 + members.length * 7919).slice(-8)}`;
    members.push(await register(t, phone, referrer?.inviteCode));
  }
  const orders: string[] = [];
  const buyer = () => members[pick(members.length)] as Member;
  for (let i = 0, n = 2 + pick(4); i < n; i++)
    orders.push(await buy(t, admin, buyer(), PRODUCT.rice, 1 + pick(3)));
  for (let i = 0, n = 1 + pick(3); i < n; i++)
    orders.push(await buy(t, admin, buyer(), PRODUCT.tea, 1 + pick(2)));
  if (day % 3 === 0)
    orders.push(await buy(t, admin, buyer(), pick(3) === 0 ? PRODUCT.middle : PRODUCT.starter));
  return orders;
}

/** The seeded products' stock made unlimited: a month of demo orders sells more than the seed's stock. */
async function unlimitedStock(t: TestApp): Promise<void> {
  const admin = await operatorToken(t);
  const listed = await ok(call(t, "GET", "/admin/products?limit=100", { token: admin }), "products");
  for (const p of listed.items as {
    id: string;
    name: string;
    description: string;
    price: string;
    plans: string[];
    membershipPackage: boolean;
    active: boolean;
  }[]) {
    const body = {
      name: p.name,
      description: p.description,
      price: p.price,
      plans: p.plans,
      membershipPackage: p.membershipPackage,
      active: p.active,
      stock: null,
    };
    await ok(call(t, "PUT", `/admin/products/${p.id}`, { token: admin, body }), "stock");
  }
}

/** Fills the server with `days` business days of a small shop, each settled, and one open day. */
export async function fillDemoShop(t: TestApp, days = 27): Promise<DemoShop> {
  const pick = generator(20260105);
  const members: Member[] = [];
  const settledDays: string[] = [];
  let orders = 0;
  await unlimitedStock(t);
  for (let day = 0; day <= days; day++) {
    const admin = await operatorToken(t);
    const placed = await shopDay(t, admin, day, members, pick);
    orders += placed.length;
    if (day === 3)
      await changeConfig(t, admin, { withdrawal: { feeRate: "0.006" } }, "提现手续费调整为 0.6%");
    if (day === 9) {
      const refund = { reason: "商品破损，客户申请退货" };
      await ok(
        call(t, "POST", `/admin/orders/${placed[0]}/refund`, { token: admin, body: refund }),
        "refund",
      );
    }
    if (day === 15) await changeConfig(t, admin, { equity: { sellFeeRate: "0.08" } }, "卖出手续费下调至 8%");
    if (day === days) {
      await changeConfig(t, admin, { coolingOffDays: 7 }, "冷静期改为 7 天，与退货期一致");
      break;
    }
    t.clock.advance(86_400_000);
    const settled = await ok(
      call(t, "POST", "/admin/settlements/run", { token: await operatorToken(t), body: {} }),
      "settle",
    );
    for (const outcome of settled.outcomes as { day: string; status: string }[]) {
      if (outcome.status === "settled") settledDays.push(outcome.day);
    }
  }
  const today = (await ok(call(t, "GET", "/admin/equity", { token: await operatorToken(t) }), "equity"))
    .businessDay as string;
  return { settledDays, today, members: members.length, orders };
}
