/**
 * `jifen reconcile` as a process on an embedded database (DATA_DIR): a
 * statement file (Alipay's GBK zip, WeChat Pay's backtick CSV) whose lines
 * this shop never recorded is listed line by line, Chinese first, with exit
 * status 1 (and as JSON); a statement with nothing paid agrees (status 0);
 * usage errors exit 2; a download without Alipay settings says so.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { billZip } from "../../server/test/support/fake-alipay.ts";
import { runJifen, seedDataDir } from "./support.ts";

const dir = mkdtempSync(join(tmpdir(), "jifen-reconcile-"));
const dataDir = join(dir, "data");
before(() => seedDataDir(dataDir));
after(() => rmSync(dir, { recursive: true, force: true }));

function jifen(...args: string[]) {
  return runJifen({ DATA_DIR: dataDir, INIT_CWD: dir }, args);
}

const WECHAT_HEADER =
  "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
const wechatLine = (state: string, outTradeNo: string, settled: string, refundNo = "0", refund = "0.00") =>
  `\`2026-11-28 10:00:00,\`wx2421b1c4370ec43b,\`10000100,\`0,\`,\`4200000001202611281234567890,\`${outTradeNo},\`o1,\`JSAPI,\`${state},\`CMB_DEBIT,\`CNY,\`${settled},\`0.00,\`0,\`${refundNo},\`${refund},\`0.00,\`,\`,\`商品,\`,\`0.00000,\`0.60%,\`${settled},\`${refund},\``;

test("statement lines not recorded here are listed (exit 1), as text and JSON; an empty day agrees (exit 0)", () => {
  const zip = join(dir, "alipay.zip");
  writeFileSync(
    zip,
    billZip("2026-11-28", [
      { tradeNo: "2026112822001", outTradeNo: "JF1T1", kind: "交易", amount: "88.80" },
      { tradeNo: "2026112822001", outTradeNo: "JF1T1", kind: "退款", amount: "8.80", refundRequestNo: "RF1" },
    ]),
  );
  const text = jifen("reconcile", "--date", "2026-11-28", "--file", zip);
  assert.equal(text.status, 1, text.stderr);
  const lines = text.stdout.trim().split("\n");
  assert.match(lines[0] ?? "", /^对账 \/ reconciliation alipay 2026-11-28: 对账单 2 笔.*差异 2/);
  assert.match(
    lines[1] ?? "",
    /支付方有、本系统无 \/ paid there but not here: 支付 payment JF1T1 .*支付方 there 88\.80 本系统 here —/,
  );
  assert.match(lines[2] ?? "", /退款 refund RF1 JF1T1 .*there 8\.80/);

  const wechat = join(dir, "wechat.csv");
  writeFileSync(
    wechat,
    [
      WECHAT_HEADER,
      wechatLine("SUCCESS", "JF2T2", "19.90"),
      wechatLine("REFUND", "JF2T2", "0.00", "RF2", "5.00"),
    ].join("\r\n"),
  );
  const json = jifen("reconcile", "--date", "2026-11-28", "--provider", "wechat", "--file", wechat, "--json");
  assert.equal(json.status, 1, json.stderr);
  const result = JSON.parse(json.stdout);
  assert.equal(result.provider, "wechat");
  assert.deepEqual(
    result.differences.map((d: { kind: string; line: string; there: string }) => [d.kind, d.line, d.there]),
    [
      ["missing_here", "payment", "19.90"],
      ["missing_here", "refund", "5.00"],
    ],
  );

  const empty = join(dir, "empty.csv");
  writeFileSync(empty, [WECHAT_HEADER, wechatLine("REVOKED", "JF3T3", "0.00")].join("\n"));
  const agrees = jifen("reconcile", "--date", "2026-11-28", "--provider", "wechat", "--file", empty);
  assert.equal(agrees.status, 0, agrees.stdout + agrees.stderr);
  assert.match(agrees.stdout, /无差异 \/ no differences/);
});

test("usage errors exit 2; a download without Alipay settings says to pass a file", () => {
  assert.equal(jifen("reconcile").status, 2);
  assert.equal(jifen("reconcile", "--date", "2026-11-28", "--provider", "paypal").status, 2);
  const unconfigured = jifen("reconcile", "--date", "2026-11-28");
  assert.equal(unconfigured.status, 1);
  assert.match(unconfigured.stderr, /未配置支付宝.*--file/);
});
