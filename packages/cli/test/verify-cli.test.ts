/**
 * `jifen verify` as a process on an embedded database (DATA_DIR): a generated
 * shop, settled, passes with exit status 0; a balance changed with raw SQL is
 * listed (account, stored, recomputed) with exit status 1.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { openPglite } from "@jifen/server";
import { daysAgo, runJifen, seedDataDir } from "./support.ts";

const dataDir = mkdtempSync(join(tmpdir(), "jifen-verify-"));
before(() => seedDataDir(dataDir));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function jifen(...args: string[]) {
  return runJifen({ DATA_DIR: dataDir }, args);
}

/** Runs one statement on the data directory while no jifen process holds it. */
async function sql(text: string): Promise<Record<string, unknown>[]> {
  const db = await openPglite({ dataDir: join(dataDir, "pglite") });
  try {
    return (await db.query(text)).rows;
  } finally {
    await db.close();
  }
}

test("a generated and settled shop passes (status 0); a changed balance fails (status 1) and is listed", async () => {
  assert.equal(jifen("demo-data", "--members", "200", "--seed", "5", "--day", daysAgo(2)).status, 0);
  const settled = jifen("settle");
  assert.equal(settled.status, 0, settled.stderr);

  const ok = jifen("verify");
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  const lines = ok.stdout.split("\n");
  assert.match(
    lines[0] ?? "",
    /^OK {3}余额与流水重算一致：[\d,]+ 项一致 \/ balances recomputed from the postings: [\d,]+ balances agree \(\d+\.\d s\)$/,
  );
  assert.match(
    lines[1] ?? "",
    /^OK {3}每笔流水按资产借贷平衡：[\d,]+ 项一致 \/ transactions balanced per asset: [\d,]+ transactions agree \(\d+\.\d s\)$/,
  );
  assert.match(
    lines[2] ?? "",
    /^OK {3}每条分录都属于存在的流水：[\d,]+ 项一致 \/ postings belong to a transaction: [\d,]+ postings agree \(\d+\.\d s\)$/,
  );
  assert.match(
    lines[3] ?? "",
    /^OK {3}增值积分数据与流水一致：5 项一致 \/ equity figures against the ledger: 5 figures agree \(\d+\.\d s\)$/,
  );
  assert.match(
    lines[4] ?? "",
    /^OK {3}日结记录合计与流水一致：8 项一致 \/ settlement totals against their ledger: 8 totals agree \(\d+\.\d s\)$/,
  );
  assert.match(ok.stdout, /全部一致.*Everything agrees/);

  const [row] = await sql(
    "select account, amount::text as amount from balances where account like 'm:%:cash' and amount > 0 order by account limit 1",
  );
  assert.ok(row, "a member holds cash after the settled days");
  await sql(`update balances set amount = amount + 0.5 where account = '${row.account}' and asset = 'cny'`);
  const [changed] = await sql(`select amount::text as amount from balances where account = '${row.account}'`);

  const bad = jifen("verify");
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(
    bad.stdout,
    /^FAIL 余额与流水重算一致：[\d,]+ 项中 1 项不一致 \/ balances recomputed from the postings: 1 of [\d,]+ balances differ \(\d+\.\d s\)$/m,
  );
  assert.match(bad.stdout, /^OK {3}每笔流水按资产借贷平衡/m);
  assert.ok(bad.stdout.includes(`  ${row.account}/cny\t${changed?.amount}\t${row.amount}\n`), bad.stdout);
  assert.match(bad.stdout, /发现差异.*Differences found/);

  const json = jifen("verify", "--json");
  assert.equal(json.status, 1);
  const result = JSON.parse(json.stdout);
  assert.equal(result.ok, false);
  assert.deepEqual(result.checks[0].samples, [
    { subject: `${row.account}/cny`, stored: changed?.amount, recomputed: row.amount },
  ]);
  const usage = jifen("verify", "--limit", "0");
  assert.equal(usage.status, 2);
});
