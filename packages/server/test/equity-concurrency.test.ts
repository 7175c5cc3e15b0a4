import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Engine, mulRateFloor, parseDecimal, priceRatio, renderState } from "@jifen/engine";
import { auditLedger, call, count, credit, openTestApp, operatorToken, register } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import {
  apiWallets,
  assertSameAsEngine,
  equityProduct,
  paidOrder,
  type TestMember,
} from "./support/equity.ts";

const µ = (text: string) => parseDecimal(text);

for (const target of dbTargets()) {
  // PGlite has one connection: requests run one after another there, so races need PostgreSQL.
  const skip = target.name === "pglite" ? "PGlite serves one connection: no races to test" : false;
  describe(`equity concurrency on ${target.name}`, { skip }, () => {
    test("50 parallel sells of one holding never sell more than was held", async () => {
      const t = await openTestApp(target);
      try {
        const product = await equityProduct(t, "100");
        const m = await register(t, "13700000001");
        const orderId = await paidOrder(t, m, product);
        assert.equal((await apiWallets(t, m)).equity.balance, µ("21"));
        const answers = await Promise.all(
          Array.from({ length: 50 }, () =>
            call(t, "POST", "/me/equity/sell", { token: m.token, body: { points: "1" } }),
          ),
        );
        const codes = answers.map((a) => (a.statusCode === 200 ? "ok" : a.data.code));
        assert.equal(codes.filter((c) => c === "ok").length, 21, JSON.stringify(codes));
        assert.ok(
          codes.every((c) => c === "ok" || c === "INSUFFICIENT_EQUITY"),
          JSON.stringify(codes),
        );
        const wallets = await apiWallets(t, m);
        assert.equal(wallets.equity.balance, 0n);
        assert.equal(wallets.equity.debt, 0n);
        const negative = await count(
          t,
          "balances",
          "amount < 0 and account not like 'world:%' and account not like 'issuance:%' and account not like '%:debt:%' and account not in ('p:operator', 'p:adjustments')",
        );
        assert.equal(negative, 0, "no balance below zero");
        // Identical sells commute: the engine after the same order and 21 sells of 1 agrees to the micro-unit.
        const engine = new Engine();
        engine.join(m.id);
        engine.order({ member: m.id, amount: µ("100"), plans: ["equity"], id: orderId });
        for (let i = 0; i < 21; i++) engine.sell(m.id, µ("1"));
        await assertSameAsEngine(t, engine, [m], "after 21 parallel sells");
        await auditLedger(t);
      } finally {
        await t.cleanup();
      }
    });

    test("50 parallel equity orders: the pool is exact, the supply is what a replay in commit order gives", async () => {
      const t = await openTestApp(target);
      try {
        const admin = await operatorToken(t);
        const prices = ["100", "250", "37.50", "999.99", "13"];
        const products: string[] = [];
        for (const price of prices) products.push(await equityProduct(t, price));
        const members: TestMember[] = [];
        for (let i = 0; i < 10; i++)
          members.push(await register(t, `137000001${String(i).padStart(2, "0")}`));
        const pending = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            call(t, "POST", "/orders", {
              token: (members[i % 10] as TestMember).token,
              body: { productId: products[i % prices.length] },
            }),
          ),
        );
        assert.ok(
          pending.every((p) => p.statusCode === 201),
          pending.map((p) => p.body).join("\n"),
        );
        const paid = await Promise.all(
          pending.map((p) =>
            call(t, "POST", `/admin/orders/${p.data.id}/confirm-payment`, {
              token: admin,
              key: `pay-${p.data.id}`,
            }),
          ),
        );
        assert.ok(
          paid.every((p) => p.statusCode === 200),
          paid
            .filter((p) => p.statusCode !== 200)
            .map((p) => p.body)
            .join("\n"),
        );

        // The pool is order-independent: the sum of the contributions, each rounded down on its own.
        const amounts = pending.map((p) => µ(p.data.amount));
        const pool = amounts.reduce((s, a) => s + mulRateFloor(a, µ("0.3")), 0n);
        const figures = await call(t, "GET", "/equity", { token: (members[0] as TestMember).token });
        assert.equal(µ(figures.data.pool), pool);

        // The supply is what every member holds (nobody else holds any).
        let held = 0n;
        for (const m of members) held += (await apiWallets(t, m)).equity.balance;
        assert.equal(µ(figures.data.circulating), held);
        assert.equal(µ(figures.data.issued), held);

        // Each grant is priced at the price before it, so the supply depends on the order the grants
        // committed in: a serial replay in that order (order_rewards.seq) gives every wallet exactly.
        const committed = await t.db.query<{ order_id: string; member_id: string; amount: string }>(
          "select order_id, member_id, amount from order_rewards order by seq",
        );
        assert.equal(committed.rows.length, 50);
        const grants = await t.db.query<{ ref: string }>(
          "select ref from ledger_transactions where kind = 'equity.grant' order by id",
        );
        assert.deepEqual(
          grants.rows.map((g) => g.ref),
          committed.rows.map((r) => `order:${r.order_id}`),
          "grants were appended in the order their rewards were numbered",
        );
        const engine = new Engine();
        for (const m of members) engine.join(m.id);
        let before = priceRatio(engine.equity);
        for (const row of committed.rows) {
          engine.order({ member: row.member_id, amount: µ(row.amount), plans: ["equity"], id: row.order_id });
          const after = priceRatio(engine.equity);
          assert.ok(after[0] * before[1] >= before[0] * after[1], "the price never fell");
          before = after;
        }
        assert.equal(engine.equity.pool, pool);
        await assertSameAsEngine(t, engine, members, "after 50 parallel orders");
        assert.equal(renderState(engine).equity.circulating, figures.data.circulating);
        await auditLedger(t);
      } finally {
        await t.cleanup();
      }
    });

    test("orders paid in points, orders paid in money, redeems and sells at once: no deadlock, no retry", async () => {
      const lines: string[] = [];
      const t = await openTestApp(target, {
        logger: { level: "warn", stream: { write: (line: string) => void lines.push(line) } },
      });
      try {
        const admin = await operatorToken(t);
        const product = await equityProduct(t, "100");
        const members: TestMember[] = [];
        for (let i = 0; i < 8; i++) members.push(await register(t, `137000002${String(i).padStart(2, "0")}`));
        for (const m of members) {
          await credit(t, m.id, "points", "1000");
          await paidOrder(t, m, product, admin);
        }
        const work: Promise<{ statusCode: number; body: string }>[] = [];
        for (let round = 0; round < 4; round++) {
          for (const [i, m] of members.entries()) {
            const points = i % 2 === 0 ? "100" : "0";
            work.push(
              (async () => {
                const order = await call(t, "POST", "/orders", {
                  token: m.token,
                  body: { productId: product, points },
                });
                if (order.statusCode !== 201) return order;
                // An order paid entirely with points is paid at once: placing it took the locks a confirmation takes.
                if (order.data.status === "paid") return order;
                return call(t, "POST", `/admin/orders/${order.data.id}/confirm-payment`, { token: admin });
              })(),
            );
            work.push(call(t, "POST", "/me/equity/redeem", { token: m.token, body: { amount: "0.5" } }));
            work.push(call(t, "POST", "/me/equity/sell", { token: m.token, body: { points: "0.1" } }));
          }
        }
        const answers = await Promise.all(work);
        // Retried and failed commands are logged at warn / error: none may be.
        const logged = lines.map((l) => {
          const j = JSON.parse(l) as { msg: string; code?: string; err?: { message?: string } };
          return `${j.msg} ${j.code ?? j.err?.message ?? ""}`;
        });
        assert.deepEqual(logged, [], "lock order: no deadlock had to be retried");
        const failed = answers.filter((a) => a.statusCode !== 200 && a.statusCode !== 201);
        assert.deepEqual(
          failed.map((a) => a.body),
          [],
          "every request succeeds",
        );
        await auditLedger(t);
      } finally {
        await t.cleanup();
      }
    });
  });
}
