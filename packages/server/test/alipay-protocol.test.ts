/**
 * The Alipay protocol module against the local fake gateway (which verifies
 * our RSA2 signatures and signs its answers with its own key), and the
 * statement readers. No database.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import {
  AlipayBusinessError,
  AlipayCallError,
  alipayClient,
  billDetailText,
  billDownloadUrl,
  downloadBill,
  microToYuanText,
  payPageUrl,
  queryRefund,
  queryTrade,
  queryTransfer,
  readNotification,
  refundTrade,
  transfer,
  yuanTextToMicro,
} from "../src/payments/alipay/index.ts";
import {
  compareStatement,
  type MoneyLine,
  parseAlipayStatement,
  parseWechatStatement,
} from "../src/reconcile/index.ts";
import { type FakeAlipay, startFakeAlipay } from "./support/fake-alipay.ts";
import { heldFetch, ORDINARY_TIMEOUT_MS } from "./support/held-fetch.ts";

const YUAN = 1_000_000n;

describe("Alipay protocol against the fake gateway", () => {
  let fake: FakeAlipay;
  let client: ReturnType<typeof alipayClient>;
  before(async () => {
    fake = await startFakeAlipay();
    client = alipayClient({
      appId: fake.appId,
      privateKey: fake.appPrivateKey,
      alipayPublicKey: fake.alipayPublicKey,
      gateway: fake.gateway,
      notifyUrl: "https://shop.example.cn/api/payments/alipay/notify",
      // A stalled call is never answered: only it gets the short limit, ordinary ones one a loaded machine meets.
      timeoutMs: ORDINARY_TIMEOUT_MS,
      fetch: heldFetch(fake.holds),
    });
  });
  after(() => fake.close());

  async function openTrade(outTradeNo: string, amountMicro: bigint) {
    const url = payPageUrl(client, { channel: "wap", outTradeNo, amountMicro, subject: "积分商城订单" });
    const page = await (await fetch(url)).text();
    return page;
  }

  test("a signed wap pay URL opens the cashier; an altered amount in it is refused by the gateway", async () => {
    const page = await openTrade("JF-1001", 88_80n * 10_000n);
    assert.match(page, /支付宝收银台 积分商城订单 ¥88\.80/);
    const url = new URL(
      payPageUrl(client, { channel: "page", outTradeNo: "JF-1002", amountMicro: YUAN, subject: "x" }),
    );
    assert.equal(url.searchParams.get("method"), "alipay.trade.page.pay");
    assert.match(url.searchParams.get("biz_content") ?? "", /"product_code":"FAST_INSTANT_TRADE_PAY"/);
    url.searchParams.set("biz_content", (url.searchParams.get("biz_content") ?? "").replace("1.00", "0.01"));
    assert.match(await (await fetch(url)).text(), /invalid-signature/);
    assert.equal(fake.trades.has("JF-1002"), false);
  });

  test("trade query: absent, waiting, then paid with its exact amount", async () => {
    assert.deepEqual(await queryTrade(client, "JF-NONE"), { found: false });
    await openTrade("JF-2001", 12_34n * 10_000n);
    const waiting = await queryTrade(client, "JF-2001");
    assert.equal(waiting.found && waiting.tradeStatus, "WAIT_BUYER_PAY");
    fake.pay("JF-2001");
    const paid = await queryTrade(client, "JF-2001");
    assert.ok(paid.found);
    assert.equal(paid.tradeStatus, "TRADE_SUCCESS");
    assert.equal(paid.totalAmountMicro, 12_340_000n);
  });

  test("an answer signed with another key is not believed; a request signed with another key is refused", async () => {
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = (k: typeof stranger.publicKey, type: "spki" | "pkcs8") =>
      k.export({ type, format: "pem" }).toString();
    const wrongAlipayKey = alipayClient({
      ...client.options,
      alipayPublicKey: pem(stranger.publicKey, "spki"),
    });
    await openTrade("JF-3001", YUAN);
    await assert.rejects(
      queryTrade(wrongAlipayKey, "JF-3001"),
      (e: unknown) => e instanceof AlipayCallError && e.kind === "signature",
    );
    const wrongAppKey = alipayClient({ ...client.options, privateKey: pem(stranger.privateKey, "pkcs8") });
    await assert.rejects(
      queryTrade(wrongAppKey, "JF-3001"),
      (e: unknown) => e instanceof AlipayBusinessError && e.subCode === "isv.invalid-signature",
    );
  });

  test("a gateway that does not answer is a timeout (the outcome is unknown)", async () => {
    fake.stall.set("alipay.trade.query", "before");
    try {
      await assert.rejects(
        queryTrade(client, "JF-3001"),
        (e: unknown) => e instanceof AlipayCallError && e.kind === "timeout",
      );
    } finally {
      fake.stall.delete("alipay.trade.query");
    }
  });

  test("refund, its retry under the same request number, its query, and a refund over the total", async () => {
    await openTrade("JF-4001", 50n * YUAN);
    fake.pay("JF-4001");
    const input = { outTradeNo: "JF-4001", outRequestNo: "RF-1", amountMicro: 20n * YUAN, reason: "退货" };
    assert.deepEqual(await refundTrade(client, input), { refundedTotalMicro: 20n * YUAN, fundChange: true });
    assert.deepEqual(await refundTrade(client, input), { refundedTotalMicro: 20n * YUAN, fundChange: false });
    assert.equal(await queryRefund(client, "JF-4001", "RF-1"), 20n * YUAN);
    assert.equal(await queryRefund(client, "JF-4001", "RF-2"), null);
    await assert.rejects(
      refundTrade(client, { ...input, outRequestNo: "RF-2", amountMicro: 31n * YUAN }),
      (e: unknown) => e instanceof AlipayBusinessError && e.subCode === "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
    );
    await assert.rejects(
      refundTrade(client, { ...input, outTradeNo: "JF-NONE" }),
      (e: unknown) => e instanceof AlipayBusinessError && e.subCode === "ACQ.TRADE_NOT_EXIST",
    );
  });

  test("transfer: paid once per out_biz_no, refused payee is FAIL, a lost answer is found by the query", async () => {
    fake.payees.set("13800138000", "张三");
    const before = fake.balance.balanceFen;
    const payee = { identity: "13800138000", identityType: "ALIPAY_LOGON_ID" as const, name: "张三" };
    const first = await transfer(client, {
      outBizNo: "WD-1",
      amountMicro: 100n * YUAN,
      payee,
      title: "提现",
    });
    assert.equal(first.status, "SUCCESS");
    const again = await transfer(client, {
      outBizNo: "WD-1",
      amountMicro: 100n * YUAN,
      payee,
      title: "提现",
    });
    assert.deepEqual(again, first);
    assert.equal(before - fake.balance.balanceFen, 100_00n);
    const refused = await transfer(client, {
      outBizNo: "WD-2",
      amountMicro: YUAN,
      payee: { ...payee, identity: "13900000000" },
      title: "提现",
    });
    assert.equal(refused.status, "FAIL");
    assert.match(refused.status === "FAIL" ? refused.reason : "", /PAYEE_NOT_EXIST/);
    assert.deepEqual(await queryTransfer(client, "WD-2"), { status: "ABSENT" });
    fake.stall.set("alipay.fund.trans.uni.transfer", "after");
    try {
      await assert.rejects(
        transfer(client, { outBizNo: "WD-3", amountMicro: 2n * YUAN, payee, title: "提现" }),
      );
    } finally {
      fake.stall.delete("alipay.fund.trans.uni.transfer");
    }
    assert.equal((await queryTransfer(client, "WD-3")).status, "SUCCESS");
    assert.equal(
      (await transfer(client, { outBizNo: "WD-3", amountMicro: 2n * YUAN, payee, title: "提现" })).status,
      "SUCCESS",
    );
    assert.equal(before - fake.balance.balanceFen, 102_00n);
  });

  test("notifications: verified over every field but sign and sign_type; altered or foreign ones refused", async () => {
    await openTrade("JF-5001", 9_90n * 10_000n);
    fake.pay("JF-5001");
    const form = fake.notification("JF-5001");
    const read = readNotification(client, form);
    assert.ok(typeof read === "object");
    assert.equal(read.totalAmountMicro, 9_900_000n);
    assert.equal(read.paid, true);
    assert.equal(readNotification(client, { ...form, total_amount: "0.01" }), "SIGNATURE_INVALID");
    assert.equal(readNotification(client, { ...form, sign_type: "RSA" }).constructor, Object); // sign_type is not signed
    assert.equal(
      readNotification(client, fake.notification("JF-5001", { app_id: "2021000000000999" })),
      "APP_ID_MISMATCH",
    );
    assert.equal(
      readNotification(client, fake.notification("JF-5001", { total_amount: "9.9e1" })),
      "MALFORMED",
    );
  });

  test("the day's statement: download URL, GBK zip, detail CSV read exactly", async () => {
    assert.equal(await billDownloadUrl(client, "2026-11-27"), null);
    fake.plantBill("2026-11-28", [
      { tradeNo: "2026112822001", outTradeNo: "JF-1", kind: "交易", amount: "88.80", subject: "商品,含逗号" },
      { tradeNo: "2026112822001", outTradeNo: "JF-1", kind: "退款", amount: "8.80", refundRequestNo: "RF-1" },
    ]);
    const url = await billDownloadUrl(client, "2026-11-28");
    assert.ok(url);
    const text = billDetailText(await downloadBill(url));
    assert.match(text, /#支付宝业务明细查询/);
    assert.deepEqual(
      parseAlipayStatement(text).map((l) => [l.kind, l.outTradeNo, l.refundNo, l.amountMicro]),
      [
        ["payment", "JF-1", null, 88_800_000n],
        ["refund", "JF-1", "RF-1", 8_800_000n],
      ],
    );
  });
});

describe("amounts and statements", () => {
  test("yuan texts are read exactly and written with two decimals", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 13n - 1n }), (fen) => {
        const micro = fen * 10_000n;
        assert.equal(yuanTextToMicro(microToYuanText(micro)), micro);
      }),
    );
    for (const bad of ["1.001", "1e2", "-1", "01.00", " 1", "1.", ".5", "", "0x10"])
      assert.equal(yuanTextToMicro(bad), null, bad);
    assert.equal(yuanTextToMicro("0.1"), 100_000n);
    assert.throws(() => microToYuanText(1n));
  });

  test("the WeChat Pay trade bill: backtick fields, payments, refunds, revoked skipped", () => {
    const bill = [
      "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注",
      "`2026-11-28 10:00:00,`wx2421b1c4370ec43b,`10000100,`0,`,`4200000001202611281234567890,`JF-7,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`SUCCESS,`CMB_DEBIT,`CNY,`19.90,`0.00,`0,`0,`0.00,`0.00,`,`,`积分商城订单,`,`0.12000,`0.60%,`19.90,`0.00,`",
      "`2026-11-28 11:00:00,`wx2421b1c4370ec43b,`10000100,`0,`,`4200000001202611281234567890,`JF-7,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`REFUND,`CMB_DEBIT,`CNY,`0.00,`0.00,`50000000012026112800001,`RF-7,`5.00,`0.00,`ORIGINAL,`SUCCESS,`积分商城订单,`,`-0.03000,`0.60%,`0.00,`5.00,`",
      "`2026-11-28 12:00:00,`wx2421b1c4370ec43b,`10000100,`0,`,`4200000001202611289999999999,`JF-8,`o2,`NATIVE,`REVOKED,`OTHERS,`CNY,`0.00,`0.00,`0,`0,`0.00,`0.00,`,`,`x,`,`0.00000,`0.60%,`1.00,`0.00,`",
      "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
      "`3,`19.90,`5.00,`0.00,`0.09000,`20.90,`5.00",
    ].join("\r\n");
    assert.deepEqual(
      parseWechatStatement(bill).map((l) => [l.kind, l.outTradeNo, l.refundNo, l.amountMicro, l.tradeNo]),
      [
        ["payment", "JF-7", null, 19_900_000n, "4200000001202611281234567890"],
        ["refund", "JF-7", "RF-7", 5_000_000n, "4200000001202611281234567890"],
      ],
    );
  });

  test("comparison finds each kind of difference, and a payment recorded after midnight is no difference", () => {
    const line = (
      kind: MoneyLine["kind"],
      outTradeNo: string,
      yuan: bigint,
      refundNo: string | null = null,
      at = "2026-11-28 10:00:00",
    ): MoneyLine => ({
      kind,
      outTradeNo,
      tradeNo: null,
      refundNo,
      amountMicro: yuan * YUAN,
      at,
    });
    const there = [
      line("payment", "A", 10n),
      line("payment", "B", 20n),
      line("payment", "C", 30n),
      line("refund", "A", 5n, "RF-A"),
      line("payment", "E", 1n),
    ];
    const here = [
      line("payment", "A", 10n),
      line("payment", "C", 31n),
      line("payment", "D", 40n),
      line("refund", "A", 4n, "RF-A"),
      line("payment", "E", 1n, null, "2026-11-29 00:00:02"),
      line("payment", "F", 2n, null, "2026-11-27 23:59:00"),
    ];
    const result = compareStatement({ provider: "alipay", date: "2026-11-28", there, here }, (l) =>
      l.at.startsWith("2026-11-28"),
    );
    assert.deepEqual(
      result.differences.map((d) => [d.kind, d.line, d.outTradeNo, d.there, d.here]),
      [
        ["missing_here", "payment", "B", "20.00", null],
        ["amount_differs", "payment", "C", "30.00", "31.00"],
        ["amount_differs", "refund", "A", "5.00", "4.00"],
        ["missing_there", "payment", "D", null, "40.00"],
      ],
    );
    assert.equal(result.matched, 2);
  });
});
