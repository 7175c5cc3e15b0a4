/**
 * The member site's shop (issue 11): stock that is never oversold (also under
 * many parallel checkouts for the last units), given back on cancel and
 * refund; product images (type by magic bytes, size limit, cached by hash);
 * a cart paid in one payment as one order per item with the points split by
 * the engine; the demo payment method, off unless turned on; each item
 * refunded on its own.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { signWebhook } from "../src/shop/index.ts";
import {
  auditLedger,
  call,
  credit,
  openTestApp,
  operatorToken,
  operatorWithRole,
  register,
  type TestApp,
} from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

const PNG_1PX =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const GIF_1PX = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

for (const target of dbTargets()) {
  describe(`shop cart, stock, images on ${target.name}`, () => {
    let t: TestApp;
    let admin: string;
    let phoneSeq = 0;
    const newMember = () => register(t, `1390000${String(++phoneSeq).padStart(4, "0")}`);
    const product = async (body: Record<string, unknown>) => {
      const created = await call(t, "POST", "/admin/products", {
        token: admin,
        body: { name: "测试商品", description: "", plans: [], ...body },
      });
      assert.equal(created.statusCode, 201, created.body);
      return created.data as { id: string; stock: number | null; soldOut: boolean; imageUrl: string | null };
    };
    const stockOf = async (id: string) =>
      (await call(t, "GET", `/products/${id}`)).data.stock as number | null;

    before(async () => {
      t = await openTestApp(target);
      admin = await operatorToken(t);
    });
    after(async () => {
      await auditLedger(t);
      await t.cleanup();
    });

    test("stock: taken by each order, sold out at 0, refused past it, given back on cancel and on refund", async () => {
      const p = await product({ price: "10.00", stock: 3 });
      assert.equal(p.stock, 3);
      const m = await newMember();
      const order = await call(t, "POST", "/orders", {
        token: m.token,
        body: { productId: p.id, quantity: 2 },
      });
      assert.equal(order.statusCode, 201, order.body);
      assert.equal(await stockOf(p.id), 1);
      const over = await call(t, "POST", "/orders", {
        token: m.token,
        body: { productId: p.id, quantity: 2 },
      });
      assert.equal(over.statusCode, 409);
      assert.equal(over.data.code, "OUT_OF_STOCK");
      assert.match(over.data.message, /仅剩 1 件/);
      assert.equal(await stockOf(p.id), 1, "a refused order takes nothing");
      const last = await call(t, "POST", "/orders", {
        token: m.token,
        body: { productId: p.id, quantity: 1 },
      });
      assert.equal(last.statusCode, 201);
      const shown = (await call(t, "GET", `/products/${p.id}`)).data;
      assert.equal(shown.stock, 0);
      assert.equal(shown.soldOut, true);
      // Cancel gives the units back.
      const cancelled = await call(t, "POST", `/orders/${order.data.id}/cancel`, { token: m.token });
      assert.equal(cancelled.statusCode, 200);
      assert.equal(await stockOf(p.id), 2);
      // Refund gives them back too.
      const confirm = await call(t, "POST", `/admin/orders/${last.data.id}/confirm-payment`, {
        token: admin,
      });
      assert.equal(confirm.statusCode, 200, confirm.body);
      assert.equal(await stockOf(p.id), 2);
      const refund = await call(t, "POST", `/admin/orders/${last.data.id}/refund`, {
        token: admin,
        body: { reason: "七天无理由退货" },
      });
      assert.equal(refund.statusCode, 200, refund.body);
      assert.equal(await stockOf(p.id), 3);
      // Unlimited stock (null) is never refused and stays null.
      const free = await product({ price: "1.00" });
      assert.equal(free.stock, null);
      const many = await call(t, "POST", "/orders", {
        token: m.token,
        body: { productId: free.id, quantity: 9999 },
      });
      assert.equal(many.statusCode, 201);
      assert.equal(await stockOf(free.id), null);
    });

    test("many parallel checkouts for the last units: never below zero, exactly the stock sold", async () => {
      const p = await product({ price: "5.00", stock: 7 });
      const members = [];
      for (let i = 0; i < 12; i++) members.push(await newMember());
      const answers = await Promise.all(
        members.map((m, i) =>
          call(t, "POST", "/checkouts", {
            token: m.token,
            body: { items: [{ productId: p.id, quantity: i % 2 === 0 ? 1 : 2 }] },
          }),
        ),
      );
      const ok = answers.filter((a) => a.statusCode === 201);
      const refused = answers.filter((a) => a.statusCode !== 201);
      for (const a of refused) assert.equal(a.data.code, "OUT_OF_STOCK", a.body);
      const sold = ok.reduce((sum, a) => sum + (a.data.orders[0].quantity as number), 0);
      const stock = (await stockOf(p.id)) as number;
      assert.ok(stock >= 0);
      assert.equal(sold + stock, 7, `sold ${sold}, left ${stock}`);
      const rows = await t.db.query<{ n: string }>(
        "select coalesce(sum(quantity), 0) as n from orders where product_id = $1::bigint",
        [p.id],
      );
      assert.equal(Number(rows.rows[0]?.n), sold, "the orders hold exactly the units sold");
      assert.ok(refused.length > 0, "some were refused");
      // Only one unit of two may be left: a 2-unit request must not take it below zero either.
      assert.ok(stock <= 1);
    });

    test("parallel carts in both product orders with points, and refunds at the same time: no deadlock, the stock adds up", async () => {
      const x = await product({ price: "10.00", stock: 100 });
      const y = await product({ price: "20.00", stock: 100 });
      const m = await newMember();
      await credit(t, m.id, "points", "1000.00");
      // Two paid orders of x to refund while carts are placed.
      const paid = [];
      for (let i = 0; i < 2; i++) {
        const c = await call(t, "POST", "/checkouts", {
          token: m.token,
          body: { items: [{ productId: x.id, quantity: 1 }], points: "10.00" },
        });
        assert.equal(c.data.status, "paid", c.body);
        paid.push(c.data.orders[0].id as string);
      }
      const carts = Array.from({ length: 10 }, (_, i) =>
        call(t, "POST", "/checkouts", {
          token: m.token,
          body: {
            items:
              i % 2 === 0
                ? [
                    { productId: x.id, quantity: 1 },
                    { productId: y.id, quantity: 2 },
                  ]
                : [
                    { productId: y.id, quantity: 2 },
                    { productId: x.id, quantity: 1 },
                  ],
            points: "7.00",
          },
        }),
      );
      const refunds = paid.map((id) =>
        call(t, "POST", `/admin/orders/${id}/refund`, { token: admin, body: { reason: "并发退款" } }),
      );
      const answers = await Promise.all([...carts, ...refunds]);
      for (const a of answers.slice(0, 10)) assert.equal(a.statusCode, 201, a.body);
      for (const a of answers.slice(10)) assert.equal(a.statusCode, 200, a.body);
      // Each cart: 10 + 40 = 50 yuan, 7 points split 1.40 / 5.60.
      for (const a of answers.slice(0, 10)) {
        const split = a.data.orders.map((o: { productId: string; points: string }) => [
          o.productId,
          o.points,
        ]);
        assert.deepEqual(split, [
          [x.id, "1.40"],
          [y.id, "5.60"],
        ]);
      }
      assert.equal(await stockOf(x.id), 100 - 10);
      assert.equal(await stockOf(y.id), 100 - 20);
    });

    test("images: PNG uploaded as base64, served by hash with immutable caching; wrong type, too large, not base64 refused", async () => {
      const up = await call(t, "POST", "/admin/product-images", { token: admin, body: { data: PNG_1PX } });
      assert.equal(up.statusCode, 201, up.body);
      assert.equal(up.data.contentType, "image/png");
      assert.match(up.data.id, /^[0-9a-f]{64}$/);
      const again = await call(t, "POST", "/admin/product-images", {
        token: admin,
        body: { data: `data:image/png;base64,${PNG_1PX}` },
      });
      assert.equal(again.data.id, up.data.id, "the same bytes are one image");
      const p = await product({ price: "20.00", imageId: up.data.id });
      assert.equal(p.imageUrl, `/products/images/${up.data.id}`);
      const served = await t.app.inject({ method: "GET", url: p.imageUrl as string });
      assert.equal(served.statusCode, 200);
      assert.equal(served.headers["content-type"], "image/png");
      assert.match(String(served.headers["cache-control"]), /immutable/);
      assert.deepEqual(served.rawPayload, Buffer.from(PNG_1PX, "base64"));
      const cached = await t.app.inject({
        method: "GET",
        url: p.imageUrl as string,
        headers: { "if-none-match": String(served.headers.etag) },
      });
      assert.equal(cached.statusCode, 304);
      const missing = await call(t, "GET", `/products/images/${"0".repeat(64)}`);
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.data.code, "IMAGE_NOT_FOUND");

      const gif = await call(t, "POST", "/admin/product-images", { token: admin, body: { data: GIF_1PX } });
      assert.equal(gif.statusCode, 415);
      assert.equal(gif.data.code, "IMAGE_TYPE_UNSUPPORTED");
      assert.match(gif.data.message, /PNG、JPEG 或 WebP/);
      const big = Buffer.alloc(2 * 1024 * 1024 + 1);
      Buffer.from(PNG_1PX, "base64").copy(big);
      const tooBig = await call(t, "POST", "/admin/product-images", {
        token: admin,
        body: { data: big.toString("base64") },
      });
      assert.equal(tooBig.statusCode, 413);
      assert.equal(tooBig.data.code, "IMAGE_TOO_LARGE");
      const junk = await call(t, "POST", "/admin/product-images", {
        token: admin,
        body: { data: "not base64!" },
      });
      assert.equal(junk.statusCode, 400);
      assert.equal(junk.data.code, "IMAGE_INVALID");
      const unknown = await call(t, "POST", "/admin/products", {
        token: admin,
        body: { name: "x", description: "", price: "1.00", plans: [], imageId: "a".repeat(64) },
      });
      assert.equal(unknown.data.code, "IMAGE_NOT_FOUND");
      const support = await operatorWithRole(t, "support");
      const denied = await call(t, "POST", "/admin/product-images", {
        token: support,
        body: { data: PNG_1PX },
      });
      assert.equal(denied.statusCode, 403);
      const images = await t.db.query<{ n: string }>("select count(*) as n from product_images");
      assert.equal(Number(images.rows[0]?.n), 1, "refused uploads stored nothing");
    });

    test("a cart: one order per item, points split by amount (largest remainder), demo payment off then on, one item refunded alone", async () => {
      const a = await product({ price: "100.00", plans: ["release"], membershipPackage: true, stock: 5 });
      const b = await product({ price: "50.00", plans: ["equity"] });
      const m = await newMember();
      await credit(t, m.id, "points", "100.01");
      const items = [
        { productId: a.id, quantity: 1 },
        { productId: b.id, quantity: 1 },
      ];
      const preview = await call(t, "POST", "/checkouts/preview", {
        token: m.token,
        body: { items, points: "100.01" },
      });
      assert.equal(preview.statusCode, 200, preview.body);
      assert.equal(preview.data.amount, "150.00");
      assert.equal(preview.data.maxPoints, "100.01");
      // 100.01 × 100/150 = 66.673…, × 50/150 = 33.336…: the extra fen goes to the larger remainder (b).
      assert.deepEqual(
        preview.data.lines.map((l: { points: string }) => l.points),
        ["66.67", "33.34"],
      );
      assert.equal(preview.data.cash, "49.99");
      const over = await call(t, "POST", "/checkouts/preview", {
        token: m.token,
        body: { items, points: "100.02" },
      });
      assert.equal(over.data.code, "INSUFFICIENT_POINTS");

      await call(t, "PUT", "/admin/shop/settings", { token: admin, body: { demoPayment: false } });
      const off = await call(t, "POST", "/checkouts", {
        token: m.token,
        body: { items, points: "100.01", provider: "demo" },
      });
      assert.equal(off.statusCode, 409);
      assert.equal(off.data.code, "DEMO_PAYMENT_DISABLED");
      assert.equal((await call(t, "GET", "/shop")).data.paymentMethods.join(), "manual");
      const on = await call(t, "PUT", "/admin/shop/settings", { token: admin, body: { demoPayment: true } });
      assert.equal(on.data.demoPayment, true);

      const placed = await call(t, "POST", "/checkouts", {
        token: m.token,
        body: { items, points: "100.01", provider: "demo" },
      });
      assert.equal(placed.statusCode, 201, placed.body);
      assert.equal(placed.data.status, "pending");
      assert.equal(placed.data.orders.length, 2);
      assert.deepEqual(
        placed.data.orders.map((o: { points: string; plans: string[] }) => [o.points, o.plans.join()]),
        [
          ["66.67", "release"],
          ["33.34", "equity"],
        ],
      );
      const paid = await call(t, "POST", `/checkouts/${placed.data.id}/demo-pay`, { token: m.token });
      assert.equal(paid.statusCode, 200, paid.body);
      assert.equal(paid.data.status, "paid");
      assert.ok(
        paid.data.orders.every(
          (o: { status: string; provider: string }) => o.status === "paid" && o.provider === "demo",
        ),
      );
      const again = await call(t, "POST", `/checkouts/${placed.data.id}/demo-pay`, { token: m.token });
      assert.equal(again.data.code, "CHECKOUT_NOT_PENDING");
      const other = await newMember();
      const hidden = await call(t, "GET", `/checkouts/${placed.data.id}`, { token: other.token });
      assert.equal(hidden.data.code, "CHECKOUT_NOT_FOUND");

      // One item refunded on its own: its points come back, the other order stays paid.
      const [first, second] = paid.data.orders;
      const refund = await call(t, "POST", `/admin/orders/${second.id}/refund`, {
        token: admin,
        body: { reason: "单件退货" },
      });
      assert.equal(refund.statusCode, 200, refund.body);
      const after = (await call(t, "GET", `/checkouts/${placed.data.id}`, { token: m.token })).data;
      assert.deepEqual(
        after.orders.map((o: { status: string }) => o.status),
        ["paid", "refunded"],
      );
      assert.equal(after.status, "paid");
      assert.equal(first.status, "paid");
      const wallets = (await call(t, "GET", "/me/wallets", { token: m.token })).data;
      const points = wallets.wallets.find((w: { wallet: string }) => w.wallet === "points");
      assert.equal(points.balance, "33.34");
    });

    test("a manual checkout waits for the operator, who confirms its orders together; points covering all pay at once", async () => {
      const a = await product({ price: "30.00", stock: 2 });
      const m = await newMember();
      await credit(t, m.id, "points", "40.00");
      const manual = await call(t, "POST", "/checkouts", {
        token: m.token,
        body: { items: [{ productId: a.id, quantity: 1 }], points: "10.00" },
      });
      assert.equal(manual.data.status, "pending");
      assert.equal(manual.data.provider, "manual");
      const notDemo = await call(t, "POST", `/checkouts/${manual.data.id}/demo-pay`, { token: m.token });
      assert.equal(notDemo.data.code, "CHECKOUT_NOT_PENDING");
      const confirmed = await call(t, "POST", `/admin/checkouts/${manual.data.id}/confirm-payment`, {
        token: admin,
      });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      assert.equal(confirmed.data.status, "paid");
      const covered = await call(t, "POST", "/checkouts", {
        token: m.token,
        body: { items: [{ productId: a.id, quantity: 1 }], points: "30.00" },
      });
      assert.equal(covered.statusCode, 201, covered.body);
      assert.equal(covered.data.status, "paid", "points covering the whole cart pay it at once");
      assert.equal(covered.data.cash, "0.00");
      assert.equal(await stockOf(a.id), 0);
    });

    test("a real provider: a webhook checkout's orders are paid by the shop's signed order.paid events", async () => {
      const a = await product({ price: "12.00", stock: 4 });
      const b = await product({ price: "8.00" });
      const m = await newMember();
      const placed = await call(t, "POST", "/checkouts", {
        token: m.token,
        body: {
          items: [
            { productId: b.id, quantity: 1 },
            { productId: a.id, quantity: 2 },
          ],
          provider: "webhook",
        },
      });
      assert.equal(placed.statusCode, 201, placed.body);
      assert.equal(placed.data.provider, "webhook");
      for (const [i, order] of placed.data.orders.entries()) {
        const raw = JSON.stringify({
          event: "order.paid",
          externalId: `WX-${placed.data.id}-${i}`,
          orderId: order.id,
        });
        const paid = await t.app.inject({
          method: "POST",
          url: "/webhooks/payments",
          headers: {
            "content-type": "application/json",
            "x-jifen-signature": signWebhook("webhook-secret", raw),
          },
          payload: raw,
        });
        assert.equal(paid.statusCode, 200, paid.body);
      }
      const after = await call(t, "GET", `/checkouts/${placed.data.id}`, { token: m.token });
      assert.equal(after.data.status, "paid");
      assert.equal(await stockOf(a.id), 2);
    });
  });
}
