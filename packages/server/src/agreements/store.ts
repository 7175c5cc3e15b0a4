/**
 * The member terms and the privacy policy: each publication a new version
 * (insert only), the built-in text as version 1 until the first one (then 2), and the
 * versions a member accepted when registering.
 */
import type { Queryable } from "../db/index.ts";
import { AGREEMENT_KINDS, type AgreementKind, BUILT_IN_VERSION, DEFAULT_AGREEMENTS } from "./defaults.ts";

export { AGREEMENT_KINDS, type AgreementKind };

/** One version of an agreement; version 1 is the built-in text (publishedAt null). */
export interface Agreement {
  readonly kind: AgreementKind;
  readonly version: number;
  readonly title: string;
  readonly body: string;
  readonly publishedAt: Date | null;
  readonly operatorId: string | null;
}

interface AgreementRow {
  kind: AgreementKind;
  version: number;
  title: string;
  body: string;
  published_at: Date;
  operator_id: string | null;
}

/** The version in force of `kind`: the last published, or the built-in text (version 1). */
export async function currentAgreement(q: Queryable, kind: AgreementKind): Promise<Agreement> {
  const rows = await q.query<AgreementRow>(
    `select kind, version, title, body, published_at, operator_id::text as operator_id
     from agreements where kind = $1 order by version desc limit 1`,
    [kind],
  );
  const row = rows.rows[0];
  if (!row)
    return {
      kind,
      version: BUILT_IN_VERSION,
      ...DEFAULT_AGREEMENTS[kind],
      publishedAt: null,
      operatorId: null,
    };
  return {
    kind,
    version: row.version,
    title: row.title,
    body: row.body,
    publishedAt: row.published_at,
    operatorId: row.operator_id,
  };
}

/** Publishes a new version of `kind` (the one in force + 1), in the caller's transaction. */
export async function publishAgreement(
  q: Queryable,
  input: { kind: AgreementKind; title: string; body: string; operatorId: string; now: Date },
): Promise<Agreement> {
  // One publication at a time: the next number is read and written under the lock.
  await q.query("lock table agreements in share row exclusive mode");
  const rows = await q.query<{ version: number }>(
    `insert into agreements (kind, version, title, body, operator_id, published_at)
     select $1, coalesce(max(version), $6) + 1, $2, $3, $4, $5 from agreements where kind = $1
     returning version`,
    [input.kind, input.title, input.body, input.operatorId, input.now, BUILT_IN_VERSION],
  );
  const version = rows.rows[0]?.version ?? 0;
  return {
    kind: input.kind,
    version,
    title: input.title,
    body: input.body,
    publishedAt: input.now,
    operatorId: input.operatorId,
  };
}

/** Records that a member accepted these versions (one row per agreement). */
export async function recordConsents(
  q: Queryable,
  memberId: string,
  versions: Readonly<Record<AgreementKind, number>>,
  now: Date,
): Promise<void> {
  for (const kind of AGREEMENT_KINDS) {
    await q.query(
      `insert into member_consents (member_id, kind, version, accepted_at) values ($1, $2, $3, $4)
       on conflict do nothing`,
      [memberId, kind, versions[kind], now],
    );
  }
}

/** How many members accepted version `version` of `kind`. */
export async function consentCount(q: Queryable, kind: AgreementKind, version: number): Promise<number> {
  const rows = await q.query<{ n: string }>(
    "select count(*)::text as n from member_consents where kind = $1 and version = $2",
    [kind, version],
  );
  return Number(rows.rows[0]?.n ?? "0");
}

/** The versions a member accepted, oldest first (none when the member registered without the member site). */
export async function memberConsents(
  q: Queryable,
  memberId: string,
): Promise<{ kind: AgreementKind; version: number; acceptedAt: Date }[]> {
  const rows = await q.query<{ kind: AgreementKind; version: number; accepted_at: Date }>(
    `select kind, version, accepted_at from member_consents where member_id = $1
     order by accepted_at, kind desc`,
    [memberId],
  );
  return rows.rows.map((r) => ({ kind: r.kind, version: r.version, acceptedAt: r.accepted_at }));
}

/** The agreements in force that a member has not accepted (a newer version published since, or none recorded). */
export async function pendingAgreements(q: Queryable, memberId: string): Promise<Agreement[]> {
  const accepted = await memberConsents(q, memberId);
  const pending: Agreement[] = [];
  for (const kind of AGREEMENT_KINDS) {
    const current = await currentAgreement(q, kind);
    if (!accepted.some((c) => c.kind === kind && c.version === current.version)) pending.push(current);
  }
  return pending;
}
