/**
 * Exactness at the HTTP edge (issue 8): JSON numbers read from their decimal
 * text, strict amount, count, text and date formats with their own codes,
 * the documented limits, and no internal error text reaching a client.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkInt64, parseDecimal } from "@jifen/engine";
import { AppError } from "../src/errors/index.ts";
import { parseJsonLossless } from "../src/http/json-body.ts";
import { MAX_BALANCE_MICRO } from "../src/http/limits.ts";
import { adjustMember } from "../src/members/index.ts";
import { assertResultRange } from "../src/settlement/write.ts";
import { call, count, credit, openTestApp, operatorToken, register, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import {
  compareWithReplay,
  driveScenario,
  type ServerScenario,
  serverSettlements,
} from "./support/scenario.ts";

/** A request with a raw JSON text as its body (numbers written exactly as given). */
async function raw(t: TestApp, method: "POST" | "PUT", url: string, token: string, text: string) {
  const response = await t.app.inject({
    method,
    url,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    payload: text,
  });
  return Object.assign(response, { data: JSON.parse(response.body) });
}

test("the JSON body parser keeps every number as its exact decimal text", () => {
  assert.deepEqual(parseJsonLossless('{"a":9007199254740993,"b":[0.10000000000000001,1e3,-0],"c":true}'), {
    a: "9007199254740993",
    b: ["0.10000000000000001", "1e3", "-0"],
    c: true,
  });
  assert.throws(() => parseJsonLossless('{"__proto__":{"x":1}}'), /__proto__/);
  assert.throws(() => parseJsonLossless('{"constructor":{"prototype":{"x":1}}}'), /constructor/);
  assert.throws(() => parseJsonLossless("{"), /not valid JSON/);
});

test("the settlement refuses sums past its 64-bit columns instead of wrapping", () => {
  assert.equal(checkInt64(9_223_372_036_854_775_807n, "x"), 9_223_372_036_854_775_807n);
  assert.throws(() => checkInt64(9_223_372_036_854_775_808n, "the total"), /the total .* 64-bit/);
  const column = (values: bigint[]) => BigInt64Array.from(values);
  const result = {
    static: column([0n, 5n]),
    share: column([0n, 0n]),
    team: column([0n, 0n]),
    peer: column([0n, 0n]),
    // what 5 × 10¹⁸ + 5 × 10¹⁸ micro-units become in a BigInt64Array
    dividend: column([BigInt.asIntN(64, 10n ** 19n), 0n]),
    quota: column([0n, 0n]),
    teamPerformance: column([0n, 0n]),
    orderRemaining: column([]),
    orderReleased: column([]),
  } as unknown as Parameters<typeof assertResultRange>[0];
  assert.throws(() => assertResultRange(result, ["7", "8"]), /member 7's dividend is negative/);
});

/** An order at the limit (100,000,000 yuan): the referrer reaches 七星, the buyer's dividend is paid. */
const AT_THE_LIMIT: ServerScenario = {
  events: [
    { type: "join", member: "A" },
    { type: "join", member: "B", referrer: "A" },
    { type: "join", member: "C", referrer: "A" },
    { type: "order", member: "B", amount: "100000000", plans: ["release", "cycle"], id: "big" },
    { type: "order", member: "C", amount: "3000", plans: ["release", "cycle"], id: "small" },
    { type: "endOfDay" },
    { type: "endOfDay" },
  ],
};

for (const target of dbTargets()) {
  describe(`input exactness on ${target.name}`, () => {
    test("JSON numbers are read from their decimal text: no binary float between the client and an amount", async () => {
      const t = await openTestApp(target);
      try {
        const m = await register(t, "13500000001");
        const sellBig = await raw(t, "POST", "/me/equity/sell", m.token, '{"points":9007199254740993}');
        assert.deepEqual([sellBig.statusCode, sellBig.data.code], [400, "AMOUNT_TOO_LARGE"], sellBig.body);
        assert.ok(!sellBig.body.includes("9007199254740992"), sellBig.body);
        const sellTiny = await raw(t, "POST", "/me/equity/sell", m.token, '{"points":0.10000000000000001}');
        assert.deepEqual([sellTiny.statusCode, sellTiny.data.code], [400, "TOO_MANY_PLACES"], sellTiny.body);

        // A JSON number is accepted as an amount and a count, exactly.
        const admin = await operatorToken(t);
        const adjusted = await raw(
          t,
          "POST",
          `/admin/members/${m.id}/adjustments`,
          admin,
          '{"wallet":"points","amount":12345678.123456,"reason":"funding"}',
        );
        assert.equal(adjusted.statusCode, 201, adjusted.body);
        assert.equal(adjusted.data.balance, "12345678.123456");
        const order = await raw(t, "POST", "/orders", m.token, '{"productId":"3","quantity":2}');
        assert.equal(order.statusCode, 201, order.body);
        assert.equal(order.data.amount, "198.00");
      } finally {
        await t.cleanup();
      }
    });

    test("counts are plain positive whole numbers: hex, exponents, signs, spaces, booleans and Infinity are INVALID_INTEGER", async () => {
      const t = await openTestApp(target);
      try {
        const m = await register(t, "13500000002");
        const orders = await count(t, "orders");
        for (const quantity of [
          '"0x10"',
          '"1e3"',
          "1e3",
          "true",
          '"5."',
          "5.0",
          '"Infinity"',
          '"+1"',
          '" 1"',
          '"1 "',
          "-1",
          "0",
          '""',
        ]) {
          const r = await raw(t, "POST", "/orders", m.token, `{"productId":"3","quantity":${quantity}}`);
          assert.deepEqual(
            [r.statusCode, r.data.code, r.data.field],
            [400, "INVALID_INTEGER", "quantity"],
            `quantity ${quantity}: ${r.body}`,
          );
        }
        const tooMany = await raw(t, "POST", "/orders", m.token, '{"productId":"3","quantity":"10000"}');
        assert.deepEqual([tooMany.statusCode, tooMany.data.code], [400, "INVALID_INTEGER"], tooMany.body);
        assert.equal(await count(t, "orders"), orders, "nothing was ordered");

        // Page sizes in the querystring: the same strict digits.
        for (const limit of ["0x10", "1e1", "+5", "%205", "5.", "0", "true"]) {
          const r = await call(t, "GET", `/orders?limit=${limit}`, { token: m.token });
          assert.deepEqual(
            [r.statusCode, r.data.code],
            [400, "INVALID_INTEGER"],
            `limit ${limit}: ${r.body}`,
          );
        }
        const over = await call(t, "GET", "/orders?limit=101", { token: m.token });
        assert.deepEqual([over.statusCode, over.data.code], [400, "AMOUNT_TOO_LARGE"], over.body);
        assert.equal((await call(t, "GET", "/orders?limit=5", { token: m.token })).statusCode, 200);

        // Booleans in bodies are JSON booleans, not coerced text.
        const admin = await operatorToken(t);
        const dry = await call(t, "POST", "/admin/settlements/run", {
          token: admin,
          body: { dryRun: "true" },
        });
        assert.deepEqual([dry.statusCode, dry.data.code], [400, "VALIDATION_FAILED"], dry.body);
      } finally {
        await t.cleanup();
      }
    });

    test('amounts are plain decimals: "+1", " 1", "1\\n", "00001", "1.", ".5", "1e3" and non-text are INVALID_AMOUNT', async () => {
      const t = await openTestApp(target);
      try {
        const m = await register(t, "13500000003");
        await credit(t, m.id, "cash", "100");
        const admin = await operatorToken(t);
        const withdrawals = await count(t, "withdrawals");
        for (const amount of [
          "+1",
          " 1",
          "1 ",
          "1\n",
          "00001",
          "1.",
          ".5",
          "1e3",
          "0x10",
          "Infinity",
          "1,5",
          "",
          true,
        ]) {
          const r = await call(t, "POST", "/me/withdrawals", { token: m.token, body: { amount } });
          assert.deepEqual(
            [r.statusCode, r.data.code, r.data.field],
            [400, "INVALID_AMOUNT", "amount"],
            `amount ${JSON.stringify(amount)}: ${r.body}`,
          );
          const a = await call(t, "POST", `/admin/members/${m.id}/adjustments`, {
            token: admin,
            body: { wallet: "cash", amount, reason: "x" },
          });
          assert.deepEqual(
            [a.statusCode, a.data.code],
            [400, "INVALID_AMOUNT"],
            `adjust ${JSON.stringify(amount)}`,
          );
        }
        const exponent = await raw(t, "POST", "/me/withdrawals", m.token, '{"amount":1e1}');
        assert.deepEqual([exponent.statusCode, exponent.data.code], [400, "INVALID_AMOUNT"], exponent.body);
        assert.equal(await count(t, "withdrawals"), withdrawals);
        const fine = await call(t, "POST", "/me/withdrawals", { token: m.token, body: { amount: "10.5" } });
        assert.equal(fine.statusCode, 201, fine.body);
      } finally {
        await t.cleanup();
      }
    });

    test("every amount has a limit: past it AMOUNT_TOO_LARGE names the field and the limit; nothing changes", async () => {
      const t = await openTestApp(target);
      try {
        const admin = await operatorToken(t);
        const m = await register(t, "13500000004");
        // The case: an order of 5,000,000,000,000 yuan.
        const product = await call(t, "POST", "/admin/products", {
          token: admin,
          body: { name: "巨额", price: "5000000000000", plans: ["release", "cycle"] },
        });
        assert.deepEqual(
          [product.statusCode, product.data.code, product.data.field],
          [400, "AMOUNT_TOO_LARGE", "price"],
        );
        assert.match(product.data.message, /^字段 price 超出上限：最多为 100000000。$/);
        assert.match(
          product.data.messageEn,
          /^The field "price" is above its limit: it is at most 100000000\.$/,
        );
        // At the limit a product is fine; two of it in one order are over the order limit.
        const top = await call(t, "POST", "/admin/products", {
          token: admin,
          body: { name: "上限", price: "100000000", plans: ["release"] },
        });
        assert.equal(top.statusCode, 201, top.body);
        const two = await call(t, "POST", "/orders", {
          token: m.token,
          body: { productId: top.data.id, quantity: 2 },
        });
        assert.deepEqual(
          [two.statusCode, two.data.code, two.data.field],
          [400, "AMOUNT_TOO_LARGE", "quantity"],
        );
        const one = await call(t, "POST", "/orders", { token: m.token, body: { productId: top.data.id } });
        assert.equal(one.statusCode, 201, one.body);

        const adjust = await call(t, "POST", `/admin/members/${m.id}/adjustments`, {
          token: admin,
          body: { wallet: "cash", amount: "-100000000.01", reason: "too much" },
        });
        assert.deepEqual([adjust.statusCode, adjust.data.code], [400, "AMOUNT_TOO_LARGE"], adjust.body);
        const huge = await call(t, "POST", `/admin/members/${m.id}/adjustments`, {
          token: admin,
          body: { wallet: "cash", amount: "1000000000000000000000", reason: "way too much" },
        });
        assert.deepEqual([huge.statusCode, huge.data.code], [400, "AMOUNT_TOO_LARGE"], huge.body);
        for (const [url, body] of [
          ["/me/withdrawals", { amount: "100000000.01" }],
          ["/me/equity/sell", { points: "100000000.000001" }],
          ["/orders", { productId: "3", points: "100000000.01" }],
        ] as const) {
          const r = await call(t, "POST", url, { token: m.token, body });
          assert.deepEqual([r.statusCode, r.data.code], [400, "AMOUNT_TOO_LARGE"], `${url}: ${r.body}`);
        }
      } finally {
        await t.cleanup();
      }
    });

    test("a credit that would take a balance past its limit is BALANCE_LIMIT and rolls back", async () => {
      const t = await openTestApp(target);
      try {
        const m = await register(t, "13500000005");
        const operator = { id: "1", username: "admin", displayName: "admin", role: "admin" as const };
        const adjust = (amount: bigint) =>
          t.db.transaction((tx) =>
            adjustMember(tx, {
              memberId: m.id,
              wallet: "points",
              amount,
              reason: "limit",
              operator: operator as never,
              requestId: "r",
              now: t.clock.now(),
              timeZone: "Asia/Shanghai",
            }),
          );
        await adjust(MAX_BALANCE_MICRO);
        await assert.rejects(
          adjust(1n),
          (error) => error instanceof AppError && error.code === "BALANCE_LIMIT" && error.status === 409,
        );
        const rows = await t.db.query<{ amount: string }>("select amount from balances where account = $1", [
          `m:${m.id}:points`,
        ]);
        assert.equal(parseDecimal(rows.rows[0]?.amount ?? "0"), MAX_BALANCE_MICRO);
      } finally {
        await t.cleanup();
      }
    });

    test("an order at the limit settles right: the referrer's star and the buyer's dividend equal the replay", async () => {
      const t = await openTestApp(target);
      try {
        const driven = await driveScenario(t, AT_THE_LIMIT);
        await compareWithReplay(t, AT_THE_LIMIT, driven);
        const a = driven.members.get("A") as string;
        const stars = await t.db.query<{ star: string }>(
          "select star from member_stars where member_id = $1",
          [a],
        );
        assert.equal(stars.rows[0]?.star, "七星");
        const days = await serverSettlements(t, driven.members);
        const dividend = days
          .map((d) => parseDecimal(d.members.B?.dividend ?? "0"))
          .reduce((x, y) => x + y, 0n);
        assert.ok(dividend > 0n, "the buyer's dividend is paid");
      } finally {
        await t.cleanup();
      }
    });

    test("a NUL or other control character in any text field is INVALID_TEXT, never a 500", async () => {
      const t = await openTestApp(target);
      try {
        const admin = await operatorToken(t);
        const m = await register(t, "13500000006");
        const cases: [string, string, object | undefined, string | undefined, string][] = [
          [
            "POST",
            `/admin/members/${m.id}/adjustments`,
            { wallet: "cash", amount: "1", reason: "a\u0000b" },
            admin,
            "reason",
          ],
          ["POST", "/admin/products", { name: "米\u0000", price: "9.9", plans: [] }, admin, "name"],
          [
            "POST",
            "/admin/products",
            { name: "米", description: "\u0000", price: "9.9", plans: [] },
            admin,
            "description",
          ],
          ["POST", "/admin/config", { params: {}, note: "n\u0000" }, admin, "note"],
          ["POST", "/admin/auth/login", { username: "ad\u0000min", password: "x" }, undefined, "username"],
          [
            "POST",
            "/admin/operators",
            { username: "op1", displayName: "\u0007", role: "support", password: "operator-pass-1" },
            admin,
            "displayName",
          ],
          [
            "POST",
            "/auth/register",
            { phone: "13500000007", code: "123456", password: "member-pass-1", inviteCode: "\u0000" },
            undefined,
            "inviteCode",
          ],
        ];
        for (const [method, url, body, token, field] of cases) {
          const r = await call(t, method as "POST", url, {
            ...(token ? { token } : {}),
            ...(body ? { body } : {}),
          });
          assert.deepEqual(
            [r.statusCode, r.data.code, r.data.field],
            [400, "INVALID_TEXT", field],
            `${url}: ${r.body}`,
          );
        }
        const query = await call(t, "GET", "/admin/audit-log?action=a%00b", { token: admin });
        assert.deepEqual([query.statusCode, query.data.code], [400, "INVALID_TEXT"], query.body);
        // Line breaks are fine in a product's description.
        const multi = await call(t, "POST", "/admin/products", {
          token: admin,
          body: { name: "米", description: "第一行\n第二行", price: "9.9", plans: ["release"] },
        });
        assert.equal(multi.statusCode, 201, multi.body);
      } finally {
        await t.cleanup();
      }
    });

    test("impossible dates are INVALID_DATE on every settlement parameter; a dry run of one is refused", async () => {
      const t = await openTestApp(target);
      try {
        const admin = await operatorToken(t);
        for (const date of ["2020-02-30", "2021-02-29", "2026-13-01", "2026-04-31", "0000-01-01"]) {
          const dry = await call(t, "POST", "/admin/settlements/run", {
            token: admin,
            body: { date, dryRun: true },
          });
          assert.deepEqual(
            [dry.statusCode, dry.data.code, dry.data.field],
            [400, "INVALID_DATE", "date"],
            dry.body,
          );
          const read = await call(t, "GET", `/admin/settlements/${date}`, { token: admin });
          assert.deepEqual([read.statusCode, read.data.code], [400, "INVALID_DATE"], read.body);
          const list = await call(t, "GET", `/admin/settlements?cursor=${date}`, { token: admin });
          assert.deepEqual([list.statusCode, list.data.code], [400, "INVALID_DATE"], list.body);
        }
        const leap = await call(t, "GET", "/admin/settlements/2024-02-29", { token: admin });
        assert.equal(leap.data.code, "SETTLEMENT_NOT_FOUND");
      } finally {
        await t.cleanup();
      }
    });

    test("a failing settlement answers a coded 500 without the database's words", async () => {
      const t = await openTestApp(target);
      try {
        const m = await register(t, "13500000008");
        // A balance past the settlement's 64-bit range (written behind the ledger's back).
        await t.db.query(
          `insert into balances (account, asset, member_id, amount) values ($1, 'quota', $2::bigint, 10000000000000)
           on conflict (account, asset) do update set amount = excluded.amount`,
          [`m:${m.id}:quota`, m.id],
        );
        t.clock.advance(86_400_000);
        const admin = await operatorToken(t);
        const r = await call(t, "POST", "/admin/settlements/run", { token: admin, body: {} });
        assert.deepEqual([r.statusCode, r.data.code], [500, "SETTLEMENT_FAILED"], r.body);
        assert.doesNotMatch(r.body, /bigint|range|select|settlement:/i);
        assert.equal(await count(t, "settlement_runs", "status = 'done'"), 0, "nothing settled");
      } finally {
        await t.cleanup();
      }
    });
  });
}
