/** Helpers of the equity-plan tests: paid orders, wallets as bigints, the engine side by side. */
import assert from "node:assert/strict";
import { type Engine, parseDecimal, renderState, WALLETS, type Wallet } from "@jifen/engine";
import { openDay, openNextDay } from "../../src/rewards/index.ts";
import { call, operatorToken, type TestApp } from "./app.ts";

/** A registered member as the tests use it. */
export interface TestMember {
  readonly id: string;
  readonly token: string;
  readonly inviteCode: string;
}

/** Creates a product of the equity plan at `price` yuan and returns its id. */
export async function equityProduct(t: TestApp, price: string): Promise<string> {
  const created = await call(t, "POST", "/admin/products", {
    token: await operatorToken(t),
    body: { name: `增值商品 ${price}`, price, plans: ["equity"] },
  });
  if (created.statusCode !== 201) throw new Error(`product ${created.statusCode}: ${created.body}`);
  return created.data.id;
}

/** Places an order for `productId` and has an operator confirm the payment; returns the order id. */
export async function paidOrder(
  t: TestApp,
  member: TestMember,
  productId: string,
  admin?: string,
): Promise<string> {
  const order = await call(t, "POST", "/orders", { token: member.token, body: { productId } });
  if (order.statusCode !== 201) throw new Error(`order ${order.statusCode}: ${order.body}`);
  const paid = await call(t, "POST", `/admin/orders/${order.data.id}/confirm-payment`, {
    token: admin ?? (await operatorToken(t)),
  });
  if (paid.statusCode !== 200) throw new Error(`pay ${paid.statusCode}: ${paid.body}`);
  return order.data.id;
}

/** A member's wallets through GET /me/wallets, in micro-units: balance and debt per wallet. */
export async function apiWallets(
  t: TestApp,
  member: TestMember,
): Promise<Record<Wallet, { balance: bigint; debt: bigint }>> {
  const response = await call(t, "GET", "/me/wallets", { token: member.token });
  assert.equal(response.statusCode, 200, response.body);
  const out = {} as Record<Wallet, { balance: bigint; debt: bigint }>;
  for (const w of response.data.wallets as { wallet: Wallet; balance: string; debt: string }[])
    out[w.wallet] = { balance: parseDecimal(w.balance), debt: parseDecimal(w.debt) };
  return out;
}

/** Asserts every wallet and debt of every member, and the equity figures, equal the engine's. */
export async function assertSameAsEngine(
  t: TestApp,
  engine: Engine,
  members: readonly TestMember[],
  step: string,
): Promise<void> {
  for (const m of members) {
    const api = await apiWallets(t, m);
    const debts = engine.debts(m.id) as Partial<Record<Wallet, bigint>>;
    for (const wallet of WALLETS) {
      assert.equal(api[wallet].balance, engine.balance(m.id, wallet), `${step}: member ${m.id} ${wallet}`);
      assert.equal(api[wallet].debt, debts[wallet] ?? 0n, `${step}: member ${m.id} debt ${wallet}`);
    }
  }
  const figures = await call(t, "GET", "/equity", { token: members[0]?.token as string });
  assert.equal(figures.statusCode, 200, figures.body);
  const { businessDay: _day, ...apiFigures } = figures.data;
  assert.deepEqual(apiFigures, renderState(engine).equity, `${step}: equity figures`);
}

/** Moves the wall clock one day and opens the next business day, as the settlement does; the engine too. */
export async function nextDay(t: TestApp, engine?: Engine): Promise<string> {
  const day = await openDay(t.db);
  t.clock.advance(86_400_000);
  const next = await t.db.transaction((tx) => openNextDay(tx, day, { now: t.clock.now() }));
  engine?.endOfDay();
  return next;
}
