/**
 * Parameter sets (config_versions): each row is a patch of keys, effective
 * from a business day; the config of day d is the defaults with every patch
 * effective on or before d applied in order, key by key. The engine validates
 * its keys (naming the refused key); the server adds one section of its own,
 * `withdrawal` { feeRate, minAmount }.
 */
import {
  type Config,
  type ConfigInput,
  DEFAULT_CONFIG_INPUT,
  DecimalError,
  decimalReasonZh,
  mergeConfigInput,
  parseConfig,
  parseDecimal,
  refuseConfig,
  SCALE,
} from "@jifen/engine";
import type { Queryable, Tx } from "../db/index.ts";

/** The server's own parameters. */
export interface ServerParams {
  readonly withdrawal: {
    /** Fee as a rate of the amount, micro-scaled (0.006 = 6000n). */
    readonly feeRate: bigint;
    /** Smallest amount that may be withdrawn, micro-units of yuan. */
    readonly minAmount: bigint;
  };
}

/** The server section's defaults, as JSON. */
export const DEFAULT_SERVER_PARAMS_INPUT = { withdrawal: { feeRate: "0", minAmount: "1" } };

/** The parameters in force on a day, and the version that set them last (null: defaults). */
export interface EffectiveConfig {
  readonly versionId: string | null;
  readonly input: ConfigInput;
  readonly config: Config;
  readonly server: ServerParams;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function decimalAt(value: unknown, key: string): bigint {
  try {
    return parseDecimal(value);
  } catch (error) {
    if (error instanceof DecimalError) refuseConfig(key, error.message, decimalReasonZh(error));
    throw error;
  }
}

/** Validates the server section (merged with its defaults). */
export function parseServerParams(input: unknown): ServerParams {
  if (!isObject(input) || !isObject(input.withdrawal))
    refuseConfig("withdrawal", "must be an object", "须为对象");
  for (const key of Object.keys(input.withdrawal)) {
    if (key !== "feeRate" && key !== "minAmount")
      refuseConfig(`withdrawal.${key}`, "unknown key", "不是已知的参数");
  }
  const feeRate = decimalAt(input.withdrawal.feeRate, "withdrawal.feeRate");
  if (feeRate < 0n || feeRate > SCALE)
    refuseConfig("withdrawal.feeRate", "must be between 0 and 1", "须在 0 到 1 之间");
  const minAmount = decimalAt(input.withdrawal.minAmount, "withdrawal.minAmount");
  if (minAmount <= 0n || minAmount % 10_000n !== 0n) {
    refuseConfig(
      "withdrawal.minAmount",
      "a positive amount of yuan to the fen",
      "须为大于 0 的金额，最多精确到分",
    );
  }
  return { withdrawal: { feeRate, minAmount } };
}

/** Applies one stored patch to (engine input, server input). */
function applyPatch(
  engine: ConfigInput,
  server: { withdrawal: Record<string, unknown> },
  patch: unknown,
): { engine: ConfigInput; server: { withdrawal: Record<string, unknown> } } {
  if (!isObject(patch)) refuseConfig("config", "must be an object", "须为对象");
  const { withdrawal, ...engineKeys } = patch;
  const nextServer =
    withdrawal === undefined
      ? server
      : isObject(withdrawal)
        ? { withdrawal: { ...server.withdrawal, ...withdrawal } }
        : refuseConfig("withdrawal", "must be an object", "须为对象");
  return { engine: mergeConfigInput(engine, engineKeys), server: nextServer };
}

async function fold(q: Queryable, upToDay: string | null) {
  const rows = await q.query<{ id: string; params: unknown }>(
    `select id, params from config_versions where ($1::date is null or effective_day <= $1::date)
     order by effective_day, id`,
    [upToDay],
  );
  let state: { engine: ConfigInput; server: { withdrawal: Record<string, unknown> } } = {
    engine: DEFAULT_CONFIG_INPUT,
    server: { withdrawal: { ...DEFAULT_SERVER_PARAMS_INPUT.withdrawal } },
  };
  let versionId: string | null = null;
  for (const row of rows.rows) {
    state = applyPatch(state.engine, state.server, row.params);
    versionId = row.id;
  }
  return { state, versionId, rowsText: JSON.stringify(rows.rows) };
}

/**
 * The parsed parameters of the last few version lists read, by their rows' text:
 * parsing (the time zone's check builds an `Intl.DateTimeFormat`) cost ~0.1 ms a
 * call, paid by every batch of the equity writer and most commands. The rows are
 * still read every time, so a new version counts at once; equal rows parse equal.
 */
const parsed = new Map<string, Pick<EffectiveConfig, "config" | "server">>();
const PARSED_KEPT = 32;

function parsedOf(rowsText: string, state: Awaited<ReturnType<typeof fold>>["state"]) {
  let hit = parsed.get(rowsText);
  if (hit === undefined) {
    hit = { config: parseConfig(state.engine), server: parseServerParams(state.server) };
    if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value as string);
    parsed.set(rowsText, hit);
  }
  return hit;
}

/** The parameters in force on business day `day`. */
export async function configForDay(q: Queryable, day: string): Promise<EffectiveConfig> {
  const { state, versionId, rowsText } = await fold(q, day);
  return {
    versionId,
    input: { ...state.engine, withdrawal: state.server.withdrawal },
    ...parsedOf(rowsText, state),
  };
}

/**
 * True when a patch changes no parameter: no key at all, or only empty objects ({ release: {} }).
 * Looks at most 4 levels deep (a parameter sits at most 2 deep); anything deeper is not empty
 * and the validation refuses it by name. Request bodies are at most 32 deep (http/json-body.ts).
 */
export function isEmptyPatch(patch: unknown, depth = 0): boolean {
  if (depth > 4) return false;
  return isObject(patch) && Object.values(patch).every((v) => isObject(v) && isEmptyPatch(v, depth + 1));
}

/** The parameter set every version so far plus `patch` makes (validated; a refusal names the key). */
export async function previewConfig(
  q: Queryable,
  patch: unknown,
): Promise<Omit<EffectiveConfig, "versionId">> {
  const { state } = await fold(q, null);
  const next = applyPatch(state.engine, state.server, patch);
  return {
    input: { ...next.engine, withdrawal: next.server.withdrawal },
    config: parseConfig(next.engine),
    server: parseServerParams(next.server),
  };
}

/**
 * Records a patch effective from `effectiveDay` after checking that the
 * result of every version so far plus this patch is a valid config (a refusal
 * names the key). Returns the new version's id.
 */
export async function addConfigVersion(
  tx: Tx,
  input: { patch: unknown; effectiveDay: string; operatorId: string; note: string; now: Date },
): Promise<string> {
  await tx.query("select pg_advisory_xact_lock(hashtext('jifen.config'))");
  await previewConfig(tx, input.patch);
  const rows = await tx.query<{ id: string }>(
    `insert into config_versions (params, effective_day, operator_id, note, created_at)
     values ($1::text::jsonb, $2::date, $3::bigint, $4, $5::timestamptz) returning id`,
    [JSON.stringify(input.patch), input.effectiveDay, input.operatorId, input.note, input.now.toISOString()],
  );
  return rows.rows[0]?.id as string;
}

/** A stored version with the name of the operator who saved it. */
export interface ConfigVersionRow {
  id: string;
  params: unknown;
  effective_day: string;
  operator_id: string | null;
  operator_name: string | null;
  note: string;
  created_at: Date;
}

/** Versions, newest first: before version `beforeId` when given, at most `limit` (200 by default). */
export async function listConfigVersions(
  q: Queryable,
  page: { beforeId?: string | null; limit?: number } = {},
): Promise<ConfigVersionRow[]> {
  const rows = await q.query<ConfigVersionRow>(
    `select v.id, v.params, v.effective_day, v.operator_id, o.display_name as operator_name, v.note, v.created_at
     from config_versions v left join operators o on o.id = v.operator_id
     where ($1::bigint is null or v.id < $1::bigint) order by v.id desc limit $2`,
    [page.beforeId ?? null, page.limit ?? 200],
  );
  return rows.rows;
}
