/**
 * `jifen replay` (docs/rules.md "Replay"): runs a scenario of events through the engine in
 * memory and renders the final state. Pure: the caller reads the file and
 * prints; the same scenario always renders the same bytes.
 */
import { Engine, type Plan } from "./engine.ts";
import { refuse } from "./errors.ts";
import { parseJsonLossless } from "./json.ts";
import { DecimalError, formatDecimal, formatPrice, parseDecimal } from "./money.ts";

export interface ReplayMember {
  cash: string;
  points: string;
  equity: string;
  stable: string;
  gift: string;
  quota: string;
  exitQuota: string;
  weight: string;
  debt: Record<string, string>;
  grade: string | null;
  star: string | null;
}

export interface ReplayFigures {
  static: string;
  share: string;
  team: string;
  peer: string;
  dividend: string;
}

export interface ReplayOutput {
  days: number;
  equity: {
    price: string;
    pool: string;
    circulating: string;
    issued: string;
    burned: string;
    treasury: string;
  };
  members: Record<string, ReplayMember>;
  settlements: { day: number; members: Record<string, ReplayFigures> }[];
}

/** Why a replay stopped: at an event (index from 0) or at the config (index null). */
export class ReplayError extends Error {
  constructor(
    readonly eventIndex: number | null,
    readonly reason: string,
  ) {
    super(eventIndex === null ? `config: ${reason}` : `event ${eventIndex}: ${reason}`);
    this.name = "ReplayError";
  }
}

/** Fields every event type takes (beyond `type`); `comment` and `note` are allowed everywhere. */
const EVENT_FIELDS: Record<string, readonly string[]> = {
  join: ["member", "referrer"],
  order: ["member", "amount", "plans", "id", "points"],
  refund: ["order"],
  sell: ["member", "points"],
  redeem: ["member", "amount"],
  toStable: ["member", "points"],
  fromStable: ["member", "stable"],
  pay: ["member", "to", "stable"],
  adjust: ["member", "asset", "amount", "reason"],
  setConfig: ["config"],
  endOfDay: [],
};
const FREE_FIELDS = ["type", "comment", "note"];
const TOP_FIELDS = ["config", "events", "description", "name", "comment"];

type Event = Record<string, unknown>;

/** An error's words; an EngineError's message is its Chinese and English words, "zh / en". */
function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function text(event: Event, field: string, optional = false): string | undefined {
  const value = event[field];
  if (value === undefined && optional) return undefined;
  if (Number.isInteger(value)) return String(value);
  if (typeof value !== "string" || value === "") {
    refuse("INVALID_FIELD", `"${field}" must be a non-empty string`, field);
  }
  return value;
}

function decimal(event: Event, field: string, places: number, optional = false): bigint | undefined {
  const value = event[field];
  if (value === undefined && optional) return undefined;
  if (value === undefined) refuse("INVALID_FIELD", `"${field}" is missing`, field);
  try {
    return parseDecimal(value, places);
  } catch (error) {
    if (error instanceof DecimalError) {
      refuse(
        error.reason === "places" ? "TOO_MANY_PLACES" : "INVALID_AMOUNT",
        `"${field}": ${error.message}`,
        field,
      );
    }
    throw error;
  }
}

/** Applies one scenario event to the engine; throws an EngineError when it is refused. */
export function applyEvent(engine: Engine, event: unknown): void {
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    refuse("INVALID_FIELD", "an event must be an object");
  }
  const e = event as Event;
  const type = e.type;
  const fields =
    typeof type === "string" && Object.hasOwn(EVENT_FIELDS, type) ? EVENT_FIELDS[type] : undefined;
  if (!fields) refuse("INVALID_FIELD", `unknown event type ${JSON.stringify(type)}`, "type");
  for (const key of Object.keys(e)) {
    if (!fields.includes(key) && !FREE_FIELDS.includes(key)) {
      refuse("INVALID_FIELD", `unknown field "${key}" for a ${type} event`, key);
    }
  }
  const member = () => text(e, "member") as string;
  switch (type) {
    case "join":
      engine.join(member(), text(e, "referrer", true));
      return;
    case "order": {
      const plans = e.plans;
      if (!Array.isArray(plans)) refuse("INVALID_FIELD", '"plans" must be a list', "plans");
      engine.order({
        member: member(),
        amount: decimal(e, "amount", 2) as bigint,
        plans: plans as Plan[],
        id: text(e, "id", true),
        points: decimal(e, "points", 6, true),
      });
      return;
    }
    case "refund":
      engine.refund(text(e, "order") as string);
      return;
    case "sell":
      engine.sell(member(), decimal(e, "points", 6) as bigint);
      return;
    case "redeem":
      engine.redeem(member(), decimal(e, "amount", 2) as bigint);
      return;
    case "toStable":
      engine.toStable(member(), decimal(e, "points", 6) as bigint);
      return;
    case "fromStable":
      engine.fromStable(member(), decimal(e, "stable", 6) as bigint);
      return;
    case "pay":
      engine.pay(member(), text(e, "to") as string, decimal(e, "stable", 6) as bigint);
      return;
    case "adjust": {
      const asset = text(e, "asset") as string;
      // A reason that is not text is refused by the engine (MISSING_REASON).
      engine.adjust(
        member(),
        asset,
        decimal(e, "amount", asset === "cash" ? 2 : 6) as bigint,
        e.reason as string,
      );
      return;
    }
    case "setConfig":
      engine.setConfig(e.config);
      return;
    default:
      engine.endOfDay();
  }
}

/** Runs a parsed scenario; throws a ReplayError naming the event that was refused. */
export function runScenario(scenario: unknown): { engine: Engine; output: ReplayOutput } {
  if (typeof scenario !== "object" || scenario === null || Array.isArray(scenario)) {
    throw new ReplayError(
      null,
      "a scenario must be a JSON object with an events list / 场景必须是包含 events 列表的 JSON 对象",
    );
  }
  const s = scenario as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!TOP_FIELDS.includes(key))
      throw new ReplayError(null, `unknown top-level key "${key}" / 未知字段 "${key}"`);
  }
  if (!Array.isArray(s.events)) throw new ReplayError(null, '"events" must be a list / "events" 必须是列表');
  let engine: Engine;
  try {
    engine = new Engine(s.config ?? {});
  } catch (error) {
    throw new ReplayError(null, message(error));
  }
  s.events.forEach((event, index) => {
    try {
      applyEvent(engine, event);
    } catch (error) {
      throw new ReplayError(index, message(error));
    }
  });
  return { engine, output: renderState(engine) };
}

/** The replay output of an engine's state (docs/rules.md "Replay"). */
export function renderState(engine: Engine): ReplayOutput {
  const state = engine.equity;
  const members: Record<string, ReplayMember> = {};
  for (const id of engine.memberIds()) {
    const debt: Record<string, string> = {};
    for (const [wallet, owed] of Object.entries(engine.debts(id)))
      debt[wallet] = formatDecimal(owed as bigint);
    members[id] = {
      cash: formatDecimal(engine.balance(id, "cash")),
      points: formatDecimal(engine.balance(id, "points")),
      equity: formatDecimal(engine.balance(id, "equity")),
      stable: formatDecimal(engine.balance(id, "stable")),
      gift: formatDecimal(engine.balance(id, "gift")),
      quota: formatDecimal(engine.balance(id, "quota")),
      exitQuota: formatDecimal(engine.balance(id, "exitQuota")),
      weight: formatDecimal(engine.balance(id, "weight")),
      debt,
      grade: engine.grade(id),
      star: engine.star(id),
    };
  }
  const price =
    state.supply > 0n ? formatPrice(state.pool, state.supply) : formatPrice(state.priceNum, state.priceDen);
  return {
    days: engine.daysSettled,
    equity: {
      price,
      pool: formatDecimal(state.pool),
      circulating: formatDecimal(state.supply),
      issued: formatDecimal(state.issued),
      burned: formatDecimal(engine.equityBurned()),
      treasury: formatDecimal(engine.book.balance("p:treasury", "equity")),
    },
    members,
    settlements: engine.settlements.map((s) => {
      const figures: Record<string, ReplayFigures> = {};
      for (const m of s.members) {
        figures[m.member] = {
          static: formatDecimal(m.static),
          share: formatDecimal(m.share),
          team: formatDecimal(m.team),
          peer: formatDecimal(m.peer),
          dividend: formatDecimal(m.dividend),
        };
      }
      return { day: s.day, members: figures };
    }),
  };
}

/** Replays scenario text to the exact bytes `jifen replay` prints. */
export function replayText(scenarioText: string): string {
  let scenario: unknown;
  try {
    // Numbers stay their decimal text: no amount passes through a binary float (JSON.parse would
    // read 0.10000000000000001 as 0.1 and 9007199254740993 as …992 before any check could see them).
    scenario = parseJsonLossless(scenarioText);
  } catch (error) {
    throw new ReplayError(null, `not valid JSON / 不是有效的 JSON: ${message(error)}`);
  }
  return `${JSON.stringify(runScenario(scenario).output, null, 2)}\n`;
}
