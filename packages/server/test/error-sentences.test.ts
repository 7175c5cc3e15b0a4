/**
 * Every error a person reads is a whole sentence in both languages: each
 * catalogue entry (the server's and the engine's), and each message built
 * from an entry and a detail, ends as a sentence — Chinese with 。！？, English
 * capitalised with . ! ?.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { EngineError, ERRORS, withDetail } from "@jifen/engine";
import { AppError, type AppErrorCode, CATALOGUE, toErrorBody } from "../src/errors/index.ts";

const ZH_SENTENCE = /^[^\s].*\p{Script=Han}.*[。！？]$/u;
const EN_SENTENCE = /^[A-Z].*[.!?]$/s;

function assertSentences(where: string, zh: string, en: string): void {
  assert.match(zh, ZH_SENTENCE, `${where}: the Chinese is not a whole sentence: ${zh}`);
  assert.match(en, EN_SENTENCE, `${where}: the English is not a whole sentence: ${en}`);
  assert.doesNotMatch(zh, /[。！？][：:]|。。/, `${where}: ${zh}`);
  assert.doesNotMatch(en, /\.[:.]|\.\.$/, `${where}: ${en}`);
}

test("every catalogue entry, the server's and the engine's, is a sentence in Chinese and in English", () => {
  const codes = Object.keys(CATALOGUE) as AppErrorCode[];
  assert.ok(codes.length > 100);
  for (const code of codes) assertSentences(code, CATALOGUE[code].zh, CATALOGUE[code].en);
  for (const [code, text] of Object.entries(ERRORS)) assertSentences(`engine ${code}`, text.zh, text.en);
});

test("an entry with a detail is still one sentence, and a detail that ends its own sentence is not stopped twice", () => {
  for (const code of Object.keys(CATALOGUE) as AppErrorCode[]) {
    const withWords = new AppError(code, { detail: { zh: "字段 amount", en: "field amount" } });
    assertSentences(`${code} with a detail`, withWords.zh, withWords.en);
    assert.ok(withWords.zh.endsWith("：字段 amount。"), withWords.zh);
    assert.ok(withWords.en.endsWith(": field amount."), withWords.en);
  }
  assert.equal(withDetail("请先登录。", "还可尝试 2 次。", "zh"), "请先登录：还可尝试 2 次。");
  assert.equal(
    withDetail("Please sign in first.", "2 tries left!", "en"),
    "Please sign in first: 2 tries left!",
  );
});

test("an engine refusal reaches the client as a sentence in both languages, with or without its own Chinese detail", () => {
  const plain = toErrorBody(new EngineError("INSUFFICIENT_POINTS", "member 7 holds 1.00, needs 2.00"), "r1");
  assertSentences("INSUFFICIENT_POINTS", plain.body.message, plain.body.messageEn);
  assert.equal(plain.body.messageEn, "There are not enough points: member 7 holds 1.00, needs 2.00.");
  const config = toErrorBody(
    new EngineError(
      "INVALID_CONFIG",
      "release.dailyRate: must be positive",
      "release.dailyRate",
      "release.dailyRate 须大于 0",
    ),
    "r2",
  );
  assertSentences("INVALID_CONFIG", config.body.message, config.body.messageEn);
  assert.equal(config.body.message, "参数无效：release.dailyRate 须大于 0。");
});
