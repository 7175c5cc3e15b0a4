/**
 * The settlement's compute worker (`compute.ts`): holds one computed day and
 * streams its producers' chunks on request. Requests are answered in order,
 * one at a time; an error is answered with its message (the day fails as it
 * would on the caller's thread).
 */
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import type { NextChunk, WorkerRequest } from "./compute.ts";
import { type ComputedDay, computeDay, PRODUCERS, prepareWrite, resultSummary } from "./day-rows.ts";

/**
 * Lowers this thread's priority (its nice value, `workerData.nice`): on Linux the nice value is
 * per thread, and `/proc/thread-self` names this one. Elsewhere, or when refused, it stays as is:
 * the day settles the same, only without yielding the CPUs to the requests first.
 */
function lowerPriority(nice: number): void {
  if (nice <= 0) return;
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, nice);
  } catch {
    // no /proc (not Linux) or not permitted: the default priority
  }
}

lowerPriority(Number((workerData as { nice?: number } | null)?.nice ?? 0));

let computed: ComputedDay | null = null;
const streams = new Map<number, Generator<string, number>>();

function day(): ComputedDay {
  if (computed === null) throw new Error("settlement: no day computed in the worker");
  return computed;
}

function answer(request: WorkerRequest): unknown {
  switch (request.type) {
    case "compute":
      streams.clear();
      computed = computeDay(request.input);
      return resultSummary(computed);
    case "prepare":
      return prepareWrite(day());
    case "open": {
      if (request.name === "postings") {
        if (!request.args) throw new Error("settlement: the postings need the reserved ids");
        streams.set(request.stream, PRODUCERS.postings(day(), request.args));
      } else streams.set(request.stream, PRODUCERS[request.name](day()));
      return null;
    }
    case "next": {
      const producer = streams.get(request.stream);
      if (!producer) throw new Error(`settlement: no stream ${request.stream} in the worker`);
      const next = producer.next();
      if (next.done) streams.delete(request.stream);
      const reply: NextChunk = next.done
        ? { chunk: null, done: true, rows: next.value, generated: day().generated }
        : { chunk: next.value, done: false, rows: 0, generated: day().generated };
      return reply;
    }
    case "reset":
      computed = null;
      streams.clear();
      return null;
  }
}

parentPort?.on("message", (message: WorkerRequest & { id: number }) => {
  try {
    parentPort?.postMessage({ id: message.id, ok: true, value: answer(message) });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort?.postMessage({ id: message.id, ok: false, message: e.message, name: e.name });
  }
});
