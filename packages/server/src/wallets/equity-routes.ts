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
  floorFen,
  formatDecimal,
  formatFixed,
  mulDivFloor,
  type Posting,
  priceRatio,
  SCALE,
  WALLET_ASSET,
  type Wallet,
} from "@jifen/engine";
import type { FastifyReply, FastifyRequest } from "fastify";
import { configForDay } from "../config/index.ts";
import type { Db, Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { parseSignedAmount, parseYuan } from "../http/amounts.ts";
import { command } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { formatAmount } from "../http/format.ts";
import { requireMember } from "../http/guards.ts";
import { MAX_COMMAND_AMOUNT_MICRO } from "../http/limits.ts";
import { Decimal, Id, IdempotencyHeaders, Nullable, responses } from "../http/schemas.ts";
import { memberWallets } from "../ledger/index.ts";
import { findByInviteCode, findMemberById } from "../members/index.ts";
import {
  type EquityFigures,
  type EquityMove,
  equityFigures,
  fromStable,
  openDay,
  payMerchant,
  type RewardContext,
  readEquityState,
  redeemGoods,
  sellPoints,
  shareOpenDay,
  toStable,
} from "../rewards/index.ts";

/** The equity plan's figures as the API shows them (the replay's figures plus the business day). */
export const EquityFiguresSchema = Type.Object({
  businessDay: Type.String({ description: "the reward engine's open business day" }),
  price: Type.String({ description: "积分价格 pool ÷ circulating, rounded half-up to 4 decimals" }),
  pool: Type.String({ description: "分红池 / equity pool (yuan, 6 decimals)" }),
  circulating: Type.String({ description: "equity points held by anyone, the treasury included" }),
  issued: Type.String({ description: "equity points issued so far" }),
  burned: Type.String({ description: "equity points burned for good (issued − circulating)" }),
  treasury: Type.String({ description: "平台库存 / equity points held by the platform" }),
});

/** Equity figures as API text. */
export function equityFiguresView(figures: EquityFigures, businessDay: string) {
  return {
    businessDay,
    price: figures.price,
    pool: formatDecimal(figures.pool),
    circulating: formatDecimal(figures.circulating),
    issued: formatDecimal(figures.issued),
    burned: formatDecimal(figures.burned),
    treasury: formatDecimal(figures.treasury),
  };
}

/** The equity figures of the open day, under that day's parameters, as API text. */
export async function openDayEquityFigures(db: Db) {
  const day = await openDay(db);
  const { config } = await configForDay(db, day);
  return equityFiguresView(await equityFigures(db, config), day);
}

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

const EquityResultSchema = Type.Object({
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

/** The member routes of the equity plan. */
export async function equityRoutes(app: App, ctx: AppContext): Promise<void> {
  const member = requireMember(ctx);

  /** Runs one equity command for the signed-in member and answers with its result. */
  const run = (
    request: FastifyRequest,
    reply: FastifyReply,
    kind: string,
    work: (tx: Tx, memberId: string, config: Config, context: RewardContext) => Promise<EquityMove>,
  ) =>
    command(ctx, request, reply, async (tx): Promise<EquityResult> => {
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
        transactionId: move.transactionId,
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
      };
    });

  const commandSchema = <B extends TSchema>(summary: string, body: B) => ({
    preValidation: member,
    schema: {
      tags: ["equity"],
      summary,
      headers: IdempotencyHeaders,
      body,
      response: responses(EquityResultSchema),
    },
  });

  app.get(
    "/equity",
    {
      preValidation: member,
      schema: {
        tags: ["equity"],
        summary: "增值积分价格与分红池 / equity price and pool figures",
        response: responses(EquityFiguresSchema),
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
        response: responses(HoldingsSchema),
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

  app.post(
    "/me/equity/sell",
    commandSchema(
      "卖出增值积分（按当前价格，扣手续费）/ sell equity points at the current price",
      Type.Object({ points: Decimal("equity points to sell, at most 6 decimals") }),
    ),
    async (request, reply) => {
      const points = parsePoints(request.body.points, "points");
      return run(request, reply, "equity.sell", (tx, id, config, context) =>
        sellPoints(tx, id, points, config, context),
      );
    },
  );

  app.post(
    "/me/equity/redeem",
    commandSchema(
      "用增值积分兑换商品 / buy goods worth an amount of yuan with equity points",
      Type.Object({ amount: Decimal("the goods' price in yuan, at most 2 decimals") }),
    ),
    async (request, reply) => {
      const amount = parseYuan(request.body.amount, "amount", MAX_COMMAND_AMOUNT_MICRO);
      return run(request, reply, "equity.redeem", (tx, id, config, context) =>
        redeemGoods(tx, id, amount, config, context),
      );
    },
  );

  app.post(
    "/me/equity/to-stable",
    commandSchema(
      "增值积分转恒定积分 / convert equity points into stable points at the current price",
      Type.Object({ points: Decimal("equity points to convert, at most 6 decimals") }),
    ),
    async (request, reply) => {
      const points = parsePoints(request.body.points, "points");
      return run(request, reply, "equity.toStable", (tx, id, config, context) =>
        toStable(tx, id, points, config, context),
      );
    },
  );

  app.post(
    "/me/equity/from-stable",
    commandSchema(
      "恒定积分转增值积分（来自平台库存）/ convert stable points back into equity points from the treasury",
      Type.Object({ stable: Decimal("stable points to convert, at most 6 decimals") }),
    ),
    async (request, reply) => {
      const stable = parsePoints(request.body.stable, "stable");
      return run(request, reply, "equity.fromStable", (tx, id, config, context) =>
        fromStable(tx, id, stable, config, context),
      );
    },
  );

  app.post(
    "/me/stable/pay",
    commandSchema(
      "用恒定积分向商家付款 / pay a merchant (another member) in stable points",
      Type.Object({
        stable: Decimal("stable points to pay, at most 6 decimals"),
        merchantId: Type.Optional(Id),
        inviteCode: Type.Optional(
          Type.String({ minLength: 1, maxLength: 32, description: "the merchant's invite code" }),
        ),
      }),
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
      return run(request, reply, "stable.pay", async (tx, id, _config, context) => {
        const merchant =
          merchantId !== undefined
            ? await findMemberById(tx, merchantId)
            : await findByInviteCode(tx, inviteCode as string);
        const field = merchantId !== undefined ? "merchantId" : "inviteCode";
        if (merchant?.status !== "active") {
          fail("MEMBER_NOT_FOUND", { field, detail: { zh: "收款商家不存在", en: "no such merchant" } });
        }
        if (merchant.id === id) fail("SELF_PAYMENT", { field });
        return payMerchant(tx, id, merchant.id, stable, context);
      });
    },
  );
}
