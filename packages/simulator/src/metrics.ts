/**
 * One simulated day's figures (docs/simulate.md "Output"), read from the
 * engine after its settlement: the day's totals from the settlement, the stocks
 * from the ledger's member-wallet totals (O(1), no scan of members).
 */
import {
  burnAccount,
  type DaySettlement,
  type Engine,
  floorDiv,
  floorFen,
  formatDecimal,
  formatFixed,
  formatPrice,
  PlatformAccount,
  priceRatio,
  SCALE,
} from "@jifen/engine";

/** The day's flows the simulator itself caused (orders, withdrawals, sales of equity points). */
export interface DayFlows {
  members: number;
  newMembers: number;
  orders: number;
  salesMicro: bigint;
  cashInMicro: bigint;
  withdrawnMicro: bigint;
  equitySoldMicro: bigint;
}

/** Running totals carried from day to day. */
export interface Cumulative {
  issuedMicro: bigint;
  salesMicro: bigint;
  cashInMicro: bigint;
  withdrawnMicro: bigint;
  payoutsMicro: bigint;
}

export function emptyCumulative(): Cumulative {
  return { issuedMicro: 0n, salesMicro: 0n, cashInMicro: 0n, withdrawnMicro: 0n, payoutsMicro: 0n };
}

/** A day's row: counts as numbers, amounts and ratios as exact decimal strings ("" when undefined). */
export interface DayRow {
  day: number;
  members: number;
  newMembers: number;
  orders: number;
  sales: string;
  cashIn: string;
  releaseStatic: string;
  releaseShare: string;
  releaseTeam: string;
  releasePeer: string;
  releaseForfeited: string;
  cycleDividends: string;
  cyclePooled: string;
  cycleReturned: string;
  /** Each cycle pool's funding of the day, by pool name. */
  cyclePools: Record<string, string>;
  equityGranted: string;
  equityGrantedValue: string;
  equitySold: string;
  payouts: string;
  equityPool: string;
  equityPrice: string;
  issued: string;
  burned: string;
  treasury: string;
  equityHeld: string;
  giftUnreleased: string;
  pointsHeld: string;
  quotaUnpaid: string;
  exitQuotaOutstanding: string;
  stableFloat: string;
  stableFloatToPool: string;
  cashHeld: string;
  withdrawn: string;
  liabilities: string;
  payoutsToSales: string;
  cashOutToCashIn: string;
  daysToReleaseGift: string;
}

/** a / b to 4 decimals, rounded down; "" when b is 0. */
export function ratio(a: bigint, b: bigint): string {
  return b === 0n ? "" : formatFixed(floorDiv(a * SCALE, b), 4);
}

/** The value in yuan (to the fen, rounded down) of `points` micro-points at the engine's price. */
export function equityValue(engine: Engine, pointsMicro: bigint): bigint {
  const [num, den] = priceRatio(engine.equity);
  return den === 0n ? 0n : floorFen((pointsMicro * num) / den);
}

function poolsByName(settlement: DaySettlement): Record<string, string> {
  const sums = new Map<string, bigint>();
  for (const p of settlement.pools) sums.set(p.name, (sums.get(p.name) ?? 0n) + p.amount);
  const out: Record<string, string> = {};
  for (const [name, amount] of sums) out[name] = formatDecimal(amount);
  return out;
}

/** The stocks the ledger holds for all members together. */
function stocks(engine: Engine) {
  const book = engine.book;
  const total = (wallet: string) => book.memberTotal(wallet);
  const state = engine.equity;
  return {
    gift: total("gift"),
    points: total("points"),
    quota: total("quota"),
    exitQuota: total("exitQuota"),
    stable: total("stable"),
    cash: total("cash"),
    equity: total("equity"),
    // Burned for good: the burn account less the equity still owed (Engine.equityBurned, without its scan).
    burned: book.balance(burnAccount("equity"), "equity") + total("debt:equity"),
    treasury: book.balance(PlatformAccount.treasury, "equity"),
    pool: state.pool,
    issued: state.issued,
  };
}

/** Builds the row of a settled day and advances the running totals. */
export function dayRow(engine: Engine, settlement: DaySettlement, flows: DayFlows, cum: Cumulative): DayRow {
  const t = settlement.totals;
  const s = stocks(engine);
  const granted = s.issued - cum.issuedMicro;
  const grantedValue = equityValue(engine, granted);
  const released = t.static + t.share + t.team + t.peer;
  const payouts = released + t.dividend + grantedValue;
  cum.issuedMicro = s.issued;
  cum.salesMicro += flows.salesMicro;
  cum.cashInMicro += flows.cashInMicro;
  cum.withdrawnMicro += flows.withdrawnMicro;
  cum.payoutsMicro += payouts;
  const state = engine.equity;
  const price =
    state.supply > 0n ? formatPrice(state.pool, state.supply) : formatPrice(state.priceNum, state.priceDen);
  const d = formatDecimal;
  return {
    day: settlement.day,
    members: flows.members,
    newMembers: flows.newMembers,
    orders: flows.orders,
    sales: d(flows.salesMicro),
    cashIn: d(flows.cashInMicro),
    releaseStatic: d(t.static),
    releaseShare: d(t.share),
    releaseTeam: d(t.team),
    releasePeer: d(t.peer),
    releaseForfeited: d(t.forfeited),
    cycleDividends: d(t.dividend),
    cyclePooled: d(t.pooled),
    cycleReturned: d(t.returned),
    cyclePools: poolsByName(settlement),
    equityGranted: d(granted),
    equityGrantedValue: d(grantedValue),
    equitySold: d(flows.equitySoldMicro),
    payouts: d(payouts),
    equityPool: d(s.pool),
    equityPrice: price,
    issued: d(s.issued),
    burned: d(s.burned),
    treasury: d(s.treasury),
    equityHeld: d(s.equity),
    giftUnreleased: d(s.gift),
    pointsHeld: d(s.points),
    quotaUnpaid: d(s.quota),
    exitQuotaOutstanding: d(s.exitQuota),
    stableFloat: d(s.stable),
    stableFloatToPool: ratio(s.stable, s.pool),
    cashHeld: d(s.cash),
    withdrawn: d(flows.withdrawnMicro),
    liabilities: d(s.gift + s.points + s.quota + s.stable + s.cash),
    payoutsToSales: ratio(payouts, flows.salesMicro),
    // Cash paid to members so far: what they still hold plus what they took out.
    cashOutToCashIn: ratio(s.cash + cum.withdrawnMicro, cum.cashInMicro),
    daysToReleaseGift: released === 0n ? "" : String((s.gift + released - 1n) / released),
  };
}
