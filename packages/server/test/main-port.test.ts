/**
 * `npm start` (src/main.ts) as a child process on a port already in use: one
 * clear line on stderr (Chinese and English), no stack, a non-zero exit.
 * DATA_DIR holds a migrated database (seedDataDir): the first start on an
 * empty one (initdb, every migration) is main-banner.test.ts's.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { seedDataDir } from "./support/db.ts";
import { nodeArgs } from "./support/node-entry.ts";

const main = join(import.meta.dirname, "..", "src", "main.ts");

test("starting on a port in use prints one line and exits non-zero", async () => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  const port = (holder.address() as AddressInfo).port;
  const dataDir = mkdtempSync(join(tmpdir(), "jifen-port-"));
  try {
    await seedDataDir(dataDir);
    const child = spawn(process.execPath, nodeArgs(main), {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        DATA_DIR: dataDir,
        DATABASE_URL: "",
        INIT_CWD: dataDir,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const status = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    assert.equal(status, 1, `stdout: ${stdout}\nstderr: ${stderr}`);
    const lines = stderr.split("\n").filter((l) => l.trim() !== "");
    assert.equal(lines.length, 1, stderr);
    assert.match(
      lines[0] ?? "",
      new RegExp(
        `^无法启动：127\\.0\\.0\\.1:${port} 端口已被占用.*/ Cannot start: port ${port} on 127\\.0\\.0\\.1 is already in use`,
      ),
    );
    assert.doesNotMatch(stderr, /\n\s+at /, "no stack");
    assert.doesNotMatch(stdout, /listening on/);
  } finally {
    holder.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
