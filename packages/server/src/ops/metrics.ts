/**
 * `/metrics` in the Prometheus text format (prom-client). Counters and
 * histograms are kept in this process (HTTP requests, SMS sends, payment
 * notifications, idempotent replays); gauges are read from the database when
 * Prometheus scrapes (open business day, the settlement's last run, pending
 * withdrawals, the liabilities of models.md §5, the pool). Every series is an
 * aggregate: no label or value names a member.
 *
 * Off unless configured: with a token the route wants `Authorization: Bearer
 * <token>`; open (no token) only when asked for. docs/production.md, "Metrics".
 */
import { timingSafeEqual } from "node:crypto";
import { Type } from "@fastify/type-provider-typebox";
import { formatDecimal } from "@jifen/engine";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { businessDay } from "../clock/index.ts";
import type { Db } from "../db/index.ts";
import { ErrorBodySchema, fail } from "../errors/index.ts";
import type { App, AppContext } from "../http/context.ts";
import { liabilities } from "../reports/index.ts";
import type { SmsProvider } from "../sms/index.ts";
import { openDayEquityFigures } from "../wallets/index.ts";

/** How /metrics is served: `token` null means open (no token asked). */
export interface MetricsOptions {
  readonly token: string | null;
  /**
   * Seconds the liabilities (a read of every balance row: ~1 s at 100,000 members on a busy
   * 2-core machine) are reused between scrapes (default 300).
   */
  readonly liabilitiesMaxAgeSeconds?: number;
  /** Node.js process metrics (prom-client's defaults: memory, event loop lag, GC); default true. */
  readonly processMetrics?: boolean;
}

/** How long the liabilities gauges are reused by default (METRICS_LIABILITIES_SECONDS). */
export const DEFAULT_LIABILITIES_MAX_AGE_SECONDS = 300;

/** The route of the payment webhook, whose answers count as payment notifications. */
const WEBHOOK_ROUTE = "/webhooks/payments";

/** Latency buckets in seconds: 5 ms … 10 s. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The liabilities' gauges: name, help, and the field of `Liabilities` (models.md §5). */
const LIABILITY_GAUGES = [
  ["jifen_liabilities_gift_points", "赠送积分（待释放）: gift points not yet released", "giftPoints"],
  ["jifen_liabilities_released_points", "积分: released points members hold", "releasedPoints"],
  ["jifen_liabilities_dividend_quota", "分红额度: dividend quota not yet paid out", "dividendQuota"],
  ["jifen_liabilities_exit_quota", "出局额度: exit quota", "exitQuota"],
  ["jifen_liabilities_stable_points", "恒定积分 in circulation", "stablePoints"],
  ["jifen_liabilities_equity_held_by_members", "增值积分 members hold", "equityHeldByMembers"],
  ["jifen_liabilities_equity_treasury", "增值积分 the platform treasury holds", "equityTreasury"],
  ["jifen_liabilities_equity_pool_yuan", "分红池: the pool behind the equity points, yuan", "equityPool"],
  ["jifen_liabilities_member_cash_yuan", "余额: cash owed to members, yuan", "memberCash"],
  [
    "jifen_liabilities_withdrawals_pending_yuan",
    "提现待审核: cash held for withdrawals awaiting a decision, yuan",
    "withdrawalsPending",
  ],
] as const;

/**
 * A micro-unit amount as a gauge value. Prometheus values are float64: the
 * decimal text is read as a number (no arithmetic), exact to the micro-unit up
 * to about 9 × 10⁹. The exact figures are at GET /admin/liabilities.
 */
function gaugeValue(micro: bigint): number {
  return Number(formatDecimal(micro));
}

/** Midnight UTC of a business day, in seconds (a date as a number Prometheus can compare). */
function daySeconds(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

/** Whole days from `from` to `to` (YYYY-MM-DD). */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The metrics of one app: its own registry (tests build many apps in one process). */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: "jifen_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status code",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: "jifen_http_request_duration_seconds",
    help: "Time from receiving a request to sending the answer, by method, route pattern and status code",
    labelNames: ["method", "route", "status"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly idempotentReplays = new Counter({
    name: "jifen_idempotent_replays_total",
    help: "Requests answered with the stored answer of an earlier request under the same Idempotency-Key",
    labelNames: ["route"] as const,
    registers: [this.registry],
  });
  readonly paymentNotifications = new Counter({
    name: "jifen_payment_notifications_total",
    help: "Payment webhook notifications, by event and outcome (accepted, replayed, refused, failed)",
    labelNames: ["event", "outcome"] as const,
    registers: [this.registry],
  });
  readonly smsSends = new Counter({
    name: "jifen_sms_sends_total",
    help: "Text messages handed to the SMS provider, by provider and outcome (sent, failed)",
    labelNames: ["provider", "outcome"] as const,
    registers: [this.registry],
  });

  readonly databaseUp = this.gauge(
    "jifen_database_up",
    "1 when the scrape's database reads succeeded, else 0",
  );
  readonly poolMax = this.gauge("jifen_db_pool_max_connections", "Largest number of database connections");
  readonly poolConnections = new Gauge({
    name: "jifen_db_pool_connections",
    help: "Open database connections by state (in_use, idle); PostgreSQL only",
    labelNames: ["state"] as const,
    registers: [this.registry],
  });
  readonly poolWaiting = this.gauge(
    "jifen_db_pool_waiting_requests",
    "Queries waiting for a free pooled connection; PostgreSQL only",
  );
  readonly openDay = new Gauge({
    name: "jifen_business_day_open_info",
    help: "The business day the reward engine has open (label day), always 1",
    labelNames: ["day"] as const,
    registers: [this.registry],
  });
  readonly openDaySeconds = this.gauge(
    "jifen_business_day_open_timestamp_seconds",
    "The open business day as midnight UTC of that date, in seconds",
  );
  readonly daysBehind = this.gauge(
    "jifen_settlement_days_behind",
    "Business days from the open day to today: 1 from midnight until the settlement runs, 0 after it, more when days are left unsettled",
  );
  readonly lastRun = new Gauge({
    name: "jifen_settlement_last_run_info",
    help: "The latest finished settlement run (labels day, status: done or failed), always 1",
    labelNames: ["day", "status"] as const,
    registers: [this.registry],
  });
  readonly lastRunSuccess = this.gauge(
    "jifen_settlement_last_run_success",
    "1 when the latest finished settlement run settled its day, 0 when it failed",
  );
  readonly lastRunDaySeconds = this.gauge(
    "jifen_settlement_last_run_day_timestamp_seconds",
    "The business day of the latest finished settlement run, as midnight UTC of that date, in seconds",
  );
  readonly lastRunDuration = this.gauge(
    "jifen_settlement_last_run_duration_seconds",
    "Wall time of the latest settled day",
  );
  readonly lastRunFinished = this.gauge(
    "jifen_settlement_last_run_finished_timestamp_seconds",
    "When the latest finished settlement run ended (Unix seconds)",
  );
  readonly lastRunMembers = this.gauge(
    "jifen_settlement_last_run_members",
    "Members in the latest settled day",
  );
  readonly lastRunRows = new Gauge({
    name: "jifen_settlement_last_run_rows",
    help: "Rows the latest settled day wrote, by kind (transactions, postings, balances, orders, stars)",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly withdrawalsPending = this.gauge("jifen_withdrawals_pending", "Withdrawals awaiting a decision");
  readonly withdrawalsPendingYuan = this.gauge(
    "jifen_withdrawals_pending_amount_yuan",
    "Yuan asked for by the withdrawals awaiting a decision",
  );
  readonly equityPrice = this.gauge("jifen_equity_price_yuan", "积分价格: the equity point's price, yuan");
  readonly liabilityGauges = LIABILITY_GAUGES.map(
    ([name, help, field]) => [this.gauge(name, help), field] as const,
  );
  readonly debts = new Gauge({
    name: "jifen_liabilities_debt",
    help: "欠款: what members owe the platform, by wallet (cash in yuan, the others in their points)",
    labelNames: ["wallet"] as const,
    registers: [this.registry],
  });
  readonly liabilitiesAge = this.gauge(
    "jifen_liabilities_computed_timestamp_seconds",
    "When the liabilities gauges were last computed (Unix seconds; reused between scrapes)",
  );

  private liabilitiesAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ctx: Pick<AppContext, "db" | "clock" | "timeZone">,
    private readonly options: MetricsOptions,
  ) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: "jifen_" });
  }

  private gauge(name: string, help: string): Gauge {
    return new Gauge({ name, help, registers: [this.registry] });
  }

  /** Counts one answered request (an `onResponse` hook). */
  observe(request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url ?? "unmatched";
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, reply.elapsedTime / 1000);
    const replayed = reply.getHeader("idempotent-replayed") === "true";
    if (replayed) this.idempotentReplays.inc({ route });
    if (route === WEBHOOK_ROUTE && request.method === "POST") {
      const event = (request.body as { event?: unknown } | undefined)?.event;
      const outcome =
        reply.statusCode >= 500
          ? "failed"
          : reply.statusCode >= 400
            ? "refused"
            : replayed
              ? "replayed"
              : "accepted";
      this.paymentNotifications.inc({
        event: event === "order.paid" || event === "order.refunded" ? event : "unknown",
        outcome,
      });
    }
  }

  /** The SMS provider with its sends counted. */
  countSms(provider: SmsProvider): SmsProvider {
    return {
      name: provider.name,
      keepsContent: provider.keepsContent,
      send: async (message) => {
        try {
          const receipt = await provider.send(message);
          this.smsSends.inc({ provider: provider.name, outcome: "sent" });
          return receipt;
        } catch (error) {
          this.smsSends.inc({ provider: provider.name, outcome: "failed" });
          throw error;
        }
      },
    };
  }

  /** Reads the gauges from the database (a few indexed reads; the liabilities at most once a `liabilitiesMaxAgeSeconds`). */
  async refresh(): Promise<void> {
    const { db, clock, timeZone } = this.ctx;
    this.pool(db);
    const open = await db.query<{ open_day: string }>("select open_day from reward_clock where id = 1");
    const day = open.rows[0]?.open_day;
    this.openDay.reset();
    if (day) {
      this.openDay.set({ day }, 1);
      this.openDaySeconds.set(daySeconds(day));
      this.daysBehind.set(daysBetween(day, businessDay(clock.now(), timeZone)));
    }

    const runs = await db.query<{
      business_day: string;
      status: "done" | "failed";
      duration_ms: number | null;
      member_count: number | null;
      finished_at: Date | string | null;
      rows: unknown;
    }>(
      `select business_day, status, duration_ms, member_count, finished_at, report -> 'rows' as rows
       from settlement_runs where status in ('done', 'failed')
       order by finished_at desc nulls last, business_day desc limit 1`,
    );
    const run = runs.rows[0];
    this.lastRun.reset();
    this.lastRunRows.reset();
    if (run) {
      this.lastRun.set({ day: run.business_day, status: run.status }, 1);
      this.lastRunSuccess.set(run.status === "done" ? 1 : 0);
      this.lastRunDaySeconds.set(daySeconds(run.business_day));
      if (run.finished_at) this.lastRunFinished.set(new Date(run.finished_at).getTime() / 1000);
      if (run.status === "done") {
        if (run.duration_ms !== null) this.lastRunDuration.set(run.duration_ms / 1000);
        if (run.member_count !== null) this.lastRunMembers.set(run.member_count);
        const rows = (typeof run.rows === "string" ? JSON.parse(run.rows) : run.rows) as Record<
          string,
          number
        > | null;
        for (const [kind, n] of Object.entries(rows ?? {})) this.lastRunRows.set({ kind }, n);
      }
    }

    const pending = await db.query<{ n: string; total: string }>(
      "select count(*) as n, coalesce(sum(amount), 0) as total from withdrawals where status = 'pending'",
    );
    this.withdrawalsPending.set(Number(pending.rows[0]?.n ?? 0));
    this.withdrawalsPendingYuan.set(Number(pending.rows[0]?.total ?? 0));

    const nowMs = clock.now().getTime();
    if (
      nowMs - this.liabilitiesAt >=
      (this.options.liabilitiesMaxAgeSeconds ?? DEFAULT_LIABILITIES_MAX_AGE_SECONDS) * 1000
    ) {
      const [owed, figures] = await Promise.all([liabilities(db), openDayEquityFigures(db)]);
      for (const [gauge, field] of this.liabilityGauges) gauge.set(gaugeValue(owed[field]));
      for (const [wallet, micro] of Object.entries(owed.debts)) this.debts.set({ wallet }, gaugeValue(micro));
      this.equityPrice.set(Number(figures.price));
      this.liabilitiesAt = nowMs;
      this.liabilitiesAge.set(nowMs / 1000);
    }
  }

  private pool(db: Db): void {
    this.poolMax.set(db.connections);
    const pool = (db as Db & { pool?: { totalCount: number; idleCount: number; waitingCount: number } }).pool;
    if (pool) {
      this.poolConnections.set({ state: "in_use" }, pool.totalCount - pool.idleCount);
      this.poolConnections.set({ state: "idle" }, pool.idleCount);
      this.poolWaiting.set(pool.waitingCount);
    }
  }

  /** The exposition text; the database gauges keep their last values (and jifen_database_up is 0) when the reads fail. */
  async text(log: FastifyRequest["log"]): Promise<string> {
    try {
      await this.refresh();
      this.databaseUp.set(1);
    } catch (error) {
      log.warn({ err: error }, "metrics: database gauges not read");
      this.databaseUp.set(0);
    }
    return this.registry.metrics();
  }
}

/** True when the Authorization header carries `Bearer <token>` (compared in constant time). */
function tokenMatches(request: FastifyRequest, token: string): boolean {
  const given = Buffer.from(request.headers.authorization ?? "");
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Adds the counting hook to `app` (every route registered after it) and the /metrics route. */
export function registerMetrics(app: App, metrics: Metrics, options: MetricsOptions): void {
  app.addHook("onResponse", async (request, reply) => metrics.observe(request, reply));
  app.get(
    "/metrics",
    {
      schema: {
        tags: ["system"],
        summary: "Prometheus 指标 / metrics in the Prometheus text format",
        description:
          "Off unless METRICS_TOKEN (Authorization: Bearer <token>) or METRICS_OPEN=true is set. Aggregates only, never a member's data.",
        produces: ["text/plain"],
        response: {
          200: Type.String({ description: "Prometheus text exposition format 0.0.4" }),
          "4xx": ErrorBodySchema,
          "5xx": ErrorBodySchema,
        },
      },
    },
    async (request, reply) => {
      if (options.token !== null && !tokenMatches(request, options.token))
        fail("METRICS_TOKEN_INVALID", { field: "Authorization" });
      const text = await metrics.text(request.log);
      return reply.type(metrics.registry.contentType).send(text);
    },
  );
}
