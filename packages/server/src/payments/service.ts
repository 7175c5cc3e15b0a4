/**
 * The payment flows that call a provider: asking for a payment, receiving a
 * notification, refunding an order, and following payments and refunds whose
 * notification never came. Provider calls are made outside any database
 * transaction (a slow provider never holds a lock); what they report is
 * applied in a transaction of its own, exactly once (apply.ts, refunds.ts).
 */
import type { Clock } from "../clock/index.ts";
import type { Db, Tx } from "../db/index.ts";
import { AppError, fail } from "../errors/index.ts";
import type { RewardHooks } from "../rewards/index.ts";
import { findCheckout, findOrder, type Order, type PaymentDeps } from "../shop/index.ts";
import { findMemberAccount } from "./accounts.ts";
import { applyPaymentReport, isRejection, recordRejection } from "./apply.ts";
import { applyRefundReport, prepareRefund, staleRefunds } from "./refunds.ts";
import type { PaymentRegistry } from "./registry.ts";
import {
  insertPayment,
  PAYMENT_TTL_MS,
  type Payable,
  type Payment,
  reusablePayment,
  stalePayments,
} from "./store.ts";
import {
  type NotificationAnswer,
  type PaymentLaunch,
  type PaymentProvider,
  PaymentProviderError,
  type PaymentScene,
  type PayoutReport,
  type ProviderName,
  type ProviderReport,
  type RawNotification,
} from "./types.ts";

/** A logger as Fastify's (pino): never given a secret. */
export interface PaymentLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** What the payment flows need. */
export interface PaymentServices {
  readonly db: Db;
  readonly registry: PaymentRegistry;
  readonly clock: Clock;
  readonly timeZone: string;
  readonly hooks: RewardHooks;
  readonly log: PaymentLog;
  /**
   * The shop's equity writer (issue 14) or null: a report's transaction (a paid
   * payment, a refund) then runs inside a writer batch, in arrival order.
   */
  readonly writer?: TxRunner | null;
}

/** What runs a transaction job (the equity writer's submitTx). */
export interface TxRunner {
  submitTx<T>(job: { readonly label: string; run(tx: Tx): Promise<T> }): Promise<T>;
}

/**
 * Runs `fn` in a transaction of its own, or in the equity writer's batch when
 * it is on: what applies a payment or a refund (it moves the equity pool for
 * an order of the equity plan) is applied in the writer's order (issue 14).
 */
function transaction<T>(svc: PaymentServices, label: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return svc.writer ? svc.writer.submitTx({ label, run: fn }) : svc.db.transaction(fn);
}

/** The payment flows' services of an app context (with the request's logger). */
export function paymentServices(
  ctx: {
    readonly db: Db;
    readonly payments: PaymentRegistry;
    readonly clock: Clock;
    readonly timeZone: string;
    readonly hooks: RewardHooks;
    readonly writer?: TxRunner | null;
  },
  log: PaymentLog,
): PaymentServices {
  return {
    db: ctx.db,
    registry: ctx.payments,
    clock: ctx.clock,
    timeZone: ctx.timeZone,
    hooks: ctx.hooks,
    log,
    writer: ctx.writer ?? null,
  };
}

function paymentDeps(svc: PaymentServices): PaymentDeps {
  return { hooks: svc.hooks, now: svc.clock.now(), timeZone: svc.timeZone };
}

/** A provider's refusal or silence as an API error (502; the detail names the provider's code). */
export function providerFailure(error: unknown): never {
  if (error instanceof PaymentProviderError) {
    fail("PAYMENT_PROVIDER_FAILED", {
      detail: {
        zh: `${error.providerCode}：${error.message}`,
        en: `${error.providerCode}: ${error.message}`,
      },
    });
  }
  throw error;
}

/** The orders a payable pays and their member. */
async function payableOrders(
  db: Db,
  payable: Payable,
): Promise<{ memberId: string; orders: Order[] } | null> {
  if ("checkoutId" in payable) {
    const checkout = await findCheckout(db, payable.checkoutId);
    return checkout ? { memberId: checkout.memberId, orders: checkout.orders } : null;
  }
  const order = await findOrder(db, payable.orderId);
  return order ? { memberId: order.memberId, orders: [order] } : null;
}

/**
 * Asks `provider` for a payment of a member's pending checkout or order in
 * `scene`: the payment row first (reused while it can still be paid), then the
 * provider's launch parameters. JSAPI needs the member's openid (stored, or
 * `payerAccount`).
 */
export async function startPayment(
  svc: PaymentServices,
  input: {
    payable: Payable;
    memberId: string;
    provider: ProviderName;
    scene: PaymentScene;
    clientIp?: string;
    returnUrl?: string;
    description: string;
  },
): Promise<{ payment: Payment; launch: PaymentLaunch }> {
  const provider = await svc.registry.provider(svc.db, input.provider);
  if (!provider) fail("PAYMENT_PROVIDER_UNAVAILABLE", { field: "provider" });
  if (!provider.scenes.includes(input.scene)) fail("PAYMENT_SCENE_UNSUPPORTED", { field: "scene" });
  const found = await payableOrders(svc.db, input.payable);
  if (!found || found.memberId !== input.memberId) fail("ORDER_NOT_FOUND");
  if (found.orders.some((o) => o.provider !== input.provider))
    fail("PAYMENT_PROVIDER_MISMATCH", { field: "provider" });
  if (!found.orders.some((o) => o.status === "pending")) fail("ORDER_NOT_PENDING");
  const amount = found.orders.reduce((sum, o) => sum + (o.amount - o.pointsPaid), 0n);
  const payerAccount =
    input.scene === "jsapi"
      ? (await findMemberAccount(svc.db, input.memberId, input.provider))?.account
      : undefined;
  if (input.scene === "jsapi" && payerAccount === undefined)
    fail("PAYMENT_ACCOUNT_MISSING", { field: "scene" });
  const now = svc.clock.now();
  const payment = await svc.db.transaction(async (tx) => {
    const key = { provider: input.provider, payable: input.payable, scene: input.scene, amount, now };
    return (await reusablePayment(tx, key)) ?? insertPayment(tx, { ...key, memberId: input.memberId });
  });
  const launch = await provider
    .createPayment({
      outTradeNo: payment.outTradeNo,
      amountMicro: amount,
      description: input.description,
      scene: input.scene,
      ...(payerAccount !== undefined ? { payerAccount } : {}),
      ...(input.clientIp !== undefined ? { clientIp: input.clientIp } : {}),
      ...(input.returnUrl !== undefined ? { returnUrl: input.returnUrl } : {}),
      expiresAt: new Date(payment.createdAt.getTime() + PAYMENT_TTL_MS),
    })
    .catch(providerFailure);
  return { payment, launch };
}

/** What a notification's kind of report applies to, besides payments and refunds: payouts (wallets). */
export type PayoutHandler = (provider: PaymentProvider, report: PayoutReport) => Promise<void>;

/** Applies one verified report; a refused one is recorded and rethrown. */
async function applyReport(
  svc: PaymentServices,
  provider: PaymentProvider,
  report: ProviderReport,
  onPayout: PayoutHandler,
): Promise<void> {
  if (report.kind === "payout") return onPayout(provider, report);
  try {
    const label = report.kind === "payment" ? `payment:${report.outTradeNo}` : `refund:${report.outRefundNo}`;
    await transaction(svc, label, async (tx) => {
      if (report.kind === "payment") await applyPaymentReport(tx, provider.name, report, paymentDeps(svc));
      else await applyRefundReport(tx, report, paymentDeps(svc));
    });
  } catch (error) {
    if (isRejection(error)) {
      const payment = report.kind === "payment" ? report : null;
      await recordRejection(svc.db, {
        provider: provider.name,
        code: error.code,
        outTradeNo: report.kind === "refund" ? report.outTradeNo : (payment?.outTradeNo ?? null),
        providerTxId: payment?.providerTxId ?? null,
        amountMicro: report.amountMicro,
        detail: error.en,
        now: svc.clock.now(),
      });
      svc.log.warn({ provider: provider.name, code: error.code, detail: error.en }, "payment report refused");
    }
    throw error;
  }
}

/**
 * Handles a provider's notification: verifies it (signature, decryption),
 * applies what it reports exactly once, and answers as the provider's
 * protocol requires — success for an applied or repeated report, failure
 * (the provider sends it again later) for anything refused.
 */
export async function receiveNotification(
  svc: PaymentServices,
  name: ProviderName,
  raw: RawNotification,
  onPayout: PayoutHandler,
): Promise<NotificationAnswer> {
  const provider = await svc.registry.provider(svc.db, name, "any");
  if (!provider)
    return {
      statusCode: 404,
      contentType: "application/json",
      body: JSON.stringify({ code: "FAIL", message: "provider not configured" }),
    };
  let report: ProviderReport;
  try {
    report = await provider.verifyNotification(raw);
  } catch (error) {
    const message = error instanceof AppError ? error.en : "notification not understood";
    svc.log.warn({ provider: name, reason: message }, "payment notification refused");
    return { ...provider.answerNotification(false, message), statusCode: 401 };
  }
  try {
    await applyReport(svc, provider, report, onPayout);
  } catch (error) {
    const message = error instanceof AppError ? error.en : "internal error";
    const answer = provider.answerNotification(false, message);
    return error instanceof AppError ? { ...answer, statusCode: error.status >= 500 ? 500 : 400 } : answer;
  }
  return provider.answerNotification(true);
}

/**
 * Refunds a paid order. Paid through a provider: the refund is stored, asked
 * of the provider, and applied at once if it answers success (otherwise the
 * notification or the follower finishes it). Returns the order as it stands.
 */
export async function refundOrder(
  svc: PaymentServices,
  input: { orderId: string; reason: string; operatorId: string | null },
): Promise<Order> {
  const prepared = await transaction(svc, `refund-order:${input.orderId}`, async (tx) => {
    const order = await findOrder(tx, input.orderId);
    if (!order) fail("ORDER_NOT_FOUND");
    return prepareRefund(tx, { order, reason: input.reason, operatorId: input.operatorId }, paymentDeps(svc));
  });
  if (prepared.send === null) return prepared.order;
  const provider = await svc.registry.provider(svc.db, prepared.send.provider, "any");
  if (!provider) fail("PAYMENT_PROVIDER_UNAVAILABLE");
  let report: Awaited<ReturnType<PaymentProvider["refund"]>>;
  try {
    report = await provider.refund(prepared.send.input);
  } catch (error) {
    if (error instanceof PaymentProviderError && !error.uncertain) {
      const failed = {
        kind: "refund",
        ...prepared.send.input,
        providerRefundId: null,
        amountMicro: prepared.send.input.refundMicro,
        status: "failed",
      } as const;
      await transaction(svc, `refund:${failed.outRefundNo}`, (tx) =>
        applyRefundReport(tx, failed, paymentDeps(svc)),
      );
    }
    return providerFailure(error);
  }
  await transaction(svc, `refund:${report.outRefundNo}`, (tx) =>
    applyRefundReport(tx, report, paymentDeps(svc)),
  );
  return (await findOrder(svc.db, input.orderId)) as Order;
}

/**
 * Queries the provider about payments still pending `olderThanMs` after they
 * were asked for and refunds still pending as long: catches notifications
 * that never came. One failure is logged and does not stop the others.
 */
export async function followPayments(
  svc: PaymentServices,
  options: { olderThanMs: number; limit?: number },
): Promise<{ payments: number; refunds: number }> {
  const before = new Date(svc.clock.now().getTime() - options.olderThanMs);
  const limit = options.limit ?? 100;
  let payments = 0;
  for (const payment of await stalePayments(svc.db, before, limit)) {
    if (
      await followOne(svc, payment.provider, async (p) => {
        const report = await p.queryPayment(payment.outTradeNo);
        if (report) await applyReport(svc, p, report, async () => {});
      })
    )
      payments++;
  }
  let refunds = 0;
  for (const refund of await staleRefunds(svc.db, before, limit)) {
    if (
      await followOne(svc, refund.provider, async (p) => {
        const report = await p.queryRefund(refund.outRefundNo, refund.outTradeNo);
        if (report) await applyReport(svc, p, report, async () => {});
      })
    )
      refunds++;
  }
  return { payments, refunds };
}

async function followOne(
  svc: PaymentServices,
  name: ProviderName,
  step: (provider: PaymentProvider) => Promise<void>,
): Promise<boolean> {
  const provider = await svc.registry.provider(svc.db, name, "any");
  if (!provider) return false;
  try {
    await step(provider);
    return true;
  } catch (error) {
    svc.log.warn(
      { provider: name, error: error instanceof Error ? error.message : String(error) },
      "payment follow-up failed",
    );
    return false;
  }
}
