/**
 * Deeply nested and malformed request bodies: a coded 400 with whole sentences
 * in each language at any depth (10, 1,000 and 100,000 levels), never a 500
 * from a stack overflow in the parser or in a walk over the body.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { isEmptyPatch } from "../src/config/index.ts";
import { MAX_BODY_DEPTH, nestingDepth, parseJsonLossless } from "../src/http/json-body.ts";
import { count, openTestApp, operatorToken, register, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

const objects = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
const arrays = (levels: number) => `${"[".repeat(levels)}1${"]".repeat(levels)}`;
/** The same nesting inside the route's own field, so it reaches the route's walks if the parser lets it. */
const params = (levels: number) => `{"params":${objects(levels)}}`;

/** A message without the parser's or the runtime's own English words in the Chinese. */
function assertSentences(data: { message: string; messageEn: string }, context: string): void {
  assert.match(data.message, /^[^A-Za-z]*(JSON|Content-Length)?[^A-Za-z]*。$/u, context);
  assert.match(data.messageEn, /^The request .*\.$/, context);
  assert.doesNotMatch(`${data.message} ${data.messageEn}`, /Maximum call stack|body is not JSON/, context);
}

test("the depth is measured without recursion, ignoring brackets inside strings", () => {
  assert.equal(nestingDepth('{"a":[1,{"b":"[[[{{{"}]}'), 3);
  assert.equal(nestingDepth(arrays(100_000)), 100_000);
  assert.equal(nestingDepth(arrays(100_000), MAX_BODY_DEPTH), MAX_BODY_DEPTH + 1);
  assert.deepEqual(parseJsonLossless(objects(MAX_BODY_DEPTH - 1)) !== null, true);
  for (const text of [objects(MAX_BODY_DEPTH + 1), arrays(5000), objects(100_000)]) {
    assert.throws(
      () => parseJsonLossless(text),
      (e: Error & { code?: string }) => e.code === "BODY_TOO_DEEP",
    );
  }
  // The parameter patch walk stops by itself too (the request before the fix: 5,000 levels).
  let deep: unknown = 1;
  for (let i = 0; i < 5000; i++) deep = { a: deep };
  assert.equal(isEmptyPatch(deep), false);
  assert.equal(isEmptyPatch({ release: {}, equity: {} }), true);
});

for (const target of dbTargets()) {
  describe(`deep and malformed bodies on ${target.name}`, () => {
    let t: TestApp;
    let admin: string;
    let member: string;
    before(async () => {
      t = await openTestApp(target);
      admin = await operatorToken(t);
      member = (await register(t, "13500000077")).token;
    });
    after(async () => {
      await t?.cleanup();
    });

    const send = async (url: string, token: string | undefined, payload: string) => {
      const response = await t.app.inject({
        method: "POST",
        url,
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        payload,
      });
      return Object.assign(response, { data: JSON.parse(response.body) });
    };

    test("a body nested 1,000 or 100,000 levels deep is refused with BODY_TOO_DEEP on every route", async () => {
      const versions = await count(t, "config_versions");
      const routes: [string, string | undefined][] = [
        ["/auth/login", undefined],
        ["/admin/config/preview", admin],
        ["/admin/config", admin],
        ["/orders", member],
      ];
      for (const [url, token] of routes) {
        for (const levels of [1000, 5000, 100_000]) {
          for (const [shape, text] of [
            ["objects", objects(levels)],
            ["arrays", arrays(levels)],
            ["params", params(levels)],
          ] as const) {
            const refused = await send(url, token, text);
            const context = `${url} ${shape} ${levels}: ${refused.body.slice(0, 300)}`;
            assert.deepEqual([refused.statusCode, refused.data.code], [400, "BODY_TOO_DEEP"], context);
            assert.equal(
              refused.data.message,
              `请求体嵌套过深：对象和数组最多嵌套 ${MAX_BODY_DEPTH} 层。`,
              context,
            );
            assert.match(refused.data.messageEn, /nested too deeply: .* at most 32 levels\.$/, context);
          }
        }
      }
      assert.equal(await count(t, "config_versions"), versions);
    });

    test("a parameter change nested 10 levels deep is refused with a code, not a 500", async () => {
      for (const url of ["/admin/config/preview", "/admin/config"]) {
        const refused = await send(url, admin, params(10));
        assert.equal(refused.statusCode, 400, refused.body);
        assert.notEqual(refused.data.code, "INTERNAL_ERROR", refused.body);
      }
    });

    test("a malformed body gets whole sentences in each language, the Chinese without parser English", async () => {
      for (const url of ["/auth/login", "/admin/config/preview", "/orders"]) {
        const token = url === "/orders" ? member : url === "/auth/login" ? undefined : admin;
        for (const text of ['{"phone":', "{not json", `${objects(10)}}`, `[${arrays(10)}`]) {
          const refused = await send(url, token, text);
          const context = `${url} ${text}: ${refused.body}`;
          assert.deepEqual([refused.statusCode, refused.data.code], [400, "BAD_REQUEST"], context);
          assertSentences(refused.data, context);
          assert.match(refused.data.message, /^请求体不是有效的 JSON（第 \d+ 个字符附近）。$/, context);
          assert.match(
            refused.data.messageEn,
            /^The request body is not valid JSON \(near position \d+\)\.$/,
            context,
          );
        }
        const proto = await send(url, token, '{"__proto__":{"x":1}}');
        assert.deepEqual([proto.statusCode, proto.data.code], [400, "BAD_REQUEST"], proto.body);
        assert.equal(proto.data.message, "请求体不能包含 __proto__ 键。");
        const empty = await send(url, token, "");
        assert.equal(empty.statusCode, 400, empty.body);
        assertSentences(empty.data, empty.body);
      }
    });
  });
}
