/**
 * `npm start` (src/main.ts) on the embedded database says, in Chinese and
 * English, that it is for trials and small shops, may lose the latest writes
 * on a power cut, and that production should use PostgreSQL (issue 16).
 * DATA_DIR starts empty: this is the suite's first start of a server process
 * on nothing (initdb and every migration); keep it so.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { nodeArgs } from "./support/node-entry.ts";

const main = join(import.meta.dirname, "..", "src", "main.ts");

test("the start banner on PGlite warns of power cuts and points to PostgreSQL, in Chinese and English", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "jifen-banner-"));
  const child = spawn(process.execPath, nodeArgs(main), {
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      DATABASE_URL: "",
      INIT_CWD: dataDir,
      LOG_LEVEL: "warn",
      SETTLEMENT_TIME: "off",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
        if (/API docs:/.test(stdout)) resolve();
      });
      child.on("close", (code) => reject(new Error(`exited ${code}: ${stdout}\n${stderr}`)));
    });
    assert.match(
      stdout,
      /^ {2}注意：内置数据库（PGlite）仅适合试用和小店；.*断电时可能丢失最近已确认的写入.*正式运营请使用 PostgreSQL（设置 DATABASE_URL）/m,
    );
    assert.match(
      stdout,
      /^ {2}Note: the embedded database \(PGlite\) is for trials and small shops; it makes no fsync, so a power cut may lose the latest acknowledged writes .*Production should use PostgreSQL \(set DATABASE_URL\)/m,
    );
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});
