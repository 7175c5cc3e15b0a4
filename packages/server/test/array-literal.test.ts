import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { arrayLiteral } from "../src/db/index.ts";
import { dbTargets, type TestDb } from "./support/db.ts";

const TRICKY = [
  'a"b',
  "back\\slash",
  "",
  "NULL",
  "{x,y}",
  " spaced ",
  "中文",
  'both \\" here',
  null,
  undefined,
];

describe("array literals (the writer's write parameters)", () => {
  test("the text is the pg driver's own for strings, numbers, bigints, booleans and nulls", () => {
    const prepare = (pg as unknown as { utils: { prepareValue(v: unknown): unknown } }).utils.prepareValue;
    for (const values of [TRICKY, [1, -2.5, 0], [12345678901234567890n, -1n], [true, false, null], []])
      assert.equal(arrayLiteral(values), prepare(values));
  });

  test("an array of anything else is left to the driver", () => {
    const dates = [new Date(0)];
    assert.equal(arrayLiteral(dates), dates);
    const nested = [["a"]];
    assert.equal(arrayLiteral(nested), nested);
  });

  for (const target of dbTargets()) {
    describe(`read back by ${target.name}`, () => {
      let t: TestDb;
      before(async () => {
        t = await target.open();
      });
      after(async () => {
        await t?.cleanup();
      });

      test("text and numeric arrays come back element for element", async () => {
        const text = TRICKY.map((v) => v ?? null);
        const rows = await t.db.query<{ t: (string | null)[]; n: string[] }>(
          "select $1::text[] as t, array(select x::text from unnest($2::numeric[]) x) as n",
          [arrayLiteral(TRICKY), arrayLiteral(["0.000001", "-123456789012345678.5", 7])],
        );
        assert.deepEqual(rows.rows[0]?.t, text);
        assert.deepEqual(rows.rows[0]?.n, ["0.000001", "-123456789012345678.5", "7"]);
      });
    });
  }
});
