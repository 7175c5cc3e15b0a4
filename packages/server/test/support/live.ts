/**
 * Live traffic for the settlement tests (issue 17): clients paying, refunding,
 * selling, withdrawing and signing up one command at a time, each recorded as
 * a replay event when it commits (so the committed order is the replay's), a
 * refusal (a coded error) counted and left out.
 */
import { formatDecimal } from "@jifen/engine";
import { isRetryableConflict, type Queryable } from "../../src/db/index.ts";
import { requestWithdrawal } from "../../src/wallets/withdrawals.ts";
import {
  type DrivenScenario,
  driveScenario,
  SCENARIO_TZ,
  type ScenarioHost,
  type ServerScenario,
} from "./scenario.ts";

export type LiveEvent = ServerScenario["events"][number];

/** The live loop's state: events that committed (in commit order), refusals, when each command ended. */
export interface Live<P extends string = string> {
  readonly events: LiveEvent[];
  readonly refused: Map<string, number>;
  /** Per command (committed or refused): its milliseconds and `phase` when it ended. */
  readonly commands: { ms: number; phase: P; committed: boolean }[];
  /** Where the settlement is (set by its hooks). */
  phase: P;
  /** Commands run again after a deadlock or serialization failure (`retried`). */
  retried: number;
}

/** A fresh live loop's state at `phase`. */
export function newLive<P extends string>(phase: P): Live<P> {
  return { events: [], refused: new Map(), commands: [], phase, retried: 0 };
}

/** Who and what the live commands pick from. */
export interface LiveNames {
  /** Buyers and referrers. */
  members: string[];
  /** Members who sell and withdraw (default: `members`). */
  spenders?: string[];
  /** Orders the loop may refund (an order the day is settling is refused). */
  dayOne: string[];
  /** The loop's own orders, refunded first in, first out. */
  dayTwo: string[];
  /** Members who sign up join `members` and `spenders`. */
  joinedSpend?: boolean;
  /** Payments and sign-ups only (no refunds, sells, withdrawals). */
  payOnly?: boolean;
}

/** One live command, chosen at random; records the event when it commits. */
export async function liveCommand<P extends string>(
  host: ScenarioHost,
  driven: DrivenScenario,
  live: Live<P>,
  rand: () => number,
  names: LiveNames,
  counter: { order: number; member: number },
): Promise<void> {
  const r = names.payOnly ? (rand() < 0.85 ? 0 : 1) : rand();
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)] as T;
  const spenders = names.spenders ?? names.members;
  let event: LiveEvent;
  let withdrawal: { member: string; amount: bigint } | null = null;
  if (r < 0.4) {
    const id = `live${++counter.order}`;
    event = {
      type: "order",
      member: pick(names.members),
      amount: pick(["100", "300", "1000", "2000"]),
      plans: pick([["release"], ["cycle"], ["equity"], ["equity", "cycle", "release"]]),
      id,
    };
    names.dayTwo.push(id);
  } else if (r < 0.52 && names.dayOne.length > 0) event = { type: "refund", order: pick(names.dayOne) };
  else if (r < 0.62 && names.dayTwo.length > 0)
    event = { type: "refund", order: names.dayTwo.shift() as string };
  else if (r < 0.77 && spenders.length > 0) event = { type: "sell", member: pick(spenders), points: "1" };
  else if (r < 0.92 && spenders.length > 0) {
    const member = pick(spenders);
    withdrawal = { member, amount: 10_000_000n + BigInt(Math.floor(rand() * 5)) * 1_000_000n };
    event = {
      type: "adjust",
      member,
      asset: "cash",
      amount: formatDecimal(-withdrawal.amount),
      reason: "withdrawal",
    };
  } else {
    const member = `L${++counter.member}`;
    event = { type: "join", member, referrer: pick(names.members) };
  }
  const started = performance.now();
  let committed = false;
  try {
    await retried(live, async () => {
      if (withdrawal) {
        const memberId = driven.members.get(withdrawal.member) as string;
        const amount = withdrawal.amount;
        await host.db.transaction((tx) =>
          requestWithdrawal(tx, { memberId, amount, now: host.clock.now(), timeZone: SCENARIO_TZ }),
        );
      } else {
        const next = await driveScenario(host, { events: [event] }, { from: driven });
        for (const [k, v] of next.members) driven.members.set(k, v);
        for (const [k, v] of next.orders) driven.orders.set(k, v);
      }
    });
    committed = true;
    live.events.push(event);
    if (event.type === "refund") names.dayOne = names.dayOne.filter((o) => o !== event.order);
    if (event.type === "join" && names.joinedSpend) {
      names.members.push(String(event.member));
      if (names.spenders && names.spenders !== names.members) names.spenders.push(String(event.member));
    }
  } catch (error) {
    // A refusal (the server's or the engine's coded error) changes nothing; anything else fails the test.
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string" || !/^[A-Z_]+$/.test(code)) throw error;
    live.refused.set(code, (live.refused.get(code) ?? 0) + 1);
  }
  live.commands.push({ ms: performance.now() - started, phase: live.phase, committed });
}

/**
 * Runs one live command as the server's command path does (http/command.ts): a deadlock or
 * serialization failure rolls it back and it runs again, at most 3 tries. A payment locks its
 * balance rows step by step, so it can deadlock with a settlement's apply batch (which the
 * settlement retries too); PostgreSQL picks one of the two to fail. Counted in `live.retried`.
 */
async function retried(live: Live<string>, attempt: () => Promise<void>): Promise<void> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= 3 || !isRetryableConflict(error)) throw error;
      live.retried++;
    }
  }
}

/**
 * PostgreSQL: the backends of this schema waiting for a lock (a lock not granted, held by a backend
 * that holds a lock on one of the schema's tables): while the settlement's transaction is open and
 * the live loop runs one command at a time, such a wait can only be a command waiting for it.
 */
export async function commandsWaiting(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ query: string }>(
    `select a.query from pg_locks w join pg_stat_activity a on a.pid = w.pid
     where not w.granted and exists (
       select 1 from pg_locks h join pg_class c on c.oid = h.relation
       where h.pid = w.pid and c.relnamespace = current_schema()::regnamespace)`,
  );
  return rows.rows.map((r) => r.query);
}
