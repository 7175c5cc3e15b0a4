/**
 * Validation messages a person sees are whole sentences in Chinese and in
 * English that name the field and say what is expected — never Ajv's own
 * words ("must have required property", "must be equal to constant"). Probe
 * routes with one schema keyword each are added to the real app (its Ajv
 * options and error handler), then real routes are called.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Type } from "@fastify/type-provider-typebox";
import { validationSentences } from "../src/errors/error-body.ts";
import { call, openTestApp, register, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

const pglite =
  dbTargets().find((t) => t.name === "pglite") ?? (dbTargets()[0] as ReturnType<typeof dbTargets>[0]);

const PROBES = {
  required: Type.Object({ reason: Type.String() }),
  type: Type.Object({ quantity: Type.Integer() }),
  pattern: Type.Object({ code: Type.String({ pattern: "^[0-9]{6}$" }) }),
  described: Type.Object({
    ref: Type.String({ pattern: "^R[0-9]{4}$", description: "以 R 开头的 4 位编号 / R and 4 digits" }),
  }),
  format: Type.Object({ at: Type.String({ format: "date-time" }) }),
  enum: Type.Object({
    purpose: Type.Union([Type.Literal("register"), Type.Literal("login"), Type.Literal("reset")]),
  }),
  enumKeyword: Type.Object({ status: Type.String({ enum: ["pending", "paid"] }) }),
  const: Type.Object({ kind: Type.Literal("order") }),
  nullable: Type.Object({ note: Type.Union([Type.String(), Type.Null()]) }),
  minimum: Type.Object({ quantity: Type.Integer({ minimum: 1 }) }),
  maximum: Type.Object({ quantity: Type.Integer({ maximum: 999 }) }),
  exclusiveMinimum: Type.Object({ rate: Type.Number({ exclusiveMinimum: 0 }) }),
  exclusiveMaximum: Type.Object({ rate: Type.Number({ exclusiveMaximum: 1 }) }),
  multipleOf: Type.Object({ lot: Type.Integer({ multipleOf: 5 }) }),
  minLength: Type.Object({ name: Type.String({ minLength: 2 }) }),
  empty: Type.Object({ name: Type.String({ minLength: 1 }) }),
  maxLength: Type.Object({ name: Type.String({ maxLength: 4 }) }),
  minItems: Type.Object({ plans: Type.Array(Type.String(), { minItems: 1 }) }),
  minItemsMany: Type.Object({ plans: Type.Array(Type.String(), { minItems: 2 }) }),
  stock: Type.Object({
    stock: Type.String({ pattern: "^(0|[1-9][0-9]{0,8})$", description: "库存 / units on hand" }),
  }),
  maxItems: Type.Object({ plans: Type.Array(Type.String(), { maxItems: 2 }) }),
  uniqueItems: Type.Object({ plans: Type.Array(Type.String(), { uniqueItems: true }) }),
  nested: Type.Object({ items: Type.Array(Type.Object({ name: Type.String({ minLength: 2 }) })) }),
  wholeBody: Type.Object({ a: Type.String() }),
} as const;

/** Probes of numeric keywords, sent in the query string (coerced from text there). */
const QUERY_PROBES = new Set<string>([
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
]);

type Case = [probe: keyof typeof PROBES, body: unknown, field: string, zh: RegExp, en: RegExp];

const CASES: Case[] = [
  ["required", {}, "reason", /^字段 reason 必填。$/, /^The field "reason" is required\.$/],
  ["type", { quantity: "many" }, "quantity", /^字段 quantity 应为整数。$/, /must be a whole number\.$/],
  [
    "pattern",
    { code: "12345x" },
    "code",
    /^字段 code 格式不正确，应为6 位数字。$/,
    /^The field "code" is not in the expected format: 6 digits\.$/,
  ],
  [
    "described",
    { ref: "X1" },
    "ref",
    /^字段 ref 格式不正确，应为以 R 开头的 4 位编号。$/,
    /expected format: R and 4 digits\.$/,
  ],
  ["format", { at: "yesterday" }, "at", /应为ISO 8601 时间/, /expected format: an ISO 8601 time/],
  [
    "enum",
    { purpose: "signup" },
    "purpose",
    /^字段 purpose 只能取以下值之一：register、login、reset。$/,
    /^The field "purpose" must be one of register, login or reset\.$/,
  ],
  [
    "enumKeyword",
    { status: "lost" },
    "status",
    /只能取以下值之一：pending、paid。$/,
    /one of pending or paid\.$/,
  ],
  ["const", { kind: "refund" }, "kind", /^字段 kind 只能为 order。$/, /^The field "kind" must be order\.$/],
  [
    "nullable",
    { note: {} },
    "note",
    /^字段 note 应为文本（字符串）或null。$/,
    /must be text \(a string\) or null\.$/,
  ],
  ["minimum", { quantity: 0 }, "quantity", /^字段 quantity 不能小于 1。$/, /must be at least 1\.$/],
  ["maximum", { quantity: 1000 }, "quantity", /不能大于 999。$/, /must be at most 999\.$/],
  ["exclusiveMinimum", { rate: 0 }, "rate", /必须大于 0。$/, /must be greater than 0\.$/],
  ["exclusiveMaximum", { rate: 1 }, "rate", /必须小于 1。$/, /must be less than 1\.$/],
  ["multipleOf", { lot: 7 }, "lot", /应为 5 的整数倍。$/, /must be a multiple of 5\.$/],
  ["minLength", { name: "x" }, "name", /至少 2 个字符。$/, /at least 2 characters\.$/],
  ["empty", { name: "" }, "name", /^字段 name 不能为空。$/, /must not be empty\.$/],
  ["maxLength", { name: "长长长长长" }, "name", /最多 4 个字符。$/, /at most 4 characters\.$/],
  ["minItems", { plans: [] }, "plans", /至少 1 项。$/, /at least 1 item\.$/],
  ["minItemsMany", { plans: ["a"] }, "plans", /至少 2 项。$/, /at least 2 items\.$/],
  [
    "stock",
    { stock: "-1" },
    "stock",
    /^字段 stock 格式不正确，应为库存数量，即 0 到 999,999,999 的整数（JSON 整数或其文本；null 表示不限）。$/,
    /^The field "stock" is not in the expected format: units on hand, a whole number from 0 to 999,999,999 \(a JSON integer or its text; null means unlimited\)\.$/,
  ],
  ["maxItems", { plans: ["a", "b", "c"] }, "plans", /最多 2 项。$/, /at most 2 items\.$/],
  ["uniqueItems", { plans: ["a", "a"] }, "plans", /不能有重复项。$/, /must not repeat an item\.$/],
  [
    "nested",
    { items: [{ name: "x" }] },
    "items.0.name",
    /^字段 items.0.name 至少 2 个字符。$/,
    /at least 2 characters/,
  ],
  ["wholeBody", [1], "body", /^请求体应为对象。$/, /^The request body must be an object\.$/],
];

/** Ajv's own English, which must never reach a person. */
const AJV_WORDS =
  /must have required property|must be equal to|must match pattern|must NOT have|must be >=|must be <=/;

describe("validation messages are whole sentences in Chinese and English", () => {
  let t: TestApp;
  before(async () => {
    t = await openTestApp(pglite);
    // Probe routes on the real app (added before it is ready).
    for (const [name, schema] of Object.entries(PROBES)) {
      // Numbers in a JSON body arrive as their decimal text (no coercion): numeric keywords are probed in the query.
      if (QUERY_PROBES.has(name))
        t.app.get(`/test-probe/${name}`, { schema: { querystring: schema } }, async () => ({ ok: true }));
      else t.app.post(`/test-probe/${name}`, { schema: { body: schema } }, async () => ({ ok: true }));
    }
  });
  after(() => t.cleanup());

  for (const [probe, body, field, zh, en] of CASES) {
    test(`${probe}: names ${field} and says what is expected`, async () => {
      const response = QUERY_PROBES.has(probe)
        ? await call(t, "GET", `/test-probe/${probe}?${new URLSearchParams(body as Record<string, string>)}`)
        : await call(t, "POST", `/test-probe/${probe}`, { body });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.data.code, "VALIDATION_FAILED");
      assert.equal(response.data.field, field);
      assert.match(response.data.message, zh);
      assert.match(response.data.messageEn, en);
      assert.doesNotMatch(response.data.messageEn, AJV_WORDS);
      assert.match(response.data.messageEn, /^[\x20-\x7e]+$/, "English message is plain ASCII");
    });
  }

  test("additionalProperties names the unknown field (Ajv's error as it is shaped; the app's Ajv removes extra fields today)", () => {
    const said = validationSentences(
      [
        {
          instancePath: "",
          keyword: "additionalProperties",
          message: "must NOT have additional properties",
          params: { additionalProperty: "extra" },
        },
      ],
      "body",
    );
    assert.deepEqual(said, {
      field: "extra",
      zh: "不允许字段 extra。",
      en: 'The field "extra" is not allowed here.',
    });
  });

  test("real routes: a missing field, a value out of a list, a malformed id, a query out of range", async () => {
    const purpose = await call(t, "POST", "/auth/sms-codes", {
      body: { phone: "13800138000", purpose: "signup" },
    });
    assert.equal(purpose.data.message, "字段 purpose 只能取以下值之一：register、login、reset。");
    assert.equal(purpose.data.messageEn, 'The field "purpose" must be one of register, login or reset.');

    const member = await register(t, "13800138001");
    const sell = await call(t, "POST", "/me/equity/sell", { token: member.token, body: {} });
    assert.deepEqual([sell.data.code, sell.data.field], ["VALIDATION_FAILED", "points"]);
    assert.equal(sell.data.message, "字段 points 必填。");
    assert.equal(sell.data.messageEn, 'The field "points" is required.');

    const order = await call(t, "GET", "/orders/abc", { token: member.token });
    assert.equal(order.data.field, "id");
    assert.equal(order.data.code, "INVALID_INTEGER");
    assert.equal(order.data.message, "字段 id 须为正整数，只能由数字组成（不带符号、小数点、指数或空格）。");

    const page = await call(t, "GET", "/orders?limit=500", { token: member.token });
    assert.equal(page.data.code, "AMOUNT_TOO_LARGE");
    assert.equal(page.data.messageEn, 'The field "limit" is above its limit: it is at most 100.');
  });
});
