/**
 * What the console's orders, withdrawals, audit and SMS pages ask of the API:
 * the order search (status, plan, mobile number, day), an order's ledger
 * effects, the refund preview (the refund's own code, rolled back), the
 * withdrawal queue's masked phones, the audit log by day, the outbox's masked phones.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  auditLedger,
  call,
  count,
  credit,
  openTestApp,
  operatorToken,
  operatorWithRole,
  register,
  sendCode,
  type TestApp,
} from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import { equityProduct, paidOrder } from "./support/equity.ts";

const DAY_MS = 86_400_000;

interface Balance {
  account: string;
  asset: string;
  change: string;
  before: string;
  after: string;
}

async function balanceOf(t: TestApp, account: string, asset: string): Promise<string> {
  const rows = await t.db.query<{ amount: string }>(
    "select amount::text as amount from balances where account = $1 and asset = $2",
    [account, asset],
  );
  return rows.rows[0]?.amount ?? "0";
}

/** Numeric text compared as decimals ("4.700000" equals "4.7"). */
function sameDecimal(a: string, b: string): boolean {
  const norm = (s: string) => {
    const [whole = "0", frac = ""] = s.replace(/^-/, "").split(".");
    const f = frac.replace(/0+$/, "");
    const body = `${BigInt(whole)}${f ? `.${f}` : ""}`;
    return body === "0" ? "0" : (s.startsWith("-") ? "-" : "") + body;
  };
  return norm(a) === norm(b);
}

for (const target of dbTargets()) {
  describe(`the console's orders and queues on ${target.name}`, () => {
    let t: TestApp;
    let admin: string;
    let product: string;
    let buyer: { id: string; token: string; inviteCode: string };
    let referrer: { id: string; token: string; inviteCode: string };
    let paid: string;
    let pending: string;
    before(async () => {
      t = await openTestApp(target);
      admin = await operatorToken(t);
      product = await equityProduct(t, "100");
      referrer = await register(t, "13811110001");
      buyer = await register(t, "13811110002", referrer.inviteCode);
      paid = await paidOrder(t, buyer, product, admin);
      const order = await call(t, "POST", "/orders", { token: referrer.token, body: { productId: product } });
      assert.equal(order.statusCode, 201, order.body);
      pending = order.data.id;
    });
    after(async () => {
      await t?.cleanup();
    });

    test("orders filter by status, plan, mobile number and day; phones masked, product named", async () => {
      const list = async (query: string) => {
        const r = await call(t, "GET", `/admin/orders?${query}`, { token: admin });
        assert.equal(r.statusCode, 200, r.body);
        return (r.data.items as { id: string }[]).map((o) => o.id);
      };
      const byPhone = await call(t, "GET", "/admin/orders?phone=13811110002", { token: admin });
      assert.deepEqual(
        byPhone.data.items.map((o: { id: string }) => o.id),
        [paid],
      );
      assert.equal(byPhone.data.items[0].memberPhone, "138****0002");
      assert.equal(byPhone.data.items[0].productName, "增值商品 100");
      assert.deepEqual(await list("status=pending"), [pending]);
      assert.deepEqual(await list("status=paid&phone=13811110001"), []);
      assert.ok((await list("plan=equity")).includes(paid));
      assert.deepEqual(await list("plan=cycle&phone=13811110002"), []);
      // The clock is 2026-01-05T02:00Z = 10:00 in Shanghai: ordered on business day 2026-01-05.
      assert.ok((await list("from=2026-01-05&to=2026-01-05")).includes(paid));
      assert.deepEqual(await list("from=2026-01-06"), []);
      assert.deepEqual(await list("to=2026-01-04"), []);
      assert.deepEqual(await list("phone=13899999999"), []);
      const bad = await call(t, "GET", "/admin/orders?from=2026-02-30", { token: admin });
      assert.equal(bad.statusCode, 400, bad.body);
      const badPlan = await call(t, "GET", "/admin/orders?plan=gold", { token: admin });
      assert.equal(badPlan.statusCode, 400, badPlan.body);
    });

    test("an order's effects: the payment and the rewards it granted, described, phones masked", async () => {
      const r = await call(t, "GET", `/admin/orders/${paid}/effects`, { token: admin });
      assert.equal(r.statusCode, 200, r.body);
      const items = r.data.items as {
        kind: string;
        memberId: string | null;
        memberPhone: string | null;
        description: string;
      }[];
      assert.ok(items.some((i) => i.kind === "order.pay"));
      const grants = items.filter((i) => i.kind === "equity.grant" && i.memberId !== null);
      assert.ok(
        grants.some((g) => g.memberId === buyer.id),
        r.body,
      );
      assert.ok(grants.every((g) => g.memberPhone === "138****0002"));
      const cash = items.find((i) => i.kind === "order.pay" && i.memberId === null);
      assert.equal(cash?.description, `订单 #${paid} 付款（现金）`);
      assert.ok(grants.every((g) => /订单 #\d+/.test(g.description)));
      const en = await call(t, "GET", `/admin/orders/${paid}/effects?limit=1`, {
        token: admin,
        headers: { "accept-language": "en" },
      });
      assert.equal(en.data.items.length, 1);
      assert.ok(en.data.nextCursor);
      assert.doesNotMatch(en.data.items[0].description, /[\u4e00-\u9fff]/);
      const missing = await call(t, "GET", "/admin/orders/999999/effects", { token: admin });
      assert.deepEqual([missing.statusCode, missing.data.code], [404, "ORDER_NOT_FOUND"]);
    });

    test("the refund preview changes nothing and shows exactly what the refund then does", async () => {
      const transactions = await count(t, "ledger_transactions");
      const preview = await call(t, "GET", `/admin/orders/${paid}/refund-preview`, { token: admin });
      assert.equal(preview.statusCode, 200, preview.body);
      assert.equal(await count(t, "ledger_transactions"), transactions, "nothing written");
      const order = await call(t, "GET", `/admin/orders/${paid}`, { token: admin });
      assert.equal(order.data.status, "paid");
      const balances = preview.data.balances as Balance[];
      assert.ok(
        balances.some((b) => b.account === `m:${buyer.id}:equity` && b.change.startsWith("-")),
        preview.body,
      );
      assert.ok(balances.some((b) => b.account === `m:${buyer.id}:exitQuota` && b.after === "0"));
      for (const b of balances) {
        assert.ok(sameDecimal(await balanceOf(t, b.account, b.asset), b.before), `${b.account} before`);
      }
      assert.ok((preview.data.lines as { kind: string }[]).some((l) => l.kind === "order.refund"));

      const refund = await call(t, "POST", `/admin/orders/${paid}/refund`, {
        token: admin,
        body: { reason: "七天无理由" },
      });
      assert.equal(refund.statusCode, 200, refund.body);
      for (const b of balances) {
        assert.ok(
          sameDecimal(await balanceOf(t, b.account, b.asset), b.after),
          `${b.account} ${b.asset}: ${await balanceOf(t, b.account, b.asset)} ≠ ${b.after}`,
        );
      }
      const written = await t.db.query<{ n: string }>(
        "select count(*)::text as n from ledger_postings p join ledger_transactions x on x.id = p.transaction_id where x.ref = $1 and x.kind in ('order.refund', 'refund.reverse')",
        [`order:${paid}`],
      );
      assert.equal(Number(written.rows[0]?.n), preview.data.lines.length, "as many postings as previewed");
      await auditLedger(t);

      const again = await call(t, "GET", `/admin/orders/${paid}/refund-preview`, { token: admin });
      assert.deepEqual([again.statusCode, again.data.code], [409, "ORDER_NOT_PAID"]);
      const unpaid = await call(t, "GET", `/admin/orders/${pending}/refund-preview`, { token: admin });
      assert.deepEqual([unpaid.statusCode, unpaid.data.code], [409, "ORDER_NOT_PAID"]);
      const support = await operatorWithRole(t, "support");
      const denied = await call(t, "GET", `/admin/orders/${paid}/refund-preview`, { token: support });
      assert.deepEqual([denied.statusCode, denied.data.code], [403, "FORBIDDEN"]);
    });

    test("a refund after a sale: the preview shows the debt the refund leaves, as it then happens", async () => {
      const seller = await register(t, "13811110004");
      const order = await paidOrder(t, seller, product, admin);
      const held = await balanceOf(t, `m:${seller.id}:equity`, "equity");
      const sold = await call(t, "POST", "/me/equity/sell", { token: seller.token, body: { points: "10" } });
      assert.equal(sold.statusCode, 200, sold.body);
      const preview = await call(t, "GET", `/admin/orders/${order}/refund-preview`, { token: admin });
      assert.equal(preview.statusCode, 200, preview.body);
      const debt = (preview.data.balances as Balance[]).find(
        (b) => b.account === `m:${seller.id}:debt:equity`,
      );
      assert.ok(debt, `a debt line: ${preview.body}`);
      assert.ok(sameDecimal(debt.before, "0"));
      assert.ok(sameDecimal(debt.after, "-10"), `owes the 10 points sold of ${held}: ${debt.after}`);
      const refund = await call(t, "POST", `/admin/orders/${order}/refund`, {
        token: admin,
        body: { reason: "退货" },
      });
      assert.equal(refund.statusCode, 200, refund.body);
      assert.ok(sameDecimal(await balanceOf(t, `m:${seller.id}:debt:equity`, "equity"), debt.after));
      await auditLedger(t);
    });

    test("the withdrawal queue names the member by masked phone", async () => {
      await credit(t, buyer.id, "cash", "50");
      const w = await call(t, "POST", "/me/withdrawals", { token: buyer.token, body: { amount: "20" } });
      assert.equal(w.statusCode, 201, w.body);
      const queue = await call(t, "GET", "/admin/withdrawals?status=pending", { token: admin });
      const row = queue.data.items.find((x: { id: string }) => x.id === w.data.id);
      assert.equal(row.memberPhone, "138****0002");
    });

    test("operators are listed a page at a time, in id order", async () => {
      for (const n of [1, 2, 3]) {
        const created = await call(t, "POST", "/admin/operators", {
          token: admin,
          body: {
            username: `page-${n}`,
            displayName: `分页 ${n}`,
            role: "support",
            password: "operator-pass-1",
          },
        });
        assert.equal(created.statusCode, 201, created.body);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const r = await call(t, "GET", `/admin/operators?limit=2${cursor ? `&cursor=${cursor}` : ""}`, {
          token: admin,
        });
        assert.equal(r.statusCode, 200, r.body);
        assert.ok(r.data.items.length <= 2);
        seen.push(...r.data.items.map((o: { username: string }) => o.username));
        cursor = r.data.nextCursor;
      } while (cursor);
      assert.equal(seen[0], "admin");
      for (const n of [1, 2, 3]) assert.ok(seen.includes(`page-${n}`), seen.join());
      assert.equal(new Set(seen).size, seen.length, "no operator twice");
    });

    test("the audit log filters by business day; the SMS outbox masks phones", async () => {
      const today = await call(
        t,
        "GET",
        "/admin/audit-log?from=2026-01-05&to=2026-01-05&action=order.refund",
        {
          token: admin,
        },
      );
      assert.equal(today.data.items.length, 2, today.body);
      assert.ok(today.data.items.some((e: { targetId: string }) => e.targetId === paid));
      t.clock.advance(DAY_MS);
      admin = await operatorToken(t);
      const later = await call(t, "GET", "/admin/audit-log?from=2026-01-06", { token: admin });
      assert.ok(later.data.items.every((e: { action: string }) => e.action !== "order.refund"));
      assert.ok(later.data.items.some((e: { action: string }) => e.action === "operator.login"));
      const before = await call(t, "GET", "/admin/audit-log?to=2026-01-05&action=order.refund", {
        token: admin,
      });
      assert.equal(before.data.items.length, 2);

      const code = await sendCode(t, "13811110003", "register");
      const outbox = await call(t, "GET", "/admin/sms-outbox?phone=13811110003", { token: admin });
      assert.equal(outbox.statusCode, 200, outbox.body);
      assert.equal(outbox.data.items[0].phone, "138****0003");
      assert.match(outbox.data.items[0].content, new RegExp(code), "the admin reads console codes");
    });
  });
}
