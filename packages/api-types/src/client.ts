/**
 * The one HTTP client of the web console and the member site: openapi-fetch over
 * the generated `paths`, a bearer token read at each call, and `unwrap`, which turns
 * an error answer (or a lost connection) into an `ApiError` carrying the server's
 * code and its Chinese and English sentences.
 *
 * Every amount in the API is a decimal string and every count an integer below
 * 2^53 (the server's limits), so the browser's JSON.parse reads them exactly.
 */
import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./schema.d.ts";

export type ApiClient = Client<paths>;

/** The body of every error answer (components.schemas.ErrorBody). */
export interface ApiErrorBody {
  readonly code: string;
  readonly message: string;
  readonly messageEn: string;
  readonly field?: string;
  readonly requestId?: string;
}

/** A refusal or failure of an API call, in both languages. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: ApiErrorBody;
  constructor(status: number, body: ApiErrorBody) {
    super(`${body.code}: ${body.messageEn}`);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
  }
  get code(): string {
    return this.body.code;
  }
  get field(): string | undefined {
    return this.body.field;
  }
  /** The sentence for a reader of `language` ("zh-CN" or "en"). */
  sentence(language: string): string {
    return language.startsWith("zh") ? this.body.message : this.body.messageEn;
  }
}

const NETWORK_ERROR: ApiErrorBody = {
  code: "NETWORK_ERROR",
  message: "无法连接服务器，请检查网络后重试。",
  messageEn: "The server cannot be reached; check the connection and try again.",
};

export interface ApiClientOptions {
  /** Where the API lives; "" (the default) is the page's own origin. */
  readonly baseUrl?: string;
  /** The bearer token of the signed-in person, or null. */
  readonly token: () => string | null;
  /** Called on a 401 answer (the session ended): sign the person out. */
  readonly onUnauthorized?: () => void;
}

/** A typed client of the API. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl ?? "" });
  client.use({
    onRequest({ request }) {
      const token = options.token();
      if (token) request.headers.set("authorization", `Bearer ${token}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) options.onUnauthorized?.();
      return response;
    },
  });
  return client;
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return typeof value === "object" && value !== null && typeof (value as ApiErrorBody).code === "string";
}

/** The data of a call's answer; an error answer throws an ApiError. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await call;
  } catch {
    throw new ApiError(0, NETWORK_ERROR);
  }
  if (answer.error !== undefined || !answer.response.ok) {
    const body = isErrorBody(answer.error)
      ? answer.error
      : {
          code: "HTTP_ERROR",
          message: `服务器返回了错误（HTTP ${answer.response.status}），请稍后重试。`,
          messageEn: `The server answered with an error (HTTP ${answer.response.status}); try again later.`,
        };
    throw new ApiError(answer.response.status, body);
  }
  return answer.data as T;
}
