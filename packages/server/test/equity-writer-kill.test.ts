/**
 * A SIGKILL during a flood of equity commands (issue 14), PostgreSQL: the
 * server (equity writer on, small batches) runs in a child process killed with
 * SIGKILL while hundreds of sells with Idempotency-Keys, paid orders (webhook
 * deliveries of a flash sale, through the writer) and refunds are in flight. After a
 * restart every request is sent again with its key: an acknowledged one
 * replays its answer unchanged, the others are applied now or replay what the
 * batch committed before the kill; in the end each command is in the ledger
 * exactly once and every balance equals its postings.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { signWebhook } from "../src/index.ts";
import { type ChildServer, http, startChild } from "./support/child.ts";
import { dbTargets } from "./support/db.ts";

const child = join(import.meta.dirname, "support", "server-child.ts");
const FLOOD = 300;
const KILL_AFTER = 60; // acknowledgements

/** The server process (seeded, no lease) on the test's schema. */
function start(schema: string): Promise<ChildServer> {
  return startChild(child, {
    CHILD_DB_URL: process.env.TEST_DATABASE_URL,
    CHILD_SCHEMA: schema,
    CHILD_SEED: "1",
  });
}

for (const target of dbTargets()) {
  const skip = target.name === "pglite" ? "one process holds PGlite: the kill needs PostgreSQL" : false;
  describe(`equity writer killed during a flood on ${target.name}`, { skip }, () => {
    test("no acknowledged command lost, none applied twice", async () => {
      const testDb = await target.open();
      let server = await start(testDb.schema as string);
      try {
        const admin = (
          await http(server.base, "POST", "/admin/auth/login", {
            username: "admin",
            password: "admin-password-1",
          })
        ).data.token as string;
        const auth = (token: string) => ({ authorization: `Bearer ${token}` });
        const products = (await http(server.base, "GET", "/products")).data;
        const equity = products.items.find((p: { plans: string[] }) => p.plans.includes("equity"));
        const members: { phone: string; token: string }[] = [];
        for (let i = 0; i < 5; i++) {
          const phone = `1380000${String(i).padStart(4, "0")}`;
          await http(server.base, "POST", "/auth/sms-codes", { phone, purpose: "register" });
          const outbox = await http(
            server.base,
            "GET",
            `/admin/sms-outbox?phone=${phone}&limit=1`,
            undefined,
            auth(admin),
          );
          const code = /(\d{6})/.exec(outbox.data.items[0].content)?.[1];
          const registered = await http(server.base, "POST", "/auth/register", {
            phone,
            code,
            password: "member-pass-1",
          });
          assert.equal(registered.status, 201, JSON.stringify(registered.data));
          members.push({ phone, token: registered.data.token });
          const body = JSON.stringify({
            event: "order.paid",
            externalId: `kill-${i}`,
            phone,
            productId: equity.id,
          });
          const paid = await fetch(`${server.base}/webhooks/payments`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "x-jifen-signature": signWebhook("webhook-secret", body),
            },
            body,
          });
          assert.equal(paid.status, 200, await paid.text());
        }
        // The flood: sells, and a flash sale's paid orders (webhook deliveries, each a new order of the
        // equity plan) with refunds of the orders paid before among them.
        type Item = {
          key: string;
          kind: "sell" | "order" | "refund";
          member: (typeof members)[number];
          points: string;
        };
        const sells: Item[] = Array.from({ length: FLOOD }, (_, i) => ({
          key: `flood-${i}`,
          kind: i % 3 === 1 ? "order" : i % 60 === 2 ? "refund" : "sell",
          member: members[i % members.length] as (typeof members)[number],
          points: i % 3 === 0 ? "0.01" : "0.02",
        }));
        const refunded = new Map<string, string>(); // flood key → the refunded setup order's external id
        for (const s of sells.filter((x) => x.kind === "refund"))
          refunded.set(s.key, `kill-${refunded.size}`);
        const delivery = async (base: string, payload: object) => {
          const body = JSON.stringify(payload);
          const response = await fetch(`${base}/webhooks/payments`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "x-jifen-signature": signWebhook("webhook-secret", body),
            },
            body,
          });
          return {
            status: response.status,
            data: await response.json(),
            replayed: response.headers.get("idempotent-replayed") === "true",
          };
        };
        const send = (base: string, s: Item) =>
          s.kind === "order"
            ? delivery(base, {
                event: "order.paid",
                externalId: s.key,
                phone: s.member.phone,
                productId: equity.id,
              })
            : s.kind === "refund"
              ? delivery(base, { event: "order.refunded", externalId: refunded.get(s.key) })
              : http(
                  base,
                  "POST",
                  "/me/equity/sell",
                  { points: s.points },
                  { ...auth(s.member.token), "idempotency-key": s.key },
                );

        // The flood; the server is killed after KILL_AFTER acknowledgements.
        const acked = new Map<string, unknown>();
        const victim = server;
        await Promise.all(
          sells.map(async (s) => {
            try {
              const answer = await send(victim.base, s);
              if (answer.status === 200) {
                acked.set(s.key, answer.data);
                if (acked.size === KILL_AFTER) victim.proc.kill("SIGKILL");
              }
            } catch {
              // the connection died with the server: not acknowledged
            }
          }),
        );
        assert.ok(acked.size >= KILL_AFTER && acked.size < FLOOD, `acknowledged ${acked.size} of ${FLOOD}`);

        // Restart and send everything again with the same keys.
        server = await start(testDb.schema as string);
        const again = await Promise.all(sells.map((s) => send(server.base, s)));
        again.forEach((answer, i) => {
          const s = sells[i] as (typeof sells)[number];
          assert.equal(answer.status, 200, JSON.stringify(answer.data));
          if (acked.has(s.key)) {
            assert.ok(answer.replayed, `${s.key} was acknowledged: replayed`);
            assert.deepEqual(answer.data, acked.get(s.key), `${s.key}: the same answer`);
          }
        });
        const n = (kind: Item["kind"]) => String(sells.filter((x) => x.kind === kind).length);
        assert.ok(
          Number(n("order")) > 0 &&
            Number(n("refund")) > 0 &&
            [...acked.keys()].some((k) => sells.find((x) => x.key === k)?.kind === "order"),
        );
        const counts = await testDb.db.query(
          `select (select count(*) from ledger_transactions where kind = 'equity.sell')::text as sells,
                  (select count(*) from idempotency_keys where key like 'flood-%')::text as keys,
                  (select count(distinct response->>'transactionId') from idempotency_keys where key like 'flood-%')::text as ids,
                  (select count(*) from orders where external_id like 'flood-%' and status = 'paid')::text as orders,
                  (select count(*) from ledger_transactions t join orders o on t.ref = 'order:' || o.id
                    where t.kind = 'order.pay' and o.external_id like 'flood-%')::text as "orderPays",
                  (select count(*) from idempotency_keys where scope = 'webhook' and key like 'order.paid:flood-%')::text as "orderKeys",
                  (select count(*) from ledger_transactions where kind = 'order.refund')::text as refunds,
                  (select count(*) from orders where external_id like 'kill-%' and status = 'refunded')::text as "refundedOrders"`,
        );
        assert.deepEqual(counts.rows[0], {
          sells: n("sell"),
          keys: n("sell"),
          ids: n("sell"),
          orders: n("order"),
          orderPays: n("order"),
          orderKeys: n("order"),
          refunds: n("refund"),
          refundedOrders: n("refund"),
        });
        const mismatch = await testDb.db.query(
          `select b.account from balances b
           full join (select account, asset, sum(amount) as total from ledger_postings group by account, asset) p
             on p.account = b.account and p.asset = b.asset
           where coalesce(b.amount, 0) <> coalesce(p.total, 0)`,
        );
        assert.deepEqual(mismatch.rows, [], "every balance equals its postings");
      } finally {
        server.proc.kill("SIGKILL");
        await testDb.cleanup();
      }
    });
  });
}
