import type { Ok } from "@jifen/api-types";
import { api, unwrap } from "../../api.ts";
import type { MessageKey } from "../../i18n/index.tsx";

export type Action = "sell" | "redeem" | "toStable" | "fromStable" | "pay";
export type EquityResult = Ok<"sellEquity">;

interface ActionSpec {
  readonly title: MessageKey;
  readonly short: MessageKey;
  readonly input: MessageKey;
  readonly places: number;
  readonly max: "equity" | "stable" | null;
}

/** What each command asks for: its names, its input's label, decimals, and which holding caps it. */
export const ACTIONS: Readonly<Record<Action, ActionSpec>> = {
  sell: {
    title: "equity.action.sell",
    short: "equity.short.sell",
    input: "equity.input.points",
    places: 6,
    max: "equity",
  },
  redeem: {
    title: "equity.action.redeem",
    short: "equity.short.redeem",
    input: "equity.input.redeem",
    places: 2,
    max: null,
  },
  toStable: {
    title: "equity.action.toStable",
    short: "equity.short.toStable",
    input: "equity.input.toStable",
    places: 6,
    max: "equity",
  },
  fromStable: {
    title: "equity.action.fromStable",
    short: "equity.short.fromStable",
    input: "equity.input.fromStable",
    places: 6,
    max: "stable",
  },
  pay: {
    title: "equity.action.pay",
    short: "equity.short.pay",
    input: "equity.input.pay",
    places: 6,
    max: "stable",
  },
};

/**
 * Runs one command: with `dryRun` the server computes everything and changes
 * nothing (the preview); otherwise it is done once under `key`.
 */
export function runAction(
  action: Action,
  value: string,
  merchant: string,
  options: { dryRun: boolean; key?: string },
): Promise<EquityResult> {
  const params = {
    query: { dryRun: options.dryRun },
    header: options.key ? { "idempotency-key": options.key } : {},
  };
  switch (action) {
    case "sell":
      return unwrap(api.POST("/me/equity/sell", { params, body: { points: value } }));
    case "redeem":
      return unwrap(api.POST("/me/equity/redeem", { params, body: { amount: value } }));
    case "toStable":
      return unwrap(api.POST("/me/equity/to-stable", { params, body: { points: value } }));
    case "fromStable":
      return unwrap(api.POST("/me/equity/from-stable", { params, body: { stable: value } }));
    case "pay":
      return unwrap(api.POST("/me/stable/pay", { params, body: { stable: value, inviteCode: merchant } }));
  }
}
