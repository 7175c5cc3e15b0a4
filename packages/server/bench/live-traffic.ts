/**
 * bench:settle --live: the payments. Each is an order of the bench product
 * created and paid as the shop does it (the reward hooks run), for a random
 * member, on connections of its own; at `rate` a second (open loop) or, with
 * rate 0, one client paying again as soon as it is answered. Their latency is
 * sorted into "during" and "outside" the settlement by the phase set with
 * `phase`. Runs in a worker thread (live-traffic-worker.ts: the database's
 * answer alone) or on the settlement's own thread (`--payments main`: what an
 * HTTP request in the server waits, the settlement's JavaScript included).
 */
import { type Db, openPg, type Tx } from "../src/db/index.ts";
import { REWARD_HOOKS } from "../src/rewards/index.ts";
import { createOrder, markPaid, type Product } from "../src/shop/index.ts";
import { readSched, type Sched, threadPath } from "./activity-watch.ts";

export interface PaymentsInput {
  readonly url: string;
  readonly schema: string;
  readonly product: Product;
  readonly members: number;
  readonly rate: number;
  readonly timeZone: string;
  readonly now: Date;
}

export interface PaymentsResult {
  readonly during: number[];
  readonly outside: number[];
  readonly failures: number;
  /**
   * The slowest payments: when each started (Date.now()), how long it took (ms), and its
   * statements (the text's start, ms in the database call, ms since the previous call ended).
   */
  readonly slowest: Paid[];
  /** The paying thread's /proc path (`<pid>/task/<tid>`). */
  readonly thread: string | null;
  /** Sums over the payments during / outside the settlement: where their time went (ms). */
  readonly sums: { during: TimeSplit; outside: TimeSplit };
}

/** A payment's time split: its backend on a CPU / runnable waiting for one; the paying thread likewise. */
export interface TimeSplit {
  latencyMs: number;
  backendCpuMs: number;
  backendWaitMs: number;
  clientCpuMs: number;
  clientWaitMs: number;
}

/** One payment as recorded. */
export interface Paid {
  /** Date.now() when it started; its latency (ms); its backend's pid. */
  readonly at: number;
  readonly ms: number;
  readonly pid: number;
  readonly split: TimeSplit;
  readonly trace: Trace;
}

function emptySplit(): TimeSplit {
  return { latencyMs: 0, backendCpuMs: 0, backendWaitMs: 0, clientCpuMs: 0, clientWaitMs: 0 };
}

function addSplit(sum: TimeSplit, x: TimeSplit): void {
  sum.latencyMs += x.latencyMs;
  sum.backendCpuMs += x.backendCpuMs;
  sum.backendWaitMs += x.backendWaitMs;
  sum.clientCpuMs += x.clientCpuMs;
  sum.clientWaitMs += x.clientWaitMs;
}

const delta = (a: Sched | null, b: Sched | null) =>
  a && b
    ? { cpuMs: (b.cpuNs - a.cpuNs) / 1e6, waitMs: (b.waitNs - a.waitNs) / 1e6 }
    : { cpuMs: 0, waitMs: 0 };

/** A payment's statements: text, ms of the call, ms before it (the first: from the payment's start). */
export type Trace = { sql: string; ms: number; gap: number }[];

/** `tx` with each query's time and the time before it recorded in `trace`. */
function traced(tx: Tx, trace: Trace, started: number): Tx {
  let last = started;
  return new Proxy(tx, {
    get(target, key) {
      const value = target[key as keyof Tx];
      if (key !== "query" && key !== "exec") return value;
      return async (...args: unknown[]) => {
        const begun = performance.now();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>)(...args);
        } finally {
          const ended = performance.now();
          trace.push({
            sql: String(args[0]).replace(/\s+/g, " ").slice(0, 70),
            ms: ended - begun,
            gap: begun - last,
          });
          last = ended;
        }
      };
    },
  });
}

export interface Payments {
  /** The payments' clock and whether the settlement runs now. */
  phase(message: { now?: Date; settling?: boolean }): void;
  /** Stops paying, waits for the payments in flight and closes the connections. */
  stop(): Promise<PaymentsResult>;
}

export async function startPayments(input: PaymentsInput): Promise<Payments> {
  // Named, so that the activity sampler (activity-watch.ts) tells the payments' backends apart.
  const url = new URL(input.url);
  url.searchParams.set("application_name", "bench_payment");
  const db: Db = await openPg({ connectionString: url.toString(), schema: input.schema, maxConnections: 8 });
  const during: number[] = [];
  const outside: number[] = [];
  const slowest: Paid[] = [];
  const sums = { during: emptySplit(), outside: emptySplit() };
  // This (the paying) thread's /proc path: its own time on and waiting for a CPU.
  const self = threadPath();
  let failures = 0;
  let settling = false;
  let now = input.now;
  let running = true;
  const inFlight = new Set<Promise<void>>();

  /** The payment; returns its backend's pid and scheduler figures when it began (after its first statement). */
  async function payOnce(
    memberId: string,
    trace: Trace,
    started: number,
  ): Promise<{ pid: number; backend: Sched | null }> {
    return db.transaction(async (raw) => {
      // One cheap statement more per payment: which backend serves it (its /proc figures).
      const pid = Number(
        (await raw.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0]?.pid ?? 0,
      );
      const backend = readSched(String(pid));
      const tx = traced(raw, trace, started);
      const order = await createOrder(tx, {
        memberId,
        product: input.product,
        quantity: 1,
        points: 0n,
        provider: "manual",
        externalId: null,
        now,
        timeZone: input.timeZone,
      });
      await markPaid(tx, order, { hooks: REWARD_HOOKS, now, timeZone: input.timeZone });
      return { pid, backend };
    });
  }

  function fire(): Promise<void> {
    const started = performance.now();
    const at = Date.now();
    const wasSettling = settling;
    const trace: Trace = [];
    const client0 = self ? readSched(self) : null;
    const p = payOnce(String(1 + Math.floor(Math.random() * input.members)), trace, started)
      .then(({ pid, backend }) => {
        const ms = performance.now() - started;
        const b = delta(backend, readSched(String(pid)));
        const c = delta(client0, self ? readSched(self) : null);
        const split = {
          latencyMs: ms,
          backendCpuMs: b.cpuMs,
          backendWaitMs: b.waitMs,
          clientCpuMs: c.cpuMs,
          clientWaitMs: c.waitMs,
        };
        const isDuring = wasSettling || settling;
        (isDuring ? during : outside).push(ms);
        addSplit(isDuring ? sums.during : sums.outside, split);
        slowest.push({ at, ms, pid, split, trace });
        if (slowest.length > 40) slowest.sort((a, b) => b.ms - a.ms).splice(10);
      })
      .catch((error) => {
        failures++;
        if (failures <= 3) console.error("payment failed:", error);
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    return p;
  }

  const timer = input.rate > 0 ? setInterval(() => void fire(), 1000 / input.rate) : undefined;
  const looping =
    input.rate > 0
      ? Promise.resolve()
      : (async () => {
          // A macrotask between payments, as requests arrive from the network.
          while (running) {
            await fire();
            await new Promise((resolve) => setImmediate(resolve));
          }
        })();

  return {
    phase(message) {
      if (message.now) now = message.now;
      if (message.settling !== undefined) settling = message.settling;
    },
    async stop() {
      running = false;
      clearInterval(timer);
      await looping;
      await Promise.all(inFlight);
      await db.close();
      return {
        during,
        outside,
        failures,
        slowest: slowest.sort((a, b) => b.ms - a.ms).slice(0, 10),
        sums,
        thread: self,
      };
    },
  };
}
