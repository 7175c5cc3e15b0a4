/** A test server: a fresh database, a manual clock, cheap password hashing, console SMS. */
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { type BuildAppOptions, buildApp } from "../../src/app.ts";
import { ManualClock } from "../../src/clock/index.ts";
import type { Db } from "../../src/db/index.ts";
import type { App } from "../../src/http/context.ts";
import { seed } from "../../src/seed.ts";
import { signWebhook } from "../../src/shop/index.ts";
import type { DbTarget, TestDb } from "./db.ts";

/** Argon2id at its smallest cost: tests hash hundreds of passwords. */
export const CHEAP_PASSWORDS = { memoryCost: 8, timeCost: 1 };

export const ADMIN = { username: "admin", password: "admin-password-1" };

/** A running test server. */
export interface TestApp {
  readonly app: App;
  readonly db: Db;
  readonly clock: ManualClock;
  cleanup(): Promise<void>;
}

/** Opens a database on `target`, seeds the admin and demo products, builds the app. */
export async function openTestApp(
  target: DbTarget,
  options: Partial<BuildAppOptions> = {},
): Promise<TestApp> {
  const testDb: TestDb = await target.open();
  const clock = new ManualClock("2026-01-05T02:00:00.000Z");
  await seed(testDb.db, {
    adminUsername: ADMIN.username,
    adminPassword: ADMIN.password,
    passwords: CHEAP_PASSWORDS,
    products: true,
    now: clock.now(),
  });
  const app = await buildApp({
    db: testDb.db,
    clock,
    secret: "test-secret-0123456789",
    passwords: CHEAP_PASSWORDS,
    smsLimits: { perAddressPerHour: 10_000 },
    webhookSecret: "webhook-secret",
    ...options,
  });
  return {
    app,
    db: testDb.db,
    clock,
    async cleanup() {
      await app.close();
      await testDb.cleanup();
    },
  };
}

/** Request options: a bearer token and/or an Idempotency-Key besides Fastify's own. */
export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  readonly key?: string;
  readonly headers?: Record<string, string>;
  /** The client address the server sees (default 127.0.0.1). */
  readonly remoteAddress?: string;
}

/** One request through `inject()`; the JSON body is parsed into `json`. */
export async function call(
  t: TestApp,
  method: InjectOptions["method"],
  url: string,
  options: CallOptions = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read response fields one by one
): Promise<LightMyRequestResponse & { body: string; data: any }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.key) headers["idempotency-key"] = options.key;
  const response = await t.app.inject({
    method,
    url,
    headers,
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
    ...(options.body !== undefined ? { payload: options.body as object } : {}),
  });
  const text = response.body;
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  return Object.assign(response, { data });
}

/** The code of the latest console SMS to `phone`. */
export async function latestCode(t: TestApp, phone: string): Promise<string> {
  const rows = await t.db.query<{ content: string }>(
    "select content from sms_outbox where phone = $1 order by id desc limit 1",
    [phone],
  );
  const match = /(\d{6})/.exec(rows.rows[0]?.content ?? "");
  if (!match?.[1]) throw new Error(`no code sent to ${phone}`);
  return match[1];
}

/** Sends a code and moves the clock past the resend wait, returning the code. */
export async function sendCode(
  t: TestApp,
  phone: string,
  purpose: "register" | "login" | "reset",
): Promise<string> {
  const sent = await call(t, "POST", "/auth/sms-codes", { body: { phone, purpose } });
  if (sent.statusCode !== 200) throw new Error(`sms-codes ${sent.statusCode}: ${sent.body}`);
  const code = await latestCode(t, phone);
  t.clock.advance(61_000);
  return code;
}

/** Registers a member (optionally under an invite code) and returns its token and profile. */
export async function register(
  t: TestApp,
  phone: string,
  inviteCode?: string,
): Promise<{ token: string; id: string; inviteCode: string }> {
  const code = await sendCode(t, phone, "register");
  // Like the member site: the versions of the agreements in force, read and accepted.
  const [terms, privacy] = await Promise.all(
    ["terms", "privacy"].map(async (kind) =>
      String((await call(t, "GET", `/agreements/${kind}`)).data.version),
    ),
  );
  const response = await call(t, "POST", "/auth/register", {
    body: {
      phone,
      code,
      password: "member-pass-1",
      agreements: { terms, privacy },
      ...(inviteCode ? { inviteCode } : {}),
    },
  });
  if (response.statusCode !== 201) throw new Error(`register ${response.statusCode}: ${response.body}`);
  return {
    token: response.data.token,
    id: response.data.member.id,
    inviteCode: response.data.member.inviteCode,
  };
}

/** Signs in an operator and returns the token. */
export async function operatorToken(
  t: TestApp,
  username = ADMIN.username,
  password = ADMIN.password,
): Promise<string> {
  const response = await call(t, "POST", "/admin/auth/login", { body: { username, password } });
  if (response.statusCode !== 200) throw new Error(`operator login ${response.statusCode}: ${response.body}`);
  return response.data.token;
}

/** Creates an operator with `role` (as the admin) and returns its token. */
export async function operatorWithRole(t: TestApp, role: "admin" | "finance" | "support"): Promise<string> {
  const admin = await operatorToken(t);
  const username = `${role}-${Math.random().toString(36).slice(2, 8)}`;
  const created = await call(t, "POST", "/admin/operators", {
    token: admin,
    body: { username, displayName: role, role, password: "operator-pass-1" },
  });
  if (created.statusCode !== 201) throw new Error(`create operator ${created.statusCode}: ${created.body}`);
  return operatorToken(t, username, "operator-pass-1");
}

/** Counts the rows of a table. */
export async function count(t: TestApp, table: string, where = "true"): Promise<number> {
  const rows = await t.db.query<{ n: string }>(`select count(*) as n from ${table} where ${where}`);
  return Number(rows.rows[0]?.n ?? 0);
}

/** Gives a member cash, points or stable points through an admin adjustment. */
export async function credit(
  t: TestApp,
  memberId: string,
  wallet: "cash" | "points" | "stable",
  amount: string,
): Promise<void> {
  const admin = await operatorToken(t);
  const response = await call(t, "POST", `/admin/members/${memberId}/adjustments`, {
    token: admin,
    body: { wallet, amount, reason: "test funding" },
  });
  if (response.statusCode !== 201) throw new Error(`adjust ${response.statusCode}: ${response.body}`);
}

/** Checks every balance row equals the sum of its postings and the ledger sums to zero per asset (the auditor). */
export async function auditLedger(t: TestApp): Promise<void> {
  const mismatch = await t.db.query<{ account: string; asset: string }>(
    `select coalesce(b.account, p.account) as account, coalesce(b.asset, p.asset) as asset
     from balances b
     full join (select account, asset, sum(amount) as total from ledger_postings group by account, asset) p
       on p.account = b.account and p.asset = b.asset
     where coalesce(b.amount, 0) <> coalesce(p.total, 0)`,
  );
  if (mismatch.rows.length > 0)
    throw new Error(`balances differ from postings: ${JSON.stringify(mismatch.rows)}`);
  const unbalanced = await t.db.query<{ transaction_id: string }>(
    "select transaction_id from ledger_postings group by transaction_id, asset having sum(amount) <> 0",
  );
  if (unbalanced.rows.length > 0)
    throw new Error(`unbalanced transactions: ${JSON.stringify(unbalanced.rows)}`);
}

/** A payment webhook delivery signed with the test app's secret, its JSON answer as `data`. */
export async function webhook(t: TestApp, body: object) {
  const raw = JSON.stringify(body);
  const response = await t.app.inject({
    method: "POST",
    url: "/webhooks/payments",
    headers: { "content-type": "application/json", "x-jifen-signature": signWebhook("webhook-secret", raw) },
    payload: raw,
  });
  return Object.assign(response, { data: JSON.parse(response.body) });
}
