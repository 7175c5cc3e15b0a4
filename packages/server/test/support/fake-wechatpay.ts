/**
 * A local WeChat Pay API v3 that speaks the real protocol, written from the
 * documentation independently of the provider code: it checks each request's
 * WECHATPAY2-SHA256-RSA2048 signature with the merchant's public key, signs
 * its answers and notifications with the platform key (Wechatpay-Timestamp /
 * Nonce / Signature / Serial), encrypts notification resources with
 * AEAD_AES_256_GCM under the APIv3 key, answers the documented errors, and
 * can hold a request until the client times out. Keys are generated per run.
 */

import {
  createCipheriv,
  createHash,
  createSign,
  createVerify,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";

type Json = Record<string, unknown>;

/** A test key pair as PEM text (generated at test time, never committed). */
export function testKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
}

interface FakeOrder {
  outTradeNo: string;
  total: number;
  tradeType: string;
  state: "NOTPAY" | "SUCCESS" | "CLOSED" | "REFUND";
  transactionId: string | null;
  openid: string;
  appid: string;
}

interface FakeRefund {
  outRefundNo: string;
  outTradeNo: string;
  transactionId: string;
  refund: number;
  total: number;
  status: "PROCESSING" | "SUCCESS" | "ABNORMAL" | "CLOSED";
  refundId: string;
}

interface FakeBill {
  outBillNo: string;
  billNo: string;
  openid: string;
  amount: number;
  state: string;
  failReason: string;
}

/** The fake's options. */
export interface FakeWechatOptions {
  readonly mchId: string;
  readonly appId: string;
  readonly merchantSerial: string;
  readonly merchantPublicKey: string;
  readonly platformSerial: string;
  readonly platformPrivateKey: string;
  readonly apiV3Key: string;
  /** The fake's clock in seconds (the tests' manual clock). */
  readonly nowSeconds: () => number;
  /** The official account's AppSecret (网页授权 sns/oauth2/access_token checks it). */
  readonly appSecret: string;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Starts the fake; `url` is its endpoint. */
export async function startFakeWechat(options: FakeWechatOptions) {
  const orders = new Map<string, FakeOrder>();
  const refunds = new Map<string, FakeRefund>();
  const bills = new Map<string, FakeBill>();
  /** Every accepted transfer request per out_bill_no (a second one for the same number is not paid again). */
  const transferRequests = new Map<string, number>();
  const hold = new Set<string>();
  let nextTx = 1;
  /** 网页授权: the WeChat user now in front of the authorize page, and each code issued (single use, five minutes). */
  const oauth = { openid: "oFAKE_openid_of_the_member_000001" };
  /** Whether new transfers wait for the member to confirm them in WeChat (WAIT_USER_CONFIRM, with package_info). */
  const transfers = { needConfirmation: false };
  const codes = new Map<string, { openid: string; issuedS: number; used: boolean }>();
  /** Trade bills by day (yyyy-MM-dd): the text of the CSV; download tokens → day. */
  const tradeBills = new Map<string, string>();
  const downloads = new Map<string, { day: string; gzip: boolean }>();

  const sign = (message: string, key: string | KeyObject = options.platformPrivateKey) =>
    createSign("RSA-SHA256").update(message).sign(key, "base64");

  const signedHeaders = (body: string, key?: string, timestamp?: number) => {
    const ts = String(timestamp ?? options.nowSeconds());
    const nonce = randomBytes(16).toString("hex").toUpperCase();
    return {
      "wechatpay-timestamp": ts,
      "wechatpay-nonce": nonce,
      "wechatpay-signature": sign(`${ts}\n${nonce}\n${body}\n`, key),
      "wechatpay-serial": options.platformSerial,
    };
  };

  const reply = (res: ServerResponse, status: number, body: Json | null) => {
    const text = body === null ? "" : JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json",
      "request-id": randomBytes(8).toString("hex"),
      ...signedHeaders(text),
    });
    res.end(text);
  };

  /** The documented request signature check; null when it holds, else the error answer. */
  const checkSignature = (req: IncomingMessage, body: string): Json | null => {
    const header = req.headers.authorization ?? "";
    if (!header.startsWith("WECHATPAY2-SHA256-RSA2048 "))
      return { code: "SIGN_ERROR", message: "错误的签名，验签失败" };
    const fields = Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (fields.mchid !== options.mchId) return { code: "SIGN_ERROR", message: "mchid 不匹配" };
    if (fields.serial_no !== options.merchantSerial)
      return { code: "SIGN_ERROR", message: "证书序列号不匹配" };
    if (Math.abs(Number(fields.timestamp) - options.nowSeconds()) > 300)
      return { code: "SIGN_ERROR", message: "timestamp 过期" };
    const message = `${req.method}\n${req.url}\n${fields.timestamp}\n${fields.nonce_str}\n${body}\n`;
    const ok = createVerify("RSA-SHA256")
      .update(message)
      .verify(options.merchantPublicKey, fields.signature ?? "", "base64");
    return ok ? null : { code: "SIGN_ERROR", message: "错误的签名，验签失败" };
  };

  const transaction = (o: FakeOrder): Json => ({
    appid: o.appid,
    mchid: options.mchId,
    out_trade_no: o.outTradeNo,
    ...(o.transactionId
      ? { transaction_id: o.transactionId, success_time: "2026-01-05T10:00:00+08:00" }
      : {}),
    trade_type: o.tradeType,
    trade_state: o.state,
    trade_state_desc: o.state === "SUCCESS" ? "支付成功" : "订单未支付",
    payer: { openid: o.openid },
    amount: { total: o.total, payer_total: o.total, currency: "CNY", payer_currency: "CNY" },
  });

  const refundJson = (r: FakeRefund): Json => ({
    refund_id: r.refundId,
    out_refund_no: r.outRefundNo,
    transaction_id: r.transactionId,
    out_trade_no: r.outTradeNo,
    channel: "ORIGINAL",
    user_received_account: "支付用户零钱",
    status: r.status,
    create_time: "2026-01-05T10:00:00+08:00",
    amount: {
      total: r.total,
      refund: r.refund,
      payer_total: r.total,
      payer_refund: r.refund,
      currency: "CNY",
    },
  });

  const billJson = (b: FakeBill): Json => ({
    mch_id: options.mchId,
    out_bill_no: b.outBillNo,
    transfer_bill_no: b.billNo,
    appid: options.appId,
    state: b.state,
    transfer_amount: b.amount,
    transfer_remark: "提现",
    openid: b.openid,
    ...(b.failReason ? { fail_reason: b.failReason } : {}),
    ...(b.state === "WAIT_USER_CONFIRM" ? { package_info: `affffddafdfafddffda==${b.billNo}` } : {}),
    create_time: "2026-01-05T10:00:00+08:00",
  });

  const createOrder = (res: ServerResponse, tradeType: string, b: Json) => {
    const amount = (b.amount ?? {}) as Json;
    const total = amount.total;
    if (b.appid !== options.appId || b.mchid !== options.mchId)
      return reply(res, 400, { code: "PARAM_ERROR", message: "appid和mch_id不匹配" });
    if (
      typeof b.out_trade_no !== "string" ||
      typeof b.notify_url !== "string" ||
      typeof b.description !== "string"
    )
      return reply(res, 400, { code: "PARAM_ERROR", message: "缺少参数" });
    if (!Number.isInteger(total) || (total as number) <= 0)
      return reply(res, 400, { code: "PARAM_ERROR", message: "amount.total 无效" });
    const openid = String(((b.payer ?? {}) as Json).openid ?? "");
    if (tradeType === "JSAPI" && !openid)
      return reply(res, 400, { code: "PARAM_ERROR", message: "缺少 payer.openid" });
    if (tradeType === "MWEB" && !((b.scene_info ?? {}) as Json).payer_client_ip)
      return reply(res, 400, { code: "PARAM_ERROR", message: "缺少 scene_info" });
    const known = orders.get(b.out_trade_no);
    if (known?.state === "SUCCESS") return reply(res, 400, { code: "ORDERPAID", message: "该订单已支付" });
    if (known && known.total !== total)
      return reply(res, 400, { code: "INVALID_REQUEST", message: "201 商户订单号重复" });
    orders.set(
      b.out_trade_no,
      known ?? {
        outTradeNo: b.out_trade_no,
        total: total as number,
        tradeType,
        state: "NOTPAY",
        transactionId: null,
        openid,
        appid: options.appId,
      },
    );
    const prepay = `wx${b.out_trade_no}`;
    if (tradeType === "NATIVE")
      return reply(res, 200, { code_url: `weixin://wxpay/bizpayurl/up?pr=${prepay}` });
    if (tradeType === "MWEB")
      return reply(res, 200, {
        h5_url: `https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=${prepay}`,
      });
    return reply(res, 200, { prepay_id: prepay });
  };

  const createRefund = (res: ServerResponse, b: Json) => {
    const amount = (b.amount ?? {}) as Json;
    const order = [...orders.values()].find(
      (o) => o.transactionId === b.transaction_id || o.outTradeNo === b.out_trade_no,
    );
    if (!order || order.transactionId === null)
      return reply(res, 404, { code: "RESOURCE_NOT_EXISTS", message: "订单不存在" });
    if (amount.total !== order.total)
      return reply(res, 400, { code: "PARAM_ERROR", message: "订单金额与原订单不符" });
    const refunded = [...refunds.values()].filter(
      (r) => r.outTradeNo === order.outTradeNo && r.outRefundNo !== b.out_refund_no && r.status !== "CLOSED",
    );
    const room = order.total - refunded.reduce((s, r) => s + r.refund, 0);
    if (!Number.isInteger(amount.refund) || (amount.refund as number) > room)
      return reply(res, 403, { code: "NOT_ENOUGH", message: "申请退款金额超过订单可退金额" });
    const key = String(b.out_refund_no);
    const known = refunds.get(key) ?? {
      outRefundNo: key,
      outTradeNo: order.outTradeNo,
      transactionId: order.transactionId,
      refund: amount.refund as number,
      total: order.total,
      status: "PROCESSING" as const,
      refundId: `50000${nextTx++}`,
    };
    refunds.set(key, known);
    return reply(res, 200, refundJson(known));
  };

  const createBill = (res: ServerResponse, b: Json) => {
    if (b.appid !== options.appId) return reply(res, 400, { code: "PARAM_ERROR", message: "appid 不匹配" });
    if (!b.transfer_scene_id || !Array.isArray(b.transfer_scene_report_infos))
      return reply(res, 400, { code: "PARAM_ERROR", message: "缺少转账场景报备信息" });
    const amount = b.transfer_amount;
    if (!Number.isInteger(amount) || (amount as number) < 10)
      return reply(res, 400, { code: "PARAM_ERROR", message: "转账金额不能低于 0.1 元" });
    const key = String(b.out_bill_no);
    transferRequests.set(key, (transferRequests.get(key) ?? 0) + 1);
    const known = bills.get(key);
    if (known) return reply(res, 200, billJson(known)); // the same number: the same transfer, never a second one
    const bill = {
      outBillNo: key,
      billNo: `1330000${nextTx++}`,
      openid: String(b.openid),
      amount: amount as number,
      state: transfers.needConfirmation ? "WAIT_USER_CONFIRM" : "ACCEPTED",
      failReason: "",
    };
    bills.set(key, bill);
    return reply(res, 200, billJson(bill));
  };

  /** GET /connect/oauth2/authorize: WeChat sends the browser back to redirect_uri with a code and the state. */
  const authorize = (res: ServerResponse, url: URL) => {
    const q = url.searchParams;
    if (q.get("appid") !== options.appId || q.get("response_type") !== "code" || !q.get("redirect_uri")) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return res.end("<p>10003 redirect_uri 域名与后台配置不一致 / appid 错误</p>");
    }
    const code = randomBytes(16).toString("hex");
    codes.set(code, { openid: oauth.openid, issuedS: options.nowSeconds(), used: false });
    const back = new URL(q.get("redirect_uri") as string);
    back.searchParams.set("code", code);
    back.searchParams.set("state", q.get("state") ?? "");
    res.writeHead(302, { location: back.toString() });
    res.end();
  };

  /** GET /sns/oauth2/access_token: the code for the openid, with WeChat's documented errcodes. */
  const accessToken = (res: ServerResponse, url: URL) => {
    const q = url.searchParams;
    const plain = (body: Json) => {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(body));
    };
    if (q.get("appid") !== options.appId) return plain({ errcode: 40013, errmsg: "invalid appid" });
    if (q.get("secret") !== options.appSecret) return plain({ errcode: 40125, errmsg: "invalid appsecret" });
    if (q.get("grant_type") !== "authorization_code")
      return plain({ errcode: 40002, errmsg: "invalid grant_type" });
    const issued = codes.get(q.get("code") ?? "");
    if (!issued || options.nowSeconds() - issued.issuedS > 300)
      return plain({ errcode: 40029, errmsg: "invalid code" });
    if (issued.used) return plain({ errcode: 40163, errmsg: "code been used" });
    issued.used = true;
    return plain({
      access_token: randomBytes(24).toString("hex"),
      expires_in: 7200,
      refresh_token: randomBytes(24).toString("hex"),
      openid: issued.openid,
      scope: "snsapi_base",
    });
  };

  /** GET /v3/bill/tradebill: the day's bill as a download URL with the SHA1 of the (unzipped) file. */
  const tradeBill = (res: ServerResponse, url: URL) => {
    const day = url.searchParams.get("bill_date") ?? "";
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || url.searchParams.get("bill_type") !== "ALL")
      return reply(res, 400, { code: "PARAM_ERROR", message: "参数错误" });
    const text = tradeBills.get(day);
    if (text === undefined) return reply(res, 400, { code: "NO_STATEMENT_EXIST", message: "账单文件不存在" });
    const token = randomBytes(12).toString("hex");
    downloads.set(token, { day, gzip: url.searchParams.get("tar_type") === "GZIP" });
    return reply(res, 200, {
      hash_type: "SHA1",
      hash_value: createHash("sha1").update(text).digest("hex"),
      download_url: `http://127.0.0.1:${port}/v3/billdownload/file?token=${token}`,
    });
  };

  /** GET /v3/billdownload/file: the file itself (not signed: the SHA1 above vouches for it). */
  const billFile = (res: ServerResponse, url: URL) => {
    const found = downloads.get(url.searchParams.get("token") ?? "");
    if (!found) return reply(res, 404, { code: "NOT_FOUND", message: "下载链接已失效" });
    const text = (tradeBills.get(found.day) ?? "") + fileTail;
    const bytes = found.gzip ? gzipSync(Buffer.from(text)) : Buffer.from(text);
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.end(bytes);
  };
  /** Appended to every downloaded file (a test sets it to corrupt a download). */
  let fileTail = "";

  const route = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const path = url.pathname;
    const b = body ? (JSON.parse(body) as Json) : {};
    const trade = /^\/v3\/pay\/transactions\/(jsapi|h5|native)$/.exec(path);
    if (req.method === "POST" && trade)
      return createOrder(res, { jsapi: "JSAPI", h5: "MWEB", native: "NATIVE" }[trade[1] as "jsapi"], b);
    const query = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(path);
    if (req.method === "GET" && query) {
      if (url.searchParams.get("mchid") !== options.mchId)
        return reply(res, 400, { code: "PARAM_ERROR", message: "mchid 不匹配" });
      const o = orders.get(decodeURIComponent(query[1] as string));
      return o
        ? reply(res, 200, transaction(o))
        : reply(res, 404, { code: "ORDER_NOT_EXIST", message: "订单不存在" });
    }
    if (req.method === "POST" && path === "/v3/refund/domestic/refunds") return createRefund(res, b);
    if (req.method === "GET" && path === "/v3/bill/tradebill") return tradeBill(res, url);
    if (req.method === "GET" && path === "/v3/billdownload/file") return billFile(res, url);
    const refundQuery = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(path);
    if (req.method === "GET" && refundQuery) {
      const r = refunds.get(decodeURIComponent(refundQuery[1] as string));
      return r
        ? reply(res, 200, refundJson(r))
        : reply(res, 404, { code: "RESOURCE_NOT_EXISTS", message: "退款单不存在" });
    }
    if (req.method === "POST" && path === "/v3/fund-app/mch-transfer/transfer-bills")
      return createBill(res, b);
    const billQuery = /^\/v3\/fund-app\/mch-transfer\/transfer-bills\/out-bill-no\/([^/]+)$/.exec(path);
    if (req.method === "GET" && billQuery) {
      const bill = bills.get(decodeURIComponent(billQuery[1] as string));
      return bill
        ? reply(res, 200, billJson(bill))
        : reply(res, 404, { code: "NOT_FOUND", message: "记录不存在" });
    }
    return reply(res, 404, { code: "NOT_FOUND", message: "no such API" });
  };

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const open = new URL(req.url ?? "/", "http://fake");
    // 网页授权 is the official account's API (open.weixin.qq.com / api.weixin.qq.com): no merchant signature.
    if (req.method === "GET" && open.pathname === "/connect/oauth2/authorize") return authorize(res, open);
    if (req.method === "GET" && open.pathname === "/sns/oauth2/access_token") return accessToken(res, open);
    const refused = checkSignature(req, body);
    if (refused) return reply(res, 401, refused);
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    if (hold.has(path)) return; // never answered: the client times out
    try {
      route(req, res, body);
    } catch {
      reply(res, 500, { code: "SYSTEM_ERROR", message: "系统错误" });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  /** A signed notification of `event` with `resource` encrypted, as WeChat Pay POSTs it. */
  const notification = (
    event: string,
    resource: Json,
    opts: { signWith?: string; timestamp?: number } = {},
  ) => {
    const nonce = randomBytes(6).toString("hex");
    const aad = event.startsWith("REFUND") ? "refund" : "transaction";
    const cipher = createCipheriv("aes-256-gcm", Buffer.from(options.apiV3Key), Buffer.from(nonce));
    cipher.setAAD(Buffer.from(aad));
    const data = Buffer.concat([
      cipher.update(JSON.stringify(resource)),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    const body = JSON.stringify({
      id: `EV-${randomBytes(8).toString("hex")}`,
      create_time: "2026-01-05T10:00:00+08:00",
      resource_type: "encrypt-resource",
      event_type: event,
      summary: "通知",
      resource: {
        original_type: aad,
        algorithm: "AEAD_AES_256_GCM",
        ciphertext: data.toString("base64"),
        associated_data: aad,
        nonce,
      },
    });
    return {
      body,
      headers: { "content-type": "application/json", ...signedHeaders(body, opts.signWith, opts.timestamp) },
    };
  };

  return {
    url: `http://127.0.0.1:${port}`,
    orders,
    refunds,
    bills,
    transferRequests,
    /** Requests to `path` are held unanswered (the client times out) until released. */
    hold: (path: string) => hold.add(path),
    release: (path: string) => hold.delete(path),
    /** Whether a request to `url` would be held now (its client's timeout is the only answer). */
    holds: (url: string) => hold.has(new URL(url).pathname),
    /** The member pays order `outTradeNo` (as the fake's cashier would); returns its notification. */
    pay(outTradeNo: string, opts: { signWith?: string; timestamp?: number; total?: number } = {}) {
      const o = orders.get(outTradeNo);
      if (!o) throw new Error(`no order ${outTradeNo}`);
      if (o.transactionId === null) o.transactionId = `42000${String(nextTx++).padStart(23, "0")}`;
      o.state = "SUCCESS";
      const resource = transaction(o);
      if (opts.total !== undefined) (resource.amount as Json).total = opts.total;
      return notification("TRANSACTION.SUCCESS", resource, opts);
    },
    /** A notification about any transaction (someone else's order, another merchant…). */
    transactionNotification: (resource: Json) => notification("TRANSACTION.SUCCESS", resource),
    transaction: (outTradeNo: string) => transaction(orders.get(outTradeNo) as FakeOrder),
    /** Finishes a refund; returns its notification. */
    finishRefund(outRefundNo: string, status: "SUCCESS" | "ABNORMAL" | "CLOSED") {
      const r = refunds.get(outRefundNo);
      if (!r) throw new Error(`no refund ${outRefundNo}`);
      r.status = status;
      const o = orders.get(r.outTradeNo);
      if (o && status === "SUCCESS") o.state = "REFUND";
      const { channel: _c, user_received_account: _u, status: _s, ...rest } = refundJson(r);
      return notification(`REFUND.${status}`, {
        ...rest,
        mchid: options.mchId,
        refund_status: status,
        success_time: "2026-01-05T11:00:00+08:00",
      });
    },
    /** Finishes a transfer; returns its notification. */
    finishTransfer(outBillNo: string, state: "SUCCESS" | "FAIL", failReason = "") {
      const bill = bills.get(outBillNo);
      if (!bill) throw new Error(`no bill ${outBillNo}`);
      bill.state = state;
      bill.failReason = failReason;
      return notification("MCHTRANSFER.BILL.FINISHED", billJson(bill));
    },
    /** New transfers wait for the member's confirmation in WeChat (the 2025 商家转账 flow) or not. */
    transfersNeedConfirmation: (on: boolean) => {
      transfers.needConfirmation = on;
    },
    /** The WeChat user who opens the authorize page next (their openid under the shop's appid). */
    setWechatUser: (openid: string) => {
      oauth.openid = openid;
    },
    /** The trade bill of `day` (its CSV text, as WeChat Pay writes it). */
    setTradeBill: (day: string, text: string) => tradeBills.set(day, text),
    /** Bytes appended to each downloaded bill after its hash was given (a corrupted download). */
    corruptDownloads: (tail: string) => {
      fileTail = tail;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A fake's whole setup: its options with fresh keys, and the provider settings that reach it. */
export function wechatTestSetup(nowSeconds: () => number) {
  const merchant = testKeyPair();
  const platform = testKeyPair();
  const apiV3Key = randomBytes(16).toString("hex"); // 32 characters
  const options: FakeWechatOptions = {
    mchId: "1900000109",
    appId: "wxd678efh567hg6787",
    merchantSerial: "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
    merchantPublicKey: merchant.publicKey,
    platformSerial: "PUB_KEY_ID_0114232134912410000000000000",
    platformPrivateKey: platform.privateKey,
    apiV3Key,
    nowSeconds,
    appSecret: randomBytes(16).toString("hex"),
  };
  const config = (endpoint: string) => ({
    mchId: options.mchId,
    appId: options.appId,
    serialNo: options.merchantSerial,
    privateKey: merchant.privateKey,
    apiV3Key,
    platformPublicKey: platform.publicKey,
    platformSerial: options.platformSerial,
    notifyUrl: "https://shop.example.com/payments/wechat/notify",
    endpoint,
    appSecret: options.appSecret,
    oauthBase: endpoint,
    snsBase: endpoint,
  });
  return { options, config, merchant, platform };
}
