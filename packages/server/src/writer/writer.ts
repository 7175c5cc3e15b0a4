/**
 * The shop's equity writer (issue 14): every command that moves the equity
 * pool from a member (sell, redeem, to-stable, from-stable, stable payment) is
 * queued here, applied in arrival order by the engine over the batch's memory
 * (batch-store.ts), and committed in batches — group commit: a batch closes
 * `windowMs` after its first command arrived or at `maxBatch` commands,
 * whichever comes first, and the commands that arrive while a batch commits
 * form the next one. A request is answered only after its batch committed.
 *
 * A command the engine refuses (a shortage, a balance limit) is answered with
 * its error and leaves nothing; the others of the batch go on, exactly as one
 * transaction per command in the same order would. A batch that fails as a
 * whole (the database refuses a statement, the connection drops) is rolled
 * back: a deadlock or serialization failure is retried (at most 3 tries, like
 * `command()`; also a key another transaction stored meanwhile), anything
 * else answers every request of the batch with
 * `BATCH_FAILED` and changes nothing; the queue goes on from what is committed.
 *
 * Idempotency keys are claimed in the batch: a key stored before (or earlier
 * in the same batch) replays its answer, a key under a different request is
 * refused, and the new keys are stored with the batch's writes.
 *
 * A flash sale's paid orders (webhook deliveries of the shop's own orders,
 * shop/webhook-batched.ts) are in-memory commands too: what a run of them
 * needs is read once per run by their `RunLoader`, and the orders, stock and
 * rewards they create are written with the batch; so are the shop's webhook
 * refunds and the operators' refunds (their orders refunded, rewards reversed,
 * gifts closed, audit rows).
 *
 * The other payment confirmations and the refunds through WeChat Pay or
 * Alipay come as transaction jobs
 * (`submitTx`): the serial path's own transaction body, run in the batch's
 * transaction at its place in arrival order under a savepoint, after the
 * in-memory commands ahead of it were written.
 */
import { configForDay } from "../config/index.ts";
import { type Db, isRetryableConflict, isSqlError, type Queryable, type Tx } from "../db/index.ts";
import { AppError } from "../errors/index.ts";
import type { BalanceKey } from "../ledger/index.ts";
import { shareOpenDay } from "../rewards/index.ts";
import { BatchState, type CommandView, type KeyRow } from "./batch-store.ts";
import { isNotLeader } from "./lease.ts";

/** How batches are formed. */
export interface WriterSettings {
  /** How long a batch stays open after its first command arrived (ms). */
  readonly windowMs: number;
  /** At most this many commands per batch. */
  readonly maxBatch: number;
}

export const DEFAULT_WRITER_SETTINGS: WriterSettings = { windowMs: 2, maxBatch: 200 };

/** What a command's work sees of its batch: the open day, its parameters, the instant. */
export interface BatchContext {
  readonly businessDay: string;
  readonly config: import("@jifen/engine").Config;
  readonly now: Date;
  /** Reads in the batch's transaction (a merchant looked up as the serial path looks it up). */
  readonly tx: Queryable;
  /** What a run loader read for this command's run (`WriterJob.needs`). */
  facts<F>(loader: RunLoader<unknown, F>): F;
}

/** What a run loader read: its facts, the balance rows to lock with the batch's, limited stock by product. */
export interface RunFacts<F> {
  readonly facts: F;
  readonly keys: readonly BalanceKey[];
  readonly stock: ReadonlyMap<string, number>;
}

/**
 * What a kind of command reads once per run of in-memory commands, set-based,
 * before the batch memory opens (issue 14: the orders of a flash sale — their
 * members, products, known external ids). Product rows it locks are locked
 * before the operator's cash row and the equity state, as a serial order does.
 */
export interface RunLoader<N, F> {
  /** `batch`: the open day and its parameters, as the batch read them. */
  load(
    tx: Tx,
    needs: readonly N[],
    batch: { readonly businessDay: string; readonly config: import("@jifen/engine").Config },
  ): Promise<RunFacts<F>>;
}

/** One queued command. */
export interface WriterJob<T> {
  /** The idempotency key (undefined: none), its scope and the request's hash; `reused` throws the refusal. */
  readonly claim: {
    readonly scope: string;
    readonly key: string | undefined;
    readonly hash: string;
    readonly reused: () => never;
  };
  readonly status: number;
  /** The balance rows the command reads (locked up front, with the batch's others, in key order). */
  readonly keys: readonly BalanceKey[];
  /** The instant of the request (default: when its batch runs); its ledger rows and order carry it. */
  readonly at?: Date;
  /** What the command needs read before its run (one `load` for all such commands of the run). */
  readonly needs?: { readonly loader: RunLoader<unknown, unknown>; readonly need: unknown };
  /** The command over its view of the batch; throws an AppError to refuse (nothing of it is kept). */
  apply(view: CommandView, context: BatchContext): Promise<T>;
  /** The answer with the batch's local transaction ids replaced by the ledger's. */
  finalize(body: T, idOf: (local: string) => string): T;
}

/** How a command was answered. */
export type WriterAnswer<T> =
  | { readonly kind: "done"; readonly status: number; readonly body: T }
  | { readonly kind: "replay"; readonly status: number; readonly body: unknown };

/** Where the writer reports a failed batch. */
export interface WriterLog {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/**
 * A command the writer runs as its own code in the batch's transaction (a
 * payment confirmation, a refund: the serial path's transaction body, issue
 * 14), between the in-memory commands, in arrival order, under a savepoint:
 * what it writes is part of the batch; when it throws, only its savepoint is
 * rolled back and only it is answered with the error (a deadlock or
 * serialization failure still retries the whole batch).
 */
export interface TxJob<T> {
  /** Tests: how the job is named in the order the writer takes commands. */
  readonly label: string;
  run(tx: Tx): Promise<T>;
}

interface Queued {
  /** When it was queued (performance.now(), ms): for `onBatch`. */
  readonly queuedAt: number;
  readonly job: WriterJob<unknown> | TxJob<unknown>;
  readonly resolve: (answer: WriterAnswer<unknown>) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome =
  | { kind: "done"; body: unknown }
  | { kind: "value"; value: unknown }
  | { kind: "replay"; status: number; body: unknown }
  | { kind: "replayOf"; index: number }
  | { kind: "failed"; error: unknown };

const MAX_ATTEMPTS = 3;
/** At most this many transaction jobs (paid orders, refunds) in one batch. */
export const MAX_TX_JOBS = 16;

/**
 * A deadlock or serialization failure, or a key stored meanwhile by another
 * transaction (the same member's key on a route outside the writer, or another
 * server process): the retry reads it and answers that request alone
 * (replayed or IDEMPOTENCY_KEY_REUSED), instead of failing the whole batch.
 */
function retryable(error: unknown): boolean {
  if (isRetryableConflict(error)) return true;
  return isSqlError(error, "23505") && (error.constraint ?? "").startsWith("idempotency_keys");
}

/** Counters for tests, benchmarks and /metrics. */
export interface WriterStats {
  batches: number;
  commands: number;
  failedBatches: number;
  retries: number;
}

/** Where a batch's time went (`EquityWriter.onBatch`; performance.now() milliseconds). */
export interface BatchTimes {
  readonly queuedAt: readonly number[];
  readonly startedAt: number;
  readonly committedAt: number;
}

/** The writer of one shop. */
export class EquityWriter {
  private readonly queue: Queued[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  /** Platform balance rows earlier batches used (locked after the equity state, like every equity movement). */
  private readonly platformKeys = new Map<string, BalanceKey>();
  readonly stats: WriterStats = { batches: 0, commands: 0, failedBatches: 0, retries: 0 };
  /**
   * Benchmarks: called when a batch is answered, with when (performance.now(), ms)
   * its commands were queued, when it began and when it was committed (or failed).
   */
  onBatch: ((batch: BatchTimes) => void) | undefined;
  /** Tests only: called after a batch's commands ran and before it is written (throw to fail the batch). */
  beforeWrite: ((batchSize: number) => void | Promise<void>) | undefined;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    private readonly log: WriterLog,
    readonly settings: WriterSettings = DEFAULT_WRITER_SETTINGS,
  ) {}

  /** Queues a command; resolves once its batch is committed (or rejects with its refusal or BATCH_FAILED). */
  submit<T>(job: WriterJob<T>): Promise<WriterAnswer<T>> {
    if (this.closed) return Promise.reject(new AppError("WRITER_STOPPING"));
    return new Promise<WriterAnswer<T>>((resolve, reject) => {
      this.queue.push({
        queuedAt: performance.now(),
        job: job as WriterJob<unknown>,
        resolve: resolve as Queued["resolve"],
        reject,
      });
      this.schedule();
    });
  }

  /**
   * Queues a transaction job (`TxJob`); resolves with what its `run` returned once
   * its batch is committed, or rejects with what it threw (or BATCH_FAILED).
   */
  submitTx<T>(job: TxJob<T>): Promise<T> {
    if (this.closed) return Promise.reject(new AppError("WRITER_STOPPING"));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        queuedAt: performance.now(),
        job: job as TxJob<unknown>,
        resolve: (answer) => resolve((answer as unknown as { value: T }).value),
        reject,
      });
      this.schedule();
    });
  }

  /** Stops taking commands and waits for the queued ones to be written. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) this.start();
    await this.running;
  }

  private schedule(): void {
    if (this.running) return;
    if (this.queue.length >= this.settings.maxBatch) this.start();
    else this.timer ??= setTimeout(() => this.start(), this.settings.windowMs);
  }

  private start(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running) return;
    this.running = (async () => {
      while (this.queue.length > 0) await this.runBatch(this.queue.splice(0, this.nextBatchSize()));
      this.running = undefined;
    })();
  }

  /**
   * How many queued commands the next batch takes: at most `maxBatch`, and at
   * most MAX_TX_JOBS transaction jobs. A job runs its own statements (a paid
   * order about 35), so it gains only the shared COMMIT from a batch, while
   * every answer of the batch waits for its last job.
   */
  private nextBatchSize(): number {
    let jobs = 0;
    const limit = Math.min(this.queue.length, this.settings.maxBatch);
    for (let i = 0; i < limit; i++) {
      if (!isTxJob((this.queue[i] as Queued).job)) continue;
      if (++jobs > MAX_TX_JOBS) return Math.max(1, i);
    }
    return limit;
  }

  private async runBatch(batch: Queued[]): Promise<void> {
    const startedAt = performance.now();
    try {
      await this.answerBatch(batch);
    } finally {
      this.onBatch?.({ queuedAt: batch.map((q) => q.queuedAt), startedAt, committedAt: performance.now() });
    }
  }

  private async answerBatch(batch: Queued[]): Promise<void> {
    let outcomes: Outcome[] | undefined;
    for (let attempt = 1; outcomes === undefined; attempt++) {
      try {
        outcomes = await this.attempt(batch);
      } catch (error) {
        if (attempt < MAX_ATTEMPTS && retryable(error)) {
          this.stats.retries++;
          this.log.warn({ attempt, code: (error as { code?: string }).code }, "writer batch retried");
          continue;
        }
        this.stats.failedBatches++;
        this.log.error({ err: error, commands: batch.length }, "writer batch failed: nothing written");
        // A batch fenced off by the writer's lease (lease.ts) wrote nothing: its commands go to the new writer.
        const answer = isNotLeader(error) ? error : new AppError("BATCH_FAILED");
        for (const q of batch) q.reject(answer);
        return;
      }
    }
    this.stats.batches++;
    this.stats.commands += batch.length;
    outcomes.forEach((outcome, i) => {
      const q = batch[i] as Queued;
      const answer = outcome.kind === "replayOf" ? (outcomes[outcome.index] as Outcome) : outcome;
      if (outcome.kind === "failed") q.reject(outcome.error);
      else if (outcome.kind === "value") q.resolve(outcome as unknown as WriterAnswer<unknown>);
      else if (outcome.kind === "replay")
        q.resolve({ kind: "replay", status: outcome.status, body: outcome.body });
      else if (answer.kind === "done")
        q.resolve(
          outcome.kind === "replayOf"
            ? {
                kind: "replay",
                status: ((batch[outcome.index] as Queued).job as WriterJob<unknown>).status,
                body: answer.body,
              }
            : { kind: "done", status: (q.job as WriterJob<unknown>).status, body: answer.body },
        );
    });
  }

  /**
   * One try of a batch, in one transaction: its runs of in-memory commands
   * (each run over one batch memory, written set-based before what follows) and
   * its transaction jobs, in arrival order, then COMMIT.
   */
  private attempt(batch: readonly Queued[]): Promise<Outcome[]> {
    return this.db.transaction(async (tx) => {
      // Held FOR SHARE until commit: the settlement's close (FOR UPDATE) waits for the batch in flight,
      // and the next batch waits for the close and lands in the day it opens.
      const businessDay = await shareOpenDay(tx);
      const outcomes: Outcome[] = [];
      let config: import("@jifen/engine").Config | undefined;
      for (let i = 0; i < batch.length; ) {
        const job = (batch[i] as Queued).job;
        if (isTxJob(job)) {
          outcomes.push(await runTxJob(tx, job));
          i++;
          continue;
        }
        let end = i + 1;
        while (end < batch.length && !isTxJob((batch[end] as Queued).job)) end++;
        config ??= (await configForDay(tx, businessDay)).config;
        const run = batch.slice(i, end) as readonly QueuedCommand[];
        for (const outcome of await this.memoryRun(tx, config, businessDay, run, i)) outcomes.push(outcome);
        i = end;
      }
      return outcomes;
    });
  }

  /**
   * A run of in-memory commands (`offset`: the index of its first in the batch):
   * applied in order over one batch memory, then written, with their keys.
   */
  private async memoryRun(
    tx: Tx,
    config: import("@jifen/engine").Config,
    businessDay: string,
    run: readonly QueuedCommand[],
    offset: number,
  ): Promise<Outcome[]> {
    const loaded = await loadRun(tx, run, { businessDay, config });
    // With the platform rows the last batch touched (the pool, the treasury…): one read instead of one each.
    const state = await BatchState.open(tx, config, businessDay, [
      ...run.flatMap((q) => q.job.keys),
      ...[...loaded.values()].flatMap((l) => l.keys),
      ...this.platformKeys.values(),
    ]);
    for (const l of loaded.values()) for (const [id, stock] of l.stock) state.seedStock(id, stock);
    const stored = await storedKeys(tx, run);
    const claimed = new Map<string, { index: number; hash: string }>();
    const outcomes: Outcome[] = [];
    const facts = <F>(loader: RunLoader<unknown, F>) => (loaded.get(loader) as RunFacts<F>).facts;
    for (const [i, { job }] of run.entries())
      outcomes.push(await this.one(job, i + offset, state, stored, claimed, facts));
    await this.beforeWrite?.(run.length);
    const idOf = await state.numberTransactions();
    const keys: KeyRow[] = [];
    outcomes.forEach((outcome, i) => {
      if (outcome.kind !== "done") return;
      const job = (run[i] as QueuedCommand).job;
      outcome.body = job.finalize(outcome.body, idOf);
      if (job.claim.key !== undefined)
        keys.push({
          scope: job.claim.scope,
          key: job.claim.key,
          hash: job.claim.hash,
          status: job.status,
          body: outcome.body,
        });
    });
    await state.write(idOf, keys, this.now());
    for (const k of state.platformKeys()) this.platformKeys.set(`${k.account}\u0000${k.asset}`, k);
    return outcomes;
  }

  private async one(
    job: WriterJob<unknown>,
    index: number,
    state: BatchState,
    stored: ReadonlyMap<string, StoredKey>,
    claimed: Map<string, { index: number; hash: string }>,
    facts: BatchContext["facts"],
  ): Promise<Outcome> {
    try {
      const keyId = job.claim.key === undefined ? undefined : `${job.claim.scope}\u0000${job.claim.key}`;
      if (keyId !== undefined) {
        const earlier = claimed.get(keyId);
        if (earlier !== undefined) {
          if (earlier.hash !== job.claim.hash) job.claim.reused();
          return { kind: "replayOf", index: earlier.index };
        }
        const row = stored.get(keyId);
        if (row) {
          if (row.request_hash !== job.claim.hash || row.status_code === null) job.claim.reused();
          return { kind: "replay", status: row.status_code, body: row.response };
        }
      }
      const now = job.at ?? this.now();
      const view = state.begin(now);
      const context = { businessDay: state.businessDay, config: state.config, now, tx: state.tx, facts };
      const body = await job.apply(view, context);
      state.commit(view);
      if (keyId !== undefined) claimed.set(keyId, { index, hash: job.claim.hash });
      return { kind: "done", body };
    } catch (error) {
      // A refusal answers this command alone; anything else fails the batch.
      if (error instanceof AppError) return { kind: "failed", error };
      throw error;
    }
  }
}

type QueuedCommand = Queued & { readonly job: WriterJob<unknown> };

function isTxJob(job: WriterJob<unknown> | TxJob<unknown>): job is TxJob<unknown> {
  return "run" in job;
}

/**
 * Runs a transaction job under a savepoint: kept when it returns; rolled back
 * (alone) when it throws, and that error is its answer — except a deadlock or
 * serialization failure, which fails the attempt so the whole batch is retried.
 */
async function runTxJob(tx: Tx, job: TxJob<unknown>): Promise<Outcome> {
  await tx.query("savepoint writer_job");
  try {
    const value = await job.run(tx);
    await tx.query("release savepoint writer_job");
    return { kind: "value", value };
  } catch (error) {
    if (isRetryableConflict(error)) throw error;
    await tx.query("rollback to savepoint writer_job");
    return { kind: "failed", error };
  }
}

/** Runs each loader of the run's commands once, over all their needs, in the order first needed. */
async function loadRun(
  tx: Tx,
  run: readonly QueuedCommand[],
  batch: Parameters<RunLoader<unknown, unknown>["load"]>[2],
): Promise<Map<RunLoader<unknown, unknown>, RunFacts<unknown>>> {
  const needs = new Map<RunLoader<unknown, unknown>, unknown[]>();
  for (const { job } of run) {
    if (!job.needs) continue;
    const list = needs.get(job.needs.loader);
    if (list) list.push(job.needs.need);
    else needs.set(job.needs.loader, [job.needs.need]);
  }
  const out = new Map<RunLoader<unknown, unknown>, RunFacts<unknown>>();
  for (const [loader, list] of needs) out.set(loader, await loader.load(tx, list, batch));
  return out;
}

interface StoredKey {
  scope: string;
  key: string;
  request_hash: string;
  status_code: number | null;
  response: unknown;
}

/** The stored idempotency keys of the batch's commands, in one statement. */
async function storedKeys(
  tx: import("../db/index.ts").Tx,
  batch: readonly QueuedCommand[],
): Promise<Map<string, StoredKey>> {
  const claims = batch.map((q) => q.job.claim).filter((c) => c.key !== undefined);
  const out = new Map<string, StoredKey>();
  if (claims.length === 0) return out;
  const rows = await tx.query<StoredKey>(
    `select i.scope, i.key, i.request_hash, i.status_code, i.response from idempotency_keys i
     join unnest($1::text[], $2::text[]) as k(scope, key) on i.scope = k.scope and i.key = k.key
     where i.scope = any($1::text[]) and i.key = any($2::text[])`,
    [claims.map((c) => c.scope), claims.map((c) => c.key)],
  );
  for (const row of rows.rows) out.set(`${row.scope}\u0000${row.key}`, row);
  return out;
}
