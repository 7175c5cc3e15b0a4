/**
 * The real SMS providers against local fake servers that recompute each
 * request's signature from the documented algorithm (written here
 * independently of the provider code) and refuse a wrong one.
 */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { aliyunSignature, aliyunSmsProvider, SmsSendError, tencentSmsProvider } from "../src/sms/index.ts";
import { call, count, openTestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

const message = {
  phone: "13800138000",
  template: "verification" as const,
  params: { code: "123456", minutes: "5" },
  content: "【积分】您的注册验证码为 123456，5 分钟内有效，请勿告诉他人。",
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}/`;
}

// ---- Aliyun: RPC signature, HMAC-SHA1 over METHOD&%2F&encode(sorted query) ----

/** RFC 3986 encoding as Aliyun's documentation describes it (space %20, * %2A, ~ kept). */
function popEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/\+/g, "%20")
    .replace(/\*/g, "%2A")
    .replace(/!/g, "%21")
    .replace(/'/g, "%27")
    .replace(/\(/g, "%28")
    .replace(/\)/g, "%29");
}

function fakeAliyun(secrets: Record<string, string>) {
  const received: Record<string, string>[] = [];
  const nonces = new Set<string>();
  const server = createServer(async (req, res) => {
    const params = Object.fromEntries(new URLSearchParams(await readBody(req)));
    const reply = (status: number, body: object) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const secret = secrets[params.AccessKeyId ?? ""];
    if (!secret) return reply(404, { Code: "InvalidAccessKeyId.NotFound", Message: "no such key" });
    const canonical = Object.keys(params)
      .filter((k) => k !== "Signature")
      .sort()
      .map((k) => `${popEncode(k)}=${popEncode(params[k] as string)}`)
      .join("&");
    const stringToSign = `${req.method}&${popEncode("/")}&${popEncode(canonical)}`;
    const expected = createHmac("sha1", `${secret}&`).update(stringToSign).digest("base64");
    if (params.Signature !== expected) {
      return reply(400, { Code: "SignatureDoesNotMatch", Message: "Specified signature is not matched" });
    }
    if (nonces.has(params.SignatureNonce ?? ""))
      return reply(400, { Code: "SignatureNonceUsed", Message: "nonce" });
    nonces.add(params.SignatureNonce ?? "");
    for (const [k, v] of Object.entries({
      Action: "SendSms",
      Version: "2017-05-25",
      SignatureMethod: "HMAC-SHA1",
    })) {
      if (params[k] !== v) return reply(400, { Code: "MissingParameter", Message: k });
    }
    received.push(params);
    return reply(200, { Code: "OK", Message: "OK", BizId: `biz-${received.length}`, RequestId: "r" });
  });
  return { server, received };
}

describe("Aliyun SMS provider", () => {
  const fake = fakeAliyun({ "test-key-id": "test-key-secret" });
  let endpoint = "";
  before(async () => {
    endpoint = await listen(fake.server);
  });
  after(() => fake.server.close());

  test("signature matches Aliyun's published examples", () => {
    const sendSms = {
      AccessKeyId: "testId",
      Action: "SendSms",
      Format: "XML",
      OutId: "123",
      PhoneNumbers: "15300000001",
      RegionId: "cn-hangzhou",
      SignName: "阿里云短信测试专用",
      SignatureMethod: "HMAC-SHA1",
      SignatureNonce: "45e25e9b-0a6f-4070-8c85-2956eda1b466",
      SignatureVersion: "1.0",
      TemplateCode: "SMS_71390007",
      TemplateParam: '{"customer":"test"}',
      Timestamp: "2017-07-12T02:42:19Z",
      Version: "2017-05-25",
    };
    assert.equal(aliyunSignature(sendSms, "testSecret", "GET"), "zJDF+Lrzhj/ThnlvIToysFRq6t4=");
    const describeRegions = {
      AccessKeyId: "testid",
      Action: "DescribeRegions",
      Format: "XML",
      SignatureMethod: "HMAC-SHA1",
      SignatureNonce: "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
      SignatureVersion: "1.0",
      Timestamp: "2016-02-23T12:46:24Z",
      Version: "2014-05-26",
    };
    assert.equal(aliyunSignature(describeRegions, "testsecret", "GET"), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
  });

  test("a signed SendSms is accepted by the fake, which recomputes the signature", async () => {
    const provider = aliyunSmsProvider({
      accessKeyId: "test-key-id",
      accessKeySecret: "test-key-secret",
      signName: "积分商城",
      templateCode: "SMS_0001",
      endpoint,
    });
    const receipt = await provider.send(message);
    assert.equal(receipt.providerRef, `biz-${fake.received.length}`);
    const params = fake.received.at(-1);
    assert.equal(params?.PhoneNumbers, "13800138000");
    assert.equal(params?.SignName, "积分商城");
    assert.deepEqual(JSON.parse(params?.TemplateParam ?? "{}"), { code: "123456", minutes: "5" });
  });

  test("a wrong secret is rejected by the fake and reported as a send error", async () => {
    const provider = aliyunSmsProvider({
      accessKeyId: "test-key-id",
      accessKeySecret: "wrong-secret",
      signName: "积分商城",
      templateCode: "SMS_0001",
      endpoint,
    });
    await assert.rejects(provider.send(message), (error: unknown) => {
      assert.ok(error instanceof SmsSendError);
      assert.equal(error.providerCode, "SignatureDoesNotMatch");
      return true;
    });
  });
});

// ---- Tencent Cloud: TC3-HMAC-SHA256 -------------------------------------------

function fakeTencent(secrets: Record<string, string>) {
  const received: { action: string; body: Record<string, unknown> }[] = [];
  const server = createServer(async (req, res) => {
    const payload = await readBody(req);
    const reply = (body: object) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ Response: { ...body, RequestId: "req-1" } }));
    };
    const fail = (code: string, text: string) => reply({ Error: { Code: code, Message: text } });
    const auth =
      /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
        String(req.headers.authorization),
      );
    if (!auth) return fail("AuthFailure.InvalidAuthorization", "bad Authorization");
    const [, secretId = "", date = "", service = "", signedHeaders = "", signature = ""] = auth;
    const secretKey = secrets[secretId];
    if (!secretKey) return fail("AuthFailure.SecretIdNotFound", "no such id");
    const timestamp = Number(req.headers["x-tc-timestamp"]);
    if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date)
      return fail("AuthFailure.InvalidAuthorization", "date");
    const canonicalHeaders = signedHeaders
      .split(";")
      .map(
        (name) =>
          `${name}:${String(req.headers[name] ?? "")
            .trim()
            .toLowerCase()}\n`,
      )
      .join("");
    const hashedPayload = createHash("sha256").update(payload).digest("hex");
    const canonicalRequest = [req.method, "/", "", canonicalHeaders, signedHeaders, hashedPayload].join("\n");
    const stringToSign = [
      "TC3-HMAC-SHA256",
      String(timestamp),
      `${date}/${service}/tc3_request`,
      createHash("sha256").update(canonicalRequest).digest("hex"),
    ].join("\n");
    const kDate = createHmac("sha256", `TC3${secretKey}`).update(date).digest();
    const kService = createHmac("sha256", kDate).update(service).digest();
    const kSigning = createHmac("sha256", kService).update("tc3_request").digest();
    const expected = createHmac("sha256", kSigning).update(stringToSign).digest("hex");
    if (expected !== signature)
      return fail("AuthFailure.SignatureFailure", "The provided credentials could not be validated.");
    if (req.headers["x-tc-version"] !== "2021-01-11" || req.headers["x-tc-action"] !== "SendSms") {
      return fail("InvalidParameter", "action/version");
    }
    received.push({ action: String(req.headers["x-tc-action"]), body: JSON.parse(payload) });
    return reply({
      SendStatusSet: [{ Code: "Ok", Message: "send success", SerialNo: `serial-${received.length}` }],
    });
  });
  return { server, received };
}

describe("Tencent Cloud SMS provider", () => {
  const fake = fakeTencent({ AKIDtest: "tencent-secret-key" });
  let endpoint = "";
  before(async () => {
    endpoint = await listen(fake.server);
  });
  after(() => fake.server.close());

  test("a TC3-signed SendSms is accepted by the fake, which recomputes the signature", async () => {
    const provider = tencentSmsProvider({
      secretId: "AKIDtest",
      secretKey: "tencent-secret-key",
      sdkAppId: "1400000000",
      signName: "积分商城",
      templateId: "100001",
      endpoint,
    });
    const receipt = await provider.send(message);
    assert.equal(receipt.providerRef, "serial-1");
    assert.deepEqual(fake.received[0]?.body, {
      PhoneNumberSet: ["+8613800138000"],
      SmsSdkAppId: "1400000000",
      SignName: "积分商城",
      TemplateId: "100001",
      TemplateParamSet: ["123456", "5"],
    });
  });

  test("a wrong secret key is rejected by the fake and reported as a send error", async () => {
    const provider = tencentSmsProvider({
      secretId: "AKIDtest",
      secretKey: "not-the-key",
      sdkAppId: "1400000000",
      signName: "积分商城",
      templateId: "100001",
      endpoint,
    });
    await assert.rejects(provider.send(message), (error: unknown) => {
      assert.ok(error instanceof SmsSendError);
      assert.equal(error.providerCode, "AuthFailure.SignatureFailure");
      return true;
    });
  });
});

// ---- through the API --------------------------------------------------------

for (const target of dbTargets())
  describe(`SMS codes through a real provider on ${target.name}`, () => {
    const fake = fakeAliyun({ "api-key": "api-secret" });
    let endpoint = "";
    before(async () => {
      endpoint = await listen(fake.server);
    });
    after(() => fake.server.close());

    test("the code goes to the provider; the outbox keeps the text with the code masked", async () => {
      const t = await openTestApp(target, {
        sms: aliyunSmsProvider({
          accessKeyId: "api-key",
          accessKeySecret: "api-secret",
          signName: "积分",
          templateCode: "T1",
          endpoint,
        }),
      });
      try {
        const response = await call(t, "POST", "/auth/sms-codes", {
          body: { phone: "13800000011", purpose: "register" },
        });
        assert.equal(response.statusCode, 200, response.body);
        const sentCode = JSON.parse(fake.received.at(-1)?.TemplateParam ?? "{}").code as string;
        assert.match(sentCode, /^\d{6}$/);
        const outbox = await t.db.query<{ content: string; status: string }>(
          "select content, status from sms_outbox",
        );
        assert.equal(outbox.rows[0]?.status, "sent");
        assert.ok(outbox.rows[0]?.content.includes("******") && !outbox.rows[0]?.content.includes(sentCode));
        t.clock.advance(61_000);
        const registered = await call(t, "POST", "/auth/register", {
          body: { phone: "13800000011", code: sentCode, password: "secret-pass-1" },
        });
        assert.equal(registered.statusCode, 201, registered.body);
      } finally {
        await t.cleanup();
      }
    });

    test("a provider refusal answers 502 SMS_SEND_FAILED and still counts against the limits", async () => {
      const t = await openTestApp(target, {
        sms: aliyunSmsProvider({
          accessKeyId: "api-key",
          accessKeySecret: "bad",
          signName: "积分",
          templateCode: "T1",
          endpoint,
        }),
      });
      try {
        const response = await call(t, "POST", "/auth/sms-codes", {
          body: { phone: "13800000012", purpose: "register" },
        });
        assert.equal(response.statusCode, 502);
        assert.equal(response.data.code, "SMS_SEND_FAILED");
        assert.match(response.data.messageEn, /SignatureDoesNotMatch/);
        assert.equal(await count(t, "sms_outbox", "status = 'failed'"), 1);
        const again = await call(t, "POST", "/auth/sms-codes", {
          body: { phone: "13800000012", purpose: "register" },
        });
        assert.equal(again.data.code, "SMS_TOO_FREQUENT");
      } finally {
        await t.cleanup();
      }
    });
  });
