/**
 * The shop's payment providers, chosen in settings. Each provider's settings
 * are one `server_settings` row, key `payments.<name>`, a JSON object
 * `{ enabled, payouts, config }`; `config` holds strings, secrets included
 * (or the path of a file holding each secret, `<field>File`). Secrets are
 * never answered back (masked) and never logged; the repository holds none.
 * The registry makes a provider from its settings on each use (a change in
 * the admin console applies at once) with the factories it was given —
 * `wechatFactory`, and the Alipay factory from branch pay-alipay.
 */
import { readFileSync } from "node:fs";
import type { Queryable } from "../db/index.ts";
import { AppError, fail } from "../errors/index.ts";
import {
  type PaymentProvider,
  type PaymentScene,
  PROVIDER_NAMES,
  type ProviderConfig,
  type ProviderDeps,
  type ProviderFactory,
  type ProviderName,
} from "./types.ts";

/** One provider's stored settings. */
export interface ProviderSettings {
  /** Offered at checkout. */
  readonly enabled: boolean;
  /** Pays approved withdrawals out (at most one provider should). */
  readonly payouts: boolean;
  readonly config: ProviderConfig;
}

const keyOf = (name: ProviderName) => `payments.${name}`;

/** The stored settings of `name`, or null when none were saved. */
export async function readProviderSettings(
  q: Queryable,
  name: ProviderName,
): Promise<ProviderSettings | null> {
  const rows = await q.query<{ value: string }>("select value from server_settings where key = $1", [
    keyOf(name),
  ]);
  const value = rows.rows[0]?.value;
  if (value === undefined) return null;
  const parsed = JSON.parse(value) as { enabled?: unknown; payouts?: unknown; config?: unknown };
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries((parsed.config ?? {}) as Record<string, unknown>))
    if (typeof v === "string") config[k] = v;
  return { enabled: parsed.enabled === true, payouts: parsed.payouts === true, config };
}

/**
 * Saves `name`'s settings. A secret field left out (or empty) keeps its stored
 * value: secrets are write-only, the console never has them to send back.
 */
export async function saveProviderSettings(
  q: Queryable,
  factory: ProviderFactory,
  input: { enabled: boolean; payouts: boolean; config: ProviderConfig },
): Promise<ProviderSettings> {
  const old = (await readProviderSettings(q, factory.name))?.config ?? {};
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.config)) if (v !== "") config[k] = v;
  for (const field of factory.secretFields) {
    if (config[field] === undefined && old[field] !== undefined) config[field] = old[field];
  }
  checkUrls(config);
  if (input.enabled || input.payouts) {
    checkRequired(factory, config);
    checkCreates(factory, config);
  }
  const saved: ProviderSettings = { enabled: input.enabled, payouts: input.payouts, config };
  await q.query(
    `insert into server_settings (key, value) values ($1, $2)
     on conflict (key) do update set value = excluded.value`,
    [keyOf(factory.name), JSON.stringify(saved)],
  );
  return saved;
}

function checkRequired(factory: ProviderFactory, config: ProviderConfig): void {
  for (const field of factory.requiredFields) {
    if (config[field] === undefined && config[`${field}File`] === undefined) {
      fail("PAYMENT_SETTINGS_INVALID", {
        field,
        detail: { zh: `缺少 ${field}`, en: `${field} is missing` },
      });
    }
  }
}

/** Fields holding an address: each must be an http(s) URL (notifications and calls go there). */
const URL_FIELDS = ["notifyUrl", "endpoint", "gateway", "oauthBase", "snsBase"];

function checkUrls(config: ProviderConfig): void {
  for (const field of URL_FIELDS) {
    const value = config[field];
    if (value !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(value)) {
      fail("PAYMENT_SETTINGS_INVALID", {
        field,
        detail: { zh: `${field} 应为 http:// 或 https:// 开头的网址`, en: `${field} must be an http(s) URL` },
      });
    }
  }
}

/** No network: a factory reads its keys and fields when it makes the provider, refusing what it cannot use. */
const OFFLINE_DEPS: ProviderDeps = {
  fetch: () => Promise.reject(new Error("offline")),
  timeoutMs: 1,
  now: () => new Date(0),
};

/** Makes the provider once from the settings to be saved, so a key that does not parse is refused now, not at checkout. */
function checkCreates(factory: ProviderFactory, config: ProviderConfig): void {
  try {
    factory.create(config, OFFLINE_DEPS);
  } catch (error) {
    if (error instanceof AppError) throw error;
    fail("PAYMENT_SETTINGS_INVALID", {
      detail: {
        zh: "密钥或字段无法读取，请检查 PEM 格式与各字段",
        en: "a key or field cannot be read; check the PEM text and each field",
      },
    });
  }
}

/** The settings as the console may see them: each secret masked ("已设置 / set") or absent. */
export function maskedSettings(factory: ProviderFactory, settings: ProviderSettings | null) {
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(settings?.config ?? {}))
    config[k] = factory.secretFields.includes(k) ? "******" : v;
  return {
    name: factory.name,
    enabled: settings?.enabled ?? false,
    payouts: settings?.payouts ?? false,
    config,
  };
}

/**
 * A secret of a provider's configuration: the value of `field`, or the
 * contents of the file named by `<field>File` (read when the provider is
 * made; a missing file is a configuration error, not a crash).
 */
export function secretValue(config: ProviderConfig, field: string): string {
  const value = config[field];
  if (value !== undefined) return value;
  const file = config[`${field}File`];
  if (file === undefined)
    fail("PAYMENT_SETTINGS_INVALID", { field, detail: { zh: `缺少 ${field}`, en: `${field} is missing` } });
  try {
    return readFileSync(file, "utf8");
  } catch {
    return fail("PAYMENT_SETTINGS_INVALID", {
      field,
      detail: { zh: `无法读取 ${field}File 指定的文件`, en: `the file named by ${field}File cannot be read` },
    });
  }
}

/** The shop's configured providers. */
export interface PaymentRegistry {
  /** The factories known to this server (the console's provider section lists them). */
  readonly factories: readonly ProviderFactory[];
  /**
   * Provider `name` when enabled for checkout; with `any`, whenever it has settings (notifications,
   * queries and refunds of payments made while it was enabled); null otherwise.
   */
  provider(q: Queryable, name: ProviderName, purpose?: "checkout" | "any"): Promise<PaymentProvider | null>;
  /** The providers offered at checkout, with their scenes. */
  offered(q: Queryable): Promise<{ name: ProviderName; scenes: readonly PaymentScene[] }[]>;
  /** The provider that pays withdrawals out, or null (withdrawals are paid by hand). */
  payoutProvider(q: Queryable): Promise<PaymentProvider | null>;
  /** What every provider call uses (fetch, timeout, clock): also for the OAuth and statement calls. */
  readonly deps: ProviderDeps;
}

/** The registry over `factories`; `deps` reach every provider made (fetch, timeout, clock). */
export function paymentRegistry(factories: readonly ProviderFactory[], deps: ProviderDeps): PaymentRegistry {
  const byName = new Map(factories.map((f) => [f.name, f]));
  const make = async (q: Queryable, name: ProviderName, want: (s: ProviderSettings) => boolean) => {
    const factory = byName.get(name);
    if (!factory) return null;
    const settings = await readProviderSettings(q, name);
    if (!settings || !want(settings)) return null;
    return factory.create(settings.config, deps);
  };
  return {
    factories,
    deps,
    provider: (q, name, purpose = "checkout") => make(q, name, (s) => purpose === "any" || s.enabled),
    async offered(q) {
      const out: { name: ProviderName; scenes: readonly PaymentScene[] }[] = [];
      for (const name of PROVIDER_NAMES) {
        const provider = await make(q, name, (s) => s.enabled);
        if (provider) out.push({ name, scenes: provider.scenes });
      }
      return out;
    },
    async payoutProvider(q) {
      for (const name of PROVIDER_NAMES) {
        const provider = await make(q, name, (s) => s.payouts);
        if (provider) return provider;
      }
      return null;
    },
  };
}
