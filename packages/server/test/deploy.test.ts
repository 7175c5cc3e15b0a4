/**
 * The deployment files of docs/production.md: the nginx snippet passes `nginx -t`
 * (scripts/check-nginx.sh) and the systemd unit passes `systemd-analyze verify`;
 * the guide shows both files as they are. Skipped only when the tool is absent
 * and CI is not set (CI installs nginx in .ci/run); the unit check skips without systemd.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

const root = new URL("../../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

function has(tool: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
}

function skipUnlessCi(tool: string): false | string {
  if (has(tool)) return false;
  return process.env.CI === "true" ? false : `${tool} is not installed (apt-get install -y ${tool})`;
}

describe("deployment files", () => {
  test("the nginx snippet passes nginx -t", { skip: skipUnlessCi("nginx") }, () => {
    const run = spawnSync("bash", [new URL("scripts/check-nginx.sh", root).pathname], { encoding: "utf8" });
    assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /passes nginx -t/);
  });

  // systemd-analyze comes with systemd; a machine without it skips this check, CI included.
  const noSystemd = has("systemd-analyze") ? false : "systemd-analyze is not installed";
  test("the systemd unit passes systemd-analyze verify", { skip: noSystemd }, () => {
    const run = spawnSync(
      "systemd-analyze",
      ["verify", new URL("deploy/systemd/jifen.service", root).pathname],
      {
        encoding: "utf8",
      },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr.trim(), "", "systemd-analyze complains");
  });

  test("docs/production.md shows the files as committed", () => {
    const guide = read("docs/production.md");
    for (const file of ["deploy/nginx/jifen.conf", "deploy/systemd/jifen.service"]) {
      assert.ok(guide.includes(read(file).trimEnd()), `${file} differs from its copy in docs/production.md`);
    }
  });
});
