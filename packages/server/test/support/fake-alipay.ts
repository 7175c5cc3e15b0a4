/**
 * A local Alipay open-platform gateway for tests, written from the published
 * protocol independently of src/payments/alipay: it verifies each request's
 * RSA2 signature with the application's public key (sorted k=v of every
 * parameter but `sign`), signs its answers (`<method>_response` text + `sign`)
 * and notifications (every field but sign/sign_type) with its own key, gives
 * the real error codes (40002 isv.invalid-signature, 40004 ACQ.TRADE_NOT_EXIST,
 * PAYEE_NOT_EXIST, ORDER_NOT_EXIST, isp.bill_not_exist…), and can stall a
 * method (a timeout) before or after doing its work. Keys are made per run.
 */
import { createSign, createVerify, generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { crc32, deflateRawSync } from "node:zlib";
import iconv from "iconv-lite";

export interface FakeTrade {
  tradeNo: string;
  outTradeNo: string;
  /** Yuan text as the member's order carried it ("88.80"). */
  totalAmount: string;
  subject: string;
  status: "WAIT_BUYER_PAY" | "TRADE_SUCCESS" | "TRADE_CLOSED" | "TRADE_FINISHED";
  notifyUrl: string | null;
  /** out_request_no → fen refunded. */
  refunds: Map<string, bigint>;
}

export interface FakeTransfer {
  outBizNo: string;
  orderId: string;
  amount: string;
  identity: string;
  status: "SUCCESS" | "FAIL" | "DEALING";
  failReason?: string;
}

function keyPair() {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
}

/** The signed text: non-empty parameters but the excluded ones, sorted by name, k=v joined by &. */
function content(params: Record<string, string>, excluded: string[]): string {
  return Object.keys(params)
    .filter((k) => !excluded.includes(k) && params[k] !== "")
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join("&");
}

function fen(yuan: string): bigint {
  const [whole = "0", frac = ""] = yuan.split(".");
  return BigInt(whole) * 100n + BigInt(frac.padEnd(2, "0"));
}

function yuan(fenAmount: bigint): string {
  return `${fenAmount / 100n}.${(fenAmount % 100n).toString().padStart(2, "0")}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Beijing time "yyyy-MM-dd HH:mm:ss". */
function beijing(at = new Date()): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace("T", " ");
}

type Answer = Record<string, unknown>;
type Handler = (biz: Record<string, unknown>, params: Record<string, string>) => Answer;

const OK = { code: "10000", msg: "Success" };
function businessFailure(subCode: string, subMsg: string): Answer {
  return { code: "40004", msg: "Business Failed", sub_code: subCode, sub_msg: subMsg };
}

export type FakeAlipay = Awaited<ReturnType<typeof startFakeAlipay>>;

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeAlipay(appId = "2021000000000001") {
  const app = keyPair();
  const alipay = keyPair();
  const trades = new Map<string, FakeTrade>();
  const transfers = new Map<string, FakeTransfer>();
  /** Alipay accounts that can receive a transfer: login id or user id → real name. */
  const payees = new Map<string, string>();
  const bills = new Map<string, Uint8Array>();
  const calls: { method: string; biz: Record<string, unknown> }[] = [];
  /** Methods that never answer; "after" ones do their work first (the answer is lost). */
  const stall = new Map<string, "before" | "after">();
  const state = { seq: 0, balanceFen: 1_000_000_00n, base: "" };
  const nextNo = (prefix: string) => `${prefix}${String(++state.seq).padStart(12, "0")}`;

  const signAnswer = (method: string, answer: Answer, withSign: boolean): string => {
    const key = `${method.replaceAll(".", "_")}_response`;
    const json = JSON.stringify(answer);
    if (!withSign) return `{"${key}":${json}}`;
    const sign = createSign("RSA-SHA256").update(json, "utf8").sign(alipay.privateKey, "base64");
    return `{"${key}":${json},"sign":"${sign}"}`;
  };
  const verifyRequest = (params: Record<string, string>): boolean =>
    typeof params.sign === "string" &&
    createVerify("RSA-SHA256")
      .update(content(params, ["sign"]), "utf8")
      .verify(app.publicKey, params.sign, "base64");

  const handlers: Record<string, Handler> = {
    "alipay.trade.query": (biz) => {
      const trade = trades.get(String(biz.out_trade_no));
      if (!trade) return businessFailure("ACQ.TRADE_NOT_EXIST", "交易不存在");
      return {
        ...OK,
        trade_no: trade.tradeNo,
        out_trade_no: trade.outTradeNo,
        buyer_logon_id: "159****5620",
        trade_status: trade.status,
        total_amount: trade.totalAmount,
      };
    },
    "alipay.trade.refund": (biz) => refund(biz),
    "alipay.trade.fastpay.refund.query": (biz) => {
      const trade = trades.get(String(biz.out_trade_no));
      if (!trade) return businessFailure("ACQ.TRADE_NOT_EXIST", "交易不存在");
      const done = trade.refunds.get(String(biz.out_request_no));
      if (done === undefined) return { ...OK, out_trade_no: trade.outTradeNo, trade_no: trade.tradeNo };
      return {
        ...OK,
        out_trade_no: trade.outTradeNo,
        trade_no: trade.tradeNo,
        out_request_no: biz.out_request_no,
        total_amount: trade.totalAmount,
        refund_amount: yuan(done),
        refund_status: "REFUND_SUCCESS",
      };
    },
    "alipay.fund.trans.uni.transfer": (biz) => pay(biz),
    "alipay.fund.trans.common.query": (biz) => {
      const t = transfers.get(String(biz.out_biz_no));
      if (!t) return businessFailure("ORDER_NOT_EXIST", "转账订单不存在");
      return {
        ...OK,
        order_id: t.orderId,
        pay_fund_order_id: `${t.orderId}F`,
        out_biz_no: t.outBizNo,
        trans_amount: t.amount,
        status: t.status,
        ...(t.failReason ? { fail_reason: t.failReason, error_code: t.failReason } : {}),
      };
    },
    "alipay.data.dataservice.bill.downloadurl.query": (biz) => {
      const date = String(biz.bill_date);
      if (biz.bill_type !== "trade")
        return { code: "40002", msg: "Invalid Arguments", sub_code: "isv.invalid-bill-type" };
      if (!bills.has(date)) return businessFailure("isp.bill_not_exist", "账单不存在");
      return { ...OK, bill_download_url: `${state.base}/bills/${date}.zip?sig=x` };
    },
  };

  function refund(biz: Record<string, unknown>): Answer {
    const trade = trades.get(String(biz.out_trade_no));
    if (!trade) return businessFailure("ACQ.TRADE_NOT_EXIST", "交易不存在");
    if (trade.status !== "TRADE_SUCCESS") return businessFailure("ACQ.TRADE_STATUS_ERROR", "交易状态不合法");
    const requestNo = String(biz.out_request_no ?? trade.outTradeNo);
    const amount = fen(String(biz.refund_amount));
    const earlier = trade.refunds.get(requestNo);
    const refunded = [...trade.refunds.values()].reduce((a, b) => a + b, 0n);
    if (earlier !== undefined && earlier !== amount)
      return businessFailure("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额与原请求不一致");
    if (earlier === undefined) {
      if (refunded + amount > fen(trade.totalAmount))
        return businessFailure("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限");
      trade.refunds.set(requestNo, amount);
    }
    const total = [...trade.refunds.values()].reduce((a, b) => a + b, 0n);
    if (total === fen(trade.totalAmount)) trade.status = "TRADE_CLOSED";
    return {
      ...OK,
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      buyer_logon_id: "159****5620",
      fund_change: earlier === undefined ? "Y" : "N",
      refund_fee: yuan(total),
      gmt_refund_pay: beijing(),
    };
  }

  function pay(biz: Record<string, unknown>): Answer {
    const outBizNo = String(biz.out_biz_no);
    const earlier = transfers.get(outBizNo);
    if (earlier) return transferAnswer(earlier);
    if (biz.product_code !== "TRANS_ACCOUNT_NO_PWD" || biz.biz_scene !== "DIRECT_TRANSFER")
      return {
        code: "40002",
        msg: "Invalid Arguments",
        sub_code: "INVALID_PARAMETER",
        sub_msg: "产品码不正确",
      };
    const amount = String(biz.trans_amount);
    if (!/^\d+(\.\d{1,2})?$/.test(amount) || fen(amount) < 10n)
      return businessFailure("EXCEED_LIMIT_SM_MIN_AMOUNT", "单笔最低转账金额0.1元");
    const payee = (biz.payee_info ?? {}) as Record<string, string>;
    const name = payees.get(payee.identity ?? "");
    if (name === undefined) return businessFailure("PAYEE_NOT_EXIST", "收款账号不存在");
    if (payee.name !== undefined && payee.name !== name)
      return businessFailure("PAYEE_USER_INFO_ERROR", "收款方姓名不一致");
    if (fen(amount) > state.balanceFen) return businessFailure("PAYER_BALANCE_NOT_ENOUGH", "付款方余额不足");
    state.balanceFen -= fen(amount);
    const t: FakeTransfer = {
      outBizNo,
      orderId: nextNo("2026"),
      amount,
      identity: payee.identity ?? "",
      status: "SUCCESS",
    };
    transfers.set(outBizNo, t);
    return transferAnswer(t);
  }

  function transferAnswer(t: FakeTransfer): Answer {
    return {
      ...OK,
      out_biz_no: t.outBizNo,
      order_id: t.orderId,
      pay_fund_order_id: `${t.orderId}F`,
      status: t.status,
      trans_date: beijing(),
    };
  }

  /** The cashier page (GET of a signed wap/page pay): opens the trade. */
  function openTrade(params: Record<string, string>): { status: number; body: string } {
    if (!verifyRequest(params))
      return { status: 200, body: "<html><body>错误代码 invalid-signature 验签出错</body></html>" };
    if (params.app_id !== appId)
      return { status: 200, body: "<html><body>错误代码 isv.invalid-app-id</body></html>" };
    const biz = JSON.parse(params.biz_content ?? "{}") as Record<string, string>;
    const outTradeNo = String(biz.out_trade_no);
    const existing = trades.get(outTradeNo);
    if (existing && existing.totalAmount !== biz.total_amount)
      return {
        status: 200,
        body: "<html><body>错误代码 ACQ.CONTEXT_INCONSISTENT 交易信息被篡改</body></html>",
      };
    if (!existing)
      trades.set(outTradeNo, {
        tradeNo: nextNo("2026112922001"),
        outTradeNo,
        totalAmount: String(biz.total_amount),
        subject: String(biz.subject),
        status: "WAIT_BUYER_PAY",
        notifyUrl: params.notify_url ?? null,
        refunds: new Map(),
      });
    return {
      status: 200,
      body: `<html><body>支付宝收银台 ${biz.subject} ¥${biz.total_amount}</body></html>`,
    };
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method === "GET" && url.pathname.startsWith("/bills/")) {
      const zip = bills.get(url.pathname.slice(7, -4));
      res.writeHead(zip ? 200 : 404, { "content-type": "application/zip" });
      return res.end(zip ? Buffer.from(zip) : undefined);
    }
    if (req.method === "GET") {
      const page = openTrade(Object.fromEntries(url.searchParams));
      res.writeHead(page.status, { "content-type": "text/html; charset=utf-8" });
      return res.end(page.body);
    }
    const params = Object.fromEntries(new URLSearchParams(await readBody(req)));
    const method = params.method ?? "";
    const send = (answer: Answer, signed: boolean) => {
      res.writeHead(200, { "content-type": "text/html;charset=utf-8" });
      res.end(signAnswer(method, answer, signed));
    };
    if (!verifyRequest(params))
      return send(
        { code: "40002", msg: "Invalid Arguments", sub_code: "isv.invalid-signature", sub_msg: "验签出错" },
        false,
      );
    if (params.app_id !== appId)
      return send(
        {
          code: "40002",
          msg: "Invalid Arguments",
          sub_code: "isv.invalid-app-id",
          sub_msg: "无效的AppID参数",
        },
        false,
      );
    const handler = handlers[method];
    if (!handler)
      return send({ code: "40004", msg: "Business Failed", sub_code: "isv.invalid-method" }, false);
    const biz = JSON.parse(params.biz_content ?? "{}") as Record<string, unknown>;
    calls.push({ method, biz });
    const stalled = stall.get(method);
    if (stalled === "before") return; // never answers: the client times out
    const answer = handler(biz, params);
    if (stalled === "after") return;
    send(answer, true);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** A notification for a trade, signed with Alipay's key (overrides applied before signing). */
  function notification(
    outTradeNo: string,
    overrides: Record<string, string | undefined> = {},
  ): Record<string, string> {
    const trade = trades.get(outTradeNo);
    if (!trade) throw new Error(`no trade ${outTradeNo}`);
    const form: Record<string, string | undefined> = {
      notify_time: beijing(),
      notify_type: "trade_status_sync",
      notify_id: `ac05099524730693a8b330c5ecf72da${++state.seq}`,
      charset: "utf-8",
      version: "1.0",
      sign_type: "RSA2",
      app_id: appId,
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      buyer_id: "2088102122524333",
      seller_id: "2088101106499364",
      trade_status: trade.status,
      total_amount: trade.totalAmount,
      receipt_amount: trade.totalAmount,
      buyer_pay_amount: trade.totalAmount,
      subject: trade.subject,
      gmt_create: beijing(),
      gmt_payment: beijing(),
      ...overrides,
    };
    const clean = Object.fromEntries(Object.entries(form).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >;
    return signNotification(clean);
  }
  function signNotification(form: Record<string, string>): Record<string, string> {
    const { sign: _drop, ...rest } = form;
    const sign = createSign("RSA-SHA256")
      .update(content(rest, ["sign", "sign_type"]), "utf8")
      .sign(alipay.privateKey, "base64");
    return { ...rest, sign };
  }

  return {
    appId,
    gateway: `${state.base}/gateway.do`,
    base: () => state.base,
    /** Our application's key pair (the private key goes into our settings). */
    appPrivateKey: app.privateKey,
    appPublicKey: app.publicKey,
    alipayPublicKey: alipay.publicKey,
    trades,
    transfers,
    payees,
    bills,
    calls,
    stall,
    /** Whether a gateway request with form `body` would be stalled now (its client's timeout is the only answer). */
    holds: (_url: string, body: string) => stall.has(new URLSearchParams(body).get("method") ?? ""),
    balance: state,
    /** The member pays at the cashier. */
    pay(outTradeNo: string): FakeTrade {
      const trade = trades.get(outTradeNo);
      if (!trade) throw new Error(`no trade ${outTradeNo}`);
      trade.status = "TRADE_SUCCESS";
      return trade;
    },
    notification,
    signNotification,
    /** Posts a notification form to `url` as Alipay does; resolves to the answer's text. */
    async post(url: string, form: Record<string, string>): Promise<{ status: number; text: string }> {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
        body: new URLSearchParams(form).toString(),
      });
      return { status: response.status, text: await response.text() };
    },
    /** Plants day `date`'s statement zip (业务明细 + 汇总, GBK) made of `rows`. */
    plantBill(date: string, rows: BillRow[]): void {
      bills.set(date, billZip(date, rows));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One line of Alipay's 业务明细. */
export interface BillRow {
  tradeNo: string;
  outTradeNo: string;
  kind: "交易" | "退款";
  /** Yuan text; refunds are written negative as Alipay does. */
  amount: string;
  refundRequestNo?: string;
  subject?: string;
  finishedAt?: string;
}

const BILL_HEADER =
  "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注";

/** The statement zip as Alipay serves it: two GBK CSVs named with GBK bytes. */
export function billZip(date: string, rows: BillRow[]): Uint8Array {
  const day = date.replaceAll("-", "");
  const lines = [
    "#支付宝业务明细查询",
    "#账号：[20886126836996110156]",
    `#起始日期：[${date} 00:00:00]   终止日期：[${date} 23:59:59]`,
    "#-----------------------------------------业务明细列表----------------------------------------",
    BILL_HEADER,
    ...rows.map((r) => {
      const at = r.finishedAt ?? `${date} 10:00:00`;
      const amount = r.kind === "退款" && !r.amount.startsWith("-") ? `-${r.amount}` : r.amount;
      return [
        `${r.tradeNo}\t`,
        `${r.outTradeNo}\t`,
        r.kind,
        r.subject ?? "积分商城订单",
        at,
        at,
        "",
        "",
        "",
        "",
        "159****5620",
        amount,
        amount,
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "",
        "0.00",
        "0.00",
        r.refundRequestNo ?? "",
        "0.00",
        "0.00",
        "",
      ]
        .map((f) => (/[",]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f))
        .join(",");
    }),
    "#-----------------------------------------业务明细列表结束------------------------------------",
    `#交易合计：${rows.filter((r) => r.kind === "交易").length}笔`,
    `#导出时间：[${date} 09:00:00]`,
  ];
  const detail = iconv.encode(`${lines.join("\r\n")}\r\n`, "gbk");
  const summary = iconv.encode("#支付宝业务汇总查询\r\n门店编号,门店名称,交易订单总笔数\r\n", "gbk");
  const name = (suffix: string) => iconv.encode(`20886126836996110156_${day}_${suffix}`, "gbk");
  return gbkZip([
    [name("业务明细.csv"), detail],
    [name("业务明细(汇总).csv"), summary],
  ]);
}

/** A zip whose entry names are GBK bytes without the UTF-8 flag (as Alipay's are), deflated. */
function gbkZip(entries: [Buffer, Buffer][]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const packed = deflateRawSync(data);
    const fixed = Buffer.alloc(26);
    fixed.writeUInt16LE(20, 0); // version needed
    fixed.writeUInt16LE(0, 2); // flags: no UTF-8 bit
    fixed.writeUInt16LE(8, 4); // deflate
    fixed.writeUInt32LE(0, 6); // time, date
    fixed.writeUInt32LE(crc32(data), 10);
    fixed.writeUInt32LE(packed.length, 14);
    fixed.writeUInt32LE(data.length, 18);
    fixed.writeUInt16LE(name.length, 22);
    fixed.writeUInt16LE(0, 24);
    const local = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), fixed, name, packed]);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    fixed.copy(central, 6, 0, 26);
    central.writeUInt32LE(offset, 42);
    centrals.push(Buffer.concat([central, name]));
    locals.push(local);
    offset += local.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}
