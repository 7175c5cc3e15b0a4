import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { loggerOptions } from "../src/app.ts";
import { CATALOGUE } from "../src/errors/index.ts";
import { call, openTestApp, register, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

for (const target of dbTargets())
  describe(`HTTP plumbing on ${target.name}`, () => {
    let t: TestApp;
    const lines: string[] = [];
    before(async () => {
      const stream = new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      });
      t = await openTestApp(target, { logger: { ...loggerOptions("info"), stream } });
    });
    after(async () => {
      await t?.cleanup();
    });

    test("x-request-id is echoed when sent and generated otherwise, and the error body carries it", async () => {
      const given = await call(t, "GET", "/health", { headers: { "x-request-id": "trace-123" } });
      assert.equal(given.headers["x-request-id"], "trace-123");
      const generated = await call(t, "GET", "/health");
      assert.match(String(generated.headers["x-request-id"]), /^[0-9a-f-]{36}$/);
      const bad = await call(t, "GET", "/health", { headers: { "x-request-id": "bad id with spaces" } });
      assert.notEqual(bad.headers["x-request-id"], "bad id with spaces");
      const missing = await call(t, "GET", "/nowhere", { headers: { "x-request-id": "trace-404" } });
      assert.equal(missing.statusCode, 404);
      assert.deepEqual(missing.data, {
        code: "NOT_FOUND",
        message: "接口不存在。",
        messageEn: "There is no such route.",
        requestId: "trace-404",
      });
    });

    test("malformed JSON and wrong content types get the same error body", async () => {
      const broken = await t.app.inject({
        method: "POST",
        url: "/auth/login",
        headers: { "content-type": "application/json" },
        payload: "{not json",
      });
      assert.equal(broken.statusCode, 400);
      assert.equal(JSON.parse(broken.body).code, "BAD_REQUEST");
      const text = await t.app.inject({
        method: "POST",
        url: "/auth/login",
        headers: { "content-type": "application/xml" },
        payload: "<a/>",
      });
      assert.equal(text.statusCode, 415);
      assert.equal(JSON.parse(text.body).code, "UNSUPPORTED_MEDIA_TYPE");
    });

    test("OpenAPI: every operation documents its success and error responses", async () => {
      const docs = await call(t, "GET", "/docs/json");
      assert.equal(docs.statusCode, 200);
      const paths = docs.data.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
      for (const path of [
        "/auth/register",
        "/me/wallets",
        "/orders",
        "/webhooks/payments",
        "/admin/withdrawals/{id}/approve",
      ]) {
        assert.ok(paths[path], `${path} documented`);
      }
      let operations = 0;
      for (const [path, methods] of Object.entries(paths)) {
        if (path.startsWith("/docs")) continue;
        for (const [method, operation] of Object.entries(methods)) {
          operations++;
          const codes = Object.keys(operation.responses);
          assert.ok(
            codes.some((c) => c === "200" || c === "201"),
            `${method} ${path} has a success schema`,
          );
          assert.ok(
            codes.some((c) => /^[45]\d\d$/.test(c)),
            `${method} ${path} has error bodies (one per status, test/openapi.test.ts checks them)`,
          );
        }
      }
      assert.ok(operations >= 40, `${operations} operations`);
      const ui = await call(t, "GET", "/docs/");
      assert.equal(ui.statusCode, 200);
    });

    test("logs never carry a phone number or a token", async () => {
      const m = await register(t, "13800138000");
      await call(t, "GET", "/admin/members?phone=13800138000", { token: m.token });
      const log = lines.join("");
      assert.ok(log.includes("sms code sent"));
      assert.ok(!log.includes("13800138000"), "phone numbers are masked");
      assert.ok(log.includes("138****8000"));
      assert.ok(!log.includes(m.token));
    });

    test("every catalogue entry has a status and both languages", () => {
      for (const [code, spec] of Object.entries(CATALOGUE)) {
        assert.ok(spec.status >= 400 && spec.status < 600, code);
        assert.ok(/[\u4e00-\u9fff]/.test(spec.zh), `${code} has Chinese`);
        assert.ok(/[a-z]/i.test(spec.en), `${code} has English`);
      }
    });
  });
