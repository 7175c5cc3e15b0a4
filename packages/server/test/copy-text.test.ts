import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CopyChunker, readCopyRows, readIntegerRows } from "../src/settlement/copy-text.ts";

async function* chunks(...parts: string[]): AsyncGenerator<string> {
  yield* parts;
}

async function integerRows(columns: number, ...parts: string[]): Promise<number[][]> {
  const rows: number[][] = [];
  await readIntegerRows(chunks(...parts), columns, (v) => rows.push([...v]));
  return rows;
}

describe("COPY text", () => {
  test("integer rows: NULL, negatives, rows and numbers split across chunks", async () => {
    const rows = await integerRows(3, "1\t\\N\t-5\n12", "34\t7\t9007199254740991\n", "5\t-0\t\\", "N\n");
    assert.deepEqual(rows, [
      [1, Number.NaN, -5],
      [1234, 7, 9007199254740991],
      [5, -0, Number.NaN],
    ]);
  });

  test("integer rows refuse what they cannot read exactly", async () => {
    await assert.rejects(integerRows(1, "9007199254740993\n"), /beyond 2\^53/);
    await assert.rejects(integerRows(2, "1\n"), /1 of 2 columns/);
    await assert.rejects(integerRows(1, "1\t2\n"), /more than 1 columns/);
    await assert.rejects(integerRows(1, "1.5\n"), /not an integer column/);
    await assert.rejects(integerRows(1, "1\n2"), /ends inside row 2/);
  });

  test("integer rows agree with the general reader on generated rows", async () => {
    const chunker = new CopyChunker(64);
    for (let i = 0; i < 500; i++) chunker.push(`${i * 7919}\t${i % 3 === 0 ? "\\N" : -i * 104729}`);
    const text = chunker.finish();
    const general: number[][] = [];
    await readCopyRows(chunks(...text), (c) =>
      general.push(c.map((x) => (x === null ? Number.NaN : Number(x)))),
    );
    assert.deepEqual(await integerRows(2, ...text), general);
    assert.equal(general.length, 500);
  });
});
