/**
 * The settlement's compute in a worker thread (compute.ts, issue 17) produces
 * byte for byte the rows the same producers make on the caller's thread: the
 * report's figures, the transaction count and the COPY text of the postings,
 * transactions, balance deltas, release progress and stars. Errors raised in
 * the worker reach the caller with their message, and a worker used again for
 * another day starts from nothing of the day before. No database: the input is
 * a generated network of 3,000 members.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, describe, test } from "node:test";
import { configFromInput, FEN } from "@jifen/engine";
import {
  computeNiceFromEnv,
  type DayComputation,
  inlineComputation,
  startComputation,
  workerComputation,
} from "../src/settlement/compute.ts";
import type { DayInput, ProducerName } from "../src/settlement/day-rows.ts";

/** A deterministic pseudo-random source (no Math.random: the same input every run). */
function lcg(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

/** A day of `members` members in a forest of referrals, with orders, quota, weight, debts and stars. */
function generatedDay(members: number, seed: number, cycleSales = 500_000n * FEN * 100n): DayInput {
  const next = lcg(seed);
  const { config } = configFromInput({});
  const parent = new Int32Array(members);
  const ownPerformance = new BigInt64Array(members);
  const quota = new BigInt64Array(members);
  const weight = new BigInt64Array(members);
  const pointsOwed = new BigInt64Array(members);
  const cashOwed = new BigInt64Array(members);
  const currentStar: (string | null)[] = [];
  const orderMember: number[] = [];
  const starNames = config.release.starLevels.map((s) => s.name);
  for (let i = 0; i < members; i++) {
    parent[i] = i < 5 ? -1 : next(i);
    ownPerformance[i] = BigInt(next(20_000)) * 100n * FEN;
    if (next(3) === 0) {
      quota[i] = BigInt(1 + next(5_000)) * 100n * FEN;
      weight[i] = BigInt(1 + next(1_000)) * 1_000_000n;
    }
    if (next(50) === 0) pointsOwed[i] = BigInt(1 + next(100)) * 1_000_000n;
    if (next(80) === 0) cashOwed[i] = BigInt(1 + next(100)) * 100n * FEN;
    currentStar.push(next(40) === 0 ? (starNames[next(starNames.length)] ?? null) : null);
    for (let k = next(3); k > 0; k--) orderMember.push(i);
  }
  // FIFO order: shuffled members, as orders are paid.
  for (let o = orderMember.length - 1; o > 0; o--) {
    const j = next(o + 1);
    [orderMember[o], orderMember[j]] = [orderMember[j] as number, orderMember[o] as number];
  }
  const orders = orderMember.length;
  const orderBase = new BigInt64Array(orders);
  const orderRemaining = new BigInt64Array(orders);
  for (let o = 0; o < orders; o++) {
    orderBase[o] = BigInt(1 + next(500)) * 1_000_000n;
    orderRemaining[o] = (orderBase[o] as bigint) * BigInt(1 + next(300));
  }
  return {
    day: "2026-03-01",
    memberNumbers: Float64Array.from({ length: members }, (_, i) => 1000 + 3 * i),
    input: {
      memberCount: members,
      parent,
      ownPerformance,
      orderMember: Int32Array.from(orderMember),
      orderRemaining,
      orderBase,
      quota,
      weight,
      cycleSales,
    },
    orderIds: Float64Array.from({ length: orders }, (_, o) => 50_000 + o),
    orderSeq: Float64Array.from({ length: orders }, (_, o) => 1 + o),
    pointsOwed,
    cashOwed,
    currentStar,
    release: config.release,
    cycle: config.cycle,
  };
}

/** Everything a computation produces, as the settlement asks for it (ids from 7,000,001 on). */
async function everything(c: DayComputation) {
  const total = await c.prepareWrite();
  const ids = Float64Array.from({ length: total }, (_, k) => 7_000_001 + 2 * k);
  const text: Record<string, string> = {};
  const rows: Record<string, number> = {};
  const order: ProducerName[] = ["postings", "transactions", "deltas", "progress", "stars"];
  for (const name of order) {
    const stream = c.stream(
      name,
      name === "postings" ? { ids, createdAt: "2026-03-01T16:05:00.000Z" } : undefined,
    );
    const chunks: string[] = [];
    for await (const chunk of stream.chunks) chunks.push(chunk);
    text[name] = chunks.join("");
    rows[name] = stream.rows();
  }
  return { summary: c.summary, total, text, rows };
}

describe("the settlement's compute in a worker thread", () => {
  const day = generatedDay(3_000, 20260301);
  const computations: DayComputation[] = [];
  after(() => {
    for (const c of computations) c.close(true);
  });

  test("produces the same report figures and the same COPY text as on the caller's thread", async () => {
    const inline = await inlineComputation(day);
    const worker = await workerComputation(day);
    computations.push(worker);
    const here = await everything(inline);
    const there = await everything(worker);
    // Something of each kind is written, so that the comparison compares something.
    for (const name of ["postings", "transactions", "deltas", "progress", "stars"])
      assert.ok((here.rows[name] ?? 0) > 0, `${name}: no rows generated`);
    assert.ok(here.total > 3_000, `${here.total} transactions`);
    assert.deepEqual(there.summary, here.summary);
    assert.equal(there.total, here.total);
    assert.deepEqual(there.rows, here.rows);
    for (const name of Object.keys(here.text)) assert.equal(there.text[name], here.text[name], name);
    assert.equal(here.text.postings?.split("\n").length, (here.rows.postings ?? 0) + 1);
  });

  test("an error in the worker reaches the caller with its message", async () => {
    const worker = await workerComputation(day);
    computations.push(worker);
    await assert.rejects(
      (async () => {
        for await (const _ of worker.stream("transactions").chunks);
      })(),
      /the transactions come after the postings/,
    );
    await assert.rejects(
      (async () => {
        const ids = new Float64Array(3); // fewer ids than the day has transactions
        for await (const _ of worker.stream("postings", { ids, createdAt: "x" }).chunks);
      })(),
      /generated more than 3 transactions/,
    );
  });

  test("the worker runs at nice 10 (below the requests' thread); JIFEN_SETTLE_NICE sets it, 0 leaves it", async (t) => {
    assert.equal(computeNiceFromEnv({}), 10);
    assert.equal(computeNiceFromEnv({ JIFEN_SETTLE_NICE: "0" }), 0);
    assert.equal(computeNiceFromEnv({ JIFEN_SETTLE_NICE: "19" }), 19);
    for (const bad of ["20", "-5", "low", "1.5", ""])
      assert.throws(() => computeNiceFromEnv({ JIFEN_SETTLE_NICE: bad }), /JIFEN_SETTLE_NICE/, bad);
    if (process.platform !== "linux") return t.skip("the nice value per thread is read from /proc");
    // Field 19 of /proc/<pid>/task/<tid>/stat (after the name in parentheses: index 16) is the nice value.
    const niceOf = (tid: string) =>
      Number(readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ")[1]?.split(" ")[16]);
    const niced = () => readdirSync("/proc/self/task").filter((tid) => niceOf(tid) === 10);
    assert.equal(niceOf(String(process.pid)), 0, "the caller's thread keeps its priority");
    // Workers (pooled or new) busy with a day: each lowered its thread when it started.
    const busy = await Promise.all([workerComputation(day), workerComputation(day)]);
    computations.push(...busy);
    assert.ok(niced().length >= 2, `${niced().length} threads at nice 10, not the two compute workers'`);
    assert.equal(niceOf(String(process.pid)), 0, "the caller's thread keeps its priority");
  });

  test("a worker taken again for another day starts from that day alone", async () => {
    const first = await startComputation(generatedDay(500, 7), "worker");
    const firstRows = await everything(first);
    first.close(); // back to the pool (the next computation takes it)
    const other = generatedDay(800, 11);
    const again = await startComputation(other, "worker");
    computations.push(again);
    const expected = await everything(await inlineComputation(other));
    const got = await everything(again);
    assert.notDeepEqual(firstRows.text, expected.text);
    assert.deepEqual(got.text, expected.text);
    assert.deepEqual(got.summary, expected.summary);
  });
});
