/**
 * Members' accounts at the providers: the WeChat openid under the shop's
 * appid (JSAPI payments come from it, payouts go to it) and the Alipay
 * account (payouts). Set by the member (the member site, PUT
 * /me/payment-accounts/{provider}) or by the site after WeChat's OAuth.
 */
import type { Queryable } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import type { ProviderName } from "./types.ts";

/** A member's account at a provider. */
export interface MemberPaymentAccount {
  readonly provider: ProviderName;
  readonly account: string;
  /** The real name on the account, when the provider checks it (Alipay transfers). */
  readonly accountName: string | null;
  readonly updatedAt: Date;
}

const ACCOUNT_RE = /^[\x21-\x7e]{1,128}$/;

/** Stores (or replaces) `memberId`'s account at `provider`. */
export async function setMemberAccount(
  q: Queryable,
  input: { memberId: string; provider: ProviderName; account: string; accountName: string | null; now: Date },
): Promise<MemberPaymentAccount> {
  if (!ACCOUNT_RE.test(input.account)) fail("PAYMENT_ACCOUNT_INVALID", { field: "account" });
  await q.query(
    `insert into member_payment_accounts (member_id, provider, account, account_name, updated_at)
     values ($1::bigint, $2, $3, $4, $5::timestamptz)
     on conflict (member_id, provider) do update
       set account = excluded.account, account_name = excluded.account_name, updated_at = excluded.updated_at`,
    [input.memberId, input.provider, input.account, input.accountName, input.now.toISOString()],
  );
  return {
    provider: input.provider,
    account: input.account,
    accountName: input.accountName,
    updatedAt: input.now,
  };
}

/** `memberId`'s account at `provider`, or null. */
export async function findMemberAccount(
  q: Queryable,
  memberId: string,
  provider: ProviderName,
): Promise<MemberPaymentAccount | null> {
  const rows = await q.query<{ account: string; account_name: string | null; updated_at: Date }>(
    "select account, account_name, updated_at from member_payment_accounts where member_id = $1::bigint and provider = $2",
    [memberId, provider],
  );
  const row = rows.rows[0];
  return row
    ? { provider, account: row.account, accountName: row.account_name, updatedAt: row.updated_at }
    : null;
}

/** All of `memberId`'s accounts. */
export async function memberAccounts(q: Queryable, memberId: string): Promise<MemberPaymentAccount[]> {
  const rows = await q.query<{
    provider: ProviderName;
    account: string;
    account_name: string | null;
    updated_at: Date;
  }>(
    "select provider, account, account_name, updated_at from member_payment_accounts where member_id = $1::bigint order by provider",
    [memberId],
  );
  return rows.rows.map((r) => ({
    provider: r.provider,
    account: r.account,
    accountName: r.account_name,
    updatedAt: r.updated_at,
  }));
}
