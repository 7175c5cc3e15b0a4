import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadSettings } from "../src/settings.ts";
import { settleDue } from "../src/settlement/index.ts";
import { signWebhook } from "../src/shop/index.ts";
import { SmsSendError } from "../src/sms/index.ts";
import { call, openTestApp, register, type TestApp } from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import { type PromFamily, parsePrometheus, sampleValue } from "./support/prometheus.ts";

const TOKEN = "metrics-token-0123456789";

async function scrape(t: TestApp, token: string | null = TOKEN): Promise<Map<string, PromFamily>> {
  const response = await t.app.inject({
    method: "GET",
    url: "/metrics",
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  assert.equal(response.statusCode, 200, response.body);
  assert.match(String(response.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(response.body);
}

async function webhook(t: TestApp, body: object, key?: string) {
  const raw = JSON.stringify(body);
  return t.app.inject({
    method: "POST",
    url: "/webhooks/payments",
    headers: {
      "content-type": "application/json",
      "x-jifen-signature": signWebhook("webhook-secret", raw),
      ...(key ? { "idempotency-key": key } : {}),
    },
    payload: raw,
  });
}

/** Every series the issue names, by metric family name. */
const NAMED_SERIES = [
  "jifen_http_requests_total",
  "jifen_http_request_duration_seconds",
  "jifen_db_pool_max_connections",
  "jifen_database_up",
  "jifen_business_day_open_info",
  "jifen_business_day_open_timestamp_seconds",
  "jifen_settlement_days_behind",
  "jifen_withdrawals_pending",
  "jifen_withdrawals_pending_amount_yuan",
  "jifen_sms_sends_total",
  "jifen_payment_notifications_total",
  "jifen_idempotent_replays_total",
  "jifen_liabilities_gift_points",
  "jifen_liabilities_released_points",
  "jifen_liabilities_dividend_quota",
  "jifen_liabilities_exit_quota",
  "jifen_liabilities_stable_points",
  "jifen_liabilities_equity_held_by_members",
  "jifen_liabilities_equity_treasury",
  "jifen_liabilities_equity_pool_yuan",
  "jifen_liabilities_member_cash_yuan",
  "jifen_liabilities_withdrawals_pending_yuan",
  "jifen_liabilities_debt",
  "jifen_equity_price_yuan",
  "jifen_process_resident_memory_bytes",
];

describe("operations settings", () => {
  test("metrics are off by default, on with METRICS_TOKEN, open only with METRICS_OPEN=true", () => {
    assert.equal(loadSettings({}, "/x").metrics, null);
    assert.deepEqual(loadSettings({ METRICS_TOKEN: TOKEN }, "/x").metrics, {
      token: TOKEN,
      liabilitiesMaxAgeSeconds: 300,
    });
    assert.deepEqual(loadSettings({ METRICS_OPEN: "true", METRICS_LIABILITIES_SECONDS: "0" }, "/x").metrics, {
      token: null,
      liabilitiesMaxAgeSeconds: 0,
    });
    assert.deepEqual(loadSettings({ METRICS_OPEN: "true", METRICS_TOKEN: TOKEN }, "/x").metrics, {
      token: TOKEN,
      liabilitiesMaxAgeSeconds: 300,
    });
    assert.equal(loadSettings({ METRICS_OPEN: "false" }, "/x").metrics, null);
    assert.throws(() => loadSettings({ METRICS_TOKEN: "short" }, "/x"), /METRICS_TOKEN/);
    assert.throws(() => loadSettings({ METRICS_OPEN: "yes" }, "/x"), /METRICS_OPEN/);
    assert.throws(
      () => loadSettings({ METRICS_TOKEN: TOKEN, METRICS_LIABILITIES_SECONDS: "1.5" }, "/x"),
      /METRICS_LIABILITIES_SECONDS/,
    );
  });
});

for (const target of dbTargets()) {
  describe(`metrics on ${target.name}`, () => {
    let t: TestApp;
    before(async () => {
      t = await openTestApp(target, { metrics: { token: TOKEN }, timeZone: "Asia/Shanghai" });
    });
    after(async () => {
      await t?.cleanup();
    });

    test("refuses without the token and with a wrong one, changing nothing", async () => {
      const none = await call(t, "GET", "/metrics");
      assert.equal(none.statusCode, 401);
      assert.equal(none.data.code, "METRICS_TOKEN_INVALID");
      const wrong = await call(t, "GET", "/metrics", { token: `${TOKEN}x` });
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.data.code, "METRICS_TOKEN_INVALID");
      const session = await call(t, "GET", "/metrics", { token: "not-a-metrics-token" });
      assert.equal(session.statusCode, 401);
    });

    test("parses as Prometheus text and carries every named series", async () => {
      const families = await scrape(t);
      for (const name of NAMED_SERIES) assert.ok(families.has(name), `missing ${name}`);
      assert.equal(families.get("jifen_http_request_duration_seconds")?.type, "HISTOGRAM");
      assert.equal(families.get("jifen_http_requests_total")?.type, "COUNTER");
      assert.equal(sampleValue(families, "jifen_database_up"), 1);
      assert.equal(sampleValue(families, "jifen_business_day_open_info", { day: "2026-01-05" }), 1);
      assert.equal(sampleValue(families, "jifen_settlement_days_behind"), 0);
      assert.equal(sampleValue(families, "jifen_db_pool_max_connections"), t.db.connections);
      if (target.name === "postgres") assert.ok(families.has("jifen_db_pool_connections"));
    });

    test("a request counts by route pattern and status, with its latency", async () => {
      const before = await scrape(t);
      const labels = { method: "GET", route: "/health", status: "200" };
      const n0 = sampleValue(before, "jifen_http_requests_total", labels) ?? 0;
      assert.equal((await call(t, "GET", "/health")).statusCode, 200);
      assert.equal((await call(t, "GET", "/products/999999")).statusCode, 404);
      const afterwards = await scrape(t);
      assert.equal(sampleValue(afterwards, "jifen_http_requests_total", labels), n0 + 1);
      // The latency histogram: the configured buckets (the parser merges a labelled histogram's
      // samples, so the per-label count is read from the counter above).
      const histogram = afterwards.get("jifen_http_request_duration_seconds");
      assert.equal(histogram?.type, "HISTOGRAM");
      assert.deepEqual(Object.keys(histogram?.metrics[0]?.buckets ?? {}).sort(), [
        "+Inf",
        "0.005",
        "0.01",
        "0.025",
        "0.05",
        "0.1",
        "0.25",
        "0.5",
        "1",
        "10",
        "2.5",
        "5",
      ]);
      // The route pattern, not the URL: no id in the label.
      const routes = afterwards.get("jifen_http_requests_total")?.metrics.map((s) => s.labels?.route) ?? [];
      assert.ok(!routes.includes("/products/999999"));
      // A URL that matches no route counts as "unmatched", never under its own path.
      const stray = await call(t, "GET", "/nowhere/13800138000");
      assert.equal(stray.statusCode, 404);
      const strayed = await scrape(t);
      assert.ok(
        (sampleValue(strayed, "jifen_http_requests_total", { route: "unmatched", status: "404" }) ?? 0) >= 1,
      );
      const strayRoutes = strayed.get("jifen_http_requests_total")?.metrics.map((s) => s.labels?.route) ?? [];
      assert.ok(!strayRoutes.some((r) => r?.includes("nowhere")));
    });

    test("a payment, its replay and a settlement move the counters and gauges", async () => {
      const buyer = await register(t, "13800138000");
      const start = await scrape(t);
      assert.ok(
        (sampleValue(start, "jifen_sms_sends_total", { provider: "console", outcome: "sent" }) ?? 0) >= 1,
      );
      const gift0 = sampleValue(start, "jifen_liabilities_gift_points") ?? 0;
      const paid = { event: "order.paid", externalId: "M-1", phone: "13800138000", productId: "1" };
      const first = await webhook(t, paid, "pay-M-1");
      assert.equal(first.statusCode, 200, first.body);
      const replay = await webhook(t, paid, "pay-M-1");
      assert.equal(replay.statusCode, 200);
      assert.equal(replay.headers["idempotent-replayed"], "true");
      const refused = await webhook(t, { ...paid, productId: "999999", externalId: "M-2" });
      assert.equal(refused.statusCode, 404);

      // The liabilities are reused for 300 s (the default) between scrapes.
      const cached = await scrape(t);
      assert.equal(sampleValue(cached, "jifen_liabilities_gift_points"), gift0);
      t.clock.advance(301_000);
      const paidOnce = await scrape(t);
      const event = "order.paid";
      assert.equal(
        sampleValue(paidOnce, "jifen_payment_notifications_total", { event, outcome: "accepted" }),
        1,
      );
      assert.equal(
        sampleValue(paidOnce, "jifen_payment_notifications_total", { event, outcome: "replayed" }),
        1,
      );
      assert.equal(
        sampleValue(paidOnce, "jifen_payment_notifications_total", { event, outcome: "refused" }),
        1,
      );
      assert.equal(
        sampleValue(paidOnce, "jifen_idempotent_replays_total", { route: "/webhooks/payments" }),
        1,
      );
      const gift1 = sampleValue(paidOnce, "jifen_liabilities_gift_points") ?? 0;
      assert.ok(gift1 > gift0, `gift points ${gift0} → ${gift1}`);
      assert.equal(paidOnce.get("jifen_settlement_last_run_info")?.metrics.length ?? 0, 0);

      // The next business day: the open day is one behind until the settlement runs.
      t.clock.advance(24 * 3600_000);
      const due = await scrape(t);
      assert.equal(sampleValue(due, "jifen_settlement_days_behind"), 1);
      const outcomes = await settleDue(t.db, { now: t.clock.now(), timeZone: "Asia/Shanghai" });
      assert.deepEqual(
        outcomes.map((o) => [o.day, o.status]),
        [["2026-01-05", "settled"]],
      );
      const settled = await scrape(t);
      assert.equal(
        sampleValue(settled, "jifen_settlement_last_run_info", { day: "2026-01-05", status: "done" }),
        1,
      );
      assert.equal(sampleValue(settled, "jifen_settlement_last_run_success"), 1);
      assert.equal(sampleValue(settled, "jifen_settlement_days_behind"), 0);
      assert.equal(sampleValue(settled, "jifen_business_day_open_info", { day: "2026-01-06" }), 1);
      assert.equal(sampleValue(settled, "jifen_business_day_open_info", { day: "2026-01-05" }), undefined);
      assert.ok((sampleValue(settled, "jifen_settlement_last_run_rows", { kind: "postings" }) ?? 0) > 0);
      assert.ok((sampleValue(settled, "jifen_settlement_last_run_duration_seconds") ?? -1) >= 0);
      assert.ok((sampleValue(settled, "jifen_settlement_last_run_members") ?? 0) >= 1);
      assert.equal(
        sampleValue(settled, "jifen_settlement_last_run_day_timestamp_seconds"),
        Date.parse("2026-01-05T00:00:00Z") / 1000,
      );
      // Aggregates only: the buyer's phone appears nowhere.
      const text = (await t.app.inject({ url: "/metrics", headers: { authorization: `Bearer ${TOKEN}` } }))
        .body;
      assert.ok(!text.includes("13800138000"));
      assert.ok(buyer.id);
    });
  });

  describe(`metrics switched off or open on ${target.name}`, () => {
    test("without metrics options /metrics does not exist", async () => {
      const t = await openTestApp(target);
      try {
        const response = await call(t, "GET", "/metrics", { token: TOKEN });
        assert.equal(response.statusCode, 404);
        assert.equal(response.data.code, "NOT_FOUND");
      } finally {
        await t.cleanup();
      }
    });

    test("open metrics need no token; a failing SMS provider counts as failed", async () => {
      const t = await openTestApp(target, {
        metrics: { token: null, processMetrics: false },
        sms: {
          name: "broken",
          keepsContent: false,
          send: () => Promise.reject(new SmsSendError("broken", "DOWN", "gateway unreachable")),
        },
      });
      try {
        const sent = await call(t, "POST", "/auth/sms-codes", {
          body: { phone: "13900139000", purpose: "register" },
        });
        assert.notEqual(sent.statusCode, 200);
        const families = await scrape(t, null);
        assert.equal(
          sampleValue(families, "jifen_sms_sends_total", { provider: "broken", outcome: "failed" }),
          1,
        );
        assert.equal(families.has("jifen_process_resident_memory_bytes"), false);
      } finally {
        await t.cleanup();
      }
    });
  });

  describe(`health and readiness on ${target.name}`, () => {
    test("/ready: database, migrations, scheduler; /health stays up when the database is gone", async () => {
      let scheduler: { nextRun(): Date | null } | null = null;
      const t = await openTestApp(target, { scheduler: () => scheduler });
      try {
        const ready = await call(t, "GET", "/ready");
        assert.equal(ready.statusCode, 200, ready.body);
        assert.equal(ready.data.ok, true);
        assert.deepEqual(ready.data.checks.database, { ok: true });
        assert.equal(ready.data.checks.migrations.ok, true);
        assert.deepEqual(ready.data.checks.migrations.pending, []);
        assert.equal(ready.data.checks.scheduler.state, "off");
        assert.equal(ready.data.openDay, "2026-01-05");

        scheduler = { nextRun: () => new Date("2026-01-05T16:05:00Z") };
        const scheduled = await call(t, "GET", "/ready");
        assert.equal(scheduled.statusCode, 200);
        assert.deepEqual(scheduled.data.checks.scheduler, {
          ok: true,
          state: "scheduled",
          nextRun: "2026-01-05T16:05:00.000Z",
        });
        scheduler = { nextRun: () => null };
        const stopped = await call(t, "GET", "/ready");
        assert.equal(stopped.statusCode, 503);
        assert.equal(stopped.data.code, "NOT_READY");
        assert.equal(stopped.data.checks.scheduler.state, "stopped");
        scheduler = null;

        // A migration file the database has not applied.
        await t.db.query("delete from schema_migrations where version = '0005'");
        const pending = await call(t, "GET", "/ready");
        assert.equal(pending.statusCode, 503);
        assert.equal(pending.data.checks.database.ok, true);
        assert.deepEqual(pending.data.checks.migrations.pending, ["0005_day_partitions"]);

        await t.db.close();
        const gone = await call(t, "GET", "/ready");
        assert.equal(gone.statusCode, 503);
        assert.equal(gone.data.code, "NOT_READY");
        assert.equal(gone.data.ok, false);
        assert.equal(gone.data.checks.database.ok, false);
        assert.equal(typeof gone.data.checks.database.error, "string");
        assert.equal(gone.data.checks.migrations.ok, false);
        assert.equal(typeof gone.data.requestId, "string");
        const alive = await call(t, "GET", "/health");
        assert.equal(alive.statusCode, 200);
        assert.equal(alive.data.ok, true);
      } finally {
        // The database was closed above: closing it again may throw; the PostgreSQL schema is dropped regardless.
        await t.cleanup().catch(() => {});
      }
    });
  });
}
