/**
 * The equity plan for members (docs/rules.md §1.2–§1.4): the price and pool
 * figures, one's own holdings, and the commands sell, redeem, to-stable,
 * from-stable and a stable-point payment to a merchant. Each command is one
 * transaction under the config of the reward engine's open business day; the
 * rewards module does the work with the engine's command functions.
 */
import { type Static, type TSchema, Type } from "@fastify/type-provider-typebox";
import {
  type Asset,
  type Config,
  ceilDiv,
  type EquityState,
  floorFen,
  formatDecimal,
  formatFixed,
  formatPrice,
  fromStableSteps,
  type MemberMove,
  memberAccount,
  mulDivFloor,
  type Posting,
  payStableSteps,
  priceRatio,
  redeemSteps,
  runStepsAsync,
  SCALE,
  type Steps,
  sellProceeds,
  sellSteps,
  toStableSteps,
  WALLET_ASSET,
  type Wallet,
  walletKeys,
} from "@jifen/engine";
import type { FastifyReply, FastifyRequest } from "fastify";
import { configForDay } from "../config/index.ts";
import type { Queryable, Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { parseSignedAmount, parseYuan } from "../http/amounts.ts";
import { command, commandClaim } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { dryRun } from "../http/dry-run.ts";
import { EX_EQUITY_FIGURES, EX_EQUITY_RESULT } from "../http/examples.ts";
import { formatAmount } from "../http/format.ts";
import { requireMember } from "../http/guards.ts";
import { MAX_COMMAND_AMOUNT_MICRO } from "../http/limits.ts";
import type { RouteDoc } from "../http/route-docs.ts";
import { Decimal, Id, IdempotencyHeaders, Nullable, responses, withExample } from "../http/schemas.ts";
import { memberWallets } from "../ledger/index.ts";
import { findByInviteCode, findMemberById } from "../members/index.ts";
import {
  type EquityMove,
  equityFigures,
  fromStable,
  openDay,
  payMerchant,
  type RewardContext,
  readEquityState,
  redeemGoods,
  sellEquityPoints,
  shareOpenDay,
  toStable,
} from "../rewards/index.ts";
import { viaWriter, type WriterJob } from "../writer/index.ts";
import { EquityFiguresSchema, openDayEquityFigures } from "./equity-figures.ts";

const HoldingsSchema = Type.Object({
  price: Type.String(),
  equity: Type.String({ description: "增值积分 held" }),
  value: Type.String({ description: "worth of the holding at the price, yuan rounded down to the fen" }),
  stable: Type.String({ description: "恒定积分" }),
  cash: Type.String(),
  exitQuota: Type.String({ description: "出局额度 (0: no exit pending)" }),
  exitPrice: Nullable(
    Type.String({
      description:
        "the price (4 decimals, rounded up) at which the holding is sold on exit; null without quota or while the exit multiple is 0",
    }),
  ),
  debt: Type.Record(Type.String(), Type.String(), { description: "what is owed per wallet (only non-zero)" }),
});

const ResultWallets = Type.Object({
  cash: Type.String(),
  equity: Type.String(),
  stable: Type.String(),
  exitQuota: Type.String(),
});

/** A sale's figures: the points' worth at the price, the fee, and the cash the member receives. */
const SaleSchema = Type.Object(
  {
    value: Type.String({
      description: "the points' worth at the price before the fee, yuan rounded down to the fen",
    }),
    fee: Type.String({ description: "手续费 (yuan): value − proceeds" }),
    proceeds: Type.String({
      description: "实得 (yuan): what the member's cash receives (debt repaid first)",
    }),
    feeRate: Type.String({ description: "the sell fee rate in force (0.1 = 10%)" }),
  },
  { description: "equity.sell only (null for the other commands)" },
);

type Sale = Static<typeof SaleSchema>;

/** `?dryRun=true`: do everything, answer the result, change nothing (a preview before confirming). */
const DryRunQuery = Type.Object({
  dryRun: Type.Optional(
    Type.Boolean({
      description:
        "预览：按当前状态完整计算并返回结果，但不做任何更改 / preview: compute and answer the result, change nothing",
    }),
  ),
});

const EquityResultSchema = Type.Object({
  dryRun: Type.Boolean({ description: "true: a preview; nothing was changed" }),
  transactionId: Nullable(Type.String()),
  kind: Type.String({
    description: "equity.sell, equity.redeem, equity.toStable, equity.fromStable, stable.pay",
  }),
  moved: Type.Record(Type.String(), Type.String(), {
    description: "signed change of each of my wallets by this command (debt:<wallet> for a debt repaid)",
  }),
  exited: Type.Boolean({ description: "出局：all my holdings were sold right after, my exit quota reached" }),
  price: Type.String({ description: "the equity price after the command" }),
  wallets: ResultWallets,
  sale: Nullable(SaleSchema),
});

type EquityResult = Static<typeof EquityResultSchema>;

/** Reads a positive point quantity (at most 6 decimals). */
function parsePoints(text: string, field: string): bigint {
  const amount = parseSignedAmount(text, 6, field, MAX_COMMAND_AMOUNT_MICRO);
  if (amount < 0n) fail("AMOUNT_NOT_POSITIVE", { field });
  return amount;
}

/** A price as a 4-decimal text rounded up (the exit price), from an exact ratio. */
function priceUp(num: bigint, den: bigint): string {
  return formatFixed(ceilDiv(num * 10_000n, den) * (SCALE / 10_000n), 4);
}

/** What selling `points` at the state's price pays and costs (null when the sale will be refused anyway). */
function saleFigures(state: EquityState, points: bigint, feeRate: bigint): Sale | null {
  if (points <= 0n || state.supply <= 0n || points > state.supply) return null;
  const [num, den] = priceRatio(state);
  const value = floorFen(mulDivFloor(points, num, den));
  const proceeds = sellProceeds(state, points, feeRate);
  return {
    value: formatFixed(value, 2),
    fee: formatFixed(value - proceeds, 2),
    proceeds: formatFixed(proceeds, 2),
    feeRate: formatDecimal(feeRate),
  };
}

/** The member's change per wallet in `postings` (their accounts only), as API text. */
function movedBy(memberId: string, postings: readonly Posting[]): Record<string, string> {
  const prefix = `m:${memberId}:`;
  const sums = new Map<string, { asset: Asset; amount: bigint }>();
  for (const p of postings) {
    if (!p.account.startsWith(prefix)) continue;
    const wallet = p.account.slice(prefix.length);
    const prev = sums.get(wallet);
    sums.set(wallet, { asset: p.asset, amount: (prev?.amount ?? 0n) + p.amount });
  }
  const out: Record<string, string> = {};
  for (const [wallet, { asset, amount }] of sums)
    if (amount !== 0n) out[wallet] = formatAmount(asset, amount);
  return out;
}

type MemberGuard = ReturnType<typeof requireMember>;

/**
 * The same command for the shop's equity writer (issue 14): the engine's steps
 * over the batch, the other members whose rows it reads, and for a sale the
 * points sold (its figures are read before it).
 */
interface Batched {
  readonly steps: (
    memberId: string,
    config: Config,
    tx: Queryable,
  ) => Steps<MemberMove> | Promise<Steps<MemberMove>>;
  readonly salePoints?: bigint;
}

/** The writer's job for one equity command: its answer is built exactly as the serial path builds it. */
function writerJob(request: FastifyRequest, kind: string, batched: Batched): WriterJob<EquityResult> {
  const memberId = request.member?.id as string;
  return {
    claim: commandClaim(request),
    status: 200,
    keys: walletKeys(memberId, ["cash", "equity", "stable", "exitQuota"]),
    async apply(view, { config, tx }) {
      const sale =
        batched.salePoints === undefined
          ? null
          : saleFigures(view.equityState(), batched.salePoints, config.equity.sellFeeRate);
      const move = await runStepsAsync(await batched.steps(memberId, config, tx), view.store());
      const transactionId = move.transactionId ?? null;
      const amount = await view.balances(walletKeys(memberId, ["cash", "equity", "stable", "exitQuota"]));
      const balance = (wallet: Wallet) =>
        formatAmount(WALLET_ASSET[wallet], amount(memberAccount(memberId, wallet), WALLET_ASSET[wallet]));
      const [num, den] = priceRatio(view.equityState());
      return {
        dryRun: false,
        transactionId,
        kind,
        moved: movedBy(memberId, move.postings),
        exited: view.exitedAfter(memberId, transactionId),
        price: formatPrice(num, den),
        wallets: {
          cash: balance("cash"),
          equity: balance("equity"),
          stable: balance("stable"),
          exitQuota: balance("exitQuota"),
        },
        sale,
      };
    },
    finalize: (body, idOf) => ({
      ...body,
      transactionId: body.transactionId === null ? null : idOf(body.transactionId),
    }),
  };
}

/** Runs one equity command for the signed-in member and answers with its result. */
function commandRunner(ctx: AppContext) {
  return async (
    request: FastifyRequest,
    reply: FastifyReply,
    kind: string,
    work: (
      tx: Tx,
      memberId: string,
      config: Config,
      context: RewardContext,
    ) => Promise<EquityMove & { sale?: Sale | null }>,
    batched: Batched,
  ): Promise<EquityResult> => {
    const preview = (request.query as { dryRun?: boolean } | undefined)?.dryRun === true;
    const writer = ctx.writer;
    if (!preview && writer)
      return viaWriter(ctx.lease, request, reply, async () => {
        const answer = await writer.submit(writerJob(request, kind, batched));
        reply.code(answer.status);
        if (answer.kind === "replay") reply.header("idempotent-replayed", "true");
        return answer.body as EquityResult;
      });
    const body = async (tx: Tx): Promise<EquityResult> => {
      const memberId = request.member?.id as string;
      const businessDay = await shareOpenDay(tx);
      const { config } = await configForDay(tx, businessDay);
      const move = await work(tx, memberId, config, { businessDay, now: ctx.clock.now() });
      const exits = await tx.query(
        "select 1 from ledger_transactions where kind = 'equity.exit' and ref = $1 and id > $2::bigint limit 1",
        [`member:${memberId}`, move.transactionId ?? "0"],
      );
      const wallets = await memberWallets(tx, memberId);
      const balance = (wallet: Wallet) =>
        formatAmount(WALLET_ASSET[wallet], wallets.find((w) => w.wallet === wallet)?.balance ?? 0n);
      const figures = await equityFigures(tx, config);
      return {
        dryRun: preview,
        transactionId: preview ? null : move.transactionId,
        kind,
        moved: movedBy(memberId, move.postings),
        exited: move.transactionId !== null && exits.rows.length > 0,
        price: figures.price,
        wallets: {
          cash: balance("cash"),
          equity: balance("equity"),
          stable: balance("stable"),
          exitQuota: balance("exitQuota"),
        },
        sale: move.sale ?? null,
      };
    };
    return preview ? dryRun(ctx.db, body) : command(ctx, request, reply, body);
  };
}

/** The schema of one equity command: what it does, its body with an example, its own errors. */
function commandSchemaFor(member: MemberGuard) {
  return <B extends TSchema>(
    summary: string,
    doc: { operationId: string; description: string; example: unknown; result: unknown },
    body: B,
    errors: RouteDoc["errors"],
  ) => ({
    preValidation: member,
    schema: {
      tags: ["equity"],
      summary,
      operationId: doc.operationId,
      description: doc.description,
      headers: IdempotencyHeaders,
      querystring: DryRunQuery,
      body: withExample(body, doc.example),
      response: responses(EquityResultSchema, {
        errors: [
          "INVALID_AMOUNT",
          "TOO_MANY_PLACES",
          "AMOUNT_NOT_POSITIVE",
          "NO_PRICE",
          "BALANCE_CONFLICT",
          "BATCH_FAILED",
          "WRITER_STOPPING",
          "WRITER_NOT_LEADER",
          "WRITER_UNAVAILABLE",
          ...(errors ?? []),
        ],
        example: doc.result,
      }),
    },
  });
}

/** The member routes of the equity plan. */
export async function equityRoutes(app: App, ctx: AppContext): Promise<void> {
  const member = requireMember(ctx);

  equityFigureRoutes(app, ctx, member);
  sellAndRedeemRoutes(app, ctx, member);
  stableConversionRoutes(app, ctx, member);
  stablePaymentRoute(app, ctx, member);
}

/** The price and pool figures, and one's own holdings. */
function equityFigureRoutes(app: App, ctx: AppContext, member: MemberGuard): void {
  app.get(
    "/equity",
    {
      preValidation: member,
      schema: {
        tags: ["equity"],
        summary: "增值积分价格与分红池 / equity price and pool figures",
        operationId: "getEquityFigures",
        description:
          "会员查看增值积分当前价格、分红池、流通量、已发行、已销毁与平台库存。 / The equity plan's current price, pool, circulating, issued and burned points, and the treasury, for members.",
        response: responses(EquityFiguresSchema, { example: EX_EQUITY_FIGURES }),
      },
    },
    async () => openDayEquityFigures(ctx.db),
  );

  app.get(
    "/me/equity",
    {
      preValidation: member,
      schema: {
        tags: ["equity"],
        summary: "我的增值积分、恒定积分与出局额度 / my equity points, stable points and exit quota",
        operationId: "getMyEquity",
        description:
          "会员查看自己持有的增值积分及其按现价的价值、恒定积分、余额、出局额度与出局价格、欠款。 / The member's equity points and their worth at the price, stable points, cash, exit quota and exit price, and debts.",
        response: responses(HoldingsSchema, {
          example: {
            price: "1.2604",
            equity: "21.45",
            value: "27.03",
            stable: "120",
            cash: "1280.50",
            exitQuota: "360",
            exitPrice: "16.7833",
            debt: {},
          },
        }),
      },
    },
    async (request) => {
      const memberId = request.member?.id as string;
      const day = await openDay(ctx.db);
      const { config } = await configForDay(ctx.db, day);
      const state = await readEquityState(ctx.db, config);
      const wallets = await memberWallets(ctx.db, memberId);
      const of = (wallet: Wallet) => wallets.find((w) => w.wallet === wallet)?.balance ?? 0n;
      const [num, den] = priceRatio(state);
      const held = of("equity");
      const quota = of("exitQuota");
      const debt: Record<string, string> = {};
      for (const w of wallets) if (w.debt > 0n) debt[w.wallet] = formatAmount(w.asset, w.debt);
      return {
        price: (await equityFigures(ctx.db, config)).price,
        equity: formatAmount("equity", held),
        value: formatFixed(floorFen(mulDivFloor(held, num, den)), 2),
        stable: formatAmount("stable", of("stable")),
        cash: formatAmount("cny", of("cash")),
        exitQuota: formatAmount("exitQuota", quota),
        exitPrice:
          held > 0n && quota > 0n && config.equity.exitQuotaMultiple > 0n ? priceUp(quota, held) : null,
        debt,
      };
    },
  );
}

/** Selling equity points and redeeming goods with them (docs/rules.md §1.2–§1.3). */
function sellAndRedeemRoutes(app: App, ctx: AppContext, member: MemberGuard): void {
  const run = commandRunner(ctx);
  const commandSchema = commandSchemaFor(member);

  app.post(
    "/me/equity/sell",
    commandSchema(
      "卖出增值积分（按当前价格，扣手续费）/ sell equity points at the current price",
      {
        operationId: "sellEquity",
        description:
          "会员按当前价格卖出增值积分，所得扣除手续费后计入余额；卖出的积分销毁。 / The member sells equity points at the current price; the proceeds less the fee go to their cash, the points are burned.",
        example: { points: "10" },
        result: EX_EQUITY_RESULT,
      },
      Type.Object({ points: Decimal("equity points to sell, at most 6 decimals") }),
      ["INSUFFICIENT_EQUITY"],
    ),
    async (request, reply) => {
      const points = parsePoints(request.body.points, "points");
      return run(
        request,
        reply,
        "equity.sell",
        async (tx, id, config, context) => {
          const sale = saleFigures(await readEquityState(tx, config), points, config.equity.sellFeeRate);
          return { ...(await sellEquityPoints(tx, id, points, config, context)), sale };
        },
        { steps: (id, config) => sellSteps(id, points, config), salePoints: points },
      );
    },
  );

  app.post(
    "/me/equity/redeem",
    commandSchema(
      "用增值积分兑换商品 / buy goods worth an amount of yuan with equity points",
      {
        operationId: "redeemEquity",
        description:
          "会员用增值积分按当前价格兑换价值一定金额（元）的商品，所需积分向上取整后扣除。 / The member buys goods worth an amount of yuan with equity points at the current price (the points needed, rounded up, are taken).",
        example: { amount: "99.00" },
        result: { ...EX_EQUITY_RESULT, sale: null, kind: "equity.redeem", moved: { equity: "-78.546493" } },
      },
      Type.Object({ amount: Decimal("the goods' price in yuan, at most 2 decimals") }),
      ["INSUFFICIENT_EQUITY"],
    ),
    async (request, reply) => {
      const amount = parseYuan(request.body.amount, "amount", MAX_COMMAND_AMOUNT_MICRO);
      if (amount <= 0n) fail("AMOUNT_NOT_POSITIVE", { field: "amount" });
      return run(
        request,
        reply,
        "equity.redeem",
        (tx, id, config, context) => redeemGoods(tx, id, amount, config, context),
        { steps: (id, config) => redeemSteps(id, amount, config) },
      );
    },
  );
}

/** Equity points → stable points and back (docs/rules.md §1.4). */
function stableConversionRoutes(app: App, ctx: AppContext, member: MemberGuard): void {
  const run = commandRunner(ctx);
  const commandSchema = commandSchemaFor(member);

  app.post(
    "/me/equity/to-stable",
    commandSchema(
      "增值积分转恒定积分 / convert equity points into stable points at the current price",
      {
        operationId: "convertEquityToStable",
        description:
          "会员按当前价格把增值积分转为恒定积分（每个恒定积分在生态内值 1 元），增值积分进入平台库存。 / The member converts equity points into stable points (each worth 1 yuan in the ecosystem) at the current price; the equity points go to the treasury.",
        example: { points: "5" },
        result: {
          ...EX_EQUITY_RESULT,
          sale: null,
          kind: "equity.toStable",
          moved: { equity: "-5", stable: "6.302" },
          wallets: { cash: "1280.50", equity: "16.45", stable: "126.302", exitQuota: "360" },
        },
      },
      Type.Object({ points: Decimal("equity points to convert, at most 6 decimals") }),
      ["INSUFFICIENT_EQUITY"],
    ),
    async (request, reply) => {
      const points = parsePoints(request.body.points, "points");
      return run(
        request,
        reply,
        "equity.toStable",
        (tx, id, config, context) => toStable(tx, id, points, config, context),
        { steps: (id, config) => toStableSteps(id, points, config) },
      );
    },
  );

  app.post(
    "/me/equity/from-stable",
    commandSchema(
      "恒定积分转增值积分（来自平台库存）/ convert stable points back into equity points from the treasury",
      {
        operationId: "convertStableToEquity",
        description:
          "会员按当前价格用恒定积分换回增值积分，增值积分来自平台库存；库存不足时拒绝。 / The member converts stable points back into equity points at the current price, taken from the treasury; refused when the treasury holds too few.",
        example: { stable: "12.6" },
        result: {
          ...EX_EQUITY_RESULT,
          sale: null,
          kind: "equity.fromStable",
          moved: { stable: "-12.6", equity: "9.996826" },
          wallets: { cash: "1280.50", equity: "31.446826", stable: "107.4", exitQuota: "360" },
        },
      },
      Type.Object({ stable: Decimal("stable points to convert, at most 6 decimals") }),
      ["INSUFFICIENT_STABLE", "TREASURY_SHORT"],
    ),
    async (request, reply) => {
      const stable = parsePoints(request.body.stable, "stable");
      return run(
        request,
        reply,
        "equity.fromStable",
        (tx, id, config, context) => fromStable(tx, id, stable, config, context),
        { steps: (id, config) => fromStableSteps(id, stable, config) },
      );
    },
  );
}

/** A stable-point payment to a merchant (another member). */
function stablePaymentRoute(app: App, ctx: AppContext, member: MemberGuard): void {
  const run = commandRunner(ctx);
  const commandSchema = commandSchemaFor(member);

  app.post(
    "/me/stable/pay",
    commandSchema(
      "用恒定积分向商家付款 / pay a merchant (another member) in stable points",
      {
        operationId: "payMerchantInStable",
        description:
          "会员用恒定积分向商家（另一位会员，按会员编号或邀请码指定其一）付款。 / The member pays a merchant — another member, named by id or by invite code (one of the two) — in stable points.",
        example: { stable: "30", inviteCode: "M3RC8T" },
        result: {
          ...EX_EQUITY_RESULT,
          sale: null,
          kind: "stable.pay",
          moved: { stable: "-30" },
          wallets: { cash: "1280.50", equity: "21.45", stable: "90", exitQuota: "360" },
        },
      },
      Type.Object({
        stable: Decimal("stable points to pay, at most 6 decimals"),
        merchantId: Type.Optional(Id),
        inviteCode: Type.Optional(
          Type.String({ minLength: 1, maxLength: 32, description: "the merchant's invite code" }),
        ),
      }),
      ["INSUFFICIENT_STABLE", "MEMBER_NOT_FOUND", "SELF_PAYMENT"],
    ),
    async (request, reply) => {
      const { merchantId, inviteCode } = request.body;
      if ((merchantId === undefined) === (inviteCode === undefined)) {
        fail("VALIDATION_FAILED", {
          field: "merchantId",
          detail: {
            zh: "请提供 merchantId 或 inviteCode 其中之一",
            en: "give either merchantId or inviteCode",
          },
        });
      }
      const stable = parsePoints(request.body.stable, "stable");
      const findMerchant = async (q: Queryable, id: string): Promise<string> => {
        const merchant =
          merchantId !== undefined
            ? await findMemberById(q, merchantId)
            : await findByInviteCode(q, inviteCode as string);
        const field = merchantId !== undefined ? "merchantId" : "inviteCode";
        if (merchant?.status !== "active") {
          fail("MEMBER_NOT_FOUND", { field, detail: { zh: "收款商家不存在", en: "no such merchant" } });
        }
        if (merchant.id === id) fail("SELF_PAYMENT", { field });
        return merchant.id;
      };
      return run(
        request,
        reply,
        "stable.pay",
        async (tx, id, config, context) =>
          payMerchant(tx, id, await findMerchant(tx, id), stable, config, context),
        { steps: async (id, _config, tx) => payStableSteps(id, await findMerchant(tx, id), stable) },
      );
    },
  );
}
