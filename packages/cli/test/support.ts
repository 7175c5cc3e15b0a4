/**
 * What the `jifen` process tests share: running the command as a process with
 * the server's settings in its environment, the business day N days ago, and
 * data directories prepared from the migrated template (a fresh `DATA_DIR`
 * would cost each process an initdb and every migration).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

import { nodeArgs } from "../../server/test/support/node-entry.ts";

export { seedDataDir } from "../../server/test/support/db.ts";

/** `node`'s arguments that run the `jifen` command (bin/jifen.js loads the same entry through tsx). */
export const JIFEN = nodeArgs(join(import.meta.dirname, "..", "src", "cli.ts"));

/** What a `jifen` process left. */
export interface JifenRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Settings of one `jifen` process: an embedded database in `DATA_DIR` unless `DATABASE_URL` is set. */
export interface JifenEnv {
  readonly DATA_DIR: string;
  readonly DATABASE_URL?: string;
  readonly [name: string]: string | undefined;
}

/** Runs `jifen …args` as a process and waits for it (business time zone Asia/Shanghai). */
export function runJifen(env: JifenEnv, args: readonly string[]): JifenRun {
  const result = spawnSync(process.execPath, [...JIFEN, ...args], {
    encoding: "utf8",
    env: {
      ...process.env,
      INIT_CWD: env.DATA_DIR,
      BUSINESS_TZ: "Asia/Shanghai",
      ...env,
      DATABASE_URL: env.DATABASE_URL ?? "",
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The business day `days` before today in Asia/Shanghai (YYYY-MM-DD; negative: after). */
export function daysAgo(days: number): string {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
  const at = new Date(`${today}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() - days);
  return at.toISOString().slice(0, 10);
}
