/**
 * How a command reaches the shop's equity writer when several server
 * processes share one PostgreSQL (issue 14): the process that holds the lease
 * (lease.ts) queues it in its own writer; any other process forwards the HTTP
 * request as it came (its method, path, headers and body bytes) to the
 * holder's address and passes the answer back.
 *
 * A forward whose answer never came (the writer died or stalled) is sent
 * again, to whichever process writes next, until `forwardWaitMs` passes. That
 * is safe because a forwarded command always carries an Idempotency-Key: the
 * client's, or one this process makes up when the client sent none
 * (`jifen-forward-<uuid>`, stored with the answer like any key and never shown
 * to the client). A second try of a command that was committed replays its
 * answer; one that was not is applied now. A writer that refuses a batch
 * because it lost the lease (WRITER_NOT_LEADER) or is stopping
 * (WRITER_STOPPING) wrote nothing of it: those commands are sent on too.
 *
 * A forwarded request is never forwarded again: a process that is not the
 * writer answers it WRITER_NOT_LEADER and the process that forwarded it tries
 * again once it has read the lease anew.
 */
import { randomUUID } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../errors/index.ts";
import type { WriterLease } from "./lease.ts";

/** Marks a request one server process forwarded to the writer. */
export const FORWARDED_HEADER = "x-jifen-forwarded";
const MADE_UP_KEY = "jifen-forward-";
const NOT_SENT_ON = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "host",
  "content-length",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "proxy-connection",
]);
const RESENT_CODES = new Set(["WRITER_NOT_LEADER", "WRITER_STOPPING"]);

declare module "fastify" {
  interface FastifyRequest {
    /** The JSON body's text as it came (forwarded as is to the writer's process). */
    bodyText: string | null;
  }
}

/** An answer of the writer's process, passed back to the client unchanged. */
interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly replayed: boolean;
  readonly body: Buffer;
}

/**
 * Runs `local` (which queues the command in this process's writer) when this
 * process holds the lease, otherwise forwards the request to the process that
 * does; `local` must read the request's Idempotency-Key when it runs.
 */
export async function viaWriter<T>(
  lease: WriterLease | null,
  request: FastifyRequest,
  reply: FastifyReply,
  local: () => Promise<T>,
): Promise<T> {
  if (lease === null) return local();
  const forwarded = request.headers[FORWARDED_HEADER] !== undefined;
  const deadline = Date.now() + lease.settings.forwardWaitMs;
  let madeUpKey = false;
  for (;;) {
    if (lease.isLeader()) {
      try {
        const body = await local();
        if (madeUpKey) reply.removeHeader("idempotent-replayed");
        return body;
      } catch (error) {
        // Fenced: this process lost the lease and wrote nothing of the command.
        if (!(error instanceof AppError && error.code === "WRITER_NOT_LEADER")) throw error;
      }
    }
    if (forwarded) throw new AppError("WRITER_NOT_LEADER");
    const moved = lease.changed();
    const { holder, address } = lease.current();
    if (holder !== null && holder !== lease.id && address !== null) {
      if (request.headers["idempotency-key"] === undefined) {
        request.headers["idempotency-key"] = `${MADE_UP_KEY}${randomUUID()}`;
        madeUpKey = true;
      }
      const answer = await forward(address, request, deadline, moved);
      if (answer !== null) {
        reply.code(answer.status);
        if (answer.contentType !== null) reply.header("content-type", answer.contentType);
        if (answer.replayed && !madeUpKey) reply.header("idempotent-replayed", "true");
        return reply.send(answer.body) as unknown as T;
      }
    }
    if (Date.now() >= deadline) throw new AppError("WRITER_UNAVAILABLE");
    // The next try once the heartbeat reads another holder (or after a while): a dead writer is not
    // hammered by every waiting command meanwhile.
    await changeOrPause(moved, Math.min(1000, Math.max(0, deadline - Date.now())));
  }
}

/** Resolves when `moved` aborts or after `ms`. */
function changeOrPause(moved: AbortSignal, ms: number): Promise<void> {
  if (moved.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      moved.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    moved.addEventListener("abort", done, { once: true });
  });
}

/** One forward; null when no answer came or the answer says nothing was applied (send it again). */
async function forward(
  address: string,
  request: FastifyRequest,
  deadline: number,
  moved: AbortSignal,
): Promise<Answer | null> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || NOT_SENT_ON.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  headers[FORWARDED_HEADER] = "1";
  const raw = (request as { rawBody?: Buffer }).rawBody;
  const body = request.bodyText ?? raw ?? undefined;
  try {
    const response = await fetch(new URL(request.url, address), {
      method: request.method,
      headers,
      ...(body !== undefined && request.method !== "GET" ? { body } : {}),
      redirect: "manual",
      // Given up at the deadline, or when another process takes the lease (the holder may be paused).
      signal: AbortSignal.any([AbortSignal.timeout(Math.max(1, deadline - Date.now())), moved]),
    });
    const answer: Answer = {
      status: response.status,
      contentType: response.headers.get("content-type"),
      replayed: response.headers.get("idempotent-replayed") === "true",
      body: Buffer.from(await response.arrayBuffer()),
    };
    if (answer.status === 503 && RESENT_CODES.has(codeOf(answer.body))) return null;
    return answer;
  } catch {
    // Refused, reset, timed out or given up: the outcome is unknown, and the key makes the next try safe.
    return null;
  }
}

function codeOf(body: Buffer): string {
  try {
    return String((JSON.parse(body.toString("utf8")) as { code?: unknown }).code);
  } catch {
    return "";
  }
}
