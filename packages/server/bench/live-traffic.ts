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
import { type Db, openPg } from "../src/db/index.ts";
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
  /** The slowest payments: when each started (Date.now()) and how long it took (ms). */
  readonly slowest: { at: number; ms: number }[];
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
  const slowest: { at: number; ms: number }[] = [];
  let failures = 0;
  let settling = false;
  let now = input.now;
  let running = true;
  const inFlight = new Set<Promise<void>>();

  async function payOnce(memberId: string): Promise<void> {
    await db.transaction(async (tx) => {
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
    const p = payOnce(String(1 + Math.floor(Math.random() * input.members)))
      .then(() => {
        const ms = performance.now() - started;
        (wasSettling || settling ? during : outside).push(ms);
        slowest.push({ at, ms });
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
