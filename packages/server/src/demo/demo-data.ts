/**
 * `jifen demo-data`: fills a database with a realistic network for demos and
 * benchmarks, in bulk (COPY), consistent with what the server itself writes:
 *
 * - a referral forest grown by preferential attachment (a few members refer
 *   thousands, most refer nobody), with a few very deep chains (10,000 / 2,000 /
 *   500 generations at a million members);
 * - release-plan orders at the package amounts (2 per member by default),
 *   eligible over the last `historyDays` days, each with its gift, daily base
 *   and the part already released; cycle-plan orders for 30% of members, with
 *   quota partly paid out already; equity-plan orders run through the engine
 *   itself (grants, price, exits); some orders on the open day itself, so the
 *   day's cycle pools are funded;
 * - for every order the ledger transactions the server writes (order.pay,
 *   release.gift, cycle.grant, equity.grant / equity.exit), one transaction per
 *   member summing its past releases and dividends, the balances, order_rewards
 *   rows, the equity state, the exit queue and the stars of the last settlement.
 *
 * Run it on a database with no traffic: it takes ids by `max(id) + 1` and moves
 * the sequences after. The network is a deterministic function of the seed.
 */
import {
  type Asset,
  accountMember,
  burnAccount,
  type ConfigInput,
  CYCLE_POOL_ACCOUNT,
  Engine,
  FEN,
  floorDiv,
  formatDecimal,
  issuanceAccount,
  memberAccount,
  mulberry32,
  mulRateFloor,
  PlatformAccount,
  type Posting,
  releaseGiftFor,
  starLevels,
  type TransactionKind,
  teamPerformance,
  topDownOrder,
} from "@jifen/engine";
import { DEFAULT_PASSWORD_OPTIONS, hashPassword } from "../auth/passwords.ts";
import { addDays, businessDay } from "../clock/index.ts";
import { configForDay } from "../config/index.ts";
import type { Db, Tx } from "../db/index.ts";
import { COPY_NULL, CopyChunker, escapeCopy } from "../settlement/copy-text.ts";
import type { ProgressFn } from "../settlement/load.ts";

/** What to generate. */
export interface DemoDataOptions {
  readonly members: number;
  /** Open release-plan orders (default 2 per member). */
  readonly releaseOrders?: number;
  /** Members with cycle-plan orders (default 30%). */
  readonly cycleMembers?: number;
  /** Equity-plan orders (default one per 20 members, at most 50,000). */
  readonly equityOrders?: number;
  /** Depths of the deep chains (default 10,000, 2,000 and 500, capped by the size). */
  readonly chains?: readonly number[];
  /** Orders became eligible over this many days before the open day (default 60). */
  readonly historyDays?: number;
  readonly seed?: number;
  /** The open business day to generate for (on a database without a ledger yet); default the reward clock's, or today. */
  readonly day?: string;
  readonly now: Date;
  readonly timeZone: string;
  readonly progress?: ProgressFn;
}

/** What was generated. */
export interface DemoDataResult {
  /** The open business day: orders are eligible up to and including it. */
  readonly day: string;
  readonly members: number;
  readonly deepestChain: number;
  readonly largestReferralCount: number;
  readonly orders: { readonly release: number; readonly cycle: number; readonly equity: number };
  readonly rows: { readonly transactions: number; readonly postings: number; readonly balances: number };
  readonly ms: number;
}

const EQUITY = 1;
const CYCLE = 2;
const RELEASE = 4;
const INVITE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/** The password of every demo member (phone numbers 19xxxxxxxxx). */
export const DEMO_PASSWORD = "demo-password-1";

/** An 8-character invite code from a number (distinct numbers, distinct codes). */
function inviteCode(n: number): string {
  let code = "";
  let rest = n;
  for (let i = 0; i < 8; i++) {
    code = (INVITE_ALPHABET[rest % 32] as string) + code;
    rest = Math.floor(rest / 32);
  }
  return code;
}

interface Network {
  parent: Int32Array;
  depth: Int32Array;
  referrals: Int32Array;
  /** Members that refer, repeated once per referral (preferential attachment pool). */
  pool: Int32Array;
  poolSize: number;
  chainMembers: Uint8Array;
  deepest: number;
}

function grow(n: number, chains: readonly number[], rand: () => number): Network {
  const parent = new Int32Array(n).fill(-1);
  const depth = new Int32Array(n);
  const referrals = new Int32Array(n);
  const pool = new Int32Array(2 * n + 16);
  let poolSize = 0;
  const referrerList = new Int32Array(n);
  let referrerCount = 0;
  const chainMembers = new Uint8Array(n);
  // Chain k occupies [start, start + length) from a tenth of the way through, spaced out.
  const chainAt = new Int32Array(n).fill(0);
  chains.forEach((length, k) => {
    const start = Math.floor((n * (1 + 3 * k)) / 10);
    for (let i = start; i < Math.min(n, start + length); i++) {
      chainAt[i] = i === start ? -1 : 1;
      chainMembers[i] = 1;
    }
  });
  for (let i = 0; i < n; i++) {
    let p = -1;
    if (chainAt[i] === 1) p = i - 1;
    else if (i > 0 && referrerCount > 0 && rand() >= 0.002) {
      p =
        rand() < 0.8
          ? (pool[Math.floor(rand() * poolSize)] as number)
          : (referrerList[Math.floor(rand() * referrerCount)] as number);
    }
    if (p >= 0) {
      parent[i] = p;
      depth[i] = (depth[p] as number) + 1;
      referrals[p] = (referrals[p] as number) + 1;
      if (poolSize < pool.length) pool[poolSize++] = p;
    }
    if (i === 0 || rand() < (chainMembers[i] ? 0.01 : 0.12)) {
      referrerList[referrerCount++] = i;
      if (poolSize < pool.length) pool[poolSize++] = i;
    }
  }
  let deepest = 0;
  for (let i = 0; i < n; i++) deepest = Math.max(deepest, depth[i] as number);
  return { parent, depth, referrals, pool, poolSize, chainMembers, deepest };
}

/** A ledger transaction being generated. */
interface GenTx {
  day: string;
  kind: TransactionKind;
  ref: string;
  postings: Posting[];
}

const memberOf = accountMember;

/** Tables the generator fills. */
const FILLED = [
  "members",
  "orders",
  "order_rewards",
  "release_progress_default",
  "ledger_transactions_live",
  "ledger_postings_live",
  "ledger_transactions",
  "ledger_postings",
  "balances",
  "member_stars",
  "exit_queue",
];

/**
 * On a database whose ledger is still empty, loads without the secondary
 * indexes, foreign keys and the postings check (all restored in the same
 * transaction afterwards: indexes built in one sorted pass, keys and the check
 * validated set-based), the classic bulk-load order — several times faster
 * than maintaining them row by row. On a database with data, does nothing.
 */
async function bulkLoadMode(tx: Tx): Promise<(() => Promise<void>) | null> {
  const used = await tx.query("select 1 from ledger_postings limit 1");
  if (used.rows.length > 0) return null;
  const indexes = await tx.query<{ name: string; def: string }>(
    `select i.relname as name, pg_get_indexdef(i.oid) as def
     from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
     where t.relnamespace = current_schema()::regnamespace and t.relname = any($1::text[])
       and not exists (select 1 from pg_constraint c where c.conindid = i.oid)`,
    [FILLED],
  );
  const keys = await tx.query<{ name: string; tbl: string; def: string }>(
    `select c.conname as name, t.relname as tbl, pg_get_constraintdef(c.oid) as def
     from pg_constraint c join pg_class t on t.oid = c.conrelid
     where c.contype = 'f' and t.relnamespace = current_schema()::regnamespace and t.relname = any($1::text[])`,
    [FILLED],
  );
  for (const k of keys.rows) await tx.exec(`alter table ${k.tbl} drop constraint ${k.name}`);
  for (const i of indexes.rows) await tx.exec(`drop index ${i.name}`);
  await tx.exec("alter table ledger_postings disable trigger ledger_postings_transaction_check");
  return async () => {
    await tx.exec("set local maintenance_work_mem = '512MB'");
    for (const i of indexes.rows) await tx.exec(i.def);
    for (const k of keys.rows) await tx.exec(`alter table ${k.tbl} add constraint ${k.name} ${k.def}`);
    await tx.exec("alter table ledger_postings enable trigger ledger_postings_transaction_check");
    const orphans = await tx.query(
      `select 1 from ledger_postings p where not exists (select 1 from ledger_transactions t where t.id = p.transaction_id)
       limit 1`,
    );
    if (orphans.rows.length > 0) throw new Error("demo-data: a posting refers to a missing transaction");
  };
}

async function nextIds(q: Tx, table: string): Promise<number> {
  const rows = await q.query<{ id: string }>(`select coalesce(max(id), 0)::text as id from ${table}`);
  return Number(rows.rows[0]?.id ?? 0) + 1;
}

/** Generates the demo network and writes it in one transaction. */
export async function generateDemoData(db: Db, options: DemoDataOptions): Promise<DemoDataResult> {
  const started = performance.now();
  const n = options.members;
  if (!Number.isInteger(n) || n < 1) throw new Error("demo-data: --members must be a positive integer");
  const progress = options.progress ?? (() => {});
  const rand = mulberry32(options.seed ?? 20260105);
  const historyDays = options.historyDays ?? 60;
  const chains = (options.chains ?? [10_000, 2_000, 500]).map((c) =>
    Math.max(0, Math.min(c, Math.floor(n / 10))),
  );
  const releaseCount = options.releaseOrders ?? 2 * n;
  const cycleMembers = options.cycleMembers ?? Math.floor(n * 0.3);
  const equityCount = options.equityOrders ?? Math.min(50_000, Math.floor(n / 20));

  const passwordHash = await hashPassword(DEMO_PASSWORD, DEFAULT_PASSWORD_OPTIONS);
  return db.transaction(async (tx) => {
    await tx.exec("set local work_mem = '256MB'");
    // The open day: orders are eligible up to and including it.
    const today = businessDay(options.now, options.timeZone);
    if (options.day !== undefined) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(options.day) || options.day > today)
        throw new Error(`demo-data: --day must be a business day YYYY-MM-DD up to today (${today})`);
      if ((await tx.query("select 1 from ledger_transactions limit 1")).rows.length > 0)
        throw new Error("demo-data: --day needs a database without a ledger yet");
      await tx.query(
        `insert into reward_clock (id, open_day) values (1, $1::date)
         on conflict (id) do update set open_day = excluded.open_day`,
        [options.day],
      );
    }
    await tx.query(
      "insert into reward_clock (id, open_day) values (1, $1::date) on conflict (id) do nothing",
      [today],
    );
    const day = (await tx.query<{ d: string }>("select open_day as d from reward_clock where id = 1")).rows[0]
      ?.d as string;
    const dayOf = (k: number) => addDays(day, -k);
    const effective = await configForDay(tx, day);
    const config = effective.config;
    const { withdrawal: _w, ...engineInput } = effective.input as ConfigInput & { withdrawal?: unknown };
    const equityRow = await tx.query<{ supply: string }>("select supply::text as supply from equity_state");
    const equityOn =
      equityCount > 0 && (equityRow.rows.length === 0 || Number(equityRow.rows[0]?.supply) === 0);

    const restore = await bulkLoadMode(tx);

    // 1. The referral forest.
    const net = grow(n, chains, rand);
    progress("demo:network", n, n);
    let largest = 0;
    for (let i = 0; i < n; i++) largest = Math.max(largest, net.referrals[i] as number);

    // 2. Orders: [member, amount (fen), plans, days before the open day].
    const total = releaseCount + Math.ceil(cycleMembers * 2) + (equityOn ? equityCount : 0) + 16;
    const oMember = new Int32Array(total);
    const oFen = new Int32Array(total);
    const oPlans = new Uint8Array(total);
    const oAgo = new Int32Array(total);
    let orders = 0;
    const ago = () => Math.floor(historyDays * rand() ** 2); // recent days more often
    const chainStride = Math.max(
      1,
      Math.floor(releaseCount / Math.max(1, chains.reduce((a, b) => a + b, 0) / 10)),
    );
    const levels = [3_000, 9_000, 27_000, 51_000];
    const randomMember = () => {
      for (;;) {
        const m = Math.floor(rand() * n);
        if (!net.chainMembers[m]) return m;
      }
    };
    const chainMember = () => {
      for (;;) {
        const m = Math.floor(rand() * n);
        if (net.chainMembers[m]) return m;
      }
    };
    const anyChains = chains.some((c) => c > 0);
    for (let o = 0; o < releaseCount; o++) {
      const m =
        anyChains && o % chainStride === 0
          ? chainMember()
          : rand() < 0.35 && net.poolSize > 0
            ? (net.pool[Math.floor(rand() * net.poolSize)] as number)
            : randomMember();
      const u = rand();
      const level = levels[u < 0.7 ? 0 : u < 0.9 ? 1 : u < 0.97 ? 2 : 3] as number;
      oMember[orders] = m;
      oFen[orders] = (level + (rand() < 0.2 ? Math.floor(rand() * 2_000) : 0)) * 100;
      oPlans[orders] = rand() < 0.05 ? RELEASE | CYCLE : RELEASE;
      oAgo[orders] = ago();
      orders++;
    }
    const releaseOrders = orders;
    for (let k = 0; k < cycleMembers; k++) {
      const m = randomMember();
      const count = 1 + Math.floor(rand() * 2);
      for (let j = 0; j < count && orders < total; j++) {
        oMember[orders] = m;
        // Heavy tail: most 100–2,000 yuan, a few up to 200,000 (weights reach the V tiers).
        oFen[orders] = Math.floor((100 + 1_900 * rand() + (rand() < 0.02 ? 200_000 * rand() ** 2 : 0)) * 100);
        oPlans[orders] = CYCLE;
        oAgo[orders] = rand() < 0.02 ? 0 : ago();
        orders++;
      }
    }
    const cycleOrders = orders - releaseOrders;
    if (equityOn) {
      for (let k = 0; k < equityCount && orders < total; k++) {
        oMember[orders] = randomMember();
        oFen[orders] = Math.floor((50 + 1_950 * rand()) * 100);
        oPlans[orders] = EQUITY;
        oAgo[orders] = ago();
        orders++;
      }
    }
    const equityOrders = orders - releaseOrders - cycleOrders;
    // Eligibility order: oldest day first, stable (a counting sort by day).
    const byDay = new Int32Array(historyDays + 2);
    for (let o = 0; o < orders; o++) {
      const slot = historyDays - (oAgo[o] as number) + 1;
      byDay[slot] = (byDay[slot] as number) + 1;
    }
    for (let d = 1; d < byDay.length; d++) byDay[d] = (byDay[d] as number) + (byDay[d - 1] as number);
    const sorted = new Int32Array(orders);
    for (let o = 0; o < orders; o++) {
      const slot = historyDays - (oAgo[o] as number);
      sorted[byDay[slot] as number] = o;
      byDay[slot] = (byDay[slot] as number) + 1;
    }
    progress("demo:orders", orders, orders);

    // 3. Ids.
    const memberBase = await nextIds(tx, "members");
    const orderBase = await nextIds(tx, "orders");
    const txId = await nextIds(tx, "ledger_transactions");
    const memberId = (i: number) => String(memberBase + i);

    // 4. Per order rewards, in eligibility order (the equity plan runs through the engine in that order).
    const rGift = new BigInt64Array(orders);
    const rBase = new BigInt64Array(orders);
    const rRemaining = new BigInt64Array(orders);
    const engine = equityOn ? new Engine(engineInput) : null;
    const joined = new Uint8Array(n);
    const equityTx = new Map<number, GenTx[]>();
    const equityEffects = new Map<number, { buyer: bigint; exitQuota: bigint }>();
    for (let s = 0; s < orders; s++) {
      const o = sorted[s] as number;
      const amount = BigInt(oFen[o] as number) * FEN;
      if ((oPlans[o] as number) & RELEASE) {
        const gift = releaseGiftFor(config.release, amount);
        if (gift) {
          const settled = BigInt(oAgo[o] as number);
          const released =
            gift.base * settled < gift.gift - gift.base ? gift.base * settled : gift.gift - gift.base;
          rGift[o] = gift.gift;
          rBase[o] = gift.base;
          rRemaining[o] = gift.gift - (released > 0n ? released : 0n);
        }
      }
      if (engine && (oPlans[o] as number) & EQUITY) {
        const m = oMember[o] as number;
        if (!joined[m]) {
          engine.join(memberId(m));
          joined[m] = 1;
        }
        const before = engine.book.transactions.length;
        engine.order({ member: memberId(m), amount, plans: ["equity"], id: String(orderBase + s) });
        const d = dayOf(oAgo[o] as number);
        for (const t of engine.book.transactions.slice(before)) {
          const who = t.postings.map((p) => memberOf(p.account)).find((x) => x !== null) ?? memberId(m);
          const index = Number(who) - memberBase;
          const ref = t.kind === "equity.exit" ? `member:${who}` : `order:${t.ref}`;
          const list = equityTx.get(index) ?? [];
          list.push({ day: d, kind: t.kind, ref, postings: [...t.postings] });
          equityTx.set(index, list);
          if (t.kind === "equity.grant") {
            const buyer =
              t.postings.find((p) => p.account === memberAccount(memberId(m), "equity"))?.amount ?? 0n;
            const exitQuota =
              t.postings.find((p) => p.account === memberAccount(memberId(m), "exitQuota"))?.amount ?? 0n;
            equityEffects.set(o, { buyer, exitQuota });
          }
        }
      }
    }
    progress("demo:rewards", orders, orders);

    // 5. Members.
    const created = options.now.toISOString();
    function* memberRows(): Generator<string> {
      const rows = new CopyChunker();
      for (let i = 0; i < n; i++) {
        const p = net.parent[i] as number;
        rows.push(
          `${memberId(i)}\t19${String(memberBase + i).padStart(9, "0")}\t${escapeCopy(passwordHash)}\t${inviteCode(
            memberBase + i + 0x4000_0000,
          )}\t${p < 0 ? COPY_NULL : memberId(p)}\t${net.depth[i]}\tactive\t${created}`,
        );
        yield* rows.drain();
      }
      yield* rows.finish();
    }
    await tx.copyFrom(
      "members (id, phone, password_hash, invite_code, referrer_id, depth, status, created_at)",
      memberRows(),
    );
    progress("demo:members", n, n);

    // 6. Products (one per kind), orders and order_rewards.
    const product = async (name: string, price: string, plans: string[], pkg: boolean) =>
      (
        await tx.query<{ id: string }>(
          `insert into products (name, description, price, plans, membership_package, created_at, updated_at)
           values ($1, 'demo-data', $2::numeric, $3::text[], $4, $5::timestamptz, $5::timestamptz) returning id`,
          [name, price, plans, pkg, created],
        )
      ).rows[0]?.id as string;
    const releaseProduct = await product("演示会员礼包 / demo membership package", "3000", ["release"], true);
    const comboProduct = await product(
      "演示礼包+循环购 / demo package + cycle",
      "3000",
      ["release", "cycle"],
      true,
    );
    const cycleProduct = await product("演示循环购商品 / demo cycle goods", "100", ["cycle"], false);
    const equityProduct = await product("演示日用品 / demo everyday goods", "50", ["equity"], false);
    const productOf = (plans: number) =>
      plans === RELEASE
        ? releaseProduct
        : plans === CYCLE
          ? cycleProduct
          : plans === EQUITY
            ? equityProduct
            : comboProduct;
    const plansText = (plans: number) =>
      `{${[plans & EQUITY ? "equity" : "", plans & CYCLE ? "cycle" : "", plans & RELEASE ? "release" : ""]
        .filter(Boolean)
        .join(",")}}`;
    function* orderRows(kind: "orders" | "rewards" | "progress"): Generator<string> {
      const rows = new CopyChunker();
      for (let s = 0; s < orders; s++) {
        const o = sorted[s] as number;
        if (kind === "progress") {
          if ((rRemaining[o] as bigint) > 0n)
            rows.push(
              `${orderBase + s}\t${formatDecimal(rBase[o] as bigint)}\t${formatDecimal(rRemaining[o] as bigint)}`,
            );
        } else rows.push(orderRow(kind, s));
        yield* rows.drain();
      }
      yield* rows.finish();
    }
    function orderRow(kind: "orders" | "rewards", s: number): string {
      const o = sorted[s] as number;
      const plans = oPlans[o] as number;
      const amount = formatDecimal(BigInt(oFen[o] as number) * FEN);
      const d = dayOf(oAgo[o] as number);
      const m = memberId(oMember[o] as number);
      if (kind === "orders")
        return `${orderBase + s}\t${m}\t${productOf(plans)}\t1\t${plansText(plans)}\t${amount}\t0\tpaid\tmanual\t${created}\t${created}\t${d}\t${d}`;
      let cycleQuota = "0";
      let cycleWeight = "0";
      let cycleReferrer = COPY_NULL;
      let cycleReferrerWeight = "0";
      if (plans & CYCLE) {
        const a = BigInt(oFen[o] as number) * FEN;
        const w = mulRateFloor(a, config.cycle.weightPerYuan);
        cycleQuota = formatDecimal(mulRateFloor(a, config.cycle.quotaMultiple));
        cycleWeight = formatDecimal(w);
        const p = net.parent[oMember[o] as number] as number;
        if (p >= 0) {
          cycleReferrer = memberId(p);
          cycleReferrerWeight = formatDecimal(mulRateFloor(w, config.cycle.referralWeightRatio));
        }
      }
      const eq = equityEffects.get(o);
      const gift = rGift[o] as bigint;
      const pkg = gift > 0n ? releaseGiftFor(config.release, BigInt(oFen[o] as number) * FEN) : undefined;
      return [
        orderBase + s,
        m,
        d,
        amount,
        "0",
        plans & CYCLE ? "t" : "f",
        formatDecimal(eq?.buyer ?? 0n),
        formatDecimal(eq?.exitQuota ?? 0n),
        cycleQuota,
        cycleWeight,
        cycleReferrer,
        cycleReferrerWeight,
        pkg ? escapeCopy(pkg.grade) : COPY_NULL,
        pkg ? formatDecimal(pkg.gradeMin) : COPY_NULL,
        formatDecimal(gift),
        formatDecimal(rBase[o] as bigint),
      ].join("\t");
    }
    await tx.copyFrom(
      `orders (id, member_id, product_id, quantity, plans, amount, points_paid, status, provider, created_at, paid_at,
         paid_day, eligible_day)`,
      orderRows("orders"),
    );
    progress("demo:orders", orders, orders);
    await tx.copyFrom(
      `order_rewards (order_id, member_id, eligible_on, amount, points_paid, in_cycle, equity_buyer, exit_quota,
         cycle_quota, cycle_weight, cycle_referrer_id, cycle_referrer_weight, release_grade, release_grade_min, release_gift, release_base)`,
      orderRows("rewards"),
    );
    // The open orders' release progress on the open day (seq as order_rewards numbered them).
    await tx.exec(
      `create temp table demo_progress (order_id bigint, base numeric(30, 6), remaining numeric(30, 6))
       on commit drop`,
    );
    await tx.copyFrom("demo_progress (order_id, base, remaining)", orderRows("progress"));
    // In the open day's own partition, as a settlement (or migration 0005) leaves it.
    const dayTable = `release_progress_d${day.replaceAll("-", "")}`;
    const newTable = (await tx.query("select to_regclass($1) as t", [dayTable])).rows[0]?.t == null;
    if (newTable) await tx.query("select jifen_release_day_create($1::date)", [day]);
    await tx.query(
      `insert into ${dayTable} (day, order_id, member_id, seq, base, remaining)
       select $1::date, r.order_id, r.member_id, r.seq, p.base, p.remaining
       from demo_progress p join order_rewards r on r.order_id = p.order_id order by r.seq`,
      [day],
    );
    if (newTable) {
      await tx.query("select jifen_release_day_index($1::date)", [day]);
      await tx.query("select jifen_release_day_attach($1::date, $1::date)", [day]);
    }
    progress("demo:order_rewards", orders, orders);

    // 7. The ledger, member by member (index-friendly), and the balances it implies.
    const memberOrders = new Int32Array(n + 1);
    for (let s = 0; s < orders; s++) {
      const slot = (oMember[sorted[s] as number] as number) + 1;
      memberOrders[slot] = (memberOrders[slot] as number) + 1;
    }
    for (let i = 0; i < n; i++)
      memberOrders[i + 1] = (memberOrders[i + 1] as number) + (memberOrders[i] as number);
    const fill = memberOrders.slice(0, n);
    const ordersOf = new Int32Array(orders); // positions in eligibility order, grouped by member
    for (let s = 0; s < orders; s++) {
      const m = oMember[sorted[s] as number] as number;
      ordersOf[fill[m] as number] = s;
      fill[m] = (fill[m] as number) + 1;
    }
    // Own performance (for the stars of the last settlement) and each member's share of quota already paid out.
    const perf = new BigInt64Array(n);
    for (let s = 0; s < orders; s++) {
      const o = sorted[s] as number;
      if ((oAgo[o] as number) > 0)
        perf[oMember[o] as number] = (perf[oMember[o] as number] as bigint) + BigInt(oFen[o] as number) * FEN;
    }
    // Past dividends: 10% of cycle members used their whole quota, the others part of it.
    const paidShare = new Int32Array(n);
    for (let i = 0; i < n; i++) paidShare[i] = rand() < 0.1 ? 1_000_000 : Math.floor(rand() * 900_000);

    const balanceRows = new CopyChunker();
    const platform = new Map<string, bigint>();
    const yesterday = dayOf(1);
    const firstTxId = txId;
    const post = (account: string, asset: Asset, amount: bigint): Posting => ({ account, asset, amount });
    /**
     * The ledger, member by member (index-friendly), as COPY text: one pass
     * yields the transactions, a second (identical) pass their postings and
     * the balances they imply — so the text is never held whole.
     */
    function* ledger(pass: "transactions" | "postings"): Generator<string> {
      const rows = new CopyChunker();
      const own = new Map<string, bigint>();
      let id = firstTxId;
      let cyclePaid = 0n;
      const emit = (t: GenTx, ownId: string | null) => {
        const txId = id++;
        if (pass === "transactions") {
          rows.push(`${txId}\t${t.day}\t${t.kind}\t${escapeCopy(t.ref)}\t${COPY_NULL}\t${created}`);
          return;
        }
        for (const p of t.postings) {
          if (p.amount === 0n) continue;
          const who = memberOf(p.account);
          rows.push(`${txId}\t${p.account}\t${p.asset}\t${formatDecimal(p.amount)}\t${who ?? COPY_NULL}`);
          const key = `${p.account}\t${p.asset}`;
          const target = who !== null && who === ownId ? own : platform;
          target.set(key, (target.get(key) ?? 0n) + p.amount);
        }
      };
      for (let i = 0; i < n; i++) {
        const id = memberId(i);
        own.clear();
        let released = 0n;
        let quota = 0n;
        for (let k = memberOrders[i] as number; k < (memberOrders[i + 1] as number); k++) {
          const s = ordersOf[k] as number;
          const o = sorted[s] as number;
          const plans = oPlans[o] as number;
          if (plans & EQUITY) continue; // the engine's own transactions follow
          const amount = BigInt(oFen[o] as number) * FEN;
          const d = dayOf(oAgo[o] as number);
          const ref = `order:${orderBase + s}`;
          emit(
            {
              day: d,
              kind: "order.pay",
              ref,
              postings: [
                post(PlatformAccount.worldPayments, "cny", -amount),
                post(PlatformAccount.operator, "cny", amount),
              ],
            },
            id,
          );
          if (plans & CYCLE) {
            const q = mulRateFloor(amount, config.cycle.quotaMultiple);
            const w = mulRateFloor(amount, config.cycle.weightPerYuan);
            const p = net.parent[i] as number;
            const rw = p >= 0 ? mulRateFloor(w, config.cycle.referralWeightRatio) : 0n;
            quota += q;
            emit(
              {
                day: d,
                kind: "cycle.grant",
                ref,
                postings: [
                  post(issuanceAccount("quota"), "quota", -q),
                  post(memberAccount(id, "quota"), "quota", q),
                  post(issuanceAccount("weight"), "weight", -w - rw),
                  post(memberAccount(id, "weight"), "weight", w),
                  post(memberAccount(memberId(p), "weight"), "weight", rw),
                ],
              },
              id,
            );
          }
          const gift = rGift[o] as bigint;
          if (gift > 0n) {
            released += gift - (rRemaining[o] as bigint);
            emit(
              {
                day: d,
                kind: "release.gift",
                ref,
                postings: [
                  post(issuanceAccount("points"), "points", -gift),
                  post(memberAccount(id, "gift"), "points", gift),
                ],
              },
              id,
            );
          }
        }
        for (const t of equityTx.get(i) ?? []) emit(t, id);
        if (released > 0n) {
          emit(
            {
              day: yesterday,
              kind: "release.daily",
              ref: "demo:history",
              postings: [
                post(memberAccount(id, "gift"), "points", -released),
                post(memberAccount(id, "points"), "points", released),
              ],
            },
            id,
          );
        }
        const paid = floorDiv(mulRateFloor(quota, BigInt(paidShare[i] as number)), FEN) * FEN;
        if (paid > 0n) {
          cyclePaid += paid;
          emit(
            {
              day: yesterday,
              kind: "cycle.dividend",
              ref: "demo:history",
              postings: [
                post(CYCLE_POOL_ACCOUNT, "cny", -paid),
                post(memberAccount(id, "cash"), "cny", paid),
                post(memberAccount(id, "quota"), "quota", -paid),
                post(burnAccount("quota"), "quota", paid),
              ],
            },
            id,
          );
        }
        if (pass === "postings")
          for (const [key, amount] of own) {
            if (amount !== 0n) balanceRows.push(`${key}\t${id}\t${formatDecimal(amount)}`);
          }
        if ((i & 0x3fff) === 0) progress(`demo:${pass}`, i, n);
        yield* rows.drain();
      }
      if (cyclePaid > 0n) {
        emit(
          {
            day: yesterday,
            kind: "cycle.pools",
            ref: "demo:history",
            postings: [
              post(PlatformAccount.operator, "cny", -cyclePaid),
              post(CYCLE_POOL_ACCOUNT, "cny", cyclePaid),
            ],
          },
          null,
        );
      }
      yield* rows.finish();
    }
    const transactions = await tx.copyFrom(
      "ledger_transactions (id, business_day, kind, ref, memo, created_at)",
      ledger("transactions"),
    );
    progress("demo:transactions", transactions, transactions);
    const postings = await tx.copyFrom(
      "ledger_postings (transaction_id, account, asset, amount, member_id)",
      ledger("postings"),
    );
    progress("demo:postings", postings, postings);
    let balances = await tx.copyFrom("balances (account, asset, member_id, amount)", balanceRows.finish());
    // Platform accounts (and any member row touched from another member's group) may exist already.
    await tx.exec(
      `create temp table demo_delta (account text, asset text, member_id bigint, amount numeric(30, 6)) on commit drop`,
    );
    const deltaRows = new CopyChunker();
    for (const [key, amount] of platform) {
      if (amount === 0n) continue;
      const [account = "", asset = ""] = key.split("\t");
      deltaRows.push(`${account}\t${asset}\t${memberOf(account) ?? COPY_NULL}\t${formatDecimal(amount)}`);
    }
    await tx.copyFrom("demo_delta (account, asset, member_id, amount)", deltaRows.finish());
    await tx.exec(
      `update balances b set amount = b.amount + d.amount from demo_delta d where b.account = d.account and b.asset = d.asset;
       insert into balances (account, asset, member_id, amount)
         select account, asset, member_id, amount from demo_delta d
         where not exists (select 1 from balances b where b.account = d.account and b.asset = d.asset);`,
    );
    balances += deltaRows.rows;
    progress("demo:balances", balances, balances);

    // 8. Equity state and exit queue, stars of the last settlement, sequences, statistics.
    if (engine) {
      const state = engine.equity;
      await tx.query(
        `insert into equity_state (id, pool, supply, issued, price_num, price_den)
         values (1, $1::numeric, $2::numeric, $3::numeric, $4::numeric, $5::numeric)
         on conflict (id) do update set pool = excluded.pool, supply = excluded.supply, issued = excluded.issued,
           price_num = excluded.price_num, price_den = excluded.price_den`,
        [
          formatDecimal(state.pool),
          formatDecimal(state.supply),
          formatDecimal(state.issued),
          formatDecimal(state.priceNum),
          formatDecimal(state.priceDen),
        ],
      );
      const queue = new CopyChunker();
      for (const id of engine.memberIds()) {
        const held = engine.balance(id, "equity");
        const quota = engine.balance(id, "exitQuota");
        if (held > 0n && quota > 0n) {
          const scaled = floorDiv(quota * 10n ** 12n, held);
          const threshold = `${scaled / 10n ** 12n}.${(scaled % 10n ** 12n).toString().padStart(12, "0")}`;
          queue.push(`${id}\t${formatDecimal(held)}\t${formatDecimal(quota)}\t${threshold}`);
        }
      }
      await tx.copyFrom("exit_queue (member_id, held, quota, threshold)", queue.finish());
    }
    const order = topDownOrder(net.parent);
    const stars = starLevels(teamPerformance(net.parent, perf, order), config.release);
    const starRows = new CopyChunker();
    for (let i = 0; i < n; i++) {
      const level = stars[i] as number;
      const name = level >= 0 ? config.release.starLevels[level]?.name : undefined;
      if (name) starRows.push(`${memberId(i)}\t${escapeCopy(name)}\t${yesterday}`);
    }
    await tx.copyFrom("member_stars (member_id, star, business_day)", starRows.finish());
    if (restore) {
      await restore();
      progress("demo:indexes", 1, 1);
    }
    await tx.exec(
      `select setval(pg_get_serial_sequence('members', 'id'), (select max(id) from members));
       select setval(pg_get_serial_sequence('orders', 'id'), (select max(id) from orders));
       select setval(pg_get_serial_sequence('ledger_transactions', 'id'), (select max(id) from ledger_transactions));`,
    );
    progress("demo:done", 1, 1);
    return {
      day,
      members: n,
      deepestChain: net.deepest,
      largestReferralCount: largest,
      orders: { release: releaseOrders, cycle: cycleOrders, equity: equityOrders },
      rows: { transactions, postings, balances },
      ms: Math.round(performance.now() - started),
    };
  });
}
