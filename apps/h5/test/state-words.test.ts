/**
 * Every status the database lets a withdrawal or an order take has words on the
 * member site, in Chinese and English: 打款中, 已到账 and 打款失败 showed as an empty tag.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { allowedValues, openTestPglite, type TestDb } from "../../../packages/server/test/support/db.ts";
import { en, zhCN } from "../src/i18n/catalogue.ts";

let testDb: TestDb;
before(async () => {
  testDb = await openTestPglite();
});
after(async () => {
  await testDb.cleanup();
});

const allowed = (constraint: string) => allowedValues(testDb.db, constraint);

test("each withdrawal and order status the database allows has member-site words", async () => {
  const catalogues: Record<string, string>[] = [zhCN, en];
  const expected = [
    ...(await allowed("withdrawals_status_check")).map((v) => `withdraw.status.${v}`),
    ...(await allowed("orders_status_check")).map((v) => `shop.status.${v}`),
  ];
  assert.ok(expected.includes("withdraw.status.failed"));
  for (const catalogue of catalogues)
    for (const key of expected) assert.ok(catalogue[key], `${key} has no words`);
});
