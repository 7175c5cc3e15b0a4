/**
 * The shop's settings an operator switches: the demo payment method (演示支付),
 * off unless turned on. It pays an order without any money moving from
 * outside, so a newcomer can try a purchase end to end; a real shop leaves it
 * off and is paid through the manual provider or the payment webhook.
 * Kept in `server_settings` (key `shop.demoPayment`); the demo data turns it
 * on (seed.ts), an admin turns it on or off (PUT /admin/shop/settings).
 */
import type { Queryable } from "../db/index.ts";

const DEMO_PAYMENT_KEY = "shop.demoPayment";

/** Whether the demo payment method is on. */
export async function demoPaymentOn(q: Queryable): Promise<boolean> {
  const rows = await q.query<{ value: string }>("select value from server_settings where key = $1", [
    DEMO_PAYMENT_KEY,
  ]);
  return rows.rows[0]?.value === "on";
}

/** Turns the demo payment method on or off. */
export async function setDemoPayment(q: Queryable, on: boolean): Promise<void> {
  await q.query(
    `insert into server_settings (key, value) values ($1, $2)
     on conflict (key) do update set value = excluded.value`,
    [DEMO_PAYMENT_KEY, on ? "on" : "off"],
  );
}
