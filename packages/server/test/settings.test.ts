import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { seed } from "../src/seed.ts";
import { DEFAULT_ADMIN_PASSWORD, loadSettings } from "../src/settings.ts";
import { CHEAP_PASSWORDS } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

describe("settings", () => {
  test("defaults, and DATA_DIR relative to where npm start was run", () => {
    const s = loadSettings({ INIT_CWD: "/home/shop" });
    assert.equal(s.port, 3000);
    assert.equal(s.host, "127.0.0.1");
    assert.equal(s.dataDir, "/home/shop/data");
    assert.equal(s.databaseUrl, undefined);
    assert.equal(s.timeZone, "Asia/Shanghai");
    assert.equal(s.sms.provider, "console");
    assert.equal(s.adminPassword, DEFAULT_ADMIN_PASSWORD);
    assert.equal(s.adminPasswordIsDefault, true);
    assert.equal(loadSettings({ DATA_DIR: "/var/jifen" }, "/x").dataDir, "/var/jifen");
    assert.equal(loadSettings({ BUSINESS_TZ: "Asia/Hong_Kong", TZ: "UTC" }, "/x").timeZone, "Asia/Hong_Kong");
  });

  test("refuses what cannot work, naming the variable", () => {
    assert.throws(() => loadSettings({ PORT: "http" }, "/x"), /PORT/);
    assert.throws(() => loadSettings({ TZ: "Mars/Olympus" }, "/x"), /time zone/);
    assert.throws(() => loadSettings({ SMS_PROVIDER: "pigeon" }, "/x"), /SMS_PROVIDER/);
    assert.throws(() => loadSettings({ SMS_PROVIDER: "aliyun" }, "/x"), /ALIYUN_SMS_ACCESS_KEY_ID/);
    assert.throws(() => loadSettings({ JIFEN_SECRET: "short" }, "/x"), /JIFEN_SECRET/);
    const tencent = loadSettings(
      {
        SMS_PROVIDER: "tencent",
        TENCENT_SMS_SECRET_ID: "id",
        TENCENT_SMS_SECRET_KEY: "key",
        TENCENT_SMS_SDK_APP_ID: "140",
        TENCENT_SMS_SIGN_NAME: "积分",
        TENCENT_SMS_TEMPLATE_ID: "1",
      },
      "/x",
    );
    assert.equal(tencent.sms.provider, "tencent");
  });

  test("the writer's lease: defaults, the forward wait from the lease, bad values refused", () => {
    assert.deepEqual(loadSettings({}, "/x").writerLease, { ttlMs: 5000, forwardWaitMs: 15_000, url: null });
    assert.deepEqual(
      loadSettings({ WRITER_LEASE_MS: "2000", WRITER_URL: "http://10.0.0.5:3000" }, "/x").writerLease,
      { ttlMs: 2000, forwardWaitMs: 6000, url: "http://10.0.0.5:3000" },
    );
    assert.equal(loadSettings({ WRITER_FORWARD_WAIT_MS: "500" }, "/x").writerLease.forwardWaitMs, 500);
    assert.throws(() => loadSettings({ WRITER_LEASE_MS: "500" }, "/x"), /WRITER_LEASE_MS/);
    assert.throws(() => loadSettings({ WRITER_LEASE_MS: "5s" }, "/x"), /WRITER_LEASE_MS/);
    assert.throws(() => loadSettings({ WRITER_FORWARD_WAIT_MS: "-1" }, "/x"), /WRITER_FORWARD_WAIT_MS/);
    assert.throws(() => loadSettings({ WRITER_URL: "10.0.0.5:3000" }, "/x"), /WRITER_URL/);
    assert.throws(() => loadSettings({ WRITER_URL: "http://10.0.0.5:3000/api" }, "/x"), /WRITER_URL/);
  });
});

for (const target of dbTargets()) {
  describe(`seed on ${target.name}`, () => {
    test("a fresh database gets the admin and the demo products, a second start nothing more", async () => {
      const t = await target.open();
      try {
        const options = {
          adminUsername: "admin",
          adminPassword: "pw-123456",
          passwords: CHEAP_PASSWORDS,
          products: true,
          now: new Date(),
        };
        assert.deepEqual(await seed(t.db, options), { adminCreated: true, productsCreated: 4 });
        assert.deepEqual(await seed(t.db, options), { adminCreated: false, productsCreated: 0 });
      } finally {
        await t.cleanup();
      }
    });
  });
}
