/**
 * The replay's own rules (docs/rules.md "Replay"): what a scenario and an event may hold,
 * the words of each refusal, and each field of the rendered state. The spec examples
 * (test/examples.test.ts) and the property tests run valid scenarios; these pin the edges.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "./engine.ts";
import { EngineError } from "./errors.ts";
import { parseJsonLossless } from "./json.ts";
import { applyEvent, ReplayError, renderState, replayText, runScenario } from "./replay.ts";

/** The ReplayError a scenario stops with (fails if it runs through). */
function stop(scenario: unknown): ReplayError {
  try {
    runScenario(scenario);
  } catch (error) {
    assert.ok(error instanceof ReplayError, `a ReplayError, not ${String(error)}`);
    return error;
  }
  assert.fail("the scenario ran through");
}

/** The EngineError one event is refused with on `engine` (fails if it is applied). */
function refusal(engine: Engine, event: unknown): EngineError {
  try {
    applyEvent(engine, event);
  } catch (error) {
    assert.ok(error instanceof EngineError, `an EngineError, not ${String(error)}`);
    return error;
  }
  assert.fail("the event was applied");
}

const joined = (...ids: string[]) => {
  const engine = new Engine({});
  for (const id of ids) engine.join(id);
  return engine;
};

test("ReplayError names the event (from 0) or the config, and keeps both parts", () => {
  const atEvent = new ReplayError(3, "why");
  assert.equal(atEvent.message, "event 3: why");
  assert.equal(atEvent.eventIndex, 3);
  assert.equal(atEvent.reason, "why");
  assert.equal(atEvent.name, "ReplayError");
  const atConfig = new ReplayError(null, "why");
  assert.equal(atConfig.message, "config: why");
  assert.equal(atConfig.eventIndex, null);
  // Event 0 is an event, not the config.
  assert.equal(new ReplayError(0, "x").message, "event 0: x");
});

test("a scenario must be an object with an events list; only the known top-level keys", () => {
  const notObject =
    "a scenario must be a JSON object with an events list / 场景必须是包含 events 列表的 JSON 对象";
  for (const bad of [null, [], 5, "x", undefined]) {
    const error = stop(bad);
    assert.equal(error.eventIndex, null);
    assert.equal(error.reason, notObject, JSON.stringify(bad));
  }
  assert.equal(stop({ events: [], extra: 1 }).reason, 'unknown top-level key "extra" / 未知字段 "extra"');
  for (const events of [undefined, {}, "x"]) {
    assert.equal(stop({ events }).reason, '"events" must be a list / "events" 必须是列表');
  }
  // Each allowed key is accepted.
  const { output } = runScenario({ config: {}, events: [], description: "d", name: "n", comment: "c" });
  assert.equal(output.days, 0);
  assert.deepEqual(output.members, {});
  assert.deepEqual(output.settlements, []);
});

test("a refused config stops the replay at the config with both languages", () => {
  const error = stop({ config: { equity: { poolRatio: "2" } }, events: [] });
  assert.equal(error.eventIndex, null);
  let direct: unknown;
  try {
    new Engine({ equity: { poolRatio: "2" } });
  } catch (e) {
    direct = e;
  }
  assert.ok(direct instanceof EngineError);
  assert.equal(error.reason, `${direct.zh} / ${direct.en}`);
  assert.equal(error.message, `config: ${direct.zh} / ${direct.en}`);
});

test("a refused event stops the replay at its index with the engine's words in both languages", () => {
  const error = stop({
    events: [
      { type: "join", member: "A" },
      { type: "join", member: "A" },
    ],
  });
  assert.equal(error.eventIndex, 1);
  assert.equal(error.reason, "会员已存在：A。 / The member already exists: A.");
  assert.equal(error.message, "event 1: 会员已存在：A。 / The member already exists: A.");
});

test("an event must be an object of a known type", () => {
  const engine = joined();
  for (const bad of [null, [], 3, "join"]) {
    const e = refusal(engine, bad);
    assert.equal(e.code, "INVALID_FIELD");
    assert.equal(e.detail, "an event must be an object");
    assert.equal(e.field, undefined);
  }
  for (const [type, shown] of [
    ["jump", '"jump"'],
    ["toString", '"toString"'],
    ["constructor", '"constructor"'],
    [7, "7"],
    // Not a string, though its text names a type.
    [["endOfDay"], '["endOfDay"]'],
    [["join"], '["join"]'],
    [undefined, "undefined"],
  ] as const) {
    const e = refusal(engine, { type });
    assert.equal(e.code, "INVALID_FIELD");
    assert.equal(e.detail, `unknown event type ${shown}`);
    assert.equal(e.field, "type");
  }
});

test("each event type takes its own fields, and comment and note everywhere; any other field is refused", () => {
  const fields: Record<string, string[]> = {
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
  const all = new Set(Object.values(fields).flat());
  for (const [type, own] of Object.entries(fields)) {
    for (const other of [...all, "extra"]) {
      if (own.includes(other)) continue;
      const e = refusal(joined("A"), { type, [other]: "1" });
      assert.equal(e.code, "INVALID_FIELD", `${type}.${other}`);
      assert.equal(e.detail, `unknown field "${other}" for a ${type} event`);
      assert.equal(e.field, other);
    }
  }
  // comment and note are allowed on every type (here on events that then apply).
  const { output } = runScenario({
    events: [
      { type: "join", member: "A", comment: "c", note: "n" },
      { type: "join", member: "B", referrer: "A", comment: "c", note: "n" },
      { type: "order", member: "B", amount: "100", plans: ["equity"], id: "o1", comment: "c", note: "n" },
      { type: "adjust", member: "A", asset: "cash", amount: "10", reason: "r", comment: "c", note: "n" },
      { type: "adjust", member: "A", asset: "points", amount: "5", reason: "r", comment: "c", note: "n" },
      { type: "order", member: "A", amount: "10", plans: [], points: "2", note: "n" },
      { type: "sell", member: "B", points: "1", comment: "c", note: "n" },
      { type: "redeem", member: "B", amount: "1", comment: "c", note: "n" },
      { type: "toStable", member: "B", points: "1", comment: "c", note: "n" },
      { type: "fromStable", member: "B", stable: "0.5", comment: "c", note: "n" },
      { type: "pay", member: "B", to: "A", stable: "0.25", comment: "c", note: "n" },
      { type: "setConfig", config: {}, comment: "c", note: "n" },
      { type: "endOfDay", comment: "c", note: "n" },
      { type: "refund", order: "o1", comment: "c", note: "n" },
    ],
  });
  assert.equal(output.days, 1);
  assert.deepEqual(Object.keys(output.members), ["A", "B"]);
});

test("each event does what its type says, with its fields read at their places", () => {
  const engine = joined();
  applyEvent(engine, { type: "join", member: "A" });
  applyEvent(engine, { type: "join", member: "B", referrer: "A" });
  assert.deepEqual(engine.memberIds(), ["A", "B"]);
  applyEvent(engine, { type: "adjust", member: "A", asset: "cash", amount: "20.5", reason: "r" });
  assert.equal(engine.balance("A", "cash"), 20_500_000n);
  applyEvent(engine, { type: "adjust", member: "A", asset: "points", amount: "3.000001", reason: "r" });
  assert.equal(engine.balance("A", "points"), 3_000_001n);
  applyEvent(engine, { type: "adjust", member: "A", asset: "stable", amount: "0.000002", reason: "r" });
  assert.equal(engine.balance("A", "stable"), 2n);
  applyEvent(engine, { type: "order", member: "B", amount: "100", plans: ["equity"], id: "o1" });
  const equityB = engine.balance("B", "equity");
  assert.ok(equityB > 0n);
  // An order paid in part with points: the points leave the wallet.
  applyEvent(engine, { type: "order", member: "A", amount: "10", plans: [], points: "1.5" });
  assert.equal(engine.balance("A", "points"), 1_500_001n);
  applyEvent(engine, { type: "sell", member: "B", points: "1.000001" });
  assert.equal(engine.balance("B", "equity"), equityB - 1_000_001n);
  applyEvent(engine, { type: "toStable", member: "B", points: "2" });
  assert.equal(engine.balance("B", "equity"), equityB - 3_000_001n);
  const stableB = engine.balance("B", "stable");
  assert.ok(stableB > 0n);
  applyEvent(engine, { type: "fromStable", member: "B", stable: "0.000003" });
  assert.equal(engine.balance("B", "stable"), stableB - 3n);
  applyEvent(engine, { type: "pay", member: "B", to: "A", stable: "0.000004" });
  assert.equal(engine.balance("B", "stable"), stableB - 7n);
  assert.equal(engine.balance("A", "stable"), 6n);
  const before = engine.balance("B", "equity");
  applyEvent(engine, { type: "redeem", member: "B", amount: "1.25" });
  assert.ok(engine.balance("B", "equity") < before);
  applyEvent(engine, { type: "setConfig", config: { equity: { referrerShare: "0.2" } } });
  assert.equal(engine.daysSettled, 0);
  applyEvent(engine, { type: "endOfDay" });
  assert.equal(engine.daysSettled, 1);
  assert.equal(engine.config.equity.referrerShare, 200_000n);
  const state = renderState(engine).equity;
  const treasury = engine.book.balance("p:treasury", "equity");
  assert.ok(treasury > 0n);
  assert.equal(state.treasury, renderMicro(treasury));
  assert.equal(state.pool, renderMicro(engine.equity.pool));
  assert.equal(state.circulating, renderMicro(engine.equity.supply));
  assert.equal(state.issued, renderMicro(engine.equity.issued));
  assert.equal(state.burned, renderMicro(engine.equityBurned()));
  assert.ok(engine.equityBurned() > 0n);
  applyEvent(engine, { type: "refund", order: "o1" });
  assert.equal(engine.balance("B", "equity"), 0n);
});

test("a member id may be a whole JSON number (its text), never another number or an empty string", () => {
  // replayText keeps numbers as their text; runScenario accepts a whole JS number too.
  const { output } = runScenario({
    events: [
      { type: "join", member: 7 },
      { type: "join", member: "8", referrer: 7 },
    ],
  });
  assert.deepEqual(Object.keys(output.members), ["7", "8"]);
  const engine = joined();
  for (const member of [1.5, "", null, true, {}]) {
    const e = refusal(engine, { type: "join", member });
    assert.equal(e.code, "INVALID_FIELD");
    assert.equal(e.detail, '"member" must be a non-empty string');
    assert.equal(e.field, "member");
  }
  // A missing required text field is refused the same way; an optional one may be left out.
  assert.equal(refusal(engine, { type: "join" }).detail, '"member" must be a non-empty string');
  assert.equal(refusal(engine, { type: "refund" }).detail, '"order" must be a non-empty string');
  assert.equal(
    refusal(joined("A"), { type: "pay", member: "A", stable: "1" }).detail,
    '"to" must be a non-empty string',
  );
  assert.equal(
    refusal(engine, { type: "join", member: "A", referrer: "" }).detail,
    '"referrer" must be a non-empty string',
  );
  assert.equal(engine.hasMember("A"), false);
});

test("amounts: a missing one, too many places and a non-decimal each have their own refusal", () => {
  const engine = joined("A");
  const missing = refusal(engine, { type: "sell", member: "A" });
  assert.equal(missing.code, "INVALID_FIELD");
  assert.equal(missing.detail, '"points" is missing');
  assert.equal(missing.field, "points");
  const places = refusal(engine, { type: "redeem", member: "A", amount: "1.001" });
  assert.equal(places.code, "TOO_MANY_PLACES");
  assert.equal(places.detail, '"amount": more than 2 decimal places: 1.001');
  assert.equal(places.field, "amount");
  const format = refusal(engine, { type: "toStable", member: "A", points: "abc" });
  assert.equal(format.code, "INVALID_AMOUNT");
  assert.equal(format.detail, '"points": not a decimal: "abc"');
  assert.equal(format.field, "points");
  const range = refusal(engine, { type: "fromStable", member: "A", stable: "1e30" });
  assert.equal(range.code, "INVALID_AMOUNT");
  assert.equal(range.field, "stable");
  // Each amount field at its own places: an order's amount to the fen, its points to 6 places.
  assert.equal(
    refusal(engine, { type: "order", member: "A", amount: "1.001", plans: [] }).detail,
    '"amount": more than 2 decimal places: 1.001',
  );
  assert.equal(
    refusal(engine, { type: "order", member: "A", amount: "1", plans: [], points: "0.0000001" }).detail,
    '"points": more than 6 decimal places: 0.0000001',
  );
  assert.equal(refusal(engine, { type: "order", member: "A", plans: [] }).detail, '"amount" is missing');
  assert.equal(refusal(engine, { type: "sell", member: "A", points: "0.0000001" }).code, "TOO_MANY_PLACES");
  assert.equal(
    refusal(engine, { type: "toStable", member: "A", points: "0.0000001" }).code,
    "TOO_MANY_PLACES",
  );
  assert.equal(
    refusal(engine, { type: "fromStable", member: "A", stable: "0.0000001" }).code,
    "TOO_MANY_PLACES",
  );
  assert.equal(
    refusal(engine, { type: "pay", member: "A", to: "A", stable: "0.0000001" }).code,
    "TOO_MANY_PLACES",
  );
});

test("an order's plans must be a list", () => {
  const engine = joined("A");
  for (const plans of [undefined, "equity", {}]) {
    const e = refusal(engine, { type: "order", member: "A", amount: "1", plans });
    assert.equal(e.code, "INVALID_FIELD");
    assert.equal(e.detail, '"plans" must be a list');
    assert.equal(e.field, "plans");
  }
});

test("an adjustment of cash is read to the fen by the replay, other assets to 6 places; its reason must be text", () => {
  const engine = joined("A");
  const cash = refusal(engine, { type: "adjust", member: "A", asset: "cash", amount: "0.001", reason: "r" });
  assert.equal(cash.code, "TOO_MANY_PLACES");
  assert.equal(cash.detail, '"amount": more than 2 decimal places: 0.001');
  const points = refusal(engine, {
    type: "adjust",
    member: "A",
    asset: "points",
    amount: "0.0000001",
    reason: "r",
  });
  assert.equal(points.detail, '"amount": more than 6 decimal places: 0.0000001');
  assert.equal(
    refusal(engine, { type: "adjust", member: "A", amount: "1", reason: "r" }).detail,
    '"asset" must be a non-empty string',
  );
  // A reason that is not text counts as none.
  for (const reason of [undefined, 5, ["r"]]) {
    const e = refusal(engine, { type: "adjust", member: "A", asset: "cash", amount: "1", reason });
    assert.equal(e.code, "MISSING_REASON", JSON.stringify(reason));
  }
  assert.equal(engine.balance("A", "cash"), 0n);
});

test("the rendered state shows each wallet, debt, grade and star of a member", () => {
  const engine = new Engine({
    equity: { referrerShare: "0.1" },
    release: {
      starLevels: [{ name: "一星", minPerformance: "3000", rate: "0.1" }],
      shareRates: [],
    },
  });
  engine.join("A");
  engine.join("B", "A");
  engine.adjust("A", "cash", 1_000_000n, "r");
  engine.adjust("A", "points", 2_000_000n, "r");
  engine.adjust("A", "stable", 3_000_000n, "r");
  engine.order({ member: "A", amount: 3_000_000_000n, plans: ["release", "equity", "cycle"] });
  engine.order({ member: "B", amount: 3_000_000_000n, plans: ["release"] });
  engine.endOfDay();
  const out = renderState(engine).members.A;
  assert.ok(out);
  const wallets = ["cash", "points", "equity", "stable", "gift", "quota", "exitQuota", "weight"] as const;
  for (const wallet of wallets) {
    const balance = engine.balance("A", wallet);
    assert.ok(balance > 0n, `A holds some ${wallet}`);
    assert.equal(out[wallet], renderMicro(balance), wallet);
  }
  assert.equal(out.grade, "初级会员");
  assert.equal(out.star, "一星");
  assert.deepEqual(out.debt, {});
  assert.equal(renderState(engine).members.B?.star, null);
});

test("the rendered state shows a debt per wallet, and the price remembered when nothing circulates", () => {
  const { output } = runScenario({
    config: { equity: { referrerShare: "0.1" } },
    events: [
      { type: "join", member: "A" },
      { type: "join", member: "B", referrer: "A" },
      { type: "order", member: "B", amount: "100", plans: ["equity"], id: "o1" },
      { type: "sell", member: "A", points: "3" },
      { type: "sell", member: "B", points: "21" },
      { type: "refund", order: "o1" },
    ],
  });
  assert.deepEqual(output.members.B?.debt, { equity: "21" });
  assert.deepEqual(output.members.A?.debt, { equity: "3" });
  assert.equal(output.equity.circulating, "0");
  // A's sale of 3 at 30 / 24 = 1.25 pays 3.375 less 10%, down to the fen: 3.37; the pool keeps
  // 26.63 for B's 21 points, and P / S just before S reached 0 stays the price: 26.63 / 21.
  assert.equal(output.equity.price, "1.2681");
  // The 24 points sold were burned; the clawed-back 24 are owed, not burned.
  assert.equal(output.equity.burned, "24");
  assert.equal(output.equity.issued, "24");
  assert.equal(output.equity.treasury, "0");
});

/** A micro-unit figure as the replay prints it (formatDecimal), written out independently. */
function renderMicro(value: bigint): string {
  const sign = value < 0n ? "-" : "";
  const abs = value < 0n ? -value : value;
  const whole = abs / 1_000_000n;
  const frac = (abs % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return `${sign}${whole}${frac ? `.${frac}` : ""}`;
}

test("replayText: invalid JSON stops at the config; the output is the state as 2-space JSON and a newline", () => {
  let syntax = "";
  try {
    parseJsonLossless("{");
  } catch (error) {
    syntax = (error as Error).message;
  }
  assert.ok(syntax.length > 0);
  assert.throws(
    () => replayText("{"),
    (e: unknown) =>
      e instanceof ReplayError &&
      e.eventIndex === null &&
      e.reason === `not valid JSON / 不是有效的 JSON: ${syntax}`,
  );
  const text = replayText('{"events":[{"type":"join","member":"A"}]}');
  assert.equal(
    text,
    `${JSON.stringify(runScenario({ events: [{ type: "join", member: "A" }] }).output, null, 2)}\n`,
  );
  assert.ok(text.endsWith("}\n"));
  assert.ok(text.includes('\n  "days": 0,'));
});
