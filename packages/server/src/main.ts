/** `npm start`: opens the database (PGlite under DATA_DIR, or DATABASE_URL), migrates, seeds, listens. */
import { buildApp, loggerOptions } from "./app.ts";
import { DEFAULT_PASSWORD_OPTIONS } from "./auth/passwords.ts";
import { systemClock } from "./clock/index.ts";
import { openDatabase } from "./db/index.ts";
import { seed } from "./seed.ts";
import { loadSettings } from "./settings.ts";
import { startSettlementScheduler } from "./settlement/scheduler.ts";
import { createSmsProvider } from "./sms/index.ts";
import { VERSION } from "./version.ts";

const settings = loadSettings();
const db = await openDatabase({
  dataDir: settings.dataDir,
  ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}),
});
const seeded = await seed(db, {
  adminUsername: settings.adminUsername,
  adminPassword: settings.adminPassword,
  passwords: DEFAULT_PASSWORD_OPTIONS,
  products: settings.seedDemo,
  now: new Date(),
});
const app = await buildApp({
  db,
  timeZone: settings.timeZone,
  sms: createSmsProvider(settings.sms),
  logger: loggerOptions(settings.logLevel),
  trustProxy: settings.trustProxy,
  ...(settings.secret ? { secret: settings.secret } : {}),
  ...(settings.webhookSecret ? { webhookSecret: settings.webhookSecret } : {}),
  ...(settings.metrics ? { metrics: settings.metrics } : {}),
  scheduler: () => scheduler,
});

// The daily settlement at SETTLEMENT_TIME (default 00:05) of the business time zone; catches up at start.
const scheduler = settings.settlementTime
  ? startSettlementScheduler({
      db,
      clock: systemClock,
      timeZone: settings.timeZone,
      at: settings.settlementTime,
      log: app.log,
    })
  : null;

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, "shutting down");
  scheduler?.stop();
  await app.close();
  await db.close();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

const address = await app.listen({ port: settings.port, host: settings.host });
const where = settings.databaseUrl ? "PostgreSQL (DATABASE_URL)" : `PGlite at ${settings.dataDir}/pglite`;
const lines = [
  "",
  `  Jifen 积分 ${VERSION} server listening on ${address}`,
  `  database: ${where}; business day time zone: ${settings.timeZone}; SMS: ${settings.sms.provider}`,
  settings.databaseUrl
    ? ""
    : "  embedded database (PGlite): meant for trials and small shops; it may lose recent writes on a power cut. Production: PostgreSQL (DATABASE_URL), see docs/production.md",
  `  API docs: ${address}/docs   health: ${address}/health   ready: ${address}/ready`,
  settings.metrics
    ? `  metrics: ${address}/metrics (${settings.metrics.token ? "Bearer METRICS_TOKEN" : "open: METRICS_OPEN=true"})`
    : "  metrics: off (set METRICS_TOKEN to serve /metrics)",
  `  operator sign-in: POST ${address}/admin/auth/login  username "${settings.adminUsername}"` +
    (settings.adminPasswordIsDefault
      ? `  password "${settings.adminPassword}" (the documented default: set ADMIN_PASSWORD before the first start)`
      : "  password from ADMIN_PASSWORD"),
  seeded.adminCreated ? "  (operator account created now)" : "",
  seeded.productsCreated > 0 ? `  (${seeded.productsCreated} demo products created)` : "",
  settings.sms.provider === "console"
    ? "  SMS: console provider — codes appear in the log and in GET /admin/sms-outbox"
    : "",
  "",
];
process.stdout.write(`${lines.filter((l, i) => l !== "" || i === 0 || i === lines.length - 1).join("\n")}\n`);
