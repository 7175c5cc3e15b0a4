/**
 * The server's settings, read from the environment once at start.
 * Every variable, its default and its meaning is listed in docs/server.md.
 */
import { isAbsolute, resolve } from "node:path";
import { isTimeZone } from "./clock/index.ts";
import type { SmsSettings } from "./sms/index.ts";

/** Everything `main.ts` needs to start. */
export interface Settings {
  readonly port: number;
  readonly host: string;
  /** Absolute directory of the embedded database and other local files. */
  readonly dataDir: string;
  /** PostgreSQL URL; the embedded PGlite database under `dataDir` when absent. */
  readonly databaseUrl: string | undefined;
  /** Time zone of the business day. */
  readonly timeZone: string;
  readonly sms: SmsSettings;
  /** Secret for code hashes; generated once and kept in the database when absent. */
  readonly secret: string | undefined;
  /** Shared secret of the payment webhook; the webhook answers 503 when absent. */
  readonly webhookSecret: string | undefined;
  /** The demo operator created on a fresh database. */
  readonly adminUsername: string;
  readonly adminPassword: string;
  /** True when ADMIN_PASSWORD was not set and the documented default is used. */
  readonly adminPasswordIsDefault: boolean;
  readonly logLevel: string;
  /** Read the client address from X-Forwarded-For (behind a reverse proxy): the SMS limits count per address. */
  readonly trustProxy: boolean;
  /** Seed demo products on a fresh database. */
  readonly seedDemo: boolean;
  /** Local time (HH:MM, business time zone) of the daily settlement; null: no scheduled settlement. */
  readonly settlementTime: string | null;
  /** The server's own backups: directory, daily time (HH:MM, business time zone; null: none), how many kept. */
  readonly backup: { readonly dir: string; readonly time: string | null; readonly keep: number };
  /**
   * GET /metrics: null = off (the default); `{ token }` = Bearer METRICS_TOKEN required;
   * `{ token: null }` = open (METRICS_OPEN=true, for a scraper on a private network).
   */
  readonly metrics: { readonly token: string | null; readonly liabilitiesMaxAgeSeconds: number } | null;
  /** The payment follower: every `everySeconds`, payments pending over `afterMinutes` are queried. */
  readonly paymentFollow: { readonly everySeconds: number; readonly afterMinutes: number };
  /**
   * The equity writer (issue 14): member equity commands in batches (EQUITY_WRITER=batched, the
   * default; WRITER_BATCH_MS, WRITER_BATCH_MAX), or null: one transaction per command (serial).
   */
  readonly equityWriter: { readonly windowMs: number; readonly maxBatch: number } | null;
  /**
   * The writer's lease among several server processes on one PostgreSQL (writer/lease.ts):
   * WRITER_LEASE_MS (how long a silent holder keeps it), WRITER_FORWARD_WAIT_MS (how long a
   * command waits for a writer to answer), WRITER_URL (where the other processes reach this one;
   * default the address it listens on, 0.0.0.0 read as 127.0.0.1).
   */
  readonly writerLease: {
    readonly ttlMs: number;
    readonly forwardWaitMs: number;
    readonly url: string | null;
  };
}

/** The documented default password of the demo operator (change it: ADMIN_PASSWORD). */
export const DEFAULT_ADMIN_PASSWORD = "jifen-admin-123";

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} must be set when SMS_PROVIDER is ${env.SMS_PROVIDER}`);
  return value;
}

function smsSettings(env: Env): SmsSettings {
  const provider = env.SMS_PROVIDER ?? "console";
  switch (provider) {
    case "console":
      return { provider };
    case "aliyun":
      return {
        provider,
        aliyun: {
          accessKeyId: required(env, "ALIYUN_SMS_ACCESS_KEY_ID"),
          accessKeySecret: required(env, "ALIYUN_SMS_ACCESS_KEY_SECRET"),
          signName: required(env, "ALIYUN_SMS_SIGN_NAME"),
          templateCode: required(env, "ALIYUN_SMS_TEMPLATE_CODE"),
          ...(env.ALIYUN_SMS_ENDPOINT ? { endpoint: env.ALIYUN_SMS_ENDPOINT } : {}),
          ...(env.ALIYUN_SMS_REGION ? { regionId: env.ALIYUN_SMS_REGION } : {}),
        },
      };
    case "tencent":
      return {
        provider,
        tencent: {
          secretId: required(env, "TENCENT_SMS_SECRET_ID"),
          secretKey: required(env, "TENCENT_SMS_SECRET_KEY"),
          sdkAppId: required(env, "TENCENT_SMS_SDK_APP_ID"),
          signName: required(env, "TENCENT_SMS_SIGN_NAME"),
          templateId: required(env, "TENCENT_SMS_TEMPLATE_ID"),
          ...(env.TENCENT_SMS_ENDPOINT ? { endpoint: env.TENCENT_SMS_ENDPOINT } : {}),
          ...(env.TENCENT_SMS_REGION ? { region: env.TENCENT_SMS_REGION } : {}),
        },
      };
    default:
      throw new Error(`SMS_PROVIDER must be console, aliyun or tencent, not ${JSON.stringify(provider)}`);
  }
}

/** BACKUP_DIR (default DATA_DIR/backups), BACKUP_TIME (HH:MM or off, default 03:30), BACKUP_KEEP (default 7). */
function backupSettings(env: Env, dataDir: string, cwd: string): Settings["backup"] {
  const time = env.BACKUP_TIME === "off" ? null : (env.BACKUP_TIME ?? "03:30");
  if (time !== null && !/^([01]?\d|2[0-3]):[0-5]\d$/.test(time))
    throw new Error(`BACKUP_TIME must be HH:MM (24 h) or off, not ${JSON.stringify(time)}`);
  const keep = Number(env.BACKUP_KEEP ?? "7");
  if (!Number.isInteger(keep) || keep < 1 || keep > 1000)
    throw new Error(`BACKUP_KEEP must be a whole number 1…1000, not ${JSON.stringify(env.BACKUP_KEEP)}`);
  const dir = env.BACKUP_DIR
    ? isAbsolute(env.BACKUP_DIR)
      ? env.BACKUP_DIR
      : resolve(cwd, env.BACKUP_DIR)
    : `${dataDir}/backups`;
  return { dir, time, keep };
}

/** EQUITY_WRITER (batched | serial), WRITER_BATCH_MS (1…1000), WRITER_BATCH_MAX (1…10000). */
function writerSettings(env: Env): Settings["equityWriter"] {
  const mode = env.EQUITY_WRITER ?? "batched";
  if (mode !== "batched" && mode !== "serial")
    throw new Error(`EQUITY_WRITER must be batched or serial, not ${JSON.stringify(env.EQUITY_WRITER)}`);
  const windowMs = Number(env.WRITER_BATCH_MS ?? "2");
  if (!Number.isInteger(windowMs) || windowMs < 1 || windowMs > 1000)
    throw new Error(
      `WRITER_BATCH_MS must be a whole number 1…1000, not ${JSON.stringify(env.WRITER_BATCH_MS)}`,
    );
  const maxBatch = Number(env.WRITER_BATCH_MAX ?? "200");
  if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > 10_000)
    throw new Error(
      `WRITER_BATCH_MAX must be a whole number 1…10000, not ${JSON.stringify(env.WRITER_BATCH_MAX)}`,
    );
  return mode === "serial" ? null : { windowMs, maxBatch };
}

/** WRITER_LEASE_MS (1000…600000, default 5000), WRITER_FORWARD_WAIT_MS (default 3 × the lease), WRITER_URL. */
function leaseSettings(env: Env): Settings["writerLease"] {
  const ttlMs = Number(env.WRITER_LEASE_MS ?? "5000");
  if (!Number.isInteger(ttlMs) || ttlMs < 1000 || ttlMs > 600_000)
    throw new Error(
      `WRITER_LEASE_MS must be a whole number 1000…600000, not ${JSON.stringify(env.WRITER_LEASE_MS)}`,
    );
  const forwardWaitMs = Number(env.WRITER_FORWARD_WAIT_MS ?? String(3 * ttlMs));
  if (!Number.isInteger(forwardWaitMs) || forwardWaitMs < 100 || forwardWaitMs > 600_000)
    throw new Error(
      `WRITER_FORWARD_WAIT_MS must be a whole number 100…600000, not ${JSON.stringify(env.WRITER_FORWARD_WAIT_MS)}`,
    );
  const url = env.WRITER_URL ?? null;
  if (url !== null && !/^https?:\/\/[^/\s]+\/?$/.test(url))
    throw new Error(`WRITER_URL must be http(s)://host:port, not ${JSON.stringify(url)}`);
  return { ttlMs, forwardWaitMs, url };
}

/**
 * Reads the settings from `env`. A relative DATA_DIR is taken from the
 * directory the user ran `npm start` in (INIT_CWD), not the package folder.
 */
export function loadSettings(env: Env = process.env, cwd: string = env.INIT_CWD ?? process.cwd()): Settings {
  const port = Number(env.PORT ?? "3000");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT is not a port: ${env.PORT}`);
  const timeZone = env.BUSINESS_TZ ?? env.TZ ?? "Asia/Shanghai";
  if (!isTimeZone(timeZone))
    throw new Error(`unknown time zone ${JSON.stringify(timeZone)} (BUSINESS_TZ / TZ)`);
  const dataDirRaw = env.DATA_DIR ?? "./data";
  const secret = env.JIFEN_SECRET;
  if (secret !== undefined && secret.length < 16)
    throw new Error("JIFEN_SECRET needs at least 16 characters");
  const metricsToken = env.METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && metricsToken.length < 16)
    throw new Error("METRICS_TOKEN needs at least 16 characters");
  const liabilitiesMaxAgeSeconds = Number(env.METRICS_LIABILITIES_SECONDS ?? "300");
  if (!Number.isInteger(liabilitiesMaxAgeSeconds) || liabilitiesMaxAgeSeconds < 0)
    throw new Error(
      `METRICS_LIABILITIES_SECONDS is not a whole number of seconds: ${env.METRICS_LIABILITIES_SECONDS}`,
    );
  if (env.METRICS_OPEN !== undefined && env.METRICS_OPEN !== "true" && env.METRICS_OPEN !== "false")
    throw new Error(`METRICS_OPEN must be true or false, not ${JSON.stringify(env.METRICS_OPEN)}`);
  const everySeconds = Number(env.PAYMENT_FOLLOW_SECONDS ?? "60");
  const afterMinutes = Number(env.PAYMENT_QUERY_AFTER_MINUTES ?? "5");
  if (!Number.isInteger(everySeconds) || everySeconds < 1)
    throw new Error(`PAYMENT_FOLLOW_SECONDS is not a whole number of seconds: ${env.PAYMENT_FOLLOW_SECONDS}`);
  if (!Number.isInteger(afterMinutes) || afterMinutes < 0)
    throw new Error(
      `PAYMENT_QUERY_AFTER_MINUTES is not a whole number of minutes: ${env.PAYMENT_QUERY_AFTER_MINUTES}`,
    );
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw);
  return {
    paymentFollow: { everySeconds, afterMinutes },
    equityWriter: writerSettings(env),
    writerLease: leaseSettings(env),
    port,
    host: env.HOST ?? "127.0.0.1",
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    timeZone,
    sms: smsSettings(env),
    secret,
    webhookSecret: env.PAYMENT_WEBHOOK_SECRET || undefined,
    adminUsername: env.ADMIN_USERNAME ?? "admin",
    adminPassword: env.ADMIN_PASSWORD ?? DEFAULT_ADMIN_PASSWORD,
    adminPasswordIsDefault: env.ADMIN_PASSWORD === undefined,
    logLevel: env.LOG_LEVEL ?? "info",
    trustProxy: env.TRUST_PROXY === "true",
    seedDemo: env.SEED_DEMO !== "false",
    settlementTime: env.SETTLEMENT_TIME === "off" ? null : (env.SETTLEMENT_TIME ?? "00:05"),
    backup: backupSettings(env, dataDir, cwd),
    metrics: metricsToken
      ? { token: metricsToken, liabilitiesMaxAgeSeconds }
      : env.METRICS_OPEN === "true"
        ? { token: null, liabilitiesMaxAgeSeconds }
        : null,
  };
}
