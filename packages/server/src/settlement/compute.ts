/**
 * Where the settlement's CPU work runs (issue 17): the engine's `settleDay` and
 * the COPY text of every row the day writes (`day-rows.ts`). Inside the server
 * the settlement shares the event loop with the HTTP requests; at 100,000
 * members that work held the loop for seconds on a loaded machine, and every
 * request waited. By default it runs in a worker thread (`worker`): the
 * caller's thread only moves the loaded columns there, reserves the ids and
 * streams the chunks the worker produces into the database, pulling one chunk
 * ahead per stream. `JIFEN_SETTLE_COMPUTE=inline` runs the same producers on
 * the caller's thread, yielding to the event loop (`setImmediate`) between
 * chunks once it has worked `INLINE_SLICE_MS` (the engine step stays one
 * block). Both produce the same bytes (the same generators).
 */
import { availableParallelism } from "node:os";
import { getHeapStatistics } from "node:v8";
import { Worker } from "node:worker_threads";
import type { CycleConfig, ReleaseConfig } from "@jifen/engine";
import {
  type ComputedDay,
  computeDay,
  type DayInput,
  type PostingArgs,
  PRODUCERS,
  type ProducerName,
  prepareWrite,
  type ResultSummary,
  resultSummary,
} from "./day-rows.ts";
import type { DayColumns } from "./load.ts";

/** A stream of one producer's COPY text; `rows()` is its row count once the stream has ended. */
export interface RowStream {
  readonly chunks: AsyncIterable<string>;
  rows(): number;
}

/** A day computed (where its rows are produced), until `close`. */
export interface DayComputation {
  readonly summary: ResultSummary;
  /** Checks the result's range and counts the day's ledger transactions. */
  prepareWrite(): Promise<number>;
  /**
   * Streams a producer's chunks (`postings` takes the reserved ids; `transactions` follows it).
   * `onChunk` gets the transactions generated so far after each chunk.
   */
  stream(name: ProducerName, args?: PostingArgs, onChunk?: (generated: number) => void): RowStream;
  /** Lets the computation go (the worker returns to the pool, or is ended after a failure). */
  close(failed?: boolean): void;
}

/** How the compute runs: `worker` (default) or `inline` (env `JIFEN_SETTLE_COMPUTE`). */
export type ComputeMode = "worker" | "inline";

export function computeModeFromEnv(env: NodeJS.ProcessEnv = process.env): ComputeMode {
  const mode = env.JIFEN_SETTLE_COMPUTE ?? "worker";
  if (mode !== "worker" && mode !== "inline")
    throw new Error(`JIFEN_SETTLE_COMPUTE: "worker" or "inline", not ${JSON.stringify(mode)}`);
  return mode;
}

/**
 * The nice value the compute worker gives its own thread (env `JIFEN_SETTLE_NICE`, 0–19; default
 * 10): a lower priority than the thread answering requests (nice 0), so that when the CPUs are
 * short the scheduler runs that thread first (docs/decisions.md "The settlement's worker at a lower
 * priority"). 0 leaves it as it is.
 */
export function computeNiceFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.JIFEN_SETTLE_NICE ?? "10";
  const nice = Number(text);
  if (!/^\d+$/.test(text) || nice > 19)
    throw new Error(`JIFEN_SETTLE_NICE: a whole number from 0 to 19, not ${JSON.stringify(text)}`);
  return nice;
}

/** What the compute needs of the loaded columns and the day's configuration. */
export function dayInput(columns: DayColumns, release: ReleaseConfig, cycle: CycleConfig): DayInput {
  return {
    day: columns.day,
    memberNumbers: columns.memberNumbers ?? Float64Array.from(columns.memberIds, Number),
    input: columns.input,
    orderIds: columns.orderIds,
    orderSeq: columns.orderSeq,
    pointsOwed: columns.pointsOwed,
    cashOwed: columns.cashOwed,
    currentStar: columns.currentStar,
    release,
    cycle,
  };
}

/** Computes the day in the mode asked for. */
export async function startComputation(
  input: DayInput,
  mode: ComputeMode = computeModeFromEnv(),
): Promise<DayComputation> {
  return mode === "worker" ? workerComputation(input) : inlineComputation(input);
}

/** Work done on the caller's thread between two yields to its event loop (inline mode). */
const INLINE_SLICE_MS = 5;

/** The compute on the caller's thread (the engine step in one block, the rows in slices). */
export async function inlineComputation(input: DayInput): Promise<DayComputation> {
  const computed = computeDay(input);
  const summary = resultSummary(computed);
  return {
    summary,
    prepareWrite: async () => prepareWrite(computed),
    stream(name, args, onChunk) {
      let rows = -1;
      async function* chunks(): AsyncGenerator<string> {
        const producer = openProducer(computed, name, args);
        let slice = performance.now();
        for (;;) {
          const next = producer.next();
          if (next.done) {
            rows = next.value;
            return;
          }
          onChunk?.(computed.generated);
          yield next.value;
          if (performance.now() - slice >= INLINE_SLICE_MS) {
            await new Promise((resolve) => setImmediate(resolve));
            slice = performance.now();
          }
        }
      }
      return { chunks: chunks(), rows: () => rowsOf(name, rows) };
    },
    close: () => {},
  };
}

function openProducer(
  computed: ComputedDay,
  name: ProducerName,
  args?: PostingArgs,
): Generator<string, number> {
  if (name === "postings") {
    if (!args) throw new Error("settlement: the postings need the reserved ids");
    return PRODUCERS.postings(computed, args);
  }
  return PRODUCERS[name](computed);
}

function rowsOf(name: string, rows: number): number {
  if (rows < 0) throw new Error(`settlement: the ${name} stream has not ended`);
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The worker thread.

/** A request to the worker (see day-rows-worker.ts). */
export type WorkerRequest =
  | { readonly type: "compute"; readonly input: DayInput }
  | { readonly type: "prepare" }
  | {
      readonly type: "open";
      readonly stream: number;
      readonly name: ProducerName;
      readonly args?: PostingArgs;
    }
  | { readonly type: "next"; readonly stream: number }
  | { readonly type: "reset" };

/** The worker's answer to request `id`. */
export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly name: string };

/** One chunk (or the end) of a stream, as the worker answers `next`. */
export interface NextChunk {
  readonly chunk: string | null;
  readonly done: boolean;
  readonly rows: number;
  readonly generated: number;
}

/** A worker thread and its calls in flight. */
class ComputeWorker {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  dead = false;
  readonly worker: Worker;

  constructor() {
    // tsx's loader registers itself in the worker (day-rows-worker.mjs): `--import tsx` is not taken there.
    this.worker = new Worker(new URL("./day-rows-worker.mjs", import.meta.url), {
      execArgv: [],
      workerData: { nice: computeNiceFromEnv() },
      // The worker holds the day's columns, result and transaction text: the same heap as this thread's.
      resourceLimits: { maxOldGenerationSizeMb: Math.ceil(getHeapStatistics().heap_size_limit / 1024 ** 2) },
    });
    this.worker.on("message", (reply: WorkerReply) => {
      const call = this.pending.get(reply.id);
      if (!call) return;
      this.pending.delete(reply.id);
      if (reply.ok) call.resolve(reply.value);
      else {
        const error = new Error(reply.message);
        error.name = reply.name;
        call.reject(error);
      }
    });
    const fail = (error: Error) => {
      this.dead = true;
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`settlement: the compute worker exited (${code})`)));
  }

  call<T>(request: WorkerRequest): Promise<T> {
    if (this.dead) return Promise.reject(new Error("settlement: the compute worker has ended"));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, ...request });
    });
  }
}

/** Idle workers, kept for the next day (unreferenced: they never keep the process alive). */
const idle: ComputeWorker[] = [];

function takeWorker(): ComputeWorker {
  for (let w = idle.pop(); w; w = idle.pop()) if (!w.dead) return w;
  return new ComputeWorker();
}

/** At most this many idle workers are kept (one per core). */
const IDLE_KEPT = Math.max(1, availableParallelism());

/** The compute in a worker thread; the caller's thread streams what it produces. */
export async function workerComputation(input: DayInput): Promise<DayComputation> {
  const w = takeWorker();
  w.worker.ref();
  let streams = 0;
  let summary: ResultSummary;
  try {
    summary = await w.call<ResultSummary>({ type: "compute", input });
  } catch (error) {
    void w.worker.terminate();
    throw error;
  }
  return {
    summary,
    prepareWrite: () => w.call<number>({ type: "prepare" }),
    stream(name, args, onChunk) {
      const stream = ++streams;
      let rows = -1;
      async function* chunks(): AsyncGenerator<string> {
        await w.call({ type: "open", stream, name, ...(args ? { args } : {}) });
        const next = () => {
          const p = w.call<NextChunk>({ type: "next", stream });
          p.catch(() => {}); // awaited below, unless the consumer stopped first
          return p;
        };
        let pending = next();
        for (;;) {
          const got = await pending;
          if (got.done) {
            rows = got.rows;
            return;
          }
          pending = next(); // one chunk ahead: the worker builds it while this one is written
          onChunk?.(got.generated);
          yield got.chunk as string;
        }
      }
      return { chunks: chunks(), rows: () => rowsOf(name, rows) };
    },
    close(failed = false) {
      if (failed || w.dead || idle.length >= IDLE_KEPT) {
        void w.worker.terminate();
        return;
      }
      // The day's state is dropped; the worker waits, unreferenced, for the next day.
      w.call({ type: "reset" }).then(
        () => {
          w.worker.unref();
          idle.push(w);
        },
        () => void w.worker.terminate(),
      );
    },
  };
}
