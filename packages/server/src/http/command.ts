/**
 * Every mutating request runs as one command: one transaction that first
 * claims the request's Idempotency-Key (if it sent one), then does the work,
 * then stores the answer under the key — all or nothing. A repeat with the
 * same key and the same request gets the stored answer; the same key with a
 * different request is IDEMPOTENCY_KEY_REUSED. On PostgreSQL a concurrent
 * repeat waits on the key row until the first commits, then replays it.
 * Failed requests store nothing, so a failed request can be retried.
 */
import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { isRetryableConflict, type Tx } from "../db/index.ts";
import { AppError, type AppErrorCode, fail } from "../errors/index.ts";
import { viaWriter } from "../writer/index.ts";
import type { AppContext } from "./context.ts";

const KEY_RE = /^[\x21-\x7e]{1,128}$/;
const MAX_ATTEMPTS = 3;

/** JSON with object keys sorted, so equal requests hash equally. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** The hash that tells two requests under one key apart: method, URL and body. */
export function requestHash(request: FastifyRequest): string {
  return createHash("sha256")
    .update(canonicalJson([request.method, request.url, request.body ?? null]))
    .digest("hex");
}

/** Who the key belongs to: keys are unique per member, per operator, or among anonymous callers. */
function scopeOf(request: FastifyRequest): string {
  if (request.member) return `member:${request.member.id}`;
  if (request.operator) return `operator:${request.operator.id}`;
  return "anonymous";
}

/**
 * A key the route derives itself instead of the Idempotency-Key header (the
 * payment webhook keys each delivery by its event and external order id):
 * an identical repeat replays the answer, a different request under the
 * same key is `reused` (with `field`).
 */
export interface DerivedKey {
  readonly scope: string;
  readonly key: string;
  readonly reused: AppErrorCode;
  readonly field: string;
}

type Outcome<T> =
  | { kind: "done"; body: T }
  | { kind: "replay"; status: number; body: unknown }
  | { kind: "failed"; error: AppError };

/**
 * Runs `work` as a command for `request` and answers with its result and
 * `status` (or the stored answer of an earlier identical request).
 */
export async function command<T>(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  work: (tx: Tx) => Promise<T>,
  status = 200,
  derived?: DerivedKey,
  options: CommandOptions = {},
): Promise<T> {
  const rawKey = request.headers["idempotency-key"];
  const headerKey = Array.isArray(rawKey) ? rawKey[0] : rawKey;
  if (derived === undefined && headerKey !== undefined && !KEY_RE.test(headerKey))
    fail("IDEMPOTENCY_KEY_INVALID", { field: "Idempotency-Key" });
  const reused: () => never = () =>
    derived
      ? fail(derived.reused, { field: derived.field })
      : fail("IDEMPOTENCY_KEY_REUSED", { field: "Idempotency-Key" });
  return run(
    ctx,
    request,
    reply,
    work,
    status,
    {
      key: derived?.key ?? headerKey,
      scope: derived?.scope ?? scopeOf(request),
      reused,
    },
    options,
  );
}

/** How a command runs besides its work. */
export interface CommandOptions {
  /**
   * Through the shop's equity writer when it is on (issue 14: a payment
   * confirmation or a refund, which moves the equity pool when the order is in
   * the equity plan): the same transaction body, run in arrival order inside a
   * writer batch and answered once the batch is committed.
   */
  readonly viaWriter?: boolean;
}

/**
 * The idempotency claim of a command that another runner (the equity writer,
 * issue 14) stores: the header key (checked), its scope, the request's hash,
 * and the refusal of a different request under the same key.
 */
export function commandClaim(request: FastifyRequest): {
  readonly scope: string;
  readonly key: string | undefined;
  readonly hash: string;
  readonly reused: () => never;
} {
  const rawKey = request.headers["idempotency-key"];
  const key = Array.isArray(rawKey) ? rawKey[0] : rawKey;
  if (key !== undefined && !KEY_RE.test(key)) fail("IDEMPOTENCY_KEY_INVALID", { field: "Idempotency-Key" });
  return {
    scope: scopeOf(request),
    key,
    hash: key === undefined ? "" : requestHash(request),
    reused: () => fail("IDEMPOTENCY_KEY_REUSED", { field: "Idempotency-Key" }),
  };
}

/**
 * Runs `work` as one transaction like `command`, for a request whose body or
 * answer carries a credential (a password, a new session token): nothing of it
 * may be kept, so an `Idempotency-Key` is ignored — no answer is stored and
 * none is replayed; a repeat is a new request (a used SMS code is refused, a
 * registered phone is taken, a password is checked again).
 */
export async function credentialCommand<T>(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  work: (tx: Tx) => Promise<T>,
  status = 200,
): Promise<T> {
  return run(ctx, request, reply, work, status, undefined);
}

/** The key a command is stored under, its scope, and how a different request under it is refused. */
interface Claim {
  readonly key: string | undefined;
  readonly scope: string;
  readonly reused: () => never;
}

async function run<T>(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  work: (tx: Tx) => Promise<T>,
  status: number,
  claim: Claim | undefined,
  options: CommandOptions = {},
): Promise<T> {
  const key = claim?.key;
  const scope = claim?.scope ?? "";
  const reused: () => never =
    claim?.reused ?? (() => fail("IDEMPOTENCY_KEY_REUSED", { field: "Idempotency-Key" }));
  const hash = key === undefined ? "" : requestHash(request);
  const now = ctx.clock.now();

  const body = async (tx: Tx): Promise<Outcome<T>> => {
    let claimId: string | undefined;
    if (key !== undefined) {
      const claimed = await tx.query<{ id: string }>(
        `insert into idempotency_keys (scope, key, request_hash, created_at) values ($1, $2, $3, $4::timestamptz)
           on conflict (scope, key) do nothing returning id`,
        [scope, key, hash, now.toISOString()],
      );
      claimId = claimed.rows[0]?.id;
      if (claimId === undefined) {
        const stored = await tx.query<{
          request_hash: string;
          status_code: number | null;
          response: unknown;
        }>("select request_hash, status_code, response from idempotency_keys where scope = $1 and key = $2", [
          scope,
          key,
        ]);
        const row = stored.rows[0];
        if (!row || row.request_hash !== hash || row.status_code === null) reused();
        return { kind: "replay", status: row.status_code, body: row.response };
      }
    }
    try {
      const body = await work(tx);
      if (claimId !== undefined) {
        await tx.query(
          `update idempotency_keys set status_code = $2, response = $3::text::jsonb, completed_at = $4::timestamptz
             where id = $1`,
          [claimId, status, JSON.stringify(body ?? null), now.toISOString()],
        );
      }
      return { kind: "done", body };
    } catch (error) {
      if (error instanceof AppError && error.keepWrites) {
        if (claimId !== undefined) await tx.query("delete from idempotency_keys where id = $1", [claimId]);
        return { kind: "failed", error };
      }
      throw error;
    }
  };
  const writer = options.viaWriter ? ctx.writer : null;
  const answer = (outcome: Outcome<T>) => answered(reply, outcome, status);
  // The writer retries its batch itself (a deadlock or serialization failure). A process that does
  // not hold the writer's lease forwards the request to the one that does.
  if (writer)
    return viaWriter(ctx.lease, request, reply, async () =>
      answer(await writer.submitTx({ label: `${scope}\u0000${key}\u0000${hash}`, run: body })),
    );
  return answer(await withRetries(ctx, request, body));
}

/** Runs `body` in a transaction, again after a deadlock or serialization failure (up to MAX_ATTEMPTS). */
async function withRetries<O>(
  ctx: AppContext,
  request: FastifyRequest,
  body: (tx: Tx) => Promise<O>,
): Promise<O> {
  for (let n = 1; ; n++) {
    try {
      return await ctx.db.transaction(body);
    } catch (error) {
      const retry = n < MAX_ATTEMPTS && isRetryableConflict(error);
      if (!retry) throw error;
      request.log.warn({ attempt: n, code: (error as { code?: string }).code }, "command retried");
    }
  }
}

/** The command's answer: its body with `status`, a stored answer replayed, or its refusal thrown. */
function answered<T>(reply: FastifyReply, outcome: Outcome<T>, status: number): T {
  if (outcome.kind === "failed") throw outcome.error;
  if (outcome.kind === "replay") {
    reply.code(outcome.status).header("idempotent-replayed", "true");
    return outcome.body as T;
  }
  reply.code(status);
  return outcome.body;
}
