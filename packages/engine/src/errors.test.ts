/** The engine's refusals: the catalogue's sentences, withDetail, EngineError, refuse, refuseConfig, invariant. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  EngineError,
  ERRORS,
  type ErrorCode,
  invariant,
  refuse,
  refuseConfig,
  withDetail,
} from "./errors.ts";

test("every catalogue entry is a whole sentence in Chinese and in English", () => {
  const codes = Object.keys(ERRORS) as ErrorCode[];
  assert.equal(codes.length, 26);
  for (const code of codes) {
    const { zh, en } = ERRORS[code];
    assert.match(zh, /^\p{Script=Han}.*[。！？]$/u, `${code}: ${zh}`);
    assert.match(en, /^[A-Z].{8,}[.!?]$/, `${code}: ${en}`);
  }
});

test("withDetail keeps one sentence: the head's stop becomes a colon, the whole ends with one stop", () => {
  assert.equal(withDetail("金额格式无效。", "字段 amount", "zh"), "金额格式无效：字段 amount。");
  assert.equal(
    withDetail("The amount is not a valid decimal.", "field amount", "en"),
    "The amount is not a valid decimal: field amount.",
  );
  // A head ending in ！ or ？ (! or ?) loses it too; one without a stop loses nothing.
  assert.equal(withDetail("请稍候！", "甲", "zh"), "请稍候：甲。");
  assert.equal(withDetail("是否继续？", "甲", "zh"), "是否继续：甲。");
  assert.equal(withDetail("无句号", "甲", "zh"), "无句号：甲。");
  assert.equal(withDetail("Wait!", "a", "en"), "Wait: a.");
  assert.equal(withDetail("Really?", "a", "en"), "Really: a.");
  assert.equal(withDetail("No stop", "a", "en"), "No stop: a.");
  // Only the last stop of the head goes; a stop inside it stays.
  assert.equal(withDetail("甲。乙。", "丙", "zh"), "甲。乙：丙。");
  assert.equal(withDetail("One. Two.", "three", "en"), "One. Two: three.");
  // A detail that ends its own sentence is not stopped twice; one with a stop inside still is.
  assert.equal(withDetail("请先登录。", "还可尝试 2 次。", "zh"), "请先登录：还可尝试 2 次。");
  assert.equal(withDetail("请先登录。", "还可尝试！", "zh"), "请先登录：还可尝试！");
  assert.equal(withDetail("请先登录。", "还可尝试？", "zh"), "请先登录：还可尝试？");
  assert.equal(withDetail("请先登录。", "甲。乙", "zh"), "请先登录：甲。乙。");
  assert.equal(withDetail("Sign in.", "2 tries left!", "en"), "Sign in: 2 tries left!");
  assert.equal(withDetail("Sign in.", "why?", "en"), "Sign in: why?");
  assert.equal(withDetail("Sign in.", "done.", "en"), "Sign in: done.");
  assert.equal(withDetail("Sign in.", "e.g. this", "en"), "Sign in: e.g. this.");
  // Each language its own stops: a Chinese stop does not end an English sentence, nor the reverse.
  assert.equal(withDetail("Sign in.", "甲。", "en"), "Sign in: 甲。.");
  assert.equal(withDetail("请先登录。", "a.", "zh"), "请先登录：a.。");
});

test("an EngineError carries its code, detail, field and both messages", () => {
  const e = new EngineError("INSUFFICIENT_POINTS", "member 7 holds 1.00", "amount");
  assert.ok(e instanceof Error);
  assert.equal(e.name, "EngineError");
  assert.equal(e.code, "INSUFFICIENT_POINTS");
  assert.equal(e.detail, "member 7 holds 1.00");
  assert.equal(e.detailZh, "member 7 holds 1.00", "without Chinese words the detail is used");
  assert.equal(e.field, "amount");
  assert.equal(e.zh, "可用积分不足：member 7 holds 1.00。");
  assert.equal(e.en, "There are not enough points: member 7 holds 1.00.");
  assert.equal(
    e.message,
    "可用积分不足：member 7 holds 1.00。 / There are not enough points: member 7 holds 1.00.",
  );
  const noField = new EngineError("UNKNOWN_MEMBER", "m1");
  assert.equal(noField.field, undefined);
  const zh = new EngineError("INVALID_CONFIG", "x: must be positive", "x", "x 须大于 0");
  assert.equal(zh.detailZh, "x 须大于 0");
  assert.equal(zh.zh, "参数无效：x: must be positive。", "zh shows the detail; the server uses detailZh");
});

test("refuse throws the EngineError; refuseConfig names the key in both languages", () => {
  assert.throws(
    () => refuse("UNKNOWN_ORDER", "o9", "orderId", "订单 o9"),
    (e: unknown) =>
      e instanceof EngineError &&
      e.code === "UNKNOWN_ORDER" &&
      e.detail === "o9" &&
      e.field === "orderId" &&
      e.detailZh === "订单 o9",
  );
  assert.throws(
    () => refuseConfig("release.dailyRate", "must be positive", "须大于 0"),
    (e: unknown) =>
      e instanceof EngineError &&
      e.code === "INVALID_CONFIG" &&
      e.detail === "release.dailyRate: must be positive" &&
      e.field === "release.dailyRate" &&
      e.detailZh === "release.dailyRate 须大于 0",
  );
});

test("invariant throws a plain Error for a falsy condition only", () => {
  invariant(true, "never");
  invariant(1, "never");
  for (const falsy of [false, 0, "", null, undefined]) {
    assert.throws(
      () => invariant(falsy, "the books balance"),
      (e: unknown) =>
        e instanceof Error &&
        !(e instanceof EngineError) &&
        e.message === "invariant violated: the books balance",
    );
  }
});
