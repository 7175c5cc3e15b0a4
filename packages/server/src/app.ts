/**
 * `buildApp` assembles the HTTP server: Fastify with the TypeBox type provider,
 * request ids, redacted logs, one error body for every failure, OpenAPI at
 * /docs, and the route modules. Tests call it with `inject()`; `main.ts`
 * calls it with the settings from the environment.
 */

import { randomBytes, randomUUID } from "node:crypto";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyServerOptions } from "fastify";
import helmet from "helmet";
import { agreementOperatorRoutes, agreementRoutes } from "./agreements/index.ts";
import { DEFAULT_PASSWORD_OPTIONS, type PasswordOptions } from "./auth/passwords.ts";
import { DEFAULT_SESSION_TTL, type SessionTtl } from "./auth/sessions.ts";
import {
  DEFAULT_LOGIN_LIMITS,
  DEFAULT_OPERATOR_LOGIN_LIMITS,
  type LoginLimits,
  type OperatorLoginLimits,
} from "./auth/throttle.ts";
import { type BackupSettings, createBackupService } from "./backup/index.ts";
import { backupRoutes } from "./backup/routes.ts";
import { businessDay, type Clock, systemClock } from "./clock/index.ts";
import { complianceRoutes } from "./config/compliance-routes.ts";
import { configRoutes } from "./config/routes.ts";
import type { Db } from "./db/index.ts";
import { AppError, toErrorBody } from "./errors/index.ts";
import { exportRoutes } from "./exports/routes.ts";
import type { App, AppContext } from "./http/context.ts";
import { parseJsonLossless } from "./http/json-body.ts";
import { registerRoutes } from "./http/register.ts";
import { completeRouteDocs, noteUndocumentedError } from "./http/route-docs.ts";
import { buildSerializer } from "./http/serializers.ts";
import { validatorCompiler } from "./http/validators.ts";
import { memberDirectoryRoutes } from "./members/directory-routes.ts";
import { memberOperatorRoutes } from "./members/operator-routes.ts";
import { memberRoutes } from "./members/routes.ts";
import { outboxAuditRoutes } from "./operators/outbox-audit-routes.ts";
import { operatorRoutes } from "./operators/routes.ts";
import { healthRoutes, type SchedulerLike } from "./ops/health.ts";
import { Metrics, type MetricsOptions, registerMetrics } from "./ops/metrics.ts";
import { paymentAdminRoutes } from "./payments/admin-routes.ts";
import {
  PROVIDER_FACTORIES,
  type ProviderDeps,
  type ProviderFactory,
  paymentRegistry,
} from "./payments/index.ts";
import { paymentNotifyRoutes } from "./payments/notify-routes.ts";
import { paymentRoutes } from "./payments/routes.ts";
import { dailyReportRoutes } from "./reports/daily-routes.ts";
import { figuresRoutes } from "./reports/routes.ts";
import { ensureRewardClock, REWARD_HOOKS, type RewardHooks } from "./rewards/index.ts";
import { settlementRoutes } from "./settlement/routes.ts";
import { checkoutRoutes } from "./shop/checkout-routes.ts";
import { orderOperatorRoutes } from "./shop/order-operator-routes.ts";
import { productOperatorRoutes } from "./shop/product-operator-routes.ts";
import { shopRoutes } from "./shop/routes.ts";
import { shopOperatorRoutes } from "./shop/shop-operator-routes.ts";
import { simulationRoutes } from "./simulations/routes.ts";
import {
  consoleSmsProvider,
  DEFAULT_SMS_LIMITS,
  maskPhone,
  maskPhonesIn,
  type SmsLimits,
  type SmsProvider,
} from "./sms/index.ts";
import { walletRoutes } from "./wallets/routes.ts";
import { withdrawalOperatorRoutes } from "./wallets/withdrawal-operator-routes.ts";
import { DEFAULT_WEB_APP_DIRS, registerWebApps, type WebAppDirs } from "./web/index.ts";
import {
  DEFAULT_WRITER_SETTINGS,
  EquityWriter,
  type WriterLease,
  type WriterSettings,
} from "./writer/index.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** The context of the payment follower (ops/payment-follower.ts). */
    paymentContext: Pick<AppContext, "db" | "payments" | "clock" | "timeZone" | "hooks" | "writer">;
  }
}

/** What `buildApp` needs; everything but `db` has a default. */
export interface BuildAppOptions {
  readonly db: Db;
  readonly clock?: Clock;
  /** Time zone of the business day (default Asia/Shanghai). */
  readonly timeZone?: string;
  /** Key of the SMS code hashes; read from (or created in) the database when absent. */
  readonly secret?: string;
  readonly sms?: SmsProvider;
  readonly smsLimits?: Partial<SmsLimits>;
  readonly passwords?: PasswordOptions;
  readonly sessionTtl?: SessionTtl;
  /** Wrong passwords allowed per member account and window. */
  readonly loginLimits?: LoginLimits;
  /** Wrong operator passwords allowed per account and address, and the per-account slowdown. */
  readonly operatorLoginLimits?: OperatorLoginLimits;
  /** Shared secret of the payment webhook (disabled when absent). */
  readonly webhookSecret?: string;
  /** The payment providers this server can speak (default: PROVIDER_FACTORIES). */
  readonly paymentFactories?: readonly ProviderFactory[];
  /** fetch and timeout of provider calls (tests point them at local fakes). */
  readonly paymentDeps?: Partial<Omit<ProviderDeps, "now">>;
  /** The engine's reward processing (no-ops by default). */
  readonly hooks?: Partial<RewardHooks>;
  /** Fastify's logger option: false in tests, pino options in production. */
  readonly logger?: FastifyServerOptions["logger"];
  /** Trust X-Forwarded-For (behind a reverse proxy). */
  readonly trustProxy?: boolean;
  /** /metrics: absent = off; `{ token: null }` = open; `{ token }` = Bearer token required. */
  readonly metrics?: MetricsOptions;
  /** The daily settlement scheduler for /ready (main.ts starts it after the app; null: SETTLEMENT_TIME=off). */
  readonly scheduler?: () => SchedulerLike | null;
  /** The server's backups (BACKUP_DIR, BACKUP_TIME, BACKUP_KEEP); absent: none (BACKUPS_OFF). */
  readonly backups?: BackupSettings;
  /** The built web apps to serve (default: apps/admin/dist and apps/h5/dist); null serves none. */
  readonly web?: WebAppDirs | null;
  /**
   * The equity writer's batches (issue 14); null or absent: one transaction per member equity
   * command (the serial path). main.ts passes the settings (EQUITY_WRITER, default batched).
   */
  readonly equityWriter?: WriterSettings | null;
  /**
   * The writer's lease (several server processes on one PostgreSQL, writer/lease.ts): the writer's
   * batches are fenced by it and the equity commands go through the process that holds it. The
   * caller starts it once the server listens (main.ts); the app stops it when it closes, after the
   * writer wrote what was queued. Absent or null: this process's writer writes unfenced (PGlite).
   */
  readonly writerLease?: WriterLease | null;
  /** Tests: called with the equity writer once it exists (to watch the order it takes commands in). */
  readonly onEquityWriter?: (writer: EquityWriter) => void;
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Pino options: phone numbers masked, credentials removed. */
export function loggerOptions(level: string) {
  return {
    level,
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        "phone",
        "*.phone",
        "password",
        "*.password",
      ],
      censor: (value: unknown) =>
        typeof value === "string" && /^1[3-9]\d{9}$/.test(value) ? maskPhone(value) : "[redacted]",
    },
    serializers: {
      req(request: { method: string; url: string; ip?: string; id?: string }) {
        return { method: request.method, url: maskPhonesIn(request.url), remoteAddress: request.ip };
      },
    },
  };
}

/** Reads the server secret from the database, creating it on first use. */
export async function ensureSecret(db: Db): Promise<string> {
  return db.transaction(async (tx) => {
    await tx.query(
      "insert into server_settings (key, value) values ('secret', $1) on conflict (key) do nothing",
      [randomBytes(32).toString("hex")],
    );
    const rows = await tx.query<{ value: string }>("select value from server_settings where key = 'secret'");
    return rows.rows[0]?.value as string;
  });
}

/** Builds the Fastify app (not listening); close it with `app.close()` (the database stays open). */
export async function buildApp(options: BuildAppOptions): Promise<App> {
  const clock = options.clock ?? systemClock;
  const timeZone = options.timeZone ?? "Asia/Shanghai";
  const metrics = options.metrics ? new Metrics({ db: options.db, clock, timeZone }, options.metrics) : null;
  const app = newFastify(options);
  const ctx = await appContext(options, clock, timeZone, metrics, app);
  await ensureRewardClock(ctx.db, businessDay(ctx.clock.now(), ctx.timeZone));
  // What the payment follower (main.ts) needs from the context: the same registry the routes use.
  app.decorate("paymentContext", {
    db: ctx.db,
    payments: ctx.payments,
    clock: ctx.clock,
    timeZone: ctx.timeZone,
    hooks: ctx.hooks,
    writer: ctx.writer,
  });
  readJsonLosslessly(app);
  addRequestHooks(app);
  await addSecurityHeaders(app);
  setErrorHandlers(app);
  await addOpenApiDocs(app);

  if (metrics && options.metrics) registerMetrics(app, metrics, options.metrics);
  healthRoutes(app, ctx, options.scheduler ?? (() => null));
  if (options.web !== null) await registerWebApps(app, options.web ?? DEFAULT_WEB_APP_DIRS);

  await registerRoutes(app, ctx, memberRoutes);
  await registerRoutes(app, ctx, walletRoutes);
  await registerRoutes(app, ctx, shopRoutes);
  await registerRoutes(app, ctx, checkoutRoutes);
  await registerRoutes(app, ctx, paymentRoutes);
  await registerRoutes(app, ctx, paymentNotifyRoutes);
  await registerRoutes(app, ctx, agreementRoutes);
  // The operators' API under /admin, one plugin per business area. The order of
  // registration is the order of the paths in the OpenAPI document (and in the
  // generated packages/api-types): keep it when adding a plugin.
  for (const plugin of [
    operatorRoutes,
    memberOperatorRoutes,
    orderOperatorRoutes,
    withdrawalOperatorRoutes,
    productOperatorRoutes,
    outboxAuditRoutes,
    configRoutes,
    complianceRoutes,
    figuresRoutes,
    settlementRoutes,
    dailyReportRoutes,
    memberDirectoryRoutes,
    exportRoutes,
    shopOperatorRoutes,
    simulationRoutes,
    paymentAdminRoutes,
    backupRoutes,
    agreementOperatorRoutes,
  ]) {
    await registerRoutes(app, ctx, plugin, { prefix: "/admin" });
  }
  return app;
}

/** The context every route plugin gets: database, clock, secret, SMS, limits, reward hooks. */
async function appContext(
  options: BuildAppOptions,
  clock: Clock,
  timeZone: string,
  metrics: Metrics | null,
  app: App,
): Promise<AppContext> {
  const sms = options.sms ?? consoleSmsProvider();
  const backups = options.backups
    ? createBackupService({ db: options.db, clock, timeZone, ...options.backups, log: app.log })
    : null;
  // Closing the app stops the schedule and lets a backup in progress finish (its file is renamed into place last).
  if (backups)
    app.addHook("onClose", async () => {
      backups.stop();
      await backups.idle();
    });
  return {
    db: options.db,
    clock,
    timeZone,
    secret: options.secret ?? (await ensureSecret(options.db)),
    sms: metrics ? metrics.countSms(sms) : sms,
    smsLimits: { ...DEFAULT_SMS_LIMITS, ...options.smsLimits },
    passwords: options.passwords ?? DEFAULT_PASSWORD_OPTIONS,
    sessionTtl: options.sessionTtl ?? DEFAULT_SESSION_TTL,
    loginLimits: options.loginLimits ?? DEFAULT_LOGIN_LIMITS,
    operatorLoginLimits: options.operatorLoginLimits ?? DEFAULT_OPERATOR_LOGIN_LIMITS,
    webhookSecret: options.webhookSecret ?? null,
    hooks: { ...REWARD_HOOKS, ...options.hooks },
    payments: paymentRegistry(options.paymentFactories ?? PROVIDER_FACTORIES, {
      fetch: options.paymentDeps?.fetch ?? fetch,
      timeoutMs: options.paymentDeps?.timeoutMs ?? 10_000,
      now: () => clock.now(),
    }),
    backups,
    writer: equityWriter(options, clock, app),
    lease: options.writerLease ?? null,
  };
}

/** The shop's equity writer when batches are on; it writes what is queued before the app closes. */
function equityWriter(options: BuildAppOptions, clock: Clock, app: App): EquityWriter | null {
  const settings = options.equityWriter !== undefined ? options.equityWriter : testWriterSettings();
  if (!settings) return null;
  const lease = options.writerLease ?? null;
  const db = lease ? lease.fenced(options.db) : options.db;
  const writer = new EquityWriter(db, () => clock.now(), app.log, settings);
  options.onEquityWriter?.(writer);
  app.addHook("onClose", async () => {
    await writer.close();
    await lease?.stop();
  });
  return writer;
}

/**
 * JIFEN_TEST_WRITER=batched runs an app built without `equityWriter` (the API
 * tests) through the writer: the same tests then check the batched path.
 */
function testWriterSettings(): WriterSettings | null {
  return process.env.JIFEN_TEST_WRITER === "batched" ? DEFAULT_WRITER_SETTINGS : null;
}

/** The Fastify instance: logger, proxy trust, request ids (a well-formed x-request-id is kept). */
function newFastify(options: BuildAppOptions): App {
  return Fastify({
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ?? false,
    requestIdHeader: false,
    schemaController: { compilersFactory: { buildSerializer } },
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID_RE.test(given) ? given : randomUUID();
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
}

/** Bodies: JSON read losslessly (every number as its decimal text), validated without coercion. */
function readJsonLosslessly(app: App): void {
  app.setValidatorCompiler(validatorCompiler);
  app.removeContentTypeParser("application/json");
  app.decorateRequest("bodyText", null);
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    try {
      request.bodyText = body as string;
      done(null, parseJsonLossless(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/** Route docs completed on registration, request decorations, empty bodies, response headers. */
function addRequestHooks(app: App): void {
  // Every documented route's errors: its own plus those of its kind (http/route-docs.ts).
  app.addHook("onRoute", completeRouteDocs);

  app.decorateRequest("member", null);
  app.decorateRequest("operator", null);
  app.decorateRequest("bearer", null);

  // A POST without a body validates as an empty object (e.g. approve with no reason).
  app.addHook("preValidation", async (request) => {
    if (request.body === undefined && request.method !== "GET" && request.method !== "HEAD")
      request.body = {};
  });

  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
    // API answers (sign-in and registration carry tokens) are never cached; static
    // files (swagger-ui's, later the admin and H5 apps) set their own Cache-Control.
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
  });
}

/**
 * Security headers (docs/decisions.md): helmet's defaults, with a content security
 * policy that swagger-ui at /docs and same-origin single-page apps can live with.
 * helmet's middleware is built once here: `@fastify/helmet` built it (parsing the
 * policy) again on every request, ~5% of the server's CPU per request under load.
 */
async function addSecurityHeaders(app: App): Promise<void> {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        // Served over plain HTTP on a LAN as often as behind TLS: no forced upgrade.
        "upgrade-insecure-requests": null,
      },
    },
    frameguard: { action: "deny" },
    // HSTS belongs to the TLS-terminating proxy, which knows whether HTTPS is served.
    strictTransportSecurity: false,
  });
  app.addHook("onRequest", (request, reply, done) =>
    headers(request.raw, reply.raw, (error) => done(error as Error | undefined)),
  );
}

/** Every error answered as a coded body (5xx logged as errors, refusals as info); unknown URLs 404. */
function setErrorHandlers(app: App): void {
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toErrorBody(error, request.id);
    noteUndocumentedError(request, status, body.code);
    if (status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.info({ code: body.code, field: body.field }, "request refused");
    return reply.code(status).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const { status, body } = toErrorBody(new AppError("NOT_FOUND"), request.id);
    return reply.code(status).send(body);
  });
}

/** The OpenAPI document and swagger-ui at /docs. */
async function addOpenApiDocs(app: App): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Jifen 积分 API",
        description:
          "Points, rebate and dividend engine for private-domain shops. 错误体：{ code, message, messageEn, field?, requestId }",
        version: "0.1.0",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
  });
  // No validator badge: it would load an image from validator.swagger.io (outside the CSP).
  await app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { validatorUrl: null } });
}
