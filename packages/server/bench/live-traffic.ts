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
  readonly slowest: { at: number; ms: number; trace: Trace }[];
}

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
  const db: Db = await openPg({ connectionString: input.url, schema: input.schema, maxConnections: 8 });
  const during: number[] = [];
  const outside: number[] = [];
  const slowest: { at: number; ms: number; trace: Trace }[] = [];
  let failures = 0;
  let settling = false;
  let now = input.now;
  let running = true;
  const inFlight = new Set<Promise<void>>();

  async function payOnce(memberId: string, trace: Trace, started: number): Promise<void> {
    await db.transaction(async (raw) => {
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
    });
  }

  function fire(): Promise<void> {
    const started = performance.now();
    const at = Date.now();
    const wasSettling = settling;
    const trace: Trace = [];
    const p = payOnce(String(1 + Math.floor(Math.random() * input.members)), trace, started)
      .then(() => {
        const ms = performance.now() - started;
        (wasSettling || settling ? during : outside).push(ms);
        slowest.push({ at, ms, trace });
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
      return { during, outside, failures, slowest: slowest.sort((a, b) => b.ms - a.ms).slice(0, 10) };
    },
  };
}
