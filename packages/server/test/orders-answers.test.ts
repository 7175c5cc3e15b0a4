/**
 * Orders and wallets say what is true (issue 8, "Wrong answers"): points
 * reserved by pending orders are shown apart from what is available, and the
 * refusal says both; an order paid entirely with points is paid at once; a
 * refund requires a reason, stored on the order and in the audit log.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { PaidOrder } from "../src/rewards/index.ts";
import {
  auditLedger,
  call,
  count,
  credit,
  openTestApp,
  operatorToken,
  register,
  type TestApp,
} from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

for (const target of dbTargets()) {
  describe(`orders and wallets answer truly on ${target.name}`, () => {
    let t: TestApp;
    let admin: string;
    const paid: PaidOrder[] = [];
    before(async () => {
      t = await openTestApp(target, {
        hooks: {
          async onOrderPaid(_tx, order) {
            paid.push(order);
          },
          async onOrderRefunded() {},
        },
      });
      admin = await operatorToken(t);
    });
    after(async () => {
      await t?.cleanup();
    });

    // biome-ignore lint/suspicious/noExplicitAny: response rows
    const pointsWallet = (wallets: any[]) => wallets.find((w) => w.wallet === "points");

    test("points reserved by a pending order: balance, reserved and available apart; the refusal names both", async () => {
      const m = await register(t, "13400000001");
      await credit(t, m.id, "points", "158.04");
      const first = await call(t, "POST", "/orders", {
        token: m.token,
        body: { productId: "3", quantity: 2, points: "90" },
      });
      assert.equal(first.statusCode, 201, first.body);
      assert.equal(first.data.status, "pending", "cash is still to be paid");

      const mine = await call(t, "GET", "/me/wallets", { token: m.token });
      assert.equal(mine.statusCode, 200, mine.body);
      assert.deepEqual(pointsWallet(mine.data.wallets), {
        wallet: "points",
        asset: "points",
        balance: "158.04",
        reserved: "90",
        available: "68.04",
        debt: "0",
      });
      const cash = mine.data.wallets.find((w: { wallet: string }) => w.wallet === "cash");
      assert.deepEqual([cash.reserved, cash.available], ["0.00", cash.balance], "only points are reserved");

      const adminView = await call(t, "GET", `/admin/members/${m.id}`, { token: admin });
      assert.equal(adminView.statusCode, 200, adminView.body);
      assert.deepEqual(
        [pointsWallet(adminView.data.wallets)?.reserved, pointsWallet(adminView.data.wallets)?.available],
        ["90", "68.04"],
      );

      const orders = await count(t, "orders");
      const second = await call(t, "POST", "/orders", {
        token: m.token,
        body: { productId: "3", quantity: 1, points: "90" },
      });
      assert.deepEqual(
        [second.statusCode, second.data.code, second.data.field],
        [409, "INSUFFICIENT_POINTS", "points"],
      );
      assert.match(second.data.message, /可用 68\.04，另有 90 已被待支付订单占用/);
      assert.match(second.data.messageEn, /68\.04 available, 90 more reserved by orders awaiting payment/);
      assert.equal(await count(t, "orders"), orders, "nothing written");

      // Cancelling frees the reserved points.
      await call(t, "POST", `/orders/${first.data.id}/cancel`, { token: m.token });
      const freed = await call(t, "GET", "/me/wallets", { token: m.token });
      assert.deepEqual(
        [pointsWallet(freed.data.wallets)?.reserved, pointsWallet(freed.data.wallets)?.available],
        ["0", "158.04"],
      );
    });

    test("an order paid entirely with points is paid at once; one with cash left waits", async () => {
      const m = await register(t, "13400000002");
      await credit(t, m.id, "points", "150");
      const before = paid.length;
      const order = await call(t, "POST", "/orders", {
        token: m.token,
        body: { productId: "3", quantity: 1, points: "99" },
      });
      assert.equal(order.statusCode, 201, order.body);
      assert.deepEqual(
        [order.data.status, order.data.cash, order.data.points, order.data.paidDay, order.data.eligibleDay],
        ["paid", "0.00", "99.00", "2026-01-05", "2026-01-05"],
      );
      assert.equal(paid.length, before + 1, "the reward hook ran once");
      assert.equal(paid[paid.length - 1]?.id, order.data.id);
      const wallets = await call(t, "GET", "/me/wallets", { token: m.token });
      assert.deepEqual(
        [pointsWallet(wallets.data.wallets)?.balance, pointsWallet(wallets.data.wallets)?.reserved],
        ["51", "0"],
      );
      const confirm = await call(t, "POST", `/admin/orders/${order.data.id}/confirm-payment`, {
        token: admin,
      });
      assert.equal(confirm.data.code, "ORDER_NOT_PENDING", "nothing left to confirm");

      const partly = await call(t, "POST", "/orders", {
        token: m.token,
        body: { productId: "3", quantity: 1, points: "51" },
      });
      assert.equal(partly.data.status, "pending");
      assert.equal(paid.length, before + 1);
      await auditLedger(t);
    });

    test("a refund requires a reason: stored on the order, in the audit log, shown in the order view", async () => {
      const m = await register(t, "13400000003");
      const order = await call(t, "POST", "/orders", { token: m.token, body: { productId: "3" } });
      const confirmed = await call(t, "POST", `/admin/orders/${order.data.id}/confirm-payment`, {
        token: admin,
      });
      assert.equal(confirmed.data.refundReason, null);
      const postings = await count(t, "ledger_postings");
      for (const [body, status, code] of [
        [undefined, 400, "VALIDATION_FAILED"],
        [{}, 400, "VALIDATION_FAILED"],
        [{ reason: "" }, 400, "REFUND_REASON_REQUIRED"],
        [{ reason: "   " }, 400, "REFUND_REASON_REQUIRED"],
        [{ reason: " \n " }, 400, "INVALID_TEXT"],
        [{ reason: "x".repeat(201) }, 400, "VALIDATION_FAILED"],
      ] as const) {
        const refused = await call(t, "POST", `/admin/orders/${order.data.id}/refund`, {
          token: admin,
          ...(body === undefined ? {} : { body }),
        });
        assert.deepEqual([refused.statusCode, refused.data.code], [status, code], JSON.stringify(body));
      }
      assert.equal(await count(t, "ledger_postings"), postings, "a refused refund writes nothing");
      const still = await call(t, "GET", `/admin/orders/${order.data.id}`, { token: admin });
      assert.equal(still.data.status, "paid");

      const refund = await call(t, "POST", `/admin/orders/${order.data.id}/refund`, {
        token: admin,
        body: { reason: "  顾客七天无理由退货 / returned within 7 days  " },
      });
      assert.equal(refund.statusCode, 200, refund.body);
      assert.deepEqual(
        [refund.data.status, refund.data.refundReason],
        ["refunded", "顾客七天无理由退货 / returned within 7 days"],
      );
      const view = await call(t, "GET", `/admin/orders/${order.data.id}`, { token: admin });
      assert.equal(view.data.refundReason, "顾客七天无理由退货 / returned within 7 days");
      const own = await call(t, "GET", `/orders/${order.data.id}`, { token: m.token });
      assert.equal(own.data.refundReason, "顾客七天无理由退货 / returned within 7 days");
      const audit = await call(t, "GET", "/admin/audit-log?action=order.refund", { token: admin });
      const entry = audit.data.items.find((i: { targetId: string }) => i.targetId === order.data.id);
      assert.deepEqual(entry?.detail, {
        amount: "99.00",
        reason: "顾客七天无理由退货 / returned within 7 days",
      });
      const stored = await t.db.query<{ refund_reason: string }>(
        "select refund_reason from orders where id = $1::bigint",
        [order.data.id],
      );
      assert.equal(stored.rows[0]?.refund_reason, "顾客七天无理由退货 / returned within 7 days");
    });
  });
}
