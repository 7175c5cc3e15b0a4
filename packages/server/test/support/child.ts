/**
 * Server processes of the tests with several processes (equity-writer-kill,
 * writer-lease-processes): `startChild` starts a TypeScript entry (bundled
 * under `npm test`, see node-entry.ts) as a child process and resolves once it
 * printed `{"address": …}` on its first line; `http` calls it and reads the
 * JSON answer.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { nodeArgs } from "./node-entry.ts";

/** A started server process and its base URL. */
export interface ChildServer {
  readonly proc: ChildProcess;
  readonly base: string;
}

/** Starts `entry` (an absolute path) with `env` added to this process's environment. */
export function startChild(entry: string, env: Record<string, string | undefined>): Promise<ChildServer> {
  const proc = spawn(process.execPath, nodeArgs(entry), {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) resolve({ proc, base: JSON.parse(line).address as string });
    });
    proc.on("exit", (code) => reject(new Error(`${entry} exited with ${code} before listening`)));
  });
}

/** An answer of a child server. */
// biome-ignore lint/suspicious/noExplicitAny: the tests read a few response fields
export type ChildAnswer = { status: number; data: any; replayed: boolean };

/** One request to `base`; `body` is sent as JSON. */
export async function http(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ChildAnswer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return {
    status: response.status,
    data: await response.json(),
    replayed: response.headers.get("idempotent-replayed") === "true",
  };
}
