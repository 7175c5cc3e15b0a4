/**
 * bench:settle --live: the payments (live-traffic.ts) in a worker thread with
 * its own event loop and connections, so that their latency is the database's
 * answer and not the settlement's JavaScript (`--payments main` measures that).
 * Messages in: { now, settling } (the payments' clock and phase), "stop".
 * Message out at the end: { during, outside, failures }.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type PaymentsInput, startPayments } from "./live-traffic.ts";

const payments = await startPayments(workerData as PaymentsInput);

parentPort?.on("message", async (message: { now?: Date; settling?: boolean } | "stop") => {
  if (message !== "stop") {
    payments.phase(message);
    return;
  }
  parentPort?.postMessage(await payments.stop());
});
