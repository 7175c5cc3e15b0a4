/**
 * Every value the database lets an order's provider or a withdrawal's status
 * take has words in the console, in Chinese and English: a value without them
 * showed as an empty cell (演示支付 and 微信支付 orders had no 支付方式).
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

test("each order provider and withdrawal status the database allows has console words", async () => {
  const catalogues: Record<string, string>[] = [zhCN, en];
  const expected = [
    ...(await allowed("orders_provider_check")).map((v) => `orders.provider.${v}`),
    ...(await allowed("withdrawals_status_check")).map((v) => `withdrawals.status.${v}`),
  ];
  assert.ok(expected.includes("orders.provider.demo"));
  for (const catalogue of catalogues)
    for (const key of expected) assert.ok(catalogue[key], `${key} has no words`);
});
