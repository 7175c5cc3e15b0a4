import { type AppErrorCode, CATALOGUE, type ErrorSpec } from "./catalogue.ts";

/** Extra words appended to the catalogue message, in both languages. */
export interface ErrorDetail {
  readonly zh: string;
  readonly en: string;
}

/** Options of one raised error. */
export interface AppErrorOptions {
  /** The request field at fault, e.g. "phone" or "items[0].quantity". */
  readonly field?: string;
  readonly detail?: ErrorDetail;
  /**
   * Keep the writes made so far in the transaction (the command wrapper
   * commits them, then answers with this error): a wrong SMS code still counts
   * as a try. Only for errors raised right after their single write.
   */
  readonly keepWrites?: boolean;
}

/** An expected failure with a stable code; it reaches the client as the error body. */
export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly status: number;
  readonly zh: string;
  readonly en: string;
  readonly field: string | undefined;
  readonly keepWrites: boolean;

  /** `text` replaces the catalogue's words (used for engine refusals, which carry their own detail). */
  constructor(code: AppErrorCode, options: AppErrorOptions = {}, text?: ErrorSpec) {
    const spec = text ?? CATALOGUE[code];
    const zh = options.detail ? withDetail(spec.zh, "。", "：", options.detail.zh) : spec.zh;
    const en = options.detail ? withDetail(spec.en, ".", ": ", options.detail.en) : spec.en;
    super(en);
    this.name = "AppError";
    this.code = code;
    this.status = spec.status;
    this.zh = zh;
    this.en = en;
    this.field = options.field;
    this.keepWrites = options.keepWrites ?? false;
  }
}

/** Throws an `AppError` (a coded, expected failure). */
export function fail(code: AppErrorCode, options?: AppErrorOptions): never {
  throw new AppError(code, options);
}

/**
 * A catalogue sentence followed by its detail. A sentence that ends with its
 * full stop gives the stop to the detail ("支付配置有误：APIv3 密钥应为 32 个字符。",
 * not "…有误。：…"); one without a stop is joined as it is.
 */
function withDetail(sentence: string, stop: string, colon: string, detail: string): string {
  if (!sentence.endsWith(stop)) return `${sentence}${colon}${detail}`;
  const ended = /[。！？.!?]$/.test(detail) ? detail : `${detail}${stop}`;
  return `${sentence.slice(0, -stop.length)}${colon}${ended}`;
}
