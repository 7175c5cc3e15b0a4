/** `npm start`: opens the database (PGlite under DATA_DIR, or DATABASE_URL), migrates, seeds, listens. */
import { buildApp, loggerOptions } from "./app.ts";
import { DEFAULT_PASSWORD_OPTIONS, verifyPassword } from "./auth/passwords.ts";
import { systemClock } from "./clock/index.ts";
import { openDatabase } from "./db/index.ts";
import { findOperatorByUsername } from "./operators/index.ts";
import { startPaymentFollower } from "./ops/payment-follower.ts";
import { closeAll } from "./ops/shutdown.ts";
import { seed } from "./seed.ts";
import { loadSettings } from "./settings.ts";
import { startSettlementScheduler } from "./settlement/scheduler.ts";
import { createSmsProvider } from "./sms/index.ts";
import { VERSION } from "./version.ts";
import { DEFAULT_LEASE_SETTINGS, WriterLease } from "./writer/index.ts";

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
// Several server processes on one PostgreSQL: the writer's lease makes one of them the writer (issue 14).
const lease =
  settings.databaseUrl && settings.equityWriter
    ? new WriterLease(db, {
        ...DEFAULT_LEASE_SETTINGS,
        ttlMs: settings.writerLease.ttlMs,
        tickMs: Math.min(DEFAULT_LEASE_SETTINGS.tickMs, Math.floor(settings.writerLease.ttlMs / 4)),
        forwardWaitMs: settings.writerLease.forwardWaitMs,
      })
    : null;
const app = await buildApp({
  db,
  backups: settings.backup,
  timeZone: settings.timeZone,
  sms: createSmsProvider(settings.sms),
  logger: loggerOptions(settings.logLevel),
  trustProxy: settings.trustProxy,
  ...(settings.secret ? { secret: settings.secret } : {}),
  ...(settings.webhookSecret ? { webhookSecret: settings.webhookSecret } : {}),
  ...(settings.metrics ? { metrics: settings.metrics } : {}),
  scheduler: () => scheduler,
  equityWriter: settings.equityWriter,
  writerLease: lease,
});

/** Why the server could not listen, in one line (Chinese, then English). */
function listenFailure(error: unknown, port: number, host: string): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === "EADDRINUSE")
    return `无法启动：${host}:${port} 端口已被占用，请停止占用该端口的程序或用 PORT 换一个端口。/ Cannot start: port ${port} on ${host} is already in use; stop what holds it or choose another port with PORT.`;
  if (code === "EACCES")
    return `无法启动：没有权限监听 ${host}:${port}（1024 以下的端口需要特权），请用 PORT 换一个端口。/ Cannot start: no permission to listen on ${host}:${port} (ports below 1024 need privileges); choose another port with PORT.`;
  if (code === "EADDRNOTAVAIL")
    return `无法启动：本机没有地址 ${host}，请检查 HOST。/ Cannot start: ${host} is not an address of this machine; check HOST.`;
  const message = error instanceof Error ? error.message : String(error);
  return `无法启动：监听 ${host}:${port} 失败（${message}）。/ Cannot start: listening on ${host}:${port} failed (${message}).`;
}

/** What shutdown closes, in order: the HTTP app, then the database (a failure is logged, the exit non-zero). */
const closables = [
  { name: "HTTP server", close: () => app.close() },
  { name: "database", close: () => db.close() },
];

let scheduler: ReturnType<typeof startSettlementScheduler> | null = null;
let follower: ReturnType<typeof startPaymentFollower> | null = null;
let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, "shutting down");
  scheduler?.stop();
  follower?.stop();
  const closed = await closeAll(closables, app.log);
  process.exit(closed ? 0 : 1);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

let address: string;
try {
  address = await app.listen({ port: settings.port, host: settings.host });
} catch (error) {
  // One clear line instead of a stack (the port taken is the usual case), then a non-zero exit.
  process.stderr.write(`${listenFailure(error, settings.port, settings.host)}\n`);
  await closeAll(closables, app.log);
  process.exit(1);
}

// The writer's lease once the others can reach this process (WRITER_URL, or the address it listens on).
await lease?.start(
  settings.writerLease.url ?? address.replace(/\/\/(0\.0\.0\.0|\[::\])(?=:)/, "//127.0.0.1"),
  app.log,
);

// The daily settlement at SETTLEMENT_TIME (default 00:05) of the business time zone; catches up at start
// (once the server listens: a server that cannot start settles nothing).
scheduler = settings.settlementTime
  ? startSettlementScheduler({
      db,
      clock: systemClock,
      timeZone: settings.timeZone,
      at: settings.settlementTime,
      log: app.log,
    })
  : null;

// Payments and refunds whose notification never came, and withdrawal payouts not yet final (issue 13).
follower = startPaymentFollower(
  { ...app.paymentContext, log: app.log },
  {
    everyMs: settings.paymentFollow.everySeconds * 1000,
    afterMs: settings.paymentFollow.afterMinutes * 60_000,
    active: () => lease?.isLeader() ?? true,
  },
);

/** Said at every start on the embedded database: it makes no fsync (docs/production.md, "Durability"). */
const EMBEDDED_DATABASE_WARNING = [
  "  注意：内置数据库（PGlite）仅适合试用和小店；它不强制写盘（无 fsync），断电时可能丢失最近已确认的写入（付款、日结）。正式运营请使用 PostgreSQL（设置 DATABASE_URL），见 docs/production.md。",
  "  Note: the embedded database (PGlite) is for trials and small shops; it makes no fsync, so a power cut may lose the latest acknowledged writes (payments, settlements). Production should use PostgreSQL (set DATABASE_URL), see docs/production.md.",
];
/** True while the operator account still has the public demo password (the banner then shows it). */
async function demoPasswordInUse(): Promise<boolean> {
  if (!settings.adminPasswordIsDefault) return false;
  const operator = await findOperatorByUsername(db, settings.adminUsername);
  return operator !== null && (await verifyPassword(operator.passwordHash, settings.adminPassword));
}

const showDemoPassword = await demoPasswordInUse();
const where = settings.databaseUrl ? "PostgreSQL (DATABASE_URL)" : `PGlite at ${settings.dataDir}/pglite`;
const lines = [
  "",
  `  Jifen 积分 ${VERSION} server listening on ${address}`,
  `  database: ${where}; business day time zone: ${settings.timeZone}; SMS: ${settings.sms.provider}`,
  ...(settings.databaseUrl ? [] : EMBEDDED_DATABASE_WARNING),
  `  admin console 后台: ${address}/admin/   member site 会员商城: ${address}/h5/ (and ${address}/)`,
  `  API docs: ${address}/docs   health: ${address}/health   ready: ${address}/ready`,
  `  backups 备份: ${settings.backup.time ? `daily at ${settings.backup.time} to ${settings.backup.dir} (keep ${settings.backup.keep})` : "no daily backup (BACKUP_TIME=off)"}; now: admin console 数据备份${settings.databaseUrl ? " or `npx jifen backup <file>`" : " (the server holds the embedded database)"}`,
  settings.metrics
    ? `  metrics: ${address}/metrics (${settings.metrics.token ? "Bearer METRICS_TOKEN" : "open: METRICS_OPEN=true"})`
    : "  metrics: off (set METRICS_TOKEN to serve /metrics)",
  `  operator sign-in: ${address}/admin/  username "${settings.adminUsername}"` +
    (showDemoPassword
      ? `  password "${settings.adminPassword}" (the public demo password: the first sign-in must change it; or set ADMIN_PASSWORD before the first start)`
      : settings.adminPasswordIsDefault
        ? "  (the password chosen at the first sign-in)"
        : "  password from ADMIN_PASSWORD"),
  seeded.adminCreated ? "  (operator account created now)" : "",
  seeded.productsCreated > 0 ? `  (${seeded.productsCreated} demo products created)` : "",
  settings.sms.provider === "console"
    ? "  SMS: console provider — codes appear in the log and in the console's 短信记录 page (GET /admin/sms-outbox)"
    : "",
  "",
];
process.stdout.write(`${lines.filter((l, i) => l !== "" || i === 0 || i === lines.length - 1).join("\n")}\n`);
