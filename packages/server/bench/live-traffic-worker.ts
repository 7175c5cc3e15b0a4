/**
 * bench:settle --live: the payments, in a worker thread with its own event
 * loop and connections, so that their latency is the database's answer and
 * not the settlement's JavaScript (which runs on the main thread, as it does
 * inside the server: the bench prints that thread's event-loop delay apart).
 * Messages in: { now, settling } (the payments' clock and phase), "stop".
 * Message out at the end: { during, outside, failures }.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type Db, openPg } from "../src/db/index.ts";
import { REWARD_HOOKS } from "../src/rewards/index.ts";
import { createOrder, markPaid, type Product } from "../src/shop/index.ts";

interface Input {
  readonly url: string;
  readonly schema: string;
  readonly product: Product;
  readonly members: number;
  readonly rate: number;
  readonly timeZone: string;
  readonly now: Date;
}

const input = workerData as Input;
const db: Db = await openPg({ connectionString: input.url, schema: input.schema, maxConnections: 8 });
const during: number[] = [];
const outside: number[] = [];
let failures = 0;
let settling = false;
let now = input.now;
let running = true;
const inFlight = new Set<Promise<void>>();

/** A payment as the shop makes it: an order created and paid (the reward hooks run). */
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
  const wasSettling = settling;
  const p = payOnce(String(1 + Math.floor(Math.random() * input.members)))
    .then(() => {
      (wasSettling || settling ? during : outside).push(performance.now() - started);
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
        while (running) await fire();
      })();

parentPort?.on("message", async (message: { now?: Date; settling?: boolean } | "stop") => {
  if (message !== "stop") {
    if (message.now) now = message.now;
    if (message.settling !== undefined) settling = message.settling;
    return;
  }
  running = false;
  clearInterval(timer);
  await looping;
  await Promise.all(inFlight);
  await db.close();
  parentPort?.postMessage({ during, outside, failures });
});
