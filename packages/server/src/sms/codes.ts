/**
 * Verification codes: 6 digits, stored as HMAC-SHA256 with the server secret,
 * valid 5 minutes, 5 tries, at most one send per number per 60 s, 10 per
 * number per 24 h and 20 per client address per hour (all in `SmsLimits`).
 * The limits are checked under an advisory lock per number and per address,
 * so parallel requests cannot slip past them.
 */
import { createHmac, randomInt, timingSafeEqual } from "node:crypto";
import type { Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { maskPhone } from "./mask.ts";
import { type SmsProvider, SmsSendError } from "./types.ts";

/** What a code is for; a code only works for its purpose. */
export type CodePurpose = "register" | "login" | "reset";

/** The limits on codes. */
export interface SmsLimits {
  readonly codeTtlMs: number;
  readonly maxTries: number;
  readonly resendMs: number;
  readonly perNumberPerDay: number;
  readonly perAddressPerHour: number;
}

/** The defaults of the limits. */
export const DEFAULT_SMS_LIMITS: SmsLimits = {
  codeTtlMs: 5 * 60_000,
  maxTries: 5,
  resendMs: 60_000,
  perNumberPerDay: 10,
  perAddressPerHour: 20,
};

/** What sending and checking codes needs. */
export interface CodeDeps {
  readonly provider: SmsProvider;
  readonly secret: string;
  readonly limits: SmsLimits;
}

/** The stored form of a code: HMAC-SHA256(secret, phone:purpose:code), hex. */
export function hashCode(secret: string, phone: string, purpose: CodePurpose, code: string): string {
  return createHmac("sha256", secret).update(`${phone}:${purpose}:${code}`).digest("hex");
}

const PURPOSE_ZH: Record<CodePurpose, string> = { register: "注册", login: "登录", reset: "重置密码" };

/** Why a request for a code is refused although within the limits (the number's account state). */
export type CodeRefusal = "PHONE_TAKEN" | "PHONE_NOT_REGISTERED";

/** The send limits (per number: resend wait and daily count; per address: hourly count), under advisory locks. */
async function checkSendLimits(
  tx: Tx,
  limits: SmsLimits,
  phone: string,
  ip: string,
  now: Date,
): Promise<void> {
  await tx.query("select pg_advisory_xact_lock(hashtext('jifen.sms.phone:' || $1))", [phone]);
  await tx.query("select pg_advisory_xact_lock(hashtext('jifen.sms.ip:' || $1))", [ip]);
  const at = (ms: number) => new Date(now.getTime() - ms).toISOString();
  const counts = await tx.query<{ recent: string; day: string; address: string }>(
    `select
       (select count(*) from sms_codes where phone = $1 and created_at > $2::timestamptz) as recent,
       (select count(*) from sms_codes where phone = $1 and created_at > $3::timestamptz) as day,
       (select count(*) from sms_codes where ip = $4 and created_at > $5::timestamptz) as address`,
    [phone, at(limits.resendMs), at(24 * 3_600_000), ip, at(3_600_000)],
  );
  const row = counts.rows[0];
  if (Number(row?.recent) > 0) fail("SMS_TOO_FREQUENT", { field: "phone" });
  if (Number(row?.day) >= limits.perNumberPerDay) fail("SMS_DAILY_LIMIT", { field: "phone" });
  if (Number(row?.address) >= limits.perAddressPerHour) fail("SMS_IP_LIMIT");
}

/**
 * Sends the code's message and records it in the outbox (the code masked
 * unless the provider keeps content); a failed send is recorded and refused
 * (the rows kept: it still counts against the limits). Returns the text.
 */
async function deliver(
  tx: Tx,
  deps: CodeDeps,
  input: { phone: string; purpose: CodePurpose; code: string; now: Date },
): Promise<string> {
  const { phone, purpose, code, now } = input;
  const { limits } = deps;
  const minutes = String(Math.round(limits.codeTtlMs / 60_000));
  const content = `【积分】您的${PURPOSE_ZH[purpose]}验证码为 ${code}，${minutes} 分钟内有效，请勿告诉他人。`;
  const message = { phone, template: "verification" as const, params: { code, minutes }, content };
  const stored = deps.provider.keepsContent ? content : content.replace(code, "******");
  const outbox = `insert into sms_outbox (provider, phone, template, params, content, status, provider_ref, error, created_at)
     values ($1, $2, 'verification', $3::text::jsonb, $4, $5, $6, $7, $8::timestamptz)`;
  const params = JSON.stringify(deps.provider.keepsContent ? message.params : { minutes });
  try {
    const receipt = await deps.provider.send(message);
    await tx.query(outbox, [
      deps.provider.name,
      phone,
      params,
      stored,
      "sent",
      receipt.providerRef,
      null,
      now.toISOString(),
    ]);
  } catch (error) {
    if (!(error instanceof SmsSendError)) throw error;
    await tx.query(outbox, [
      deps.provider.name,
      phone,
      params,
      stored,
      "failed",
      null,
      error.message,
      now.toISOString(),
    ]);
    // Keep the code row and the failed outbox row: a failed send still counts against the limits.
    fail("SMS_SEND_FAILED", {
      keepWrites: true,
      detail: { zh: `${error.providerCode}（${maskPhone(phone)}）`, en: error.providerCode },
    });
  }
  return content;
}

/**
 * Sends a new code to `phone` (the latest code replaces earlier ones); returns
 * when it expires. The send limits are applied first; then `refusal` (the
 * number is taken / not registered) may refuse the request, which still counts
 * against the limits (a row without a code), so numbers cannot be enumerated
 * faster than codes can be requested.
 */
export async function sendCode(
  tx: Tx,
  deps: CodeDeps,
  input: {
    phone: string;
    purpose: CodePurpose;
    ip: string;
    now: Date;
    refusal?: () => Promise<CodeRefusal | null>;
  },
): Promise<{ expiresAt: Date; content: string | null }> {
  const { phone, purpose, ip, now } = input;
  const { limits } = deps;
  await checkSendLimits(tx, limits, phone, ip, now);

  const refusal = input.refusal ? await input.refusal() : null;
  if (refusal !== null) {
    await tx.query(
      `insert into sms_codes (phone, purpose, code_hash, refusal, ip, created_at, expires_at)
       values ($1, $2, null, $3, $4, $5::timestamptz, $5::timestamptz)`,
      [phone, purpose, refusal, ip, now.toISOString()],
    );
    fail(refusal, { field: "phone", keepWrites: true });
  }

  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const expiresAt = new Date(now.getTime() + limits.codeTtlMs);
  await tx.query(
    `insert into sms_codes (phone, purpose, code_hash, ip, created_at, expires_at)
     values ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz)`,
    [
      phone,
      purpose,
      hashCode(deps.secret, phone, purpose, code),
      ip,
      now.toISOString(),
      expiresAt.toISOString(),
    ],
  );
  const content = await deliver(tx, deps, { phone, purpose, code, now });
  // The console provider is a development aid: its text (with the code) may be logged.
  return { expiresAt, content: deps.provider.keepsContent ? content : null };
}

/**
 * Checks `code` against the latest code sent to `phone` for `purpose` and uses
 * it up. A wrong code counts a try, kept even though the request fails.
 */
export async function checkCode(
  tx: Tx,
  deps: CodeDeps,
  input: { phone: string; purpose: CodePurpose; code: string; now: Date },
): Promise<void> {
  const { phone, purpose, code, now } = input;
  const rows = await tx.query<{
    id: string;
    code_hash: string;
    expires_at: Date;
    attempts: number;
    consumed_at: Date | null;
  }>(
    `select id, code_hash, expires_at, attempts, consumed_at from sms_codes
     where phone = $1 and purpose = $2 and refusal is null order by id desc limit 1 for update`,
    [phone, purpose],
  );
  const row = rows.rows[0];
  if (!row || row.consumed_at !== null || row.expires_at.getTime() <= now.getTime()) {
    fail("SMS_CODE_EXPIRED", { field: "code" });
  }
  if (row.attempts >= deps.limits.maxTries) fail("SMS_CODE_TOO_MANY_TRIES", { field: "code" });
  const expected = Buffer.from(row.code_hash, "hex");
  const given = Buffer.from(hashCode(deps.secret, phone, purpose, code), "hex");
  if (!timingSafeEqual(expected, given)) {
    await tx.query("update sms_codes set attempts = attempts + 1 where id = $1", [row.id]);
    const left = deps.limits.maxTries - row.attempts - 1;
    fail(left > 0 ? "SMS_CODE_INVALID" : "SMS_CODE_TOO_MANY_TRIES", {
      field: "code",
      keepWrites: true,
      ...(left > 0 ? { detail: { zh: `还可尝试 ${left} 次`, en: `${left} tries left` } } : {}),
    });
  }
  await tx.query("update sms_codes set consumed_at = $2::timestamptz where id = $1", [
    row.id,
    now.toISOString(),
  ]);
}
